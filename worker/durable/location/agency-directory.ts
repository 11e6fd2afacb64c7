import { appIdOf, getConfig } from '../../config.ts';
import type { GhlAccess } from './ghl-access.ts';
import type { ResourceIdentity } from './identity.ts';
import type { Meta } from './meta.ts';

/** One sub-account of the agency as GHL's `/oauth/installedLocations` lists it. */
export interface DirectoryLocation {
  id: string;
  name: string;
  address: string;
  /** Whether GHL has our app installed there. */
  installed: boolean;
  installedAt: string | null;
}

export interface Directory {
  locations: DirectoryLocation[];
  /** When GHL was last asked (epoch ms), or null if never. */
  fetchedAt: number | null;
  /** Why the last refresh failed, when it did (the list is then the last good one). */
  error: string | null;
}

/** Sub-accounts come and go rarely; the console may ask again with `refresh`. */
export const DIRECTORY_TTL_MS = 5 * 60_000;
const PAGE = 100;
/** Agencies have hundreds of sub-accounts at most; stop paging well past that. */
const MAX_PAGES = 100;

interface GhlPage {
  locations?: { _id: string; name?: string; address?: string; isInstalled?: boolean; installedAt?: string }[];
  count?: number;
}

/**
 * Agency object only: every sub-account of the agency, installed or not, from the agency
 * (Company) token's `/oauth/installedLocations`, cached in the object's SQLite for a few minutes.
 */
export class AgencyDirectory {
  private readonly env: Env;
  private readonly sql: SqlStorage;
  private readonly meta: Meta;
  private readonly identity: ResourceIdentity;
  private readonly access: GhlAccess;
  private inflight: Promise<Directory> | null = null;

  constructor(env: Env, sql: SqlStorage, meta: Meta, identity: ResourceIdentity, access: GhlAccess) {
    this.env = env;
    this.sql = sql;
    this.meta = meta;
    this.identity = identity;
    this.access = access;
  }

  /** The cached list, refreshed from GHL when older than the TTL or when asked to. */
  async read(opts: { refresh?: boolean } = {}, now = Date.now()): Promise<Directory> {
    if (!this.identity.isCompany) throw new Error('only an agency object has a directory');
    const fetchedAt = Number(this.meta.get('directory_fetched_at') ?? '') || null;
    if (!opts.refresh && fetchedAt && now - fetchedAt < DIRECTORY_TTL_MS) return this.stored(null);
    // One refresh at a time: the console's page loads all wait on the same GHL calls.
    this.inflight ??= this.refresh(now).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private stored(error: string | null): Directory {
    const locations = this.sql
      .exec<{ id: string; name: string; address: string; installed: number; installed_at: string | null }>(
        'SELECT id, name, address, installed, installed_at FROM agency_directory ORDER BY name, id',
      )
      .toArray()
      .map((r) => ({
        id: r.id,
        name: r.name,
        address: r.address,
        installed: r.installed === 1,
        installedAt: r.installed_at,
      }));
    const fetchedAt = Number(this.meta.get('directory_fetched_at') ?? '') || null;
    return { locations, fetchedAt, error };
  }

  private async refresh(now: number): Promise<Directory> {
    let fetched: DirectoryLocation[];
    try {
      fetched = await this.fetchAll();
    } catch (err) {
      return this.stored(err instanceof Error ? err.message : String(err));
    }
    this.sql.exec('DELETE FROM agency_directory');
    for (const l of fetched)
      this.sql.exec(
        'INSERT OR REPLACE INTO agency_directory (id, name, address, installed, installed_at) VALUES (?, ?, ?, ?, ?)',
        l.id,
        l.name,
        l.address,
        l.installed ? 1 : 0,
        l.installedAt,
      );
    this.meta.set('directory_fetched_at', String(now));
    return this.stored(null);
  }

  private async fetchAll(): Promise<DirectoryLocation[]> {
    const config = getConfig(this.env);
    const out: DirectoryLocation[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await this.access.gateway().send<GhlPage>({
        method: 'GET',
        path: '/oauth/installedLocations',
        query: {
          companyId: this.identity.installKey,
          appId: appIdOf(config.clientId),
          skip: page * PAGE,
          limit: PAGE,
        },
        version: '2021-07-28',
        priority: 'interactive',
      });
      if (!result.ok)
        throw new Error(`GHL did not list the agency's sub-accounts: ${result.failure.message}`);
      const rows = result.data.locations ?? [];
      for (const l of rows)
        if (typeof l._id === 'string' && l._id)
          out.push({
            id: l._id,
            name: l.name ?? l._id,
            address: l.address ?? '',
            installed: l.isInstalled === true,
            installedAt: l.installedAt ?? null,
          });
      if (rows.length < PAGE) break;
    }
    return out;
  }
}
