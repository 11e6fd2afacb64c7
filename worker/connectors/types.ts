/**
 * The connector contract (docs/CONTRACT.md §6): one interface every partner module implements, and the
 * common model the sync engine speaks. Field names follow GHL's where GHL has one.
 *
 * Modules under worker/connectors run in workerd and in plain Node tests: they import nothing
 * Node-only and never reference the worker's `Env`.
 */

/** Object kinds that flow between GHL and a partner. */
export type SyncKind = 'contact' | 'appointment' | 'note' | 'task' | 'tag';

/** What happened to a partner object. `no_show` is the partner saying an attendee did not come. */
export type ChangeOp = 'upsert' | 'delete' | 'tag_add' | 'tag_remove' | 'no_show';

/** What the engine asks a connector to do on the partner's side. */
export type OutboundOp = 'create' | 'update' | 'delete' | 'tag_add' | 'tag_remove';

export interface SyncContact {
  email?: string;
  phone?: string;
  firstName?: string;
  lastName?: string;
  name?: string;
  companyName?: string;
  tags?: string[];
  /** GHL custom field id → value (`customField.<id>` in field maps). */
  customFields?: Record<string, unknown>;
  updatedAt?: string;
}

export type AppointmentStatus = 'confirmed' | 'cancelled' | 'showed' | 'noshow' | 'new';

export interface SyncAppointment {
  title: string;
  /** ISO 8601 */
  startTime: string;
  endTime: string;
  status: AppointmentStatus;
  notes?: string;
  address?: string;
  attendeeEmail?: string;
  attendeePhone?: string;
  attendeeName?: string;
  updatedAt?: string;
}

export interface SyncNote {
  body: string;
  title?: string;
  updatedAt?: string;
}

export interface SyncTask {
  title: string;
  body?: string;
  dueDate: string;
  completed: boolean;
  updatedAt?: string;
}

/** Tags added to or removed from the contact the change is about. */
export interface SyncTags {
  tags: string[];
}

/** An attendee was marked absent (or no longer absent) on a partner appointment. */
export interface SyncNoShow {
  absent: boolean;
  /** Emails of the attendees the mark is about (lower-cased); empty when the partner names none. */
  attendeeEmails: string[];
}

interface ChangeBase {
  connectionId: string;
  /** The partner's id of the object (for tags: of the contact or meeting they were set on). */
  partnerId: string;
  /** The partner's id of the object before this change (Cal.com gives a reschedule a new uid). */
  previousPartnerId?: string;
  /** Who the change is about, for matching a GHL contact by id map, then email, then phone. */
  contact?: SyncContact;
  /** The partner's own id of that contact, when it has contacts (your app). */
  contactPartnerId?: string;
  /** ISO 8601 time of the change at the partner. */
  occurredAt: string;
  /** Stable across redeliveries of the same event; the engine ignores a key it has seen. */
  dedupeKey: string;
  /** `connector.fingerprint(kind, data)`: equal to the `echoFingerprint` of our own write. */
  fingerprint: string;
}

/** One change reported by a partner (webhook or reconciliation), in the common model. */
export type PartnerChange = ChangeBase &
  (
    | { kind: 'contact'; op: 'upsert'; data: SyncContact }
    | { kind: 'appointment'; op: 'upsert'; data: SyncAppointment }
    | { kind: 'appointment'; op: 'no_show'; data: SyncNoShow }
    | { kind: 'note'; op: 'upsert'; data: SyncNote }
    | { kind: 'task'; op: 'upsert'; data: SyncTask }
    | { kind: 'tag'; op: 'tag_add' | 'tag_remove'; data: SyncTags }
    | { kind: 'contact' | 'appointment' | 'note' | 'task'; op: 'delete'; data: null }
  );

interface OutboundBase {
  /** GHL id of the object (for tags: of the contact). */
  ghlId: string;
  /** The partner's id of the object when the id map knows it. */
  partnerId?: string;
  /** The GHL contact the object belongs to (for a contact change: the contact itself). */
  contact?: SyncContact;
  /** The partner's id of that contact when the id map knows it. */
  contactPartnerId?: string;
  /** GHL id of that contact. */
  contactGhlId?: string;
  /** ISO 8601 time of the change in GHL. */
  occurredAt: string;
}

/** A GHL-side change the engine wants applied at the partner, in the common model. */
export type OutboundChange = OutboundBase &
  (
    | { kind: 'contact'; op: 'create' | 'update'; data: SyncContact }
    | { kind: 'appointment'; op: 'create' | 'update'; data: SyncAppointment }
    | { kind: 'note'; op: 'create' | 'update'; data: SyncNote }
    | { kind: 'task'; op: 'create' | 'update'; data: SyncTask }
    | { kind: 'tag'; op: 'tag_add' | 'tag_remove'; data: SyncTags }
    | { kind: 'contact' | 'appointment' | 'note' | 'task'; op: 'delete'; data: null }
  );

/**
 * What `apply` did. `partnerId` is the object's id at the partner afterwards (a Cal.com
 * reschedule returns the new uid); `echoFingerprint` is what `fingerprint()` will give the
 * webhook the partner sends back about this write. `skipped` says why nothing was done; `note`
 * says what of a write the partner could not take (shown in the sync log).
 */
export type ApplyResult =
  | { partnerId: string; echoFingerprint: string; skipped?: undefined; note?: string }
  | { partnerId: string | null; echoFingerprint: null; skipped: string };

/** One page of reconciliation. `cursor` goes back into the next call and into settings. */
export interface ChangePage {
  changes: PartnerChange[];
  cursor: string;
  hasMore: boolean;
}

/** `{ [commonField]: partnerField }`; common fields include `customField.<ghl field id>`. */
export type FieldMap = Record<string, string>;

/** Per-kind overrides of a connector's default field maps. An empty string removes a default. */
export type FieldMapOverrides = Partial<Record<Exclude<SyncKind, 'tag'>, FieldMap>>;

/** Non-secret per-connection settings (the `settings` JSON column). */
export interface ConnectionSettings {
  fieldMap?: FieldMapOverrides;
  /** Reconciliation cursor, opaque, owned by the connector. */
  cursor?: string | null;
  /** Partner API base URL (Cal.com: default https://api.cal.com; your app: required for /changes). */
  apiBase?: string;
  /** Your app: where outbound events are POSTed. */
  webhookUrl?: string;
  /** Cal.com: event type of bookings created from GHL appointments. */
  eventTypeId?: number;
  /** Cal.com: attendee time zone for bookings created from GHL (default UTC). */
  timeZone?: string;
  /** What a contact deleted at the partner does to the GHL contact (sync/delete-policy.ts); default tag. */
  contactDelete?: 'tag' | 'delete' | 'ignore';
  [key: string]: unknown;
}

/** A connection as connectors see it: settings plus unsealed credentials. Never sent to a client. */
export interface ConnectorConnection {
  id: string;
  locationId: string;
  kind: string;
  settings: ConnectionSettings;
  credentials: Record<string, string>;
  /** SHA-256 (hex) of the per-connection inbound URL key, for partners that cannot sign. */
  inboundSecretHash: string | null;
  /** epoch ms */
  createdAt: number;
  /**
   * Renews OAuth credentials after `staleAccessToken` was refused or is about to expire, and
   * answers the connection's credentials afterwards. One renewal per connection runs at a time
   * and its result is saved (sealed) before this resolves (credential-keeper.ts). Absent where
   * nothing can renew (plain tests); throws PartnerApiError.
   */
  renewCredentials?: (staleAccessToken: string) => Promise<Record<string, string>>;
}

/** Which kinds and operations flow in each direction. */
export interface Capabilities {
  inbound: Partial<Record<SyncKind, readonly ChangeOp[]>>;
  outbound: Partial<Record<SyncKind, readonly OutboundOp[]>>;
  /** `listChangedSince` works (the partner has an API to read changes back). */
  reconcile: boolean;
  /** How inbound webhooks are authenticated. */
  inboundAuth: 'hmac-sha256' | 'url-key' | 'standard-webhooks';
}

/** Credential names a connector needs, for the connection form and for validation. */
export interface CredentialSpec {
  name: string;
  required: boolean;
  /** One of the names marked `oneOf` with the same group value must be present. */
  oneOf?: string;
  description: string;
  /** Why a value cannot work (e.g. a malformed secret), or null; checked when it is saved. */
  check?: (value: string) => string | null;
}

/** One partner app. A new partner is a new module implementing this. */
export interface Connector {
  readonly kind: string;
  readonly label: string;
  readonly capabilities: Capabilities;
  readonly credentials: readonly CredentialSpec[];
  /** Default field maps per kind (before a connection's overrides). */
  readonly defaultFieldMaps: FieldMapOverrides;
  /**
   * The field paths the partner has per kind (`name.*`: anything below `name`); field maps may
   * point only there. Absent: the partner names its own fields (partner-fields.ts).
   */
  readonly partnerFields?: Partial<Record<Exclude<SyncKind, 'tag'>, readonly string[]>>;

  /**
   * Authenticates an inbound webhook over its raw bytes. Fails closed: any missing header,
   * secret or malformed value is `false`, never an exception. `url` is the request URL
   * (needed where the secret rides in the query string).
   */
  verifyInbound(
    raw: Uint8Array,
    headers: Headers,
    connection: ConnectorConnection,
    url?: URL,
  ): Promise<boolean>;

  /**
   * Turns a verified webhook into common-model changes (pure). Malformed bodies throw an
   * AppError 400; event types the partner never sends throw 422; known events that carry
   * nothing to sync give `[]`.
   */
  parseInbound(raw: Uint8Array, headers: Headers, connection: ConnectorConnection): PartnerChange[];

  /**
   * Applies a GHL change at the partner. Retrying with the same `idempotencyKey` does not
   * apply it twice. Throws PartnerApiError (see http.ts) when the partner refuses or is away.
   */
  apply(
    change: OutboundChange,
    connection: ConnectorConnection,
    idempotencyKey: string,
  ): Promise<ApplyResult>;

  /** One page of partner changes after `cursor` (null: since the connection was made). */
  listChangedSince(connection: ConnectorConnection, cursor: string | null): Promise<ChangePage>;

  /** The print of an object as this partner round-trips it (pure), for echo suppression. */
  fingerprint(kind: SyncKind, data: unknown): string;

  /** Secrets we generate for a new connection when the user brings none (shown to them once). */
  mintSecrets?(): Record<string, string>;

  /**
   * Checks the connection with a cheap call the partner must answer (credentials, URLs, its
   * webhook where we registered one); resolves to what the partner said. Throws PartnerApiError.
   */
  testConnection?(connection: ConnectorConnection, inboundUrl: string): Promise<string>;

  /** Sends the partner one event marked as a test (it stores nothing); resolves to its answer. */
  sendTestEvent?(connection: ConnectorConnection): Promise<string>;

  /** Makes the partner's webhook to `inboundUrl` through its API; the settings to keep (its id). */
  registerWebhook?(connection: ConnectorConnection, inboundUrl: string): Promise<Partial<ConnectionSettings>>;

  /** Removes the webhook `registerWebhook` made (the connection is being deleted). */
  unregisterWebhook?(connection: ConnectorConnection): Promise<void>;

  /**
   * Exchanges the connection's OAuth refresh token at the partner and returns only the
   * credentials that changed. Storage and single-flight are the keeper's (credential-keeper.ts).
   * Throws PartnerApiError: `reconnect_needed` when the partner refuses for good.
   */
  refreshTokens?(connection: ConnectorConnection): Promise<Record<string, string>>;
}

/** Does `connector` carry `kind` (and optionally `op`) in `direction`? */
export function supports(
  capabilities: Capabilities,
  direction: 'inbound' | 'outbound',
  kind: SyncKind,
  op?: ChangeOp | OutboundOp,
): boolean {
  const ops = (capabilities[direction] as Partial<Record<SyncKind, readonly string[]>>)[kind];
  if (!ops || ops.length === 0) return false;
  return op === undefined || ops.includes(op);
}
