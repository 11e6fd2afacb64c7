/**
 * Partner connections as `/api/connections` hands them over (worker/routes/api/connections.ts),
 * and the pure rules the panel applies to them: health, backfill progress, the settings each
 * connector needs and how a form's strings become the settings JSON.
 */
import { parseDate } from './format.ts';

export interface CredentialSpec {
  name: string;
  required: boolean;
  /** One credential of each `oneOf` group must be given. */
  oneOf?: string;
  description: string;
}

export interface KindSpec {
  kind: string;
  label: string;
  credentials: CredentialSpec[];
  capabilities?: { outbound?: Record<string, unknown>; reconcile?: boolean; inboundAuth?: string };
  /** Credentials the worker generates when left blank. */
  generated?: string[];
  /** Default field maps per object kind: `{ contact: { email: 'attendee.email' } }`. */
  defaultFieldMaps?: Record<string, Record<string, string>>;
}

export interface Health {
  lastEventAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  backlog: number;
  failed: number;
}

export type ConnectionStatus = 'active' | 'paused' | 'error';
export type Settings = Record<string, unknown>;

export interface PartnerConnection {
  id: string;
  kind: string;
  name: string;
  settings: Settings;
  status: ConnectionStatus;
  lastEventAt: number | null;
  lastError: string | null;
  createdAt?: number;
  credentialNames: string[];
  inboundUrl: string;
  health: Health | null;
}

export interface ConnectionList {
  connections: PartnerConnection[];
  kinds: KindSpec[];
  inboxBacklog: number;
}

export interface NewConnection {
  kind: string;
  name: string;
  credentials: Record<string, string>;
  settings: Settings;
}

export interface ConnectionPatch {
  name?: string;
  status?: 'active' | 'paused';
  credentials?: Record<string, string>;
  settings?: Settings;
}

export interface Created {
  connection: PartnerConnection;
  inboundUrl: string;
  secrets: Record<string, string>;
}

export interface BackfillCounts {
  creates: number;
  updates: number;
  matches: number;
  conflicts: number;
  skipped: number;
}

export interface Backfill {
  connectionId: string;
  dryRun: boolean;
  state: 'running' | 'done' | 'failed';
  phase: 'ghl' | 'partner' | 'done';
  total: number | null;
  processed: number;
  partnerChanges: number;
  counts: BackfillCounts;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

/** An error this recent (or any failed change) makes the health block a warning. */
export const RECENT_ERROR_MS = 24 * 60 * 60 * 1000;

export interface HealthView extends Health {
  warn: boolean;
}

const time = (v: unknown) => parseDate(v)?.getTime() ?? null;

/**
 * One connection's health: the sync log's figures (`health`) with the connection row's own last
 * inbound event and last error as fallbacks. A warning when changes failed, the last error is
 * recent (or undated) or the connection is in error.
 */
export function healthOf(c: Pick<PartnerConnection, 'health' | 'lastEventAt' | 'lastError' | 'status'>, now: number): HealthView {
  const h = c.health;
  const events = [time(h?.lastEventAt), time(c.lastEventAt)].filter((t): t is number => t !== null);
  const lastError = h?.lastError || c.lastError || null;
  const lastErrorAt = h?.lastError ? time(h.lastErrorAt) : null;
  const failed = h?.failed ?? 0;
  const recent = lastError !== null && (lastErrorAt === null || now - lastErrorAt < RECENT_ERROR_MS);
  return {
    lastEventAt: events.length ? Math.max(...events) : null,
    lastError,
    lastErrorAt,
    backlog: h?.backlog ?? 0,
    failed,
    warn: failed > 0 || recent || c.status === 'error',
  };
}

/** Whole percent of a backfill's GHL pass; null while the size is unknown or the partner feed is read. */
export function progressPercent(p: Pick<Backfill, 'state' | 'phase' | 'processed' | 'total'>): number | null {
  if (p.state === 'done') return 100;
  if (p.phase !== 'ghl' || !p.total) return null;
  return Math.max(0, Math.min(100, Math.floor((p.processed / p.total) * 100)));
}

/** "Two-way" when the panel can write to the partner, else "Into HighLevel only". */
export function directionOf(spec: KindSpec | undefined): string {
  return spec?.capabilities?.outbound && Object.keys(spec.capabilities.outbound).length ? 'Two-way' : 'Into HighLevel only';
}

// Settings per connector (worker/connectors/types.ts ConnectionSettings).

export interface SettingField {
  key: string;
  label: string;
  hint: string;
  type: 'url' | 'int' | 'tz' | 'id';
  required?: boolean;
}

const calendar: SettingField = {
  key: 'ghlCalendarId',
  label: 'HighLevel calendar ID',
  hint: 'Appointments created from partner bookings go to this calendar.',
  type: 'id',
};
const apiBase = (hint: string): SettingField => ({ key: 'apiBase', label: 'API base URL', hint, type: 'url' });

const FIELDS: Record<string, SettingField[]> = {
  calcom: [
    { key: 'eventTypeId', label: 'Event type ID', hint: 'Cal.com event type of bookings made from HighLevel appointments.', type: 'int' },
    { key: 'timeZone', label: 'Time zone', hint: 'IANA name for attendees of those bookings, e.g. Europe/Berlin. Default UTC.', type: 'tz' },
    apiBase('Leave empty for https://api.cal.com.'),
    calendar,
  ],
  yourapp: [
    { key: 'webhookUrl', label: 'Webhook URL', hint: 'Where Contact Sync sends signed events about HighLevel changes.', type: 'url', required: true },
    apiBase('Base of GET /changes, used to catch up on missed events.'),
    calendar,
  ],
};

export const settingFields = (kind: string): SettingField[] => FIELDS[kind] ?? [calendar];

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** https, or http on this machine (as the worker allows); no user info. */
export function isPartnerUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return !u.username && !u.password && (u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.includes(u.hostname)));
  } catch {
    return false;
  }
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Why a setting's text is not acceptable, or '' when it is. */
export function settingError(f: SettingField, raw: string): string {
  const v = raw.trim();
  if (!v) return f.required ? `${f.label} is required.` : '';
  const ok = f.type === 'url' ? isPartnerUrl(v) : f.type === 'int' ? /^[1-9]\d{0,15}$/.test(v) : f.type === 'tz' ? isTimeZone(v) : /^[A-Za-z0-9_-]{1,64}$/.test(v);
  return ok ? '' : `${f.label} is not valid: ${f.type === 'url' ? 'use an https URL' : f.type === 'int' ? 'use a whole number' : f.type === 'tz' ? 'use a name like Europe/Berlin' : 'use letters, digits, _ or -'}.`;
}

/** A setting as the form shows it. */
export const settingText = (settings: Settings, key: string): string => (settings[key] == null ? '' : String(settings[key]));

/**
 * The full settings object to send (PATCH replaces it whole): `base` (field maps, the sync
 * cursor and anything the form does not show) with the form's values; an emptied field is removed.
 */
export function applySettings(base: Settings, fields: SettingField[], values: Record<string, string>): Settings {
  const out: Settings = { ...base };
  for (const f of fields) {
    const v = (values[f.key] ?? '').trim();
    if (!v) delete out[f.key];
    else out[f.key] = f.type === 'int' ? Number(v) : f.type === 'url' ? v.replace(/\/+$/, '') : v;
  }
  return out;
}

/**
 * Why the credentials cannot be saved, or ''. New connections need every required credential
 * (unless the worker generates it) and one of each `oneOf` group; an edit keeps what is blank.
 */
export function credentialsError(spec: KindSpec, values: Record<string, string>, editing: boolean): string {
  if (editing) return '';
  const has = (n: string) => Boolean(values[n]?.trim());
  const generated = spec.generated ?? [];
  const missing = spec.credentials.find((c) => c.required && !has(c.name) && !generated.includes(c.name));
  if (missing) return `${spec.label} needs ${words(missing.name)}.`;
  for (const group of new Set(spec.credentials.map((c) => c.oneOf).filter(Boolean))) {
    const names = spec.credentials.filter((c) => c.oneOf === group).map((c) => c.name);
    if (!names.some(has)) return `${spec.label} needs one of: ${names.map(words).join(', ')}.`;
  }
  return '';
}

/** `webhookSecret` → "webhook secret", `apiKey` → "API key". */
export function words(name: string): string {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/\b(api|url|id)\b/g, (w) => w.toUpperCase());
}
