import { GhlError, type GhlFailure } from '../../ghl/errors.ts';
import { TimelineCache, type SnapshotItem } from '../../timeline/cache.ts';
import { changeFromEvent } from '../../timeline/events.ts';
import {
  orderTimeline,
  toTimelineItem,
  type TimelineItem,
  type TimelineKind,
  type TimelineOrder,
  type TimelineSource,
} from '../../timeline/merge.ts';
import type { GhlEvent } from '../../webhooks/events.ts';
import { LocationGhlApi } from '../ghl-api.ts';
import { tenantStub } from '../stubs.ts';

/** More stale objects than this and one full reload (3 calls) is cheaper than fetching each. */
const MAX_SINGLE_REFETCHES = 3;

/** How fresh a timeline answer is. */
export interface Freshness {
  /** When the cache was last filled from GHL as a whole. */
  cachedAt: string | null;
  /** When an event or a panel write last changed it. */
  updatedAt: string | null;
  source: 'cache' | 'ghl';
  /** GHL calls made to answer this request. */
  ghlCalls: number;
}

export type TimelineResult =
  { ok: true; items: TimelineItem[]; freshness: Freshness } | { ok: false; failure: GhlFailure };

/** A change the panel made through GHL, applied to the cache right after GHL accepted it. */
export type TimelineWrite =
  | {
      op: 'upsert';
      kind: TimelineKind;
      item: Record<string, unknown> & { id: string };
      source?: TimelineSource;
      /** The panel user who made it (a create). */
      createdBy?: string;
    }
  | { op: 'delete'; kind: TimelineKind; id: string }
  | { op: 'clear' };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The timeline of one contact, inside its Durable Object: served from the cache, filled from GHL
 * on a cold view (notes, tasks and appointments in parallel), kept fresh by events and panel writes.
 */
export class ContactTimeline {
  private readonly env: Env;
  private readonly cache: TimelineCache;
  private readonly locationId: string;
  private readonly contactId: string;
  private loading: Promise<void> | null = null;

  constructor(env: Env, sql: SqlStorage, locationId: string, contactId: string) {
    this.env = env;
    this.cache = new TimelineCache(sql);
    this.locationId = locationId;
    this.contactId = contactId;
  }

  private api(): LocationGhlApi {
    return new LocationGhlApi(this.env, this.locationId, 'interactive');
  }

  /** The ordered timeline; reloads from GHL when cold or asked to. GHL failures come back as values (RPC drops error classes). */
  async view(opts: { refresh: boolean; order: TimelineOrder }): Promise<TimelineResult> {
    let ghlCalls = 0;
    let source: Freshness['source'] = 'cache';
    try {
      const stale = this.cache.staleItems();
      if (opts.refresh || this.cache.loadedAt === null || stale.length > MAX_SINGLE_REFETCHES) {
        ghlCalls += await this.reload();
        source = 'ghl';
      } else if (stale.length) {
        ghlCalls += (await Promise.all(stale.map((s) => this.refetch(s.kind, s.id)))).length;
      }
    } catch (err) {
      if (err instanceof GhlError)
        return { ok: false, failure: { kind: err.kind, status: err.status, message: err.message } };
      throw err;
    }
    const authors = this.cache.authors();
    const items = orderTimeline(
      this.cache.all().map((cached) => {
        const item = toTimelineItem(cached);
        const createdBy = authors.get(`${item.kind}:${item.id}`);
        return createdBy ? { ...item, createdBy } : item;
      }),
      opts.order,
    );
    return {
      ok: true,
      items,
      freshness: {
        cachedAt: iso(this.cache.loadedAt),
        updatedAt: iso(this.cache.updatedAt),
        source,
        ghlCalls,
      },
    };
  }

  /** One reload at a time: concurrent cold views share it. Returns the GHL calls this caller caused. */
  private async reload(): Promise<number> {
    if (this.loading) {
      await this.loading;
      return 0;
    }
    this.loading = this.fetchAll().finally(() => {
      this.loading = null;
    });
    await this.loading;
    return 3;
  }

  private async fetchAll(): Promise<void> {
    const api = this.api();
    const mark = this.cache.beginLoad();
    const [notes, tasks, events] = await Promise.all([
      api.listNotes(this.contactId),
      api.listTasks(this.contactId),
      api.listAppointments(this.contactId),
    ]);
    const mine = (o: { contactId?: unknown; locationId?: unknown }) =>
      (o.contactId === undefined || o.contactId === this.contactId) &&
      (o.locationId === undefined || o.locationId === this.locationId);
    const snapshot: SnapshotItem[] = [
      ...notes.filter(mine).map((raw) => ({ kind: 'note' as const, raw })),
      ...tasks.filter(mine).map((raw) => ({ kind: 'task' as const, raw })),
      ...events.filter(mine).map((raw) => ({ kind: 'appointment' as const, raw })),
    ];
    this.cache.completeLoad(mark, snapshot);
  }

  /**
   * Completes one object known only from a thin event. A failure other than "gone" leaves it
   * stale: the view still shows what the event said, and the next view tries again.
   */
  private async refetch(kind: TimelineKind, id: string): Promise<void> {
    const api = this.api();
    try {
      const raw =
        kind === 'task'
          ? await api.getTask(this.contactId, id)
          : kind === 'note'
            ? await api.getNote(this.contactId, id)
            : await api.getAppointment(id);
      if (raw.contactId !== undefined && raw.contactId !== this.contactId) {
        console.error('refetched object belongs to another contact', kind, id);
        this.cache.remove(kind, id);
        return;
      }
      this.cache.upsert(kind, raw, { merge: false });
    } catch (err) {
      if (err instanceof GhlError && (err.kind === 'not_found' || err.kind === 'wrong_location'))
        this.cache.remove(kind, id);
      else console.warn('refetch of a thin timeline object failed', kind, id, String(err));
    }
  }

  /** Applies a stored GHL event about this contact (called in order by the location's object). */
  async applyEvent(event: GhlEvent): Promise<void> {
    const change = changeFromEvent(event, this.locationId, this.contactId);
    if (!change) return;
    const location = tenantStub(this.env, this.locationId);
    switch (change.op) {
      case 'contact':
        await location.rememberContacts(this.locationId, [change.contact]);
        return;
      case 'contact_deleted':
        this.cache.clear();
        await location.forgetContact(this.locationId, change.id);
        return;
      case 'delete':
        this.cache.remove(change.kind, change.id);
        return;
      case 'upsert':
        this.cache.upsert(change.kind, change.item as SnapshotItem['raw'], {
          merge: true,
          thin: change.thin,
        });
    }
  }

  /** Applies a write the panel just made through GHL (write-through). */
  applyWrite(change: TimelineWrite): void {
    if (change.op === 'clear') this.cache.clear();
    else if (change.op === 'delete') this.cache.remove(change.kind, change.id);
    else if (
      this.cache.upsert(change.kind, change.item, { merge: false, source: change.source }) &&
      change.createdBy
    )
      this.cache.setAuthor(change.kind, change.item.id, change.createdBy);
  }
}
