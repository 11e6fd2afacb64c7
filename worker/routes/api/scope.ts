import type { Context } from 'hono';
import type { SessionEnv } from '../../auth/session.ts';
import { LocationGhlApi } from '../../durable/ghl-api.ts';
import { contactStub, tenantStub } from '../../durable/stubs.ts';
import { AppError } from '../../errors.ts';
import { GhlError } from '../../ghl/errors.ts';
import type { GhlContact } from '../../ghl/types.ts';
import type { TimelineWrite } from '../../durable/contact/timeline.ts';
import { PANEL_TASK_EDIT, type GhlEvent } from '../../webhooks/events.ts';
import { outsideLocation } from './errors.ts';

/**
 * Location scoping for every panel route: the location always comes from the session, never
 * from the request, and what GHL returns is checked once more before it is answered.
 */

type C = Context<SessionEnv>;

/** GHL client for the session's location; panel calls go ahead of background sync calls. */
export const ghlOf = (c: C) => new LocationGhlApi(c.env, c.var.session.locationId, 'interactive');

/** The session location's Durable Object (contact index, sync log). */
export const locationOf = (c: C) => tenantStub(c.env, c.var.session.locationId);

/** Defense in depth: a contact GHL returns must belong to the session's location. */
export function inLocation<T extends Partial<GhlContact>>(
  c: C,
  contact: T | null | undefined,
): T & { id: string } {
  if (!contact?.id || contact.locationId !== c.var.session.locationId) {
    outsideLocation(
      'Contact',
      `GHL returned a contact of ${String(contact?.locationId)} to a session of ${c.var.session.locationId}`,
    );
  }
  return contact as T & { id: string };
}

/** A note or task GHL returns must sit under the contact the path names. */
export function underContact<T extends { id?: unknown; contactId?: unknown }>(
  what: string,
  item: T,
  contactId: string,
): T & { id: string } {
  if (
    typeof item?.id !== 'string' ||
    (item.contactId !== undefined && item.contactId !== null && item.contactId !== contactId)
  ) {
    outsideLocation(
      what,
      `GHL returned a ${what.toLowerCase()} of contact ${String(item?.contactId)} for ${contactId}`,
    );
  }
  return item as T & { id: string };
}

/** Remembers contacts in the location's index so later timeline views need not fetch them. */
export async function remember(c: C, contacts: Partial<GhlContact>[]): Promise<void> {
  if (contacts.length) await locationOf(c).rememberContacts(c.var.session.locationId, contacts);
}

/**
 * Resolves a contact of the session's location: from the index when it was seen before (unless
 * `fresh`), otherwise from GHL (one call). Used before every write, so a foreign id stops here with 404.
 */
export async function contactInLocation(
  c: C,
  contactId: string,
  fresh = false,
): Promise<{ contact: GhlContact; ghlCalls: number }> {
  const known = fresh ? null : await locationOf(c).knownContact(c.var.session.locationId, contactId);
  if (known) return { contact: inLocation(c, known), ghlCalls: 0 };
  let fetched: GhlContact;
  try {
    fetched = await ghlOf(c).getContact(contactId);
  } catch (err) {
    // Gone from GHL: drop it from the index too, so no later view trusts the stale entry.
    if (err instanceof GhlError && (err.kind === 'not_found' || err.kind === 'wrong_location'))
      await locationOf(c).forgetContact(c.var.session.locationId, contactId);
    throw err;
  }
  const contact = inLocation(c, fetched);
  await remember(c, [contact]);
  return { contact, ghlCalls: 1 };
}

/**
 * Write-through to the contact's timeline cache after GHL accepted a change. GHL already has
 * the change, so a cache failure must not fail the request (the user would retry and duplicate);
 * the next event or refresh repairs the cache.
 */
export async function writeThrough(c: C, contactId: string, change: TimelineWrite): Promise<void> {
  const { locationId } = c.var.session;
  try {
    await contactStub(c.env, locationId, contactId).applyTimelineWrite(`${locationId}:${contactId}`, change);
  } catch (err) {
    console.error('timeline write-through failed', locationId, contactId, String(err));
  }
}

/**
 * Hands a task edit made in the panel to the sync engine, which GHL never tells (it sends no
 * webhook for task edits). Stored in the location's inbox like a webhook, so it waits out a
 * busy or failing sync; the edit is in GHL already, so a failure to store it says so.
 */
export async function reportTaskEdit(
  c: C,
  contactId: string,
  task: { id: string } & Record<string, unknown>,
): Promise<void> {
  const { locationId } = c.var.session;
  const now = Date.now();
  const event: GhlEvent = {
    ...task,
    type: PANEL_TASK_EDIT,
    locationId,
    contactId,
    id: task.id,
    webhookId: `panel:${task.id}:${crypto.randomUUID()}`,
    timestamp: new Date(now).toISOString(),
    trigger: 'panel',
  };
  try {
    await tenantStub(c.env, locationId).ingest(locationId, event, now);
  } catch (err) {
    console.error('task edit not handed to sync', locationId, task.id, String(err));
    throw new AppError(
      503,
      'sync_unavailable',
      'The task was saved in HighLevel, but the sync did not take the change; save it again to send it to your connected apps.',
    );
  }
}
