import { loadSettings } from '../../settings/store.ts';
import type { PartnerSwitches } from '../../sync/partner-gate.ts';
import { listConnections } from '../../tenants/connections.ts';

/** The location's switches as they stand now (read once per pass of the location's alarm). */
export async function loadPartnerSwitches(env: Env, locationId: string): Promise<PartnerSwitches> {
  const [{ settings }, connections] = await Promise.all([
    loadSettings(env.DB, locationId),
    listConnections(env, locationId),
  ]);
  return { settings, connections: new Map(connections.map((c) => [c.id, c.status])) };
}
