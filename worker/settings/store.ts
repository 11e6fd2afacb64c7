import { getInstall } from '../tenants/installs.ts';
import { mergePatch, parseStored, resolveSettings, type Settings, type SettingsPatch } from './model.ts';

/** Settings in force for a location, with who changed the location's own part last. */
export interface SettingsRecord {
  settings: Settings;
  updatedAt: string | null;
  updatedBy: string | null;
}

interface StoredRow {
  settings: string;
  updated_by: string | null;
  updated_at: number;
}

async function locationRow(db: D1Database, locationId: string): Promise<StoredRow | null> {
  return db
    .prepare('SELECT settings, updated_by, updated_at FROM location_settings WHERE location_id = ?')
    .bind(locationId)
    .first<StoredRow>();
}

async function agencyDefaults(
  db: D1Database,
  locationId: string,
  companyId?: string | null,
): Promise<SettingsPatch | null> {
  const company = companyId ?? (await getInstall(db, locationId))?.companyId;
  if (!company) return null;
  const row = await db
    .prepare('SELECT settings FROM agency_settings WHERE company_id = ?')
    .bind(company)
    .first<{ settings: string }>();
  return parseStored(row?.settings);
}

/** The location's settings: its own choices over its agency's defaults over built-in defaults. */
export async function loadSettings(
  db: D1Database,
  locationId: string,
  companyId?: string | null,
): Promise<SettingsRecord> {
  const [own, agency] = await Promise.all([
    locationRow(db, locationId),
    agencyDefaults(db, locationId, companyId),
  ]);
  return {
    settings: resolveSettings(agency, parseStored(own?.settings)),
    updatedAt: own ? new Date(own.updated_at).toISOString() : null,
    updatedBy: own?.updated_by ?? null,
  };
}

/**
 * Merges a validated change into the location's stored choices. Two admins saving at once do not
 * drop each other's fields: the write only lands if the row is still the one that was read.
 */
export async function saveSettings(
  db: D1Database,
  locationId: string,
  patch: SettingsPatch,
  userId: string,
  companyId?: string | null,
  now = Date.now(),
): Promise<SettingsRecord> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const own = await locationRow(db, locationId);
    const next = JSON.stringify(mergePatch(parseStored(own?.settings) ?? {}, patch));
    // D1 has no row locks: compare-and-set on updated_at, and read again when another save won.
    const result = own
      ? await db
          .prepare(
            'UPDATE location_settings SET settings = ?, updated_by = ?, updated_at = ? WHERE location_id = ? AND updated_at = ?',
          )
          .bind(next, userId, Math.max(now, own.updated_at + 1), locationId, own.updated_at)
          .run()
      : await db
          .prepare(
            'INSERT INTO location_settings (location_id, settings, updated_by, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (location_id) DO NOTHING',
          )
          .bind(locationId, next, userId, now)
          .run();
    if (result.meta.changes === 1) return loadSettings(db, locationId, companyId);
  }
  throw new Error('settings changed concurrently three times in a row');
}
