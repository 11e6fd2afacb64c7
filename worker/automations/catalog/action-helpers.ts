import type { Delay } from '../model.ts';
import { delayEnd, needsLocationZone } from '../schedule.ts';
import type { ActionContext, CreateKey } from './types.ts';

/** When a delay counted from the run ends, in the location's time zone where it names a wall time. */
export async function delayFromRun(ctx: ActionContext, delay: Delay, fallback: number): Promise<number> {
  const zone = needsLocationZone(delay) ? await ctx.timeZone() : 'UTC';
  return delayEnd(delay, ctx.now, ctx.data, zone) ?? fallback;
}

async function sha256Hex(text: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The key a GHL create of this step is sent under (once per key, found again after a lost
 * answer), with the print of what it creates; none for one-off runs.
 */
export async function ghlCreateKey(
  ctx: ActionContext,
  what: string,
  content: unknown,
): Promise<CreateKey | undefined> {
  if (!ctx.idempotencyKey) return undefined;
  return { key: `${ctx.idempotencyKey}:${what}`, fingerprint: await sha256Hex(JSON.stringify(content)) };
}

/** A partner write's key: the step's own, or one made for this single run. */
export const partnerKey = (ctx: ActionContext, what: string): string =>
  `${ctx.idempotencyKey ?? `run:${crypto.randomUUID()}`}:${what}`;
