/**
 * Per-location sync settings. The worker's exact JSON is read tolerantly (kinds at the top level or
 * under `kinds`/`sync`; booleans or `{ enabled, direction }`) and written back in the shape it came.
 */

export const KINDS = ['contacts', 'tasks', 'notes', 'appointments', 'tags'] as const;
export type Kind = (typeof KINDS)[number];

export const DIRECTIONS = [
  { value: 'both', label: 'Both ways' },
  { value: 'ghl_to_partner', label: 'HighLevel → partner' },
  { value: 'partner_to_ghl', label: 'Partner → HighLevel' },
] as const;
export type Direction = (typeof DIRECTIONS)[number]['value'];

export const POLICIES = [
  { value: 'newest_wins', label: 'Newest change wins', hint: 'The most recent edit on either side is kept.' },
  { value: 'ghl_wins', label: 'HighLevel wins', hint: 'HighLevel is the source of truth when both sides changed.' },
  { value: 'partner_wins', label: 'Partner wins', hint: 'The partner app is the source of truth when both sides changed.' },
] as const;
export type ConflictPolicy = (typeof POLICIES)[number]['value'];

export interface KindSetting {
  enabled: boolean;
  direction: Direction;
}

/** A partner connection of the location: its on/off switch, and health when the worker sends it. */
export interface Connection {
  id: string;
  name: string;
  /** Absent when the worker lists the connection for health only. */
  enabled?: boolean;
  status?: string;
  lastEventAt?: unknown;
  lastError?: string | null;
  backlog?: number;
}

export interface SyncSettings {
  kinds: Record<Kind, KindSetting>;
  conflictPolicy: ConflictPolicy;
  dryRun: boolean;
  connections: Connection[];
}

export interface SettingsView {
  settings: SyncSettings;
  /** Field-mapping overrides per connector kind; edited and saved on their own (components/field-map.tsx). */
  fieldMapping: Record<string, Record<string, string>>;
  /** From the worker when it says; otherwise the panel decides by role. */
  canEdit?: boolean;
  /** The PUT body for edited settings: only what the panel edits, in the shape the GET had. */
  toBody: (s: SyncSettings) => unknown;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

function direction(v: unknown): Direction {
  return DIRECTIONS.some((d) => d.value === v) ? (v as Direction) : 'both';
}

function policy(v: unknown): ConflictPolicy {
  return POLICIES.some((p) => p.value === v) ? (v as ConflictPolicy) : 'newest_wins';
}

function kindsHolder(root: Obj): { key: string | null; value: Obj } {
  for (const key of ['kinds', 'sync']) {
    const v = root[key];
    if (isObj(v)) return { key, value: v };
  }
  return { key: null, value: root };
}

function readKind(v: unknown): KindSetting {
  if (typeof v === 'boolean') return { enabled: v, direction: 'both' };
  if (isObj(v)) return { enabled: v.enabled !== false, direction: direction(v.direction) };
  return { enabled: true, direction: 'both' };
}

/** Connection rows, from settings (`{ id, enabled }`) or health lists (`{ connectionId, lastEventAt, ... }`). */
export function readConnections(v: unknown): Connection[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObj).map((c, i) => {
    const id = String(c.id ?? c.connectionId ?? i);
    const conn: Connection = { id, name: str(c.name) ?? str(c.label) ?? str(c.partner) ?? str(c.connector) ?? str(c.kind) ?? id };
    if (typeof c.enabled === 'boolean') conn.enabled = c.enabled;
    if (str(c.status)) conn.status = str(c.status);
    if (c.lastEventAt != null) conn.lastEventAt = c.lastEventAt;
    if (str(c.lastError)) conn.lastError = str(c.lastError);
    if (typeof c.backlog === 'number') conn.backlog = c.backlog;
    return conn;
  });
}

/** Reads a `GET /api/settings` (or PUT) answer: flat, or wrapped in `{ settings }`. */
export function readSettings(answer: unknown): SettingsView {
  const top = isObj(answer) ? answer : {};
  const wrapped = isObj(top.settings);
  const root = wrapped ? (top.settings as Obj) : top;
  const holder = kindsHolder(root);
  const settings: SyncSettings = {
    kinds: Object.fromEntries(KINDS.map((k) => [k, readKind(holder.value[k])])) as Record<Kind, KindSetting>,
    conflictPolicy: policy(root.conflictPolicy),
    dryRun: root.dryRun === true,
    connections: readConnections(root.connections ?? top.connections),
  };
  const canEdit = typeof top.canEdit === 'boolean' ? top.canEdit : typeof root.canEdit === 'boolean' ? root.canEdit : undefined;

  // The worker takes a strict patch: send the fields the panel edits and nothing it merely shows.
  const toBody = (s: SyncSettings): unknown => {
    const kinds = Object.fromEntries(KINDS.map((k) => [k, { enabled: s.kinds[k].enabled, direction: s.kinds[k].direction }]));
    const body: Obj = holder.key ? { [holder.key]: kinds } : { ...kinds };
    body.conflictPolicy = s.conflictPolicy;
    body.dryRun = s.dryRun;
    const switches = s.connections.filter((c) => c.enabled !== undefined).map((c) => ({ id: c.id, enabled: c.enabled }));
    if (switches.length) body.connections = switches;
    return wrapped ? { settings: body } : body;
  };

  const fieldMapping = Object.fromEntries(
    Object.entries(isObj(root.fieldMapping) ? root.fieldMapping : {})
      .filter((e): e is [string, Obj] => isObj(e[1]))
      .map(([k, m]) => [k, Object.fromEntries(Object.entries(m).filter((e): e is [string, string] => typeof e[1] === 'string'))]),
  );

  return { settings, fieldMapping, canEdit, toBody };
}
