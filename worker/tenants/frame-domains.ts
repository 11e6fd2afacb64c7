import type { GhlEvent } from '../webhooks/events.ts';

/**
 * Hosts of white-label agencies that may frame the panel (CSP `frame-ancestors`), in D1
 * (`agency_frame_domains`): the app domain GHL's INSTALL webhook names, and hosts the agency's
 * admins add themselves. Every host is checked to be a plain DNS name before it is stored, so
 * nothing stored can change the CSP beyond adding one `https://host` source.
 */

/** Hosts an agency may add itself. */
export const MAX_AGENCY_HOSTS = 10;
/** Hosts served to a panel load that names no location; past this the most recently set win. */
export const MAX_FRAME_HOSTS = 500;

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The host name in `input` (a bare host, or an http(s) origin), lower-cased, or null when it is
 * not a public DNS name: no wildcards, ports, paths, IP addresses, loopback or single labels.
 */
export function frameHost(input: unknown): string | null {
  if (typeof input !== 'string') return null;
  let text = input.trim().toLowerCase();
  if (!text || text.length > 300) return null;
  if (/^https?:\/\//.test(text)) {
    try {
      const url = new URL(text);
      if (url.port || url.username || url.password || url.pathname !== '/' || url.search || url.hash)
        return null;
      text = url.hostname;
    } catch {
      return null;
    }
  }
  text = text.replace(/\.$/, '');
  if (text.length > 253 || text === 'localhost' || text.endsWith('.localhost')) return null;
  const labels = text.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  if (/^\d+$/.test(labels.at(-1)!)) return null;
  return text;
}

/**
 * INSTALL: remembers the white-label agency's app domain (or forgets it when GHL says the
 * agency is no longer white-label). Events without white-label fields change nothing.
 */
export async function recordWhitelabelDomain(
  db: D1Database,
  event: GhlEvent,
  now = Date.now(),
): Promise<void> {
  const companyId = typeof event.companyId === 'string' ? event.companyId : null;
  if (event.type !== 'INSTALL' || !companyId || typeof event.isWhitelabelCompany !== 'boolean') return;
  const details = event.whitelabelDetails as { domain?: unknown } | undefined;
  const host = event.isWhitelabelCompany ? frameHost(details?.domain) : null;
  if (event.isWhitelabelCompany && !host) {
    console.warn('INSTALL names no usable white-label domain', companyId);
    return;
  }
  const clear = db
    .prepare("DELETE FROM agency_frame_domains WHERE company_id = ? AND source = 'install'")
    .bind(companyId);
  if (!host) {
    await clear.run();
    return;
  }
  await db.batch([
    clear,
    db
      .prepare(
        "INSERT INTO agency_frame_domains (company_id, host, source, updated_at) VALUES (?, ?, 'install', ?)",
      )
      .bind(companyId, host, now),
  ]);
}

/**
 * UNINSTALL: an agency's hosts are dropped once nothing of it still has the app (neither the
 * agency install nor any of its sub-accounts'); while one sub-account keeps it, its panel still
 * needs them. One statement, so a concurrent INSTALL is seen either before or after.
 */
export async function forgetFrameHostsOfGoneAgency(db: D1Database, companyId: string): Promise<void> {
  await db
    .prepare(
      `DELETE FROM agency_frame_domains WHERE company_id = ?1 AND NOT EXISTS (
         SELECT 1 FROM installs WHERE status != 'uninstalled'
           AND ((kind = 'company' AND resource_id = ?1) OR (kind = 'location' AND company_id = ?1)))`,
    )
    .bind(companyId)
    .run();
}

export interface AgencyFrameHosts {
  /** The white-label domain from the agency's install, if any. */
  installHost: string | null;
  /** Hosts the agency's admins added. */
  hosts: string[];
}

export async function agencyFrameHosts(db: D1Database, companyId: string): Promise<AgencyFrameHosts> {
  const { results } = await db
    .prepare('SELECT host, source FROM agency_frame_domains WHERE company_id = ? ORDER BY host')
    .bind(companyId)
    .all<{ host: string; source: string }>();
  return {
    installHost: results.find((r) => r.source === 'install')?.host ?? null,
    hosts: results.filter((r) => r.source === 'setting').map((r) => r.host),
  };
}

/** Replaces the hosts the agency's admins added (already checked with `frameHost`). */
export async function setAgencyFrameHosts(
  db: D1Database,
  companyId: string,
  hosts: readonly string[],
  now = Date.now(),
): Promise<void> {
  await db.batch([
    db
      .prepare("DELETE FROM agency_frame_domains WHERE company_id = ? AND source = 'setting'")
      .bind(companyId),
    ...[...new Set(hosts)].map((host) =>
      db
        .prepare(
          "INSERT INTO agency_frame_domains (company_id, host, source, updated_at) VALUES (?, ?, 'setting', ?)",
        )
        .bind(companyId, host, now),
    ),
  ]);
}

/**
 * Hosts for a panel load: those of the agency of `resourceId` (a location or company id the
 * menu link put in the URL) when it is installed, else every agency's, most recently set first.
 */
export async function frameHostsFor(db: D1Database, resourceId: string | null): Promise<string[]> {
  const install = resourceId
    ? await db
        .prepare('SELECT company_id FROM installs WHERE resource_id = ?')
        .bind(resourceId)
        .first<{ company_id: string | null }>()
    : null;
  const query = install?.company_id
    ? db
        .prepare('SELECT host FROM agency_frame_domains WHERE company_id = ? GROUP BY host')
        .bind(install.company_id)
    : db
        .prepare('SELECT host FROM agency_frame_domains GROUP BY host ORDER BY MAX(updated_at) DESC LIMIT ?')
        .bind(MAX_FRAME_HOSTS);
  return (await query.all<{ host: string }>()).results.map((r) => r.host);
}
