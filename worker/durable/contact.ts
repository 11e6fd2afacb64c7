import { DurableObject } from 'cloudflare:workers';
import type { GhlEvent } from '../webhooks/events.ts';
import type { TimelineOrder } from '../timeline/merge.ts';
import { ContactTimeline, type TimelineResult, type TimelineWrite } from '../timeline/service.ts';
import { CONTACT_SCHEMA } from './contact-schema.ts';
import { applySchema } from './sql-schema.ts';

/** Stub of the Durable Object of one contact (`locationId:contactId`). */
export function contactStub(env: Env, locationId: string, contactId: string) {
  return env.CONTACT.get(env.CONTACT.idFromName(`${locationId}:${contactId}`));
}

/**
 * One per contact (`locationId:contactId`): the contact's timeline cache (notes, tasks,
 * appointments) and its ordered, durable queue of sync work.
 */
export class ContactDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private timelineCache: ContactTimeline | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => applySchema(this.sql, CONTACT_SCHEMA));
  }

  /** The key is given on every call and pinned on the first one. */
  private bind(key: string): { locationId: string; contactId: string } {
    const at = key.indexOf(':');
    if (at <= 0 || at === key.length - 1) throw new Error(`bad contact object key ${key}`);
    const pinned = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'key'").toArray()[0]?.value;
    if (!pinned) this.sql.exec("INSERT INTO meta (key, value) VALUES ('key', ?)", key);
    else if (pinned !== key) throw new Error(`object of ${pinned} called for ${key}`);
    return { locationId: key.slice(0, at), contactId: key.slice(at + 1) };
  }

  private timelineOf(key: string): ContactTimeline {
    const { locationId, contactId } = this.bind(key);
    this.timelineCache ??= new ContactTimeline(this.env, this.sql, locationId, contactId);
    return this.timelineCache;
  }

  /** A stored GHL event about this contact, handed over in order by the location's object. */
  async applyGhlEvent(key: string, event: GhlEvent): Promise<void> {
    await this.timelineOf(key).applyEvent(event);
  }

  // ---- timeline (panel) -------------------------------------------------------------------

  /** The contact's merged timeline, from the cache or (cold, or `refresh`) from GHL. */
  async timeline(key: string, opts: { refresh: boolean; order: TimelineOrder }): Promise<TimelineResult> {
    return this.timelineOf(key).view(opts);
  }

  /** Write-through: a change the panel just made in GHL. */
  async applyTimelineWrite(key: string, change: TimelineWrite): Promise<void> {
    this.timelineOf(key).applyWrite(change);
  }
}
