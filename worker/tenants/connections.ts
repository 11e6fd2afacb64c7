import { getConfig } from '../config.ts';
import { randomId } from '../crypto/encoding.ts';
import { seal, UnreadableSealedValue, unsealWithAny } from '../crypto/seal.ts';
import { invalid } from '../errors.ts';
import { checkCredentials, checkSettings } from '../connectors/connection-checks.ts';
import {
  ACCESS_TOKEN_RENEW_AT,
  CredentialKeeper,
  outcomeError,
  type CredentialStore,
  type RenewOutcome,
} from '../connectors/credential-keeper.ts';
import { connectorFor } from '../connectors/registry.ts';
import { sha256Hex } from '../connectors/signing.ts';
import type { ConnectionSettings, Connector, ConnectorConnection } from '../connectors/types.ts';

/**
 * Partner connections in D1 (`connections`, migrations/0002). Credentials are sealed with
 * AES-GCM bound to `connection:<id>` and leave this module only inside a ConnectorConnection;
 * what the panel gets (`Connection`) names the credentials that are set, never their values.
 */

export type ConnectionStatus = 'active' | 'paused' | 'error';
const STATUSES: readonly ConnectionStatus[] = ['active', 'paused', 'error'];
/** Why a connection whose sealed credentials no configured key opens is shown as `reconnect_needed`. */
const UNREADABLE_CREDENTIALS =
  'Reconnect needed: the saved credentials cannot be decrypted with the current encryption key. Enter them again.';

/** A connection as the panel may see it. */
export interface Connection {
  id: string;
  locationId: string;
  kind: string;
  name: string;
  settings: ConnectionSettings;
  /** `reconnect_needed`: its credentials cannot be decrypted (key rotated without the previous key); new ones fix it. */
  status: ConnectionStatus | 'reconnect_needed';
  lastEventAt: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  /** Names of the credentials that are set. */
  credentialNames: string[];
  /** Where the partner sends webhooks (Appointlet: plus `?key=`, shown only at creation). */
  inboundUrl: string;
}

export interface NewConnection {
  locationId: string;
  kind: string;
  name: string;
  credentials?: Record<string, unknown>;
  settings?: unknown;
}

/** What creation returns: the connection, the full inbound URL and secrets minted for the user. */
export interface CreatedConnection {
  connection: Connection;
  inboundUrl: string;
  /** Generated secrets (e.g. the webhook secret to paste into the partner); shown once. */
  secrets: Record<string, string>;
}

export interface ConnectionPatch {
  name?: string;
  status?: ConnectionStatus;
  settings?: unknown;
  /** Merged into the sealed credentials; a value of '' removes that credential. */
  credentials?: Record<string, unknown>;
}

interface Row {
  id: string;
  location_id: string;
  kind: string;
  name: string;
  sealed_credentials: string | null;
  inbound_secret_hash: string | null;
  settings: string;
  status: ConnectionStatus;
  last_event_at: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Rows read by the webhook route are cached per isolate this long (a delete or key rotation elsewhere takes up to this long to bite). */
const ROW_TTL_MS = 30_000;
const rowCache = new Map<string, { row: Row; until: number }>();

const boundTo = (id: string) => `connection:${id}`;

function connectorOrThrow(kind: string): Connector {
  const connector = connectorFor(kind);
  if (!connector)
    throw invalid(`Unknown connection kind "${String(kind).slice(0, 40)}".`, 'invalid_connection');
  return connector;
}

function checkName(name: unknown): string {
  const n = typeof name === 'string' ? name.trim() : '';
  if (!n || n.length > 120)
    throw invalid('A connection needs a name of 1 to 120 characters.', 'invalid_connection');
  return n;
}

function inboundUrl(env: Env, id: string): string {
  return `${getConfig(env).appBaseUrl}/webhooks/partner/${id}`;
}

/** A row's credentials. `unreadable`: no configured key opens them; `byPrevious`: the previous key did (reseal on write). */
interface OpenedCredentials {
  credentials: Record<string, string>;
  unreadable: boolean;
  byPrevious: boolean;
}

async function openCredentials(env: Env, row: Row): Promise<OpenedCredentials> {
  if (!row.sealed_credentials) return { credentials: {}, unreadable: false, byPrevious: false };
  try {
    const { plaintext, byPrevious } = await unsealWithAny(
      getConfig(env).sealingKeys,
      row.sealed_credentials,
      boundTo(row.id),
    );
    return { credentials: JSON.parse(plaintext) as Record<string, string>, unreadable: false, byPrevious };
  } catch (err) {
    if (!(err instanceof UnreadableSealedValue)) throw err;
    console.warn('connection credentials unreadable', row.id, err.message);
    return { credentials: {}, unreadable: true, byPrevious: false };
  }
}

function view(env: Env, row: Row, credentialNames: string[], unreadable = false): Connection {
  return {
    id: row.id,
    locationId: row.location_id,
    kind: row.kind,
    name: row.name,
    settings: JSON.parse(row.settings) as ConnectionSettings,
    status: unreadable ? 'reconnect_needed' : row.status,
    lastEventAt: row.last_event_at,
    lastError: unreadable ? UNREADABLE_CREDENTIALS : row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    credentialNames,
    inboundUrl: inboundUrl(env, row.id),
  };
}

async function publicView(env: Env, row: Row): Promise<Connection> {
  const opened = await openCredentials(env, row);
  return view(
    env,
    row,
    Object.keys(opened.credentials)
      .filter((k) => k !== ACCESS_TOKEN_RENEW_AT)
      .sort(),
    opened.unreadable,
  );
}

async function readRow(env: Env, id: string): Promise<Row | null> {
  if (!ID.test(id)) return null;
  return env.DB.prepare('SELECT * FROM connections WHERE id = ?').bind(id).first<Row>();
}

/** Creates a connection for a location; mints the secrets the user did not bring. */
export async function createConnection(env: Env, input: NewConnection): Promise<CreatedConnection> {
  if (typeof input.locationId !== 'string' || !ID.test(input.locationId))
    throw invalid('Invalid locationId.', 'invalid_connection');
  const connector = connectorOrThrow(input.kind);
  const name = checkName(input.name);
  const settings = checkSettings(input.settings);
  const minted = connector.mintSecrets?.() ?? {};
  const given = checkCredentials(connector, { ...minted, ...input.credentials });
  const secrets: Record<string, string> = {};
  for (const key of Object.keys(minted)) if (!input.credentials?.[key]) secrets[key] = given[key]!;

  const id = `conn_${randomId(16)}`;
  let inboundKey: string | undefined;
  let inboundHash: string | null = null;
  if (connector.capabilities.inboundAuth === 'url-key') {
    inboundKey = randomId(24);
    inboundHash = await sha256Hex(inboundKey);
  }
  const sealed = Object.keys(given).length
    ? await seal(getConfig(env).tokenEncryptionKey, JSON.stringify(given), boundTo(id))
    : null;
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO connections (id, location_id, kind, name, sealed_credentials, inbound_secret_hash, settings, status, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
  )
    .bind(id, input.locationId, connector.kind, name, sealed, inboundHash, JSON.stringify(settings), now, now)
    .run();
  const row = (await readRow(env, id))!;
  const connection = view(env, row, Object.keys(given).sort());
  return {
    connection,
    inboundUrl: inboundKey ? `${connection.inboundUrl}?key=${inboundKey}` : connection.inboundUrl,
    secrets,
  };
}

/** One connection of `locationId` (another location's id answers null). */
export async function getConnection(env: Env, id: string, locationId: string): Promise<Connection | null> {
  const row = await readRow(env, id);
  return row && row.location_id === locationId ? publicView(env, row) : null;
}

/** The location's connections, oldest first. */
export async function listConnections(env: Env, locationId: string): Promise<Connection[]> {
  const { results } = await env.DB.prepare(
    'SELECT * FROM connections WHERE location_id = ? ORDER BY created_at, id',
  )
    .bind(locationId)
    .all<Row>();
  return Promise.all(results.map((row) => publicView(env, row)));
}

/** Applies a patch; credentials are merged and resealed. Null when not found in that location. */
export async function updateConnection(
  env: Env,
  id: string,
  locationId: string,
  patch: ConnectionPatch,
): Promise<Connection | null> {
  const row = await readRow(env, id);
  if (!row || row.location_id !== locationId) return null;
  const connector = connectorOrThrow(row.kind);
  const name = patch.name === undefined ? row.name : checkName(patch.name);
  if (patch.status !== undefined && !STATUSES.includes(patch.status))
    throw invalid('status must be active, paused or error.', 'invalid_connection');
  const settings =
    patch.settings === undefined ? row.settings : JSON.stringify(checkSettings(patch.settings));
  let sealed = row.sealed_credentials;
  const opened = await openCredentials(env, row);
  if (patch.credentials) {
    // Unreadable credentials count as none: the patch must then bring every required one.
    const given = checkCredentials(connector, patch.credentials, true);
    const { [ACCESS_TOKEN_RENEW_AT]: renewAt, ...held } = opened.credentials;
    const merged: Record<string, string> = { ...held, ...given };
    for (const [k, v] of Object.entries(merged)) if (v === '') delete merged[k];
    checkCredentials(connector, merged);
    // The stored renewal time belongs to the stored access token.
    if (renewAt && given.accessToken === undefined && merged.accessToken)
      merged[ACCESS_TOKEN_RENEW_AT] = renewAt;
    sealed = await seal(getConfig(env).tokenEncryptionKey, JSON.stringify(merged), boundTo(id));
  } else if (opened.byPrevious) {
    // Any write of the row moves its credentials to the current key.
    sealed = await seal(getConfig(env).tokenEncryptionKey, JSON.stringify(opened.credentials), boundTo(id));
  }
  // New credentials are how a connection that needs a reconnect comes back.
  const status = patch.status ?? (row.status === 'error' && patch.credentials ? 'active' : row.status);
  await env.DB.prepare(
    `UPDATE connections SET name = ?, status = ?, settings = ?, sealed_credentials = ?, last_error = CASE WHEN ? = 'active' THEN NULL ELSE last_error END, updated_at = ? WHERE id = ?`,
  )
    .bind(name, status, settings, sealed, status, Date.now(), id)
    .run();
  rowCache.delete(id);
  return publicView(env, (await readRow(env, id))!);
}

/** Deletes a connection of `locationId`; false when there was none. */
export async function deleteConnection(env: Env, id: string, locationId: string): Promise<boolean> {
  if (!ID.test(id)) return false;
  const res = await env.DB.prepare('DELETE FROM connections WHERE id = ? AND location_id = ?')
    .bind(id, locationId)
    .run();
  rowCache.delete(id);
  return (res.meta.changes ?? 0) > 0;
}

/** New inbound URL key (url-key partners); the old one stops working. Returns the full URL once. */
export async function rotateInboundKey(env: Env, id: string, locationId: string): Promise<string | null> {
  const row = await readRow(env, id);
  if (!row || row.location_id !== locationId) return null;
  if (connectorOrThrow(row.kind).capabilities.inboundAuth !== 'url-key')
    throw invalid('This connection does not use an inbound URL key.', 'invalid_connection');
  const key = randomId(24);
  await env.DB.prepare('UPDATE connections SET inbound_secret_hash = ?, updated_at = ? WHERE id = ?')
    .bind(await sha256Hex(key), Date.now(), id)
    .run();
  rowCache.delete(id);
  return `${inboundUrl(env, id)}?key=${key}`;
}

/** A connection with its credentials unsealed, for the webhook route and the sync engine. */
export interface OpenConnection extends ConnectorConnection {
  name: string;
  status: ConnectionStatus;
  lastEventAt: number | null;
}

/** Renews a connection's partner tokens; the location's object does it, one renewal per connection at a time. */
export type PartnerRenewer = (
  locationId: string,
  connectionId: string,
  staleAccessToken: string,
) => Promise<RenewOutcome>;

/**
 * Loads and unseals a connection (any location). `cached` reuses a row read in the last 30 s;
 * with `renew`, the connector may renew expired OAuth tokens through it.
 */
export async function openConnection(
  env: Env,
  id: string,
  opts: { cached?: boolean; renew?: PartnerRenewer } = {},
): Promise<OpenConnection | null> {
  let row: Row | null = null;
  const hit = opts.cached ? rowCache.get(id) : undefined;
  if (hit && hit.until > Date.now()) row = hit.row;
  else {
    row = await readRow(env, id);
    if (row && opts.cached) rowCache.set(id, { row, until: Date.now() + ROW_TTL_MS });
  }
  if (!row) return null;
  return toOpen(row, await openCredentials(env, row), opts.renew);
}

/**
 * Unreadable credentials make the connection one that waits for a reconnect (`error`, no
 * credentials): its inbound signatures fail closed and its outbound work waits.
 */
function toOpen(
  row: Row,
  { credentials, unreadable }: OpenedCredentials,
  renew?: PartnerRenewer,
): OpenConnection {
  return {
    id: row.id,
    locationId: row.location_id,
    kind: row.kind,
    name: row.name,
    status: unreadable ? 'error' : row.status,
    settings: JSON.parse(row.settings) as ConnectionSettings,
    credentials,
    inboundSecretHash: row.inbound_secret_hash,
    createdAt: row.created_at,
    lastEventAt: row.last_event_at,
    renewCredentials:
      renew &&
      (async (stale) => {
        const outcome = await renew(row.location_id, row.id, stale);
        if (!outcome.ok) throw outcomeError(outcome);
        return outcome.credentials;
      }),
  };
}

/** Stores the reconciliation cursor (engine). */
export async function saveCursor(env: Env, id: string, cursor: string): Promise<void> {
  await env.DB.prepare(
    `UPDATE connections SET settings = json_set(settings, '$.cursor', ?), updated_at = ? WHERE id = ?`,
  )
    .bind(cursor, Date.now(), id)
    .run();
  rowCache.delete(id);
}

/** Notes that an inbound event arrived (health in the panel). */
export async function recordInboundEvent(env: Env, id: string, at = Date.now()): Promise<void> {
  await env.DB.prepare('UPDATE connections SET last_event_at = ? WHERE id = ?').bind(at, id).run();
  const hit = rowCache.get(id);
  if (hit) hit.row.last_event_at = at;
}

/** Connections in D1 as the credential keeper sees them; saves compare the sealed text. */
function credentialStore(env: Env): CredentialStore {
  return {
    async load(id) {
      const row = await readRow(env, id);
      if (!row) return null;
      const opened = await openCredentials(env, row);
      const connection = toOpen(row, opened);
      return {
        connection,
        status: connection.status,
        lastError: opened.unreadable ? UNREADABLE_CREDENTIALS : row.last_error,
        version: row.sealed_credentials,
      };
    },
    async save(id, version, credentials) {
      const sealed = await seal(getConfig(env).tokenEncryptionKey, JSON.stringify(credentials), boundTo(id));
      const res = await env.DB.prepare(
        'UPDATE connections SET sealed_credentials = ?, updated_at = ? WHERE id = ? AND sealed_credentials IS ?',
      )
        .bind(sealed, Date.now(), id, version)
        .run();
      rowCache.delete(id);
      return (res.meta.changes ?? 0) > 0;
    },
    async markReconnectNeeded(id, version, reason) {
      await env.DB.prepare(
        `UPDATE connections SET status = 'error', last_error = ?, updated_at = ? WHERE id = ? AND sealed_credentials IS ?`,
      )
        .bind(reason.slice(0, 500), Date.now(), id, version)
        .run();
      rowCache.delete(id);
    },
  };
}

/** One per isolate; the location's object is the only caller for its connections. */
const keeper = new CredentialKeeper(connectorFor);

/**
 * Renews a connection's OAuth tokens (LocationDO.renewPartnerCredentials): one renewal per
 * connection at a time, the new tokens sealed in D1 before the answer; a refusal for good marks
 * the connection `error` with a "Reconnect needed" last error (panel health).
 */
export function renewConnectionCredentials(
  env: Env,
  locationId: string,
  connectionId: string,
  staleAccessToken: string,
): Promise<RenewOutcome> {
  return keeper.renew(credentialStore(env), connectionId, locationId, staleAccessToken);
}

/** Records a connection test: the partner's answer as the last error, or none when it passed. */
export async function recordCheck(
  env: Env,
  id: string,
  locationId: string,
  error: string | null,
): Promise<void> {
  await env.DB.prepare(
    'UPDATE connections SET last_error = ?, updated_at = ? WHERE id = ? AND location_id = ?',
  )
    .bind(error?.slice(0, 500) ?? null, Date.now(), id, locationId)
    .run();
  rowCache.delete(id);
}
