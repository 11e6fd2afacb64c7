import { ContactAutomations } from '../automations/runtime.ts';
import { GhlApi } from '../ghl/api.ts';
import { tenantStub } from './location.ts';

/** The contact object's recipe runtime, wired to the location's GHL access and contact index. */
export function contactAutomations(env: Env, sql: SqlStorage, locationId: string, contactId: string): ContactAutomations {
  return new ContactAutomations(sql, {
    db: env.DB,
    locationId,
    contactId,
    ghl: new GhlApi(env, locationId, 'background'),
    knownContact: () => tenantStub(env, locationId).knownContact(locationId, contactId),
  });
}

/** The earlier of two alarm times, either of which may be absent. */
export const earliest = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
