/** Install records in D1: one per agency (company) and per sub-account (location). */
export type InstallStatus = 'active' | 'pending' | 'reconnect_needed' | 'uninstalled';

export interface Install {
  resourceId: string;
  kind: 'company' | 'location';
  companyId: string | null;
  name: string | null;
  status: InstallStatus;
  installKind: string | null;
  lastError: string | null;
  installedAt: number;
  updatedAt: number;
}

interface InstallRow {
  resource_id: string;
  kind: 'company' | 'location';
  company_id: string | null;
  name: string | null;
  status: InstallStatus;
  install_kind: string | null;
  last_error: string | null;
  installed_at: number;
  updated_at: number;
}

const fromRow = (r: InstallRow): Install => ({
  resourceId: r.resource_id,
  kind: r.kind,
  companyId: r.company_id,
  name: r.name,
  status: r.status,
  installKind: r.install_kind,
  lastError: r.last_error,
  installedAt: r.installed_at,
  updatedAt: r.updated_at,
});

export async function getInstall(db: D1Database, resourceId: string): Promise<Install | null> {
  const row = await db
    .prepare('SELECT * FROM installs WHERE resource_id = ?')
    .bind(resourceId)
    .first<InstallRow>();
  return row ? fromRow(row) : null;
}

export interface InstallInput {
  resourceId: string;
  kind: 'company' | 'location';
  companyId?: string | null;
  name?: string | null;
  status: InstallStatus;
  installKind?: string | null;
  lastError?: string | null;
}

export async function upsertInstall(db: D1Database, input: InstallInput, now = Date.now()): Promise<void> {
  await db
    .prepare(
      `INSERT INTO installs (resource_id, kind, company_id, name, status, install_kind, last_error, installed_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
       ON CONFLICT (resource_id) DO UPDATE SET
         company_id = COALESCE(?3, company_id), name = COALESCE(?4, name), status = ?5,
         install_kind = COALESCE(?6, install_kind), last_error = ?7, updated_at = ?8`,
    )
    .bind(
      input.resourceId,
      input.kind,
      input.companyId ?? null,
      input.name ?? null,
      input.status,
      input.installKind ?? null,
      input.lastError ?? null,
      now,
    )
    .run();
}

export async function setInstallStatus(
  db: D1Database,
  resourceId: string,
  status: InstallStatus,
  lastError: string | null,
  now = Date.now(),
) {
  await db
    .prepare('UPDATE installs SET status = ?2, last_error = ?3, updated_at = ?4 WHERE resource_id = ?1')
    .bind(resourceId, status, lastError, now)
    .run();
}

export async function listCompanyLocations(db: D1Database, companyId: string): Promise<Install[]> {
  const { results } = await db
    .prepare("SELECT * FROM installs WHERE kind = 'location' AND company_id = ? ORDER BY name")
    .bind(companyId)
    .all<InstallRow>();
  return results.map(fromRow);
}

export async function listActiveLocations(db: D1Database): Promise<Install[]> {
  const { results } = await db
    .prepare("SELECT * FROM installs WHERE kind = 'location' AND status = 'active'")
    .all<InstallRow>();
  return results.map(fromRow);
}
