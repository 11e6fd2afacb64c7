/** What the contact engine needs from the rest of the worker; bound in the contact object. */
import type { Connector, ConnectorConnection, SyncContact, SyncKind } from '../connectors/types.ts';
import type { GhlApi } from '../ghl/api.ts';
import type { ConflictPolicy, Direction } from './policy.ts';
import type { SyncLogInput } from '../sync-log/write.ts';

/** Settings key of each synced kind (the panel's names). */
export const SETTINGS_KEY: Record<SyncKind, 'contacts' | 'notes' | 'tasks' | 'appointments' | 'tags'> = {
  contact: 'contacts',
  note: 'notes',
  task: 'tasks',
  appointment: 'appointments',
  tag: 'tags',
};

/** The part of a location's settings the engine reads. */
export interface EngineSettings {
  kinds: Record<
    'contacts' | 'notes' | 'tasks' | 'appointments' | 'tags',
    { enabled: boolean; direction: Direction }
  >;
  conflictPolicy: ConflictPolicy;
  dryRun: boolean;
  /** The app was uninstalled from the location: waiting work is dropped, not retried. */
  uninstalled?: boolean;
}

export interface EngineDeps {
  locationId: string;
  contactId: string;
  ghl: GhlApi;
  settings(): Promise<EngineSettings>;
  /**
   * Connections of the location, credentials unsealed: active ones, and ones waiting for a
   * reconnect (`status: 'error'`), whose work waits for it.
   */
  connections(): Promise<(ConnectorConnection & { status?: string })[]>;
  connector(kind: string): Connector | undefined;
  /**
   * Why nothing from this connection may reach GHL now (paused, switched off, removed since the
   * work was queued), read fresh for each run of the queue; null when it may.
   */
  partnerBlocked?(connectionId: string, kind: SyncKind): Promise<string | null>;
  /** Writes a sync log row in the location's object; returns its id. */
  log(entry: SyncLogInput): Promise<number>;
  /** The contact as GHL last told us (for connectors that need the attendee). */
  contact(): Promise<SyncContact | undefined>;
  now?: () => number;
}
