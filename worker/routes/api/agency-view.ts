// The parts of GHL's list (durable/location/agency-directory.ts), our install rows
// (tenants/installs.ts) and a location's summary (durable/location/admin-summary.ts) read here,
// declared locally so this pure module pulls no Workers types into the Node-side checks.
interface DirectoryEntry {
  id: string;
  name: string;
  address: string;
  installed: boolean;
}
interface InstallEntry {
  resourceId: string;
  name: string | null;
  status: string;
  lastError: string | null;
}
interface SummaryEntry {
  backlog: number;
  failures: number;
  lastFailureAt: number | null;
}

/**
 * How the agency console sees a sub-account (pure): GHL's list says whether the app is installed
 * there; our install row says whether we hold working tokens for it.
 */
export type AgencyLocationStatus = 'active' | 'reconnect_needed' | 'pending' | 'not_installed';

export interface AgencyLocation {
  id: string;
  name: string;
  address: string;
  installed: boolean;
  status: AgencyLocationStatus;
  /** Sync work waiting (stored events plus queued or retrying work); null where we have no object. */
  backlog: number | null;
  /** Work that failed for good in the last 24 h; null where we have no object. */
  failures24h: number | null;
  lastFailureAt: string | null;
  /** Why the install needs a reconnect, when we know. */
  lastError: string | null;
  /** The settings this sub-account set itself; everything else follows the agency's defaults. */
  ownSettings: string[];
}

/** A sub-account as known from GHL's list and/or our install row. */
export interface KnownLocation {
  id: string;
  directory?: DirectoryEntry;
  install?: InstallEntry;
}

export function statusOf(known: KnownLocation): AgencyLocationStatus {
  const status = known.install?.status;
  const ghlSaysInstalled = known.directory?.installed;
  // Working tokens here mean installed, whatever an older copy of GHL's list says.
  if (status === 'active' || status === 'pending') return status;
  // Dead tokens for a sub-account GHL no longer has the app on: it was uninstalled.
  if (status === 'reconnect_needed') return ghlSaysInstalled === false ? 'not_installed' : status;
  // Installed in GHL while we hold no tokens (uninstalled here, or never provisioned): only a
  // new install gives us tokens again.
  return ghlSaysInstalled ? 'reconnect_needed' : 'not_installed';
}

/** Every sub-account either source knows, by name. */
export function mergeKnown(directory: DirectoryEntry[], installs: InstallEntry[]): KnownLocation[] {
  const byId = new Map<string, KnownLocation>();
  for (const d of directory) byId.set(d.id, { id: d.id, directory: d });
  for (const i of installs)
    byId.set(i.resourceId, { ...byId.get(i.resourceId), id: i.resourceId, install: i });
  return [...byId.values()].sort(
    (a, b) => nameOf(a).localeCompare(nameOf(b)) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

const nameOf = (k: KnownLocation) => k.directory?.name ?? k.install?.name ?? k.id;

export function viewOf(
  known: KnownLocation,
  summary: SummaryEntry | null,
  ownSettings: string[],
): AgencyLocation {
  const status = statusOf(known);
  return {
    id: known.id,
    name: nameOf(known),
    address: known.directory?.address ?? '',
    installed: status !== 'not_installed',
    status,
    backlog: summary?.backlog ?? null,
    failures24h: summary?.failures ?? null,
    lastFailureAt: summary?.lastFailureAt ? new Date(summary.lastFailureAt).toISOString() : null,
    lastError: status === 'reconnect_needed' ? (known.install?.lastError ?? null) : null,
    ownSettings,
  };
}
