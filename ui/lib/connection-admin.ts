/**
 * Pure rules of the settings screen's connection forms: the settings each connector needs
 * (worker/connectors/types.ts ConnectionSettings), how a form's strings become the settings JSON,
 * which credentials a new connection needs, and backfill progress.
 */
import type { ActionCounts, Backfill, KindSpec, Settings } from './connections.ts';

/** Whole percent of a backfill's GHL pass; null while the size is unknown or the partner feed is read. */
export function progressPercent(p: Pick<Backfill, 'state' | 'phase' | 'processed' | 'total'>): number | null {
  if (p.state === 'done') return 100;
  if (p.phase !== 'ghl' || !p.total) return null;
  return Math.max(0, Math.min(100, Math.floor((p.processed / p.total) * 100)));
}

export interface PlanRow {
  key: string;
  /** e.g. "Appointments to Cal.com" */
  label: string;
  counts: ActionCounts;
}

const KIND_LABEL: Record<string, string> = {
  contact: 'Contacts',
  note: 'Notes',
  task: 'Tasks',
  appointment: 'Appointments',
  tag: 'Tags',
};
const KIND_ORDER = ['contact', 'tag', 'note', 'task', 'appointment'];

/** One row per direction and kind a backfill touches, partner-bound first, in a fixed kind order. */
export function backfillRows(bf: Pick<Backfill, 'toPartner' | 'toGhl'>, partnerLabel: string): PlanRow[] {
  const rows: PlanRow[] = [];
  const add = (
    counts: Record<string, ActionCounts> | undefined,
    label: (kind: string) => string,
    dir: string,
  ) => {
    const kinds = Object.keys(counts ?? {}).sort((a, b) => KIND_ORDER.indexOf(a) - KIND_ORDER.indexOf(b));
    for (const kind of kinds)
      rows.push({ key: `${dir}:${kind}`, label: label(KIND_LABEL[kind] ?? kind), counts: counts![kind]! });
  };
  add(bf.toPartner, (k) => `${k} to ${partnerLabel}`, 'out');
  add(bf.toGhl, (k) => `${k} into HighLevel`, 'in');
  return rows;
}

export interface SettingField {
  key: string;
  label: string;
  hint: string;
  type: 'url' | 'int' | 'tz' | 'id' | 'choice';
  required?: boolean;
  /** For `choice`: value and label of each option (the first is the default). */
  options?: { value: string; label: string }[];
}

const calendar: SettingField = {
  key: 'ghlCalendarId',
  label: 'HighLevel calendar ID',
  hint: 'Appointments created from partner bookings go to this calendar.',
  type: 'id',
};
const apiBase = (hint: string): SettingField => ({
  key: 'apiBase',
  label: 'API base URL',
  hint,
  type: 'url',
});

const FIELDS: Record<string, SettingField[]> = {
  calcom: [
    {
      key: 'eventTypeId',
      label: 'Event type ID',
      hint: 'Cal.com event type of bookings made from HighLevel appointments.',
      type: 'int',
    },
    {
      key: 'timeZone',
      label: 'Time zone',
      hint: 'IANA name for attendees of those bookings, e.g. Europe/Berlin. Default UTC.',
      type: 'tz',
    },
    apiBase('Leave empty for https://api.cal.com.'),
    calendar,
  ],
  yourapp: [
    {
      key: 'webhookUrl',
      label: 'Webhook URL',
      hint: 'Where Contact Sync sends signed events about HighLevel changes.',
      type: 'url',
      required: true,
    },
    apiBase('Base of GET /changes, used to catch up on missed events.'),
    calendar,
  ],
};

export const settingFields = (kind: string): SettingField[] => FIELDS[kind] ?? [calendar];

/** Partners that delete contacts ask what that does to the HighLevel contact (worker/sync/delete-policy.ts). */
const CONTACT_DELETE: SettingField = {
  key: 'contactDelete',
  label: 'When a contact is deleted there',
  hint: 'What happens to the HighLevel contact. Tagging keeps it, so nothing is lost by mistake.',
  type: 'choice',
  options: [
    { value: 'tag', label: 'Tag it “deleted in …”' },
    { value: 'delete', label: 'Delete it in HighLevel too' },
    { value: 'ignore', label: 'Leave it as it is' },
  ],
};

/** The form's fields: the kind's settings, and the delete policy where the partner deletes contacts. */
export const formFields = (
  spec: { kind: string; capabilities?: { inbound?: Record<string, unknown> } } | undefined,
): SettingField[] => {
  const fields = settingFields(spec?.kind ?? '');
  const deletes = (spec?.capabilities?.inbound?.contact as string[] | undefined)?.includes('delete');
  return deletes ? [...fields, CONTACT_DELETE] : fields;
};

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** https, or http on this machine (as the worker allows); no user info. */
export function isPartnerUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (
      !u.username &&
      !u.password &&
      (u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.includes(u.hostname)))
    );
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

/** Per setting type: is the text acceptable, and what to write instead. */
const RULES: Record<SettingField['type'], [(v: string) => boolean, string]> = {
  url: [isPartnerUrl, 'use an https URL'],
  int: [(v) => /^[1-9]\d{0,15}$/.test(v), 'use a whole number'],
  tz: [isTimeZone, 'use a name like Europe/Berlin'],
  id: [(v) => /^[A-Za-z0-9_-]{1,64}$/.test(v), 'use letters, digits, _ or -'],
  choice: [() => true, ''],
};

/** Why a setting's text is not acceptable, or '' when it is. */
export function settingError(f: SettingField, raw: string): string {
  const v = raw.trim();
  if (!v) return f.required ? `${f.label} is required.` : '';
  const [ok, advice] = RULES[f.type];
  return ok(v) ? '' : `${f.label} is not valid: ${advice}.`;
}

/** A setting as the form shows it. */
export const settingText = (settings: Settings, key: string): string =>
  settings[key] == null ? '' : String(settings[key]);

/**
 * The full settings object to send (PATCH replaces it whole): `base` (field maps, the sync
 * cursor and anything the form does not show) with the form's values; an emptied field is removed.
 */
export function applySettings(
  base: Settings,
  fields: SettingField[],
  values: Record<string, string>,
): Settings {
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

/** A credential's name as a form label: `webhookSecret` → "Webhook secret". */
export const credentialLabel = (name: string): string => words(name).replace(/^./, (c) => c.toUpperCase());
