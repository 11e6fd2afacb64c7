/** What the contact engine needs from the rest of the worker; bound in the contact object. */
import type { Connector, ConnectorConnection, SyncContact } from '../../../connectors/types.ts';
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
  /** Writes a sync log row in the location's object; returns its id. */
  log(entry: SyncLogInput): Promise<number>;
  /** The contact as GHL last told us (for connectors that need the attendee). */
  contact(): Promise<SyncContact | undefined>;
  now?: () => number;
}
