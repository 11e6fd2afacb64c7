/**
 * `npm run bench -- synclog`: what the sync log's bound buys. The panel's sync-log page (its two
 * queries: the newest page, and each connection's health) on a small log and on logs at the
 * count cap and the hard cap, and the cost of one pruning step, on the location object's own
 * schema and SQL (worker/sync-log/), run on Node's SQLite (node:sqlite), not through workerd. Needs
 * no stack. The ratios are the figures to read; absolute times swing on a shared machine.
 */
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { listSyncLog } from '../../worker/sync-log/read.ts';
import { pruneSyncLog, SYNC_LOG_LIMITS } from '../../worker/sync-log/retention.ts';
import { connectionHealth } from '../../worker/sync-log/write.ts';
import { fmt, ms, percentile, table } from './harness.ts';

type Sql = Parameters<typeof listSyncLog>[0];
// Loaded by path: its imports reach modules typed against the Workers runtime, which the Node
// side's type check does not load. It is a list of SQL statements.
const SCHEMA_MODULE = '../../worker/durable/location-schema.ts';
const { LOCATION_SCHEMA } = (await import(SCHEMA_MODULE)) as { LOCATION_SCHEMA: readonly string[] };
const REPEAT = 25;
const SMALL = 200;

/** The part of a Durable Object's `SqlStorage` the sync log uses, over node:sqlite. */
function sqlOver(db: DatabaseSync): Sql {
  return {
    exec(query: string, ...args: SQLInputValue[]) {
      const rows = db.prepare(query).all(...args);
      return {
        toArray: () => rows,
        one: () => {
          if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`);
          return rows[0];
        },
      };
    },
  } as unknown as Sql;
}

/** A location's log of `rows` rows, a realistic mix over three connections, with ~1.5 KB of requests each. */
function logOf(rows: number): { db: DatabaseSync; sql: Sql } {
  const db = new DatabaseSync(':memory:');
  for (const statement of LOCATION_SCHEMA) db.exec(statement);
  const now = Date.now();
  const requests = JSON.stringify({
    tries: [
      { attempt: 1, at: new Date(now).toISOString(), status: 'done', requests: [{ body: 'x'.repeat(1400) }] },
    ],
    dropped: 0,
  });
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
     INSERT INTO sync_log (at, updated_at, trigger, action, object_kind, contact_id, connection_id, status, attempts, error, requests)
     SELECT ?2 - (?1 - i) * 60000, ?2 - (?1 - i) * 60000, 'ghl_webhook', 'update contact in Your app', 'contact',
            'c' || (i % 500), 'conn' || (i % 3),
            CASE WHEN i % 20 = 0 THEN 'failed' WHEN i % 5 = 0 THEN 'skipped' ELSE 'done' END, 1,
            CASE WHEN i % 20 = 0 THEN 'partner answered 500' WHEN i % 5 = 0 THEN 'echo of our own write' END, ?3
       FROM n`,
  ).run(rows, now, requests);
  return { db, sql: sqlOver(db) };
}

function timed(run: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  return percentile(times, 50);
}

export async function syncLogBench(): Promise<void> {
  const sizes = [SMALL, SYNC_LOG_LIMITS.maxRows, SYNC_LOG_LIMITS.hardMaxRows];
  const figures = sizes.map((rows) => {
    const { db, sql } = logOf(rows);
    const page = timed(() => listSyncLog(sql, { limit: 50, hideQuiet: true }));
    const failed = timed(() => listSyncLog(sql, { status: 'failed', limit: 50, hideQuiet: true }));
    const health = timed(() => connectionHealth(sql));
    db.close();
    return { rows, page, failed, health };
  });
  const small = figures[0]!;
  table(
    `Sync log page queries, median of ${REPEAT} (node:sqlite, the location object's schema and SQL)`,
    ['rows in the log', 'newest 50', 'failed, 50', 'connection health', 'page + health vs 200 rows'],
    figures.map((f) => [
      f.rows.toLocaleString('en-US'),
      ms(f.page),
      ms(f.failed),
      ms(f.health),
      `${fmt((f.page + f.health) / (small.page + small.health), 1)}×`,
    ]),
  );

  // Pruning: one write-path step and one alarm step, on a log 1,000 rows past the cap.
  const steps = [100, 500].map((batch) => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { db, sql } = logOf(SYNC_LOG_LIMITS.maxRows + 1000);
      const t = performance.now();
      const { deleted } = pruneSyncLog(sql, Date.now(), batch);
      times.push(performance.now() - t);
      db.close();
      if (deleted !== batch) throw new Error(`pruning deleted ${deleted}, not ${batch}`);
    }
    return [`${batch} rows (${batch === 100 ? 'every 50 writes' : 'an alarm'})`, ms(percentile(times, 50))];
  });
  table('One pruning step at the cap, median of 5', ['step deletes', 'time'], steps);
}
