/** What the contact engine needs from the rest of the worker; bound in the contact object. */
import type { Connector, ConnectorConnection, SyncContact, SyncKind } from '../../../connectors/types.ts';
import type { GhlApi } from '../../../ghl/api.ts';
import type { EngineSettings } from '../../../sync/engine-types.ts';
import type { SyncLogInput } from '../../../sync-log/write.ts';

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
