import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { requireAgencySession, type SessionEnv } from '../../auth/session.ts';
import { fieldMappingError } from '../../connectors/partner-fields.ts';
import { connectorFor } from '../../connectors/registry.ts';
import { toHex, utf8 } from '../../crypto/encoding.ts';
import type { Directory } from '../../durable/location/agency-directory.ts';
import type { StoredAnswer } from '../../durable/location/agency-requests.ts';
import { tenantStub } from '../../durable/stubs.ts';
import { AppError, badRequest } from '../../errors.ts';
import { pathsSet } from '../../settings/inheritance.ts';
import { SettingsPatch } from '../../settings/model.ts';
import {
  loadAgencyDefaults,
  mergeLocationSettings,
  ownSettingsOf,
  saveAgencyDefaults,
  type AgencyDefaults,
} from '../../settings/agency-store.ts';
import { getInstall, listCompanyLocations, type Install } from '../../tenants/installs.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { mergeKnown, viewOf } from './agency-view.ts';
import { GhlId, jsonBody, notEmpty, queryOf } from './validate.ts';

/**
 * The agency console (docs/CONTRACT.md §4): for an agency admin's session opened from the agency
 * view, every sub-account of that agency and its sync state, the defaults sub-accounts inherit,
 * and settings applied to many sub-accounts at once. Every route checks the session itself
 * (requireAgencySession), and only ever reads or writes sub-accounts of the session's agency.
 */
export const agencyConsoleRoutes = new Hono<SessionEnv>();
type Ctx = Context<SessionEnv>;

const DAY_MS = 24 * 60 * 60_000;
const agencyKey = (companyId: string) => `company:${companyId}`;

/** Per-location connection switches name one sub-account's connections: no agency-wide meaning. */
const noConnections = (connections: unknown[] | undefined) => !connections?.length;
const CONNECTIONS_MESSAGE = 'connections belong to one sub-account and cannot be set for many';

function checkFieldMap(patch: SettingsPatch) {
  const why = patch.fieldMapping ? fieldMappingError(connectorFor, patch.fieldMapping) : null;
  if (why) throw badRequest(why, 'invalid_field_map');
}

/** Why GHL's full list is not there, when the agency holds no working agency token. */
function noDirectoryReason(agencyInstall: Install | null): string {
  return agencyInstall?.kind === 'company'
    ? 'The agency’s own connection needs a reconnect: install the app for the agency again to list every sub-account.'
    : 'The app was installed on sub-accounts one by one, not for the agency: sub-accounts without it are not listed.';
}

/** Sub-accounts GHL lists for the agency (when it installed the app as an agency) and those we hold. */
async function knownLocations(c: Ctx, refresh: boolean) {
  const { companyId } = c.var.session;
  const [agencyInstall, installs] = await Promise.all([
    getInstall(c.env.DB, companyId),
    listCompanyLocations(c.env.DB, companyId),
  ]);
  let directory: Directory = { locations: [], fetchedAt: null, error: noDirectoryReason(agencyInstall) };
  if (agencyInstall?.kind === 'company' && agencyInstall.status === 'active')
    directory = await tenantStub(c.env, agencyKey(companyId)).agencyDirectory(agencyKey(companyId), {
      refresh,
    });
  return {
    known: mergeKnown(directory.locations, installs),
    directory: {
      source: directory.fetchedAt ? ('ghl' as const) : ('installs' as const),
      fetchedAt: directory.fetchedAt ? new Date(directory.fetchedAt).toISOString() : null,
      error: directory.error,
    },
  };
}

const ListQuery = v.object({
  limit: v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,3}$/), v.transform(Number), v.minValue(1), v.maxValue(100)),
    '25',
  ),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(2048))),
  refresh: v.optional(v.picklist(['0', '1', 'true', 'false'])),
});
const Cursor = v.object({ o: v.pipe(v.number(), v.integer(), v.minValue(0)) });

agencyConsoleRoutes.get('/locations', requireAgencySession, queryOf(ListQuery), async (c) => {
  const q = c.req.valid('query');
  const offset = q.cursor ? decodeCursor(q.cursor, Cursor).o : 0;
  const { known, directory } = await knownLocations(c, q.refresh === '1' || q.refresh === 'true');
  const page = known.slice(offset, offset + q.limit);
  const since = Date.now() - DAY_MS;
  const [own, summaries] = await Promise.all([
    ownSettingsOf(
      c.env.DB,
      page.map((k) => k.id),
    ),
    // Only sub-accounts we hold an install for have an object; asking any other would make one.
    Promise.all(
      page.map((k) =>
        k.install
          ? tenantStub(c.env, k.id)
              .adminSummary(k.id, since)
              .catch(() => null)
          : null,
      ),
    ),
  ]);
  const counts = { active: 0, reconnect_needed: 0, pending: 0, not_installed: 0 };
  for (const k of known) counts[viewOf(k, null, []).status]++;
  return c.json({
    locations: page.map((k, i) => viewOf(k, summaries[i] ?? null, pathsSet(own.get(k.id) ?? null))),
    total: known.length,
    counts,
    nextCursor: offset + q.limit < known.length ? encodeCursor({ o: offset + q.limit }) : null,
    directory,
  });
});

// ---- defaults ------------------------------------------------------------------------------

const defaultsView = (d: AgencyDefaults) => ({
  ...d.settings,
  defaults: d.defaults,
  updatedAt: d.updatedAt,
  updatedBy: d.updatedBy,
  canEdit: true,
});

/** `PUT` takes a change, or the whole `GET` answer sent back (its read-only fields are dropped). */
const DefaultsChange = v.pipe(
  v.strictObject({
    ...SettingsPatch.entries,
    defaults: v.optional(v.unknown()),
    updatedAt: v.optional(v.nullable(v.string())),
    updatedBy: v.optional(v.nullable(v.string())),
    canEdit: v.optional(v.boolean()),
  }),
  v.check((change) => noConnections(change.connections), CONNECTIONS_MESSAGE),
  v.transform(
    ({
      defaults: _d,
      updatedAt: _at,
      updatedBy: _by,
      canEdit: _e,
      connections: _c,
      ...change
    }): SettingsPatch => change,
  ),
  v.check(notEmpty, 'send at least one setting to change'),
);

agencyConsoleRoutes.get('/defaults', requireAgencySession, async (c) =>
  c.json(defaultsView(await loadAgencyDefaults(c.env.DB, c.var.session.companyId))),
);

agencyConsoleRoutes.put('/defaults', requireAgencySession, jsonBody(DefaultsChange), async (c) => {
  const patch = c.req.valid('json');
  checkFieldMap(patch);
  const { companyId, userId } = c.var.session;
  return c.json(defaultsView(await saveAgencyDefaults(c.env.DB, companyId, patch, userId)));
});

// ---- bulk apply ----------------------------------------------------------------------------

const ApplyBody = v.strictObject({
  locationIds: v.pipe(v.array(GhlId), v.minLength(1, 'name at least one sub-account'), v.maxLength(100)),
  settings: v.pipe(
    SettingsPatch,
    v.check(notEmpty, 'send at least one setting to apply'),
    v.check((patch) => noConnections(patch.connections), CONNECTIONS_MESSAGE),
  ),
});
type ApplyBody = v.InferOutput<typeof ApplyBody>;
type ApplyStatus = 'applied' | 'unchanged' | 'not_found' | 'failed';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/** Which of `ids` belong to the session's agency: by our install rows, else by GHL's list of its sub-accounts. */
async function ownedBy(c: Ctx, ids: string[]): Promise<Set<string>> {
  const { companyId } = c.var.session;
  const { results } = await c.env.DB.prepare(
    `SELECT resource_id, company_id FROM installs WHERE kind = 'location' AND resource_id IN (${ids.map(() => '?').join(',')})`,
  )
    .bind(...ids)
    .all<{ resource_id: string; company_id: string | null }>();
  const rowOf = new Map(results.map((r) => [r.resource_id, r.company_id]));
  const owned = new Set(ids.filter((id) => rowOf.get(id) === companyId));
  // A sub-account without an install row (the app not installed there yet) is ours only if GHL
  // lists it under this agency; a row naming another agency never is.
  if (ids.some((id) => !rowOf.has(id))) {
    const { known } = await knownLocations(c, false);
    for (const k of known) if (k.directory && !rowOf.has(k.id) && ids.includes(k.id)) owned.add(k.id);
  }
  return owned;
}

async function apply(c: Ctx, body: ApplyBody) {
  checkFieldMap(body.settings);
  const ids = [...new Set(body.locationIds)];
  const owned = await ownedBy(c, ids);
  const results = await Promise.all(
    ids.map(async (locationId): Promise<{ locationId: string; status: ApplyStatus; message?: string }> => {
      if (!owned.has(locationId))
        return { locationId, status: 'not_found', message: 'No sub-account of your agency has this id.' };
      try {
        const { changed } = await mergeLocationSettings(
          c.env.DB,
          locationId,
          body.settings,
          c.var.session.userId,
        );
        return { locationId, status: changed ? 'applied' : 'unchanged' };
      } catch (err) {
        console.error('agency apply failed', locationId, String(err));
        return { locationId, status: 'failed', message: 'The settings could not be saved; try again.' };
      }
    }),
  );
  const count = (s: ApplyStatus) => results.filter((r) => r.status === s).length;
  return {
    results,
    summary: {
      applied: count('applied'),
      unchanged: count('unchanged'),
      notFound: count('not_found'),
      failed: count('failed'),
    },
  };
}

agencyConsoleRoutes.post('/settings/apply', requireAgencySession, jsonBody(ApplyBody), async (c) => {
  const body = c.req.valid('json');
  const raw = c.req.header('idempotency-key');
  if (raw === undefined) return c.json(await apply(c, body));
  const key = raw.trim();
  if (!IDEMPOTENCY_KEY.test(key))
    throw new AppError(
      400,
      'invalid_idempotency_key',
      'Idempotency-Key must be 8 to 128 letters, digits or - _ . :',
    );
  const { companyId } = c.var.session;
  const fingerprint = toHex(
    await crypto.subtle.digest('SHA-256', utf8.encode(JSON.stringify(['apply', body]))),
  );
  const agency = tenantStub(c.env, agencyKey(companyId));
  const stored = (await agency.findAgencyRequest(agencyKey(companyId), key, fingerprint)) as StoredAnswer;
  if (stored.state === 'different')
    throw new AppError(
      422,
      'idempotency_key_reused',
      'This Idempotency-Key was used for another request; use a new key for a new request.',
    );
  if (stored.state === 'same') {
    c.header('idempotent-replayed', 'true');
    return c.body(stored.answer, 200, { 'content-type': 'application/json' });
  }
  const answer = await apply(c, body);
  // A failed location is worth retrying under the same key: keep only answers with none.
  if (answer.summary.failed === 0)
    await agency.rememberAgencyRequest(agencyKey(companyId), key, fingerprint, JSON.stringify(answer));
  return c.json(answer);
});
