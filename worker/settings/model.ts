import * as v from 'valibot';

/**
 * Per-location sync settings (pure): shape, validation, defaults and how agency defaults and
 * location overrides combine. Stored settings are partial overrides, so a location follows
 * agency defaults for everything it has not set itself.
 */

export const SYNC_KINDS = ['contacts', 'tasks', 'notes', 'appointments', 'tags'] as const;
export type SyncKind = (typeof SYNC_KINDS)[number];
export const DIRECTIONS = ['ghl_to_partner', 'partner_to_ghl', 'both'] as const;
export type Direction = (typeof DIRECTIONS)[number];
export const CONFLICT_POLICIES = ['ghl_wins', 'partner_wins', 'newest_wins'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

export interface KindSettings {
  enabled: boolean;
  direction: Direction;
}

/** Per-connection switch; the connection itself (credentials, health) lives elsewhere. */
export interface ConnectionSetting {
  id: string;
  enabled: boolean;
}

export interface Settings {
  kinds: Record<SyncKind, KindSettings>;
  conflictPolicy: ConflictPolicy;
  dryRun: boolean;
  /** Field-mapping overrides per connector: `{ calcom: { "phone": "responses.mobile" } }` (only fields the partner has: connectors/partner-fields.ts). */
  fieldMapping: Record<string, Record<string, string>>;
  connections: ConnectionSetting[];
  /** Which GHL contacts sync at all (sync/scope.ts); absent: every contact. */
  scope?: SyncScope;
}

/** A contact syncs only if it matches every condition set here. */
export interface SyncScope {
  /** It carries this tag. */
  tag?: string;
  /** It belongs to this GHL business. */
  businessId?: string;
  /** It was created in GHL on or after this day (YYYY-MM-DD, UTC). */
  createdAfter?: string;
}

const Key = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a short name of letters, digits, _ . -'),
);
const KindPatch = v.strictObject({
  enabled: v.optional(v.boolean()),
  direction: v.optional(v.picklist(DIRECTIONS)),
});

/**
 * A settings change, as `PUT /api/settings` takes it and as settings are stored: every field
 * optional, unknown fields refused. In `fieldMapping`, `null` removes an override.
 */
export const SettingsPatch = v.strictObject({
  kinds: v.optional(
    v.strictObject(
      Object.fromEntries(SYNC_KINDS.map((k) => [k, v.optional(KindPatch)])) as Record<
        SyncKind,
        v.OptionalSchema<typeof KindPatch, undefined>
      >,
    ),
  ),
  conflictPolicy: v.optional(v.picklist(CONFLICT_POLICIES)),
  dryRun: v.optional(v.boolean()),
  fieldMapping: v.optional(
    v.pipe(
      v.record(
        Key,
        v.pipe(
          v.record(
            v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
            v.nullable(v.pipe(v.string(), v.minLength(1), v.maxLength(256))),
          ),
          v.check((m) => Object.keys(m).length <= 200, 'has too many fields'),
        ),
      ),
      v.check((m) => Object.keys(m).length <= 20, 'has too many connectors'),
    ),
  ),
  connections: v.optional(
    v.pipe(v.array(v.strictObject({ id: Key, enabled: v.boolean() })), v.maxLength(50)),
  ),
  scope: v.optional(
    v.strictObject({
      tag: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100))),
      businessId: v.optional(
        v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a GHL business id')),
      ),
      createdAfter: v.optional(v.pipe(v.string(), v.isoDate('must be a date like 2026-01-31'))),
    }),
  ),
});
export type SettingsPatch = v.InferOutput<typeof SettingsPatch>;

/** Built-in defaults: everything syncs both ways, the newest change wins, no dry run. */
export function defaultSettings(): Settings {
  return {
    kinds: Object.fromEntries(SYNC_KINDS.map((k) => [k, { enabled: true, direction: 'both' }])) as Record<
      SyncKind,
      KindSettings
    >,
    conflictPolicy: 'newest_wins',
    dryRun: false,
    fieldMapping: {},
    connections: [],
  };
}

/** Lays `patch` over `base` (both partial); `null` mapping entries are kept so they can mask a default. */
export function mergePatch(base: SettingsPatch, patch: SettingsPatch): SettingsPatch {
  const out: SettingsPatch = { ...base };
  if (patch.kinds) {
    const kinds = { ...base.kinds };
    for (const k of SYNC_KINDS)
      if (patch.kinds[k]) kinds[k] = { ...kinds[k], ...stripUndefined(patch.kinds[k]) };
    out.kinds = kinds;
  }
  if (patch.conflictPolicy !== undefined) out.conflictPolicy = patch.conflictPolicy;
  if (patch.dryRun !== undefined) out.dryRun = patch.dryRun;
  if (patch.fieldMapping) {
    const mapping = { ...base.fieldMapping };
    for (const [connector, fields] of Object.entries(patch.fieldMapping))
      mapping[connector] = { ...mapping[connector], ...fields };
    out.fieldMapping = mapping;
  }
  if (patch.connections) out.connections = patch.connections;
  // A scope is set as a whole: {} clears an inherited one.
  if (patch.scope) out.scope = patch.scope;
  return out;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, x]) => x !== undefined)) as Partial<T>;
}

/**
 * The settings in force for a location: built-in defaults, then the agency's defaults, then the
 * location's own choices. Used by the panel and by the sync engine.
 */
export function resolveSettings(agency: SettingsPatch | null, location: SettingsPatch | null): Settings {
  const merged = mergePatch(agency ?? {}, location ?? {});
  const out = defaultSettings();
  for (const k of SYNC_KINDS) Object.assign(out.kinds[k], stripUndefined(merged.kinds?.[k] ?? {}));
  if (merged.conflictPolicy) out.conflictPolicy = merged.conflictPolicy;
  if (merged.dryRun !== undefined) out.dryRun = merged.dryRun;
  for (const [connector, fields] of Object.entries(merged.fieldMapping ?? {})) {
    const kept = Object.entries(fields).filter((e): e is [string, string] => e[1] !== null);
    if (kept.length) out.fieldMapping[connector] = Object.fromEntries(kept);
  }
  out.connections = merged.connections ?? [];
  if (merged.scope && Object.keys(merged.scope).length) out.scope = merged.scope;
  return out;
}

/** Reads stored JSON; anything unreadable counts as "nothing set" rather than breaking the panel. */
export function parseStored(json: string | null | undefined): SettingsPatch | null {
  if (!json) return null;
  try {
    const parsed = v.safeParse(SettingsPatch, JSON.parse(json));
    return parsed.success ? parsed.output : null;
  } catch {
    return null;
  }
}
