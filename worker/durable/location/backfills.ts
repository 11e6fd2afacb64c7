import type { GhlContact } from '../../ghl/types.ts';
import {
  cancel,
  newProgress,
  stepOrFail,
  type BackfillContact,
  type BackfillProgress,
} from './backfill-step.ts';
import { contactStub } from '../stubs.ts';
import type { Meta } from './meta.ts';
import type { LocationSync } from './sync.ts';

/** Backfills of the location's connections, one at a time per connection, progress kept in `meta`. */
export class Backfills {
  private readonly sql: SqlStorage;
  private readonly meta: Meta;
  private readonly sync: LocationSync;
  private readonly armAlarm: (at: number) => Promise<void>;

  constructor(sql: SqlStorage, meta: Meta, sync: LocationSync, armAlarm: (at: number) => Promise<void>) {
    this.sql = sql;
    this.meta = meta;
    this.sync = sync;
    this.armAlarm = armAlarm;
  }

  /** Starts a backfill (or its dry-run preview); refused while one of the connection runs. */
  async start(
    connectionId: string,
    dryRun: boolean,
    opts: { history?: boolean } = {},
  ): Promise<{ ok: boolean; progress: BackfillProgress | null }> {
    const current = this.progress(connectionId);
    if (current?.state === 'running') return { ok: false, progress: current };
    const progress = newProgress(connectionId, dryRun, opts);
    this.meta.set(`backfill:${connectionId}`, JSON.stringify(progress));
    await this.armAlarm(Date.now());
    return { ok: true, progress };
  }

  /** Cancels the connection's running backfill; null when there is none. */
  cancel(connectionId: string): BackfillProgress | null {
    const current = this.progress(connectionId);
    if (current?.state !== 'running') return null;
    const done = cancel(current);
    this.meta.set(`backfill:${connectionId}`, JSON.stringify(done));
    return done;
  }

  /** The last backfill of a connection, running or finished, or null. */
  progress(connectionId: string): BackfillProgress | null {
    const raw = this.meta.get(`backfill:${connectionId}`);
    return raw ? (JSON.parse(raw) as BackfillProgress) : null;
  }

  /** One page of every running backfill that is due; when the next one is due (epoch ms), or null. */
  async step(now = Date.now()): Promise<number | null> {
    const running = this.sql
      .exec<{ key: string; value: string }>("SELECT key, value FROM meta WHERE key LIKE 'backfill:%'")
      .toArray()
      .map((r) => ({ key: r.key, p: JSON.parse(r.value) as BackfillProgress }))
      .filter((r) => r.p.state === 'running');
    const deps = this.sync.deps();
    const backfillContact: BackfillContact = (contact, connectionId, opts) =>
      contactStub(deps.env, deps.locationId, contact.id).backfillContact(
        `${deps.locationId}:${contact.id}`,
        connectionId,
        contact as GhlContact & Record<string, never>,
        opts,
      );
    let next: number | null = null;
    for (const { key, p } of running) {
      await stepOrFail(deps, p, backfillContact, now);
      // A cancel that came in while this page ran wins over the page's progress.
      if (this.progress(p.connectionId)?.state === 'cancelled') continue;
      this.meta.set(key, JSON.stringify(p));
      if (p.state === 'running') next = Math.min(next ?? Infinity, p.retryAt ?? now);
    }
    return next;
  }
}
