import { Hono } from 'hono';
import * as v from 'valibot';
import type { SessionEnv } from '../../auth/session.ts';
import { AppError } from '../../errors.ts';
import { REPLAYABLE_STATUSES, type SyncLogEntry } from '../../sync-log/read.ts';
import { readTries } from '../../sync-log/tries.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { locationOf } from './scope.ts';
import { GhlId, paramsOf, queryOf } from './validate.ts';

const ListQuery = v.object({
  status: v.optional(v.pipe(v.string(), v.regex(/^[a-z_]{1,32}$/, 'must be a status name'))),
  contactId: v.optional(GhlId),
  cursor: v.optional(v.string()),
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, 'must be a number'),
      v.transform(Number),
      v.minValue(1),
      v.maxValue(200),
    ),
  ),
  /** `all`: echoes of our own writes and other no-op skips too (hidden by default). */
  show: v.optional(v.picklist(['all'])),
});
const Cursor = v.object({ before: v.pipe(v.number(), v.integer(), v.minValue(1)) });
const EntryParams = v.object({
  id: v.pipe(v.string(), v.regex(/^[1-9]\d{0,14}$/, 'must be a sync log entry id'), v.transform(Number)),
});

/** An entry as the panel gets it: `detail`, `diff` and the requests of its tries parsed back into JSON. */
function present(entry: SyncLogEntry) {
  let detail: unknown = entry.detail;
  try {
    detail = entry.detail === null ? null : JSON.parse(entry.detail);
  } catch {
    // Not JSON: show the text as it is.
  }
  // `requests`: the last try's, as before; `tries`: every kept try's, oldest first.
  const { tries, dropped } = readTries(entry.requests);
  let diff: unknown = [];
  try {
    diff = entry.diff ? JSON.parse(entry.diff) : [];
  } catch {
    // as above
  }
  return { ...entry, detail, requests: tries.at(-1)?.requests ?? [], tries, earlierTries: dropped, diff };
}

/** `GET /api/sync-log` and `POST /api/sync-log/:id/replay`, read from the location's Durable Object. */
export const syncLogRoutes = new Hono<SessionEnv>();

syncLogRoutes.get('/', queryOf(ListQuery), async (c) => {
  const { status, contactId, cursor, limit = 50, show } = c.req.valid('query');
  const beforeId = cursor ? decodeCursor(cursor, Cursor).before : undefined;
  const location = locationOf(c);
  const [page, health] = await Promise.all([
    location.listSyncLog(c.var.session.locationId, {
      status,
      contactId,
      beforeId,
      limit,
      hideQuiet: show !== 'all',
    }),
    location.syncHealth(c.var.session.locationId),
  ]);
  return c.json({
    entries: page.entries.map(present),
    nextCursor: page.nextBeforeId === null ? null : encodeCursor({ before: page.nextBeforeId }),
    health,
  });
});

syncLogRoutes.post('/:id/replay', paramsOf(EntryParams), async (c) => {
  const { id } = c.req.valid('param');
  const { locationId } = c.var.session;
  const location = locationOf(c);
  const entry = await location.getSyncLogEntry(locationId, id);
  // A missing entry goes on to the replay, which tells one never written from one pruned.
  if (entry && !REPLAYABLE_STATUSES.has(entry.status)) {
    throw new AppError(
      409,
      'not_replayable',
      `Only failed entries can be replayed; this one is ${entry.status}.`,
    );
  }
  const result = await location.replaySyncLog(locationId, id);
  if (result.ok) return c.json({ entry: present(result.entry) }, 202);
  if (result.code === 'not_found') throw new AppError(404, 'not_found', 'Sync log entry not found');
  if (result.code === 'pruned') throw new AppError(410, 'pruned', result.message);
  if (result.code === 'not_replayable') throw new AppError(409, 'not_replayable', result.message);
  throw new AppError(503, 'replay_unavailable', result.message);
});
