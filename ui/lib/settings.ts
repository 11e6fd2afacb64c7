/**
 * Per-location sync settings as `GET/PUT /api/settings` hands them over (worker/routes/api/settings.ts:
 * the settings in force, every kind present) and the choices the settings form offers.
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
  {
    value: 'ghl_wins',
    label: 'HighLevel wins',
    hint: 'HighLevel is the source of truth when both sides changed.',
  },
  {
    value: 'partner_wins',
    label: 'Partner wins',
    hint: 'The partner app is the source of truth when both sides changed.',
  },
] as const;
export type ConflictPolicy = (typeof POLICIES)[number]['value'];

export interface KindSetting {
  enabled: boolean;
  direction: Direction;
}

/** What the settings form edits, and so all that its PUT sends (the worker takes a strict patch). */
export interface SyncSettings {
  kinds: Record<Kind, KindSetting>;
  conflictPolicy: ConflictPolicy;
  dryRun: boolean;
}

export type FieldMapping = Record<string, Record<string, string>>;

/** The answer of `GET` and `PUT /api/settings`. */
export interface SettingsAnswer extends SyncSettings {
  /** Field-mapping overrides per connector kind; edited and saved on their own (components/field-map.tsx). */
  fieldMapping: FieldMapping;
  /** Saved on its own too (components/sync-scope.tsx). */
  scope?: SyncScope;
  canEdit: boolean;
}

/** A `PUT /api/settings` body: any of the settings; in `fieldMapping`, `null` removes an override. */
/** Which contacts sync at all (worker/sync/scope.ts); empty: every contact. */
export interface SyncScope {
  tag?: string;
  businessId?: string;
  /** YYYY-MM-DD */
  createdAfter?: string;
}

export type SettingsPatch = Partial<SyncSettings> & {
  fieldMapping?: Record<string, Record<string, string | null>>;
  scope?: SyncScope;
};

/** A scope from the form's texts: blank conditions left out. */
export function scopeOf(values: { tag: string; businessId: string; createdAfter: string }): SyncScope {
  const out: SyncScope = {};
  if (values.tag.trim()) out.tag = values.tag.trim();
  if (values.businessId.trim()) out.businessId = values.businessId.trim();
  if (values.createdAfter.trim()) out.createdAfter = values.createdAfter.trim();
  return out;
}

/** The part of an answer the settings form edits. */
export const editable = ({ kinds, conflictPolicy, dryRun }: SyncSettings): SyncSettings => ({
  kinds,
  conflictPolicy,
  dryRun,
});
