import { getConfig, ghlTimeoutOverride } from '../../config.ts';
import { GhlGateway } from '../../ghl/gateway.ts';
import { DEFAULT_BACKOFF } from '../../ghl/rate-budget.ts';
import { setInstallStatus } from '../../tenants/installs.ts';
import { TokenKeeper } from '../../tenants/token-keeper.ts';
import type { ResourceIdentity } from './identity.ts';
import { tenantStub } from '../stubs.ts';

/** The resource's token keeper (single-flight refresh) and its GHL gateway, built on first use. */
export class GhlAccess {
  private readonly env: Env;
  private readonly identity: ResourceIdentity;
  private keeperCache: TokenKeeper | null = null;
  private gatewayCache: GhlGateway | null = null;

  constructor(env: Env, identity: ResourceIdentity) {
    this.env = env;
    this.identity = identity;
  }

  keeper(): TokenKeeper {
    if (!this.keeperCache) {
      const config = getConfig(this.env);
      this.keeperCache = new TokenKeeper({
        db: this.env.DB,
        config,
        resourceId: this.identity.installKey,
        mintFromAgency: (companyId) =>
          tenantStub(this.env, `company:${companyId}`).mintLocationToken(
            `company:${companyId}`,
            this.identity.installKey,
          ),
        onDead: (reason) =>
          setInstallStatus(this.env.DB, this.identity.installKey, 'reconnect_needed', reason),
      });
    }
    return this.keeperCache;
  }

  gateway(): GhlGateway {
    if (!this.gatewayCache)
      this.gatewayCache = new GhlGateway(
        getConfig(this.env).apiBase,
        this.keeper(),
        DEFAULT_BACKOFF,
        ghlTimeoutOverride(this.env),
      );
    return this.gatewayCache;
  }
}
