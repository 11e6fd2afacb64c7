import type { CachedItem, TimelineKind, TimelineSource } from './merge.ts';

/** Tombstones outlive any event or snapshot that could still mention the object. */
const TOMBSTONE_KEEP_MS = 30 * 24 * 60 * 60 * 1000;

type ItemRow = {
  kind: TimelineKind;
  id: string;
  raw: string;
  source: TimelineSource;
  stale: number;
  seq: number;
};

/** A snapshot object from GHL, keyed by kind. */
export interface SnapshotItem {
  kind: TimelineKind;
  raw: Record<string, unknown> & { id: string };
}

/**
 * The timeline cache of one contact in its Durable Object's SQLite. Every change takes a
 * sequence number, so a full reload that awaited GHL while events or panel writes landed keeps
 * those newer rows instead of overwriting them with its older snapshot.
 */
export class TimelineCache {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  private meta(key: string): string | undefined {
    return this.sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0]?.value;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec(
      'INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2',
      key,
      value,
    );
  }

  private nextSeq(): number {
    const seq = Number(this.meta('timeline.seq') ?? '0') + 1;
    this.setMeta('timeline.seq', String(seq));
    return seq;
  }

  private touched(now: number): void {
    this.setMeta('timeline.updated_at', String(now));
  }

  private tombstoned(kind: TimelineKind, id: string): boolean {
    return (
      this.sql.exec('SELECT 1 FROM timeline_tombstones WHERE kind = ? AND id = ?', kind, id).toArray()
        .length > 0
    );
  }

  /** When the cache was last filled from GHL as a whole, or null if it never was. */
  get loadedAt(): number | null {
    const v = this.meta('timeline.loaded_at');
    return v ? Number(v) : null;
  }

  /** When anything in the cache last changed (load, event or panel write). */
  get updatedAt(): number | null {
    const v = this.meta('timeline.updated_at');
    return v ? Number(v) : null;
  }

  /** Every cached object. */
  all(): CachedItem[] {
    return this.sql
      .exec<ItemRow>('SELECT kind, id, raw, source, stale, seq FROM timeline_items')
      .toArray()
      .map((r) => ({
        kind: r.kind,
        id: r.id,
        raw: JSON.parse(r.raw) as Record<string, unknown>,
        source: r.source,
      }));
  }

  /** Objects known only from a thin event, to be fetched before they are shown. */
  staleItems(): { kind: TimelineKind; id: string }[] {
    return this.sql
      .exec<{ kind: TimelineKind; id: string }>('SELECT kind, id FROM timeline_items WHERE stale = 1')
      .toArray();
  }

  /** Marks the start of a full reload; pass the mark to `completeLoad`. */
  beginLoad(): number {
    return this.nextSeq();
  }

  /**
   * Replaces what was cached before `mark` with GHL's snapshot. Rows changed after the mark are
   * newer than the snapshot and stay; deleted ids stay deleted.
   */
  completeLoad(mark: number, snapshot: readonly SnapshotItem[], now = Date.now()): void {
    const inSnapshot = new Set(snapshot.map((s) => `${s.kind}:${s.raw.id}`));
    for (const row of this.sql
      .exec<ItemRow>('SELECT kind, id FROM timeline_items WHERE seq <= ?', mark)
      .toArray()) {
      if (!inSnapshot.has(`${row.kind}:${row.id}`)) {
        this.sql.exec('DELETE FROM timeline_items WHERE kind = ? AND id = ?', row.kind, row.id);
        this.sql.exec('DELETE FROM meta WHERE key = ?', `author:${row.kind}:${row.id}`);
      }
    }
    for (const { kind, raw } of snapshot) {
      if (this.tombstoned(kind, raw.id)) continue;
      const row = this.sql
        .exec<{ seq: number }>('SELECT seq FROM timeline_items WHERE kind = ? AND id = ?', kind, raw.id)
        .toArray()[0];
      if (row && row.seq > mark) continue;
      this.sql.exec(
        `INSERT INTO timeline_items (kind, id, raw, stale, seq, updated_at) VALUES (?1, ?2, ?3, 0, ?4, ?5)
         ON CONFLICT (kind, id) DO UPDATE SET raw = ?3, stale = 0, seq = ?4, updated_at = ?5`,
        kind,
        raw.id,
        JSON.stringify(raw),
        mark,
        now,
      );
    }
    this.sql.exec('DELETE FROM timeline_tombstones WHERE deleted_at < ?', now - TOMBSTONE_KEEP_MS);
    this.setMeta('timeline.loaded_at', String(now));
    this.touched(now);
  }

  /**
   * Stores one object. `merge` lays the given fields over the cached ones (thin event payloads);
   * a thin object that is not cached yet is marked stale. Returns false for a deleted id.
   */
  upsert(
    kind: TimelineKind,
    raw: Record<string, unknown> & { id: string },
    opts: { merge: boolean; thin?: boolean; source?: TimelineSource },
    now = Date.now(),
  ): boolean {
    if (this.tombstoned(kind, raw.id)) return false;
    const old = this.sql
      .exec<ItemRow>('SELECT raw, source, stale FROM timeline_items WHERE kind = ? AND id = ?', kind, raw.id)
      .toArray()[0];
    const merged = opts.merge && old ? { ...(JSON.parse(old.raw) as object), ...raw } : raw;
    const stale = old ? (opts.merge ? old.stale : 0) : opts.thin ? 1 : 0;
    this.sql.exec(
      `INSERT INTO timeline_items (kind, id, raw, source, stale, seq, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
       ON CONFLICT (kind, id) DO UPDATE SET raw = ?3, source = ?4, stale = ?5, seq = ?6, updated_at = ?7`,
      kind,
      raw.id,
      JSON.stringify(merged),
      opts.source ?? old?.source ?? 'ghl',
      stale,
      this.nextSeq(),
      now,
    );
    this.touched(now);
    return true;
  }

  /**
   * Remembers who made an object in the panel (GHL keeps no author for tasks or appointments).
   * Kept in `meta` beside the object and dropped with it.
   */
  setAuthor(kind: TimelineKind, id: string, userId: string): void {
    this.setMeta(`author:${kind}:${id}`, userId);
  }

  /** Who made each object made in the panel, by `kind:id`. */
  authors(): Map<string, string> {
    const rows = this.sql
      .exec<{ key: string; value: string }>("SELECT key, value FROM meta WHERE key LIKE 'author:%'")
      .toArray();
    return new Map(rows.map((r) => [r.key.slice('author:'.length), r.value]));
  }

  /** Deletes one object and remembers that it is gone. */
  remove(kind: TimelineKind, id: string, now = Date.now()): void {
    this.sql.exec('DELETE FROM timeline_items WHERE kind = ? AND id = ?', kind, id);
    this.sql.exec('DELETE FROM meta WHERE key = ?', `author:${kind}:${id}`);
    this.sql.exec(
      'INSERT OR REPLACE INTO timeline_tombstones (kind, id, deleted_at) VALUES (?, ?, ?)',
      kind,
      id,
      now,
    );
    this.nextSeq();
    this.touched(now);
  }

  /** Forgets everything (the contact was deleted); the next view reloads from GHL. */
  clear(now = Date.now()): void {
    this.sql.exec('DELETE FROM timeline_items');
    this.sql.exec("DELETE FROM meta WHERE key = 'timeline.loaded_at' OR key LIKE 'author:%'");
    this.nextSeq();
    this.touched(now);
  }
}
