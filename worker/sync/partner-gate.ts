/**
 * The location's switches, applied to a partner change before anything is written to GHL.
 * Matching may create the person in GHL (an upsert), so they are checked at the partner intake,
 * not only by the contact's engine: a connection paused or switched off, a kind switched off or
 * flowing only to the partner, and dry run. Pure: the location's object reads the switches
 * (durable/location/partner-switches.ts).
 */
import type { Connection } from '../tenants/connections.ts';
import type { SyncKind } from '../connectors/types.ts';
import type { Settings } from '../settings/model.ts';
import { SETTINGS_KEY } from './engine-types.ts';
import { allowsFlow } from './policy.ts';

export interface PartnerSwitches {
  settings: Settings;
  /** Status of each of the location's connections, by id. */
  connections: ReadonlyMap<string, Connection['status']>;
}

/** Why nothing of this kind from this connection may reach GHL now, or null when it may. */
export function partnerChangeBlocked(
  switches: PartnerSwitches,
  connectionId: string,
  kind: SyncKind,
): string | null {
  const status = switches.connections.get(connectionId);
  if (!status) return 'the connection was removed';
  if (status === 'paused') return 'the connection is paused';
  if (switches.settings.connections.some((c) => c.id === connectionId && !c.enabled))
    return "the connection is switched off in this location's settings";
  return kindBlocked(switches.settings, SETTINGS_KEY[kind]);
}

/** Why a person the partner names may not be created in GHL, or null when it may. */
export function personCreateBlocked(switches: PartnerSwitches): string | null {
  return kindBlocked(switches.settings, 'contacts') ?? (switches.settings.dryRun ? DRY_RUN : null);
}

export const DRY_RUN = 'dry run: nothing written';

function kindBlocked(settings: Settings, key: (typeof SETTINGS_KEY)[SyncKind]): string | null {
  const kind = settings.kinds[key];
  if (!kind.enabled) return `${key} sync is switched off for this location`;
  if (!allowsFlow(kind.direction, 'partner'))
    return `${key} sync runs ${kind.direction.replace(/_/g, ' ')} only`;
  return null;
}
