import { DurableObject } from 'cloudflare:workers';
import type { GhlEvent } from '../webhooks/events.ts';

/** Stub of the Durable Object of one contact (`locationId:contactId`). */
export function contactStub(env: Env, locationId: string, contactId: string) {
  return env.CONTACT.get(env.CONTACT.idFromName(`${locationId}:${contactId}`));
}

/**
 * One per contact (`locationId:contactId`): the contact's timeline cache (notes, tasks,
 * appointments) and its ordered, durable queue of sync work.
 */
export class ContactDO extends DurableObject<Env> {
  /** A stored GHL event about this contact, handed over by the location's object. */
  async applyGhlEvent(key: string, event: GhlEvent): Promise<void> {
    void key;
    void event;
  }
}
