import { mergePatch, parseStored, resolveSettings, type Settings, type SettingsPatch } from './model.ts';

/**
 * The agency's defaults (`agency_settings`) and the agency console's writes to its sub-accounts'
 * own settings (`location_settings`). Both rows hold a partial patch (model.ts); a location
 * follows the agency's defaults for whatever it has not set itself (inheritance.ts).
 */

/** The two tables holding a settings patch, keyed by their owner's id. */
const TABLES = {
  agency: { table: 'agency_settings', key: 'company_id' },
  location: { table: 'location_settings', key: 'location_id' },
} as const;
type Owner = keyof typeof TABLES;

interface StoredRow {
  settings: string;
  updated_by: string | null;
  updated_at: number;
}

async function readRow(db: D1Database, owner: Owner, id: string): Promise<StoredRow | null> {
  const { table, key } = TABLES[owner];
  return db
    .prepare(`SELECT settings, updated_by, updated_at FROM ${table} WHERE ${key} = ?`)
    .bind(id)
    .first<StoredRow>();
}

/**
 * Lays `patch` over the stored patch of `id`, by compare-and-set on `updated_at` (D1 has no row
 * locks), so two writers never drop each other's fields. Writing what is already stored changes
 * nothing, not even who changed it last: applying the same change twice leaves the same state.
 */
async function mergeInto(
  db: D1Database,
  owner: Owner,
  id: string,
  patch: SettingsPatch,
  userId: string,
  now = Date.now(),
): Promise<{ changed: boolean }> {
  const { table, key } = TABLES[owner];
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await readRow(db, owner, id);
    const before = parseStored(row?.settings) ?? {};
    const next = JSON.stringify(mergePatch(before, patch));
    if (row && next === JSON.stringify(before)) return { changed: false };
    const result = row
      ? await db
          .prepare(
            `UPDATE ${table} SET settings = ?, updated_by = ?, updated_at = ? WHERE ${key} = ? AND updated_at = ?`,
          )
          .bind(next, userId, Math.max(now, row.updated_at + 1), id, row.updated_at)
          .run()
      : await db
          .prepare(
            `INSERT INTO ${table} (${key}, settings, updated_by, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (${key}) DO NOTHING`,
          )
          .bind(id, next, userId, now)
          .run();
    if (result.meta.changes === 1) return { changed: true };
  }
  throw new Error(`${table} of ${id} changed concurrently three times in a row`);
}

/** The agency's defaults: what it set itself, and the settings a sub-account that sets nothing gets. */
export interface AgencyDefaults {
  defaults: SettingsPatch;
  settings: Settings;
  updatedAt: string | null;
  updatedBy: string | null;
}

export async function loadAgencyDefaults(db: D1Database, companyId: string): Promise<AgencyDefaults> {
  const row = await readRow(db, 'agency', companyId);
  const defaults = parseStored(row?.settings) ?? {};
  return {
    defaults,
    settings: resolveSettings(defaults, null),
    updatedAt: row ? new Date(row.updated_at).toISOString() : null,
    updatedBy: row?.updated_by ?? null,
  };
}

/** Merges a change into the agency's defaults (`null` in a field map removes a default mapping). */
export async function saveAgencyDefaults(
  db: D1Database,
  companyId: string,
  patch: SettingsPatch,
  userId: string,
): Promise<AgencyDefaults> {
  await mergeInto(db, 'agency', companyId, patch, userId);
  return loadAgencyDefaults(db, companyId);
}

/** Merges a change into one sub-account's own settings; `changed` is false when it already had them. */
export function mergeLocationSettings(
  db: D1Database,
  locationId: string,
  patch: SettingsPatch,
  userId: string,
): Promise<{ changed: boolean }> {
  return mergeInto(db, 'location', locationId, patch, userId);
}

/** The own (stored) settings of each of `locationIds` that has any. */
export async function ownSettingsOf(
  db: D1Database,
  locationIds: string[],
): Promise<Map<string, SettingsPatch>> {
  const out = new Map<string, SettingsPatch>();
  if (!locationIds.length) return out;
  const { results } = await db
    .prepare(
      `SELECT location_id, settings FROM location_settings WHERE location_id IN (${locationIds.map(() => '?').join(',')})`,
    )
    .bind(...locationIds)
    .all<{ location_id: string; settings: string }>();
  for (const row of results) {
    const patch = parseStored(row.settings);
    if (patch) out.set(row.location_id, patch);
  }
  return out;
}
