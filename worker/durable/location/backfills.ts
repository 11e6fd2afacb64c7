import type { GhlContact } from '../../ghl/types.ts';
import { backfillStep, newProgress, type BackfillContact, type BackfillProgress } from '../../sync/backfill.ts';
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
  async start(connectionId: string, dryRun: boolean): Promise<{ ok: boolean; progress: BackfillProgress | null }> {
    const current = this.progress(connectionId);
    if (current?.state === 'running') return { ok: false, progress: current };
    const progress = newProgress(connectionId, dryRun);
    this.meta.set(`backfill:${connectionId}`, JSON.stringify(progress));
    await this.armAlarm(Date.now());
    return { ok: true, progress };
  }

  /** The last backfill of a connection, running or finished, or null. */
  progress(connectionId: string): BackfillProgress | null {
    const raw = this.meta.get(`backfill:${connectionId}`);
    return raw ? (JSON.parse(raw) as BackfillProgress) : null;
  }

  /** One page of every running backfill; true when any is still running. */
  async step(): Promise<boolean> {
    const running = this.sql
      .exec<{ key: string; value: string }>("SELECT key, value FROM meta WHERE key LIKE 'backfill:%'")
      .toArray()
      .map((r) => ({ key: r.key, p: JSON.parse(r.value) as BackfillProgress }))
      .filter((r) => r.p.state === 'running');
    const deps = this.sync.deps();
    const backfillContact: BackfillContact = (contact, connectionId, dryRun) =>
      contactStub(deps.env, deps.locationId, contact.id).backfillContact(`${deps.locationId}:${contact.id}`, connectionId, contact as GhlContact & Record<string, never>, dryRun);
    for (const { key, p } of running) {
      try {
        await backfillStep(deps, p, backfillContact);
      } catch (err) {
        // Retried on the next alarm; a partner or GHL outage pauses the backfill, it does not end it.
        p.error = String(err);
      }
      this.meta.set(key, JSON.stringify(p));
    }
    return running.some((r) => r.p.state === 'running');
  }
}
