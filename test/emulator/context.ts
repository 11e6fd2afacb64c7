import type { FaultInjector } from './faults.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { Signer } from './signing.ts';
import type { AccessToken, State } from './state.ts';
import type { Stats } from './stats.ts';
import type { WebhookDispatcher } from './webhooks.ts';

/** Everything a route or an operation needs, made once per emulator start. */
export interface Emu {
  state: State;
  webhooks: WebhookDispatcher;
  stats: Stats;
  limiter: RateLimiter;
  faults: FaultInjector;
  signer: Signer;
  accessTokenTtlSec: number;
  appBaseUrl: string;
}

export type AppEnv = { Variables: { auth: AccessToken } };
