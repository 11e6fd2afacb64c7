/** Active connections of a location with credentials unsealed, cached briefly per object. */
import { listConnections, openConnection, type OpenConnection } from '../connectors/connections.ts';

const TTL_MS = 15_000;

export class ConnectionsCache {
  private readonly env: Env;
  private readonly locationId: string;
  private value: OpenConnection[] | null = null;
  private until = 0;

  constructor(env: Env, locationId: string) {
    this.env = env;
    this.locationId = locationId;
  }

  async get(): Promise<OpenConnection[]> {
    if (this.value && this.until > Date.now()) return this.value;
    const listed = await listConnections(this.env, this.locationId);
    const open: OpenConnection[] = [];
    for (const c of listed) {
      if (c.status !== 'active') continue;
      const full = await openConnection(this.env, c.id, { cached: true });
      if (full && full.locationId === this.locationId) open.push(full);
    }
    this.value = open;
    this.until = Date.now() + TTL_MS;
    return open;
  }

  invalidate() {
    this.value = null;
  }
}
