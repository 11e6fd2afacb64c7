/**
 * Active connections of a location with credentials unsealed, cached briefly per object. With
 * `held`, also connections waiting for a reconnect (status `error`): the sync engine keeps
 * their work until then instead of dropping it. Expired Cal.com OAuth tokens are renewed by
 * the location's object, one renewal per connection at a time.
 */
import {
  listConnections,
  openConnection,
  type OpenConnection,
  type PartnerRenewer,
} from '../tenants/connections.ts';
import { tenantStub } from './stubs.ts';

const TTL_MS = 15_000;

export class ConnectionsCache {
  private readonly env: Env;
  private readonly locationId: string;
  private readonly renew: PartnerRenewer;
  private value: OpenConnection[] | null = null;
  private until = 0;

  constructor(env: Env, locationId: string) {
    this.env = env;
    this.locationId = locationId;
    this.renew = (owner, connectionId, stale) =>
      tenantStub(env, owner).renewPartnerCredentials(owner, connectionId, stale);
  }

  async get(opts: { held?: boolean } = {}): Promise<OpenConnection[]> {
    const all = await this.load();
    return opts.held ? all : all.filter((c) => c.status === 'active');
  }

  private async load(): Promise<OpenConnection[]> {
    if (this.value && this.until > Date.now()) return this.value;
    const listed = await listConnections(this.env, this.locationId);
    const open: OpenConnection[] = [];
    for (const c of listed) {
      if (c.status !== 'active' && c.status !== 'error' && c.status !== 'reconnect_needed') continue;
      const full = await openConnection(this.env, c.id, { cached: true, renew: this.renew });
      // The status comes from the fresh listing; the unsealed row may be a cached one. Credentials
      // no key opens wait for a reconnect like an `error` connection.
      if (full && full.locationId === this.locationId)
        open.push({ ...full, status: c.status === 'reconnect_needed' ? 'error' : c.status });
    }
    this.value = open;
    this.until = Date.now() + TTL_MS;
    return open;
  }

  invalidate() {
    this.value = null;
  }
}
