import type { ContactDO } from './contact.ts';
import type { LocationDO } from './location.ts';

/**
 * The one way to reach a Durable Object. Only index.ts, routes/ and durable/ import this (the
 * import-graph test holds the line); lower layers get a stub or a small interface from them.
 */

/** Stub of the object that owns a location (or, as `company:<id>`, an agency). */
export function tenantStub(env: Env, resourceId: string): DurableObjectStub<LocationDO> {
  return env.LOCATION.get(env.LOCATION.idFromName(resourceId));
}

/** Stub of one contact's object (`locationId:contactId`): its timeline cache and sync queue. */
export function contactStub(env: Env, locationId: string, contactId: string): DurableObjectStub<ContactDO> {
  return env.CONTACT.get(env.CONTACT.idFromName(`${locationId}:${contactId}`));
}
