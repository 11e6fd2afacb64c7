import { Hono } from 'hono';
import * as v from 'valibot';
import type { SessionEnv } from '../../auth/session.ts';
import { contactStub } from '../../durable/stubs.ts';
import { GhlError } from '../../ghl/errors.ts';
import type { TimelineResult } from '../../durable/contact/timeline.ts';
import { contactInLocation, ghlOf, locationOf } from './scope.ts';
import { ContactParams, paramsOf, queryOf } from './validate.ts';

const TimelineQuery = v.object({
  order: v.optional(v.picklist(['newest', 'pending-first'])),
  refresh: v.optional(v.picklist(['0', '1', 'true', 'false'])),
});

/** `/api/contacts/:contactId/timeline` and `/appointments`. */
export const timelineRoutes = new Hono<SessionEnv>();

/**
 * The merged timeline from the contact's Durable Object: warm views cost no GHL call, a cold
 * view three (notes, tasks, appointments in parallel), plus one for a contact never seen before.
 */
timelineRoutes.get('/:contactId/timeline', paramsOf(ContactParams), queryOf(TimelineQuery), async (c) => {
  const { contactId } = c.req.valid('param');
  const { order = 'newest', refresh: flag } = c.req.valid('query');
  const refresh = flag === '1' || flag === 'true';
  const { locationId } = c.var.session;
  // Resolve the contact first: an id of another location ends here, before any cache exists for it.
  const { contact, ghlCalls: contactCalls } = await contactInLocation(c, contactId, refresh);
  // RPC typing cannot express GHL's open-ended objects; the value is exactly a TimelineResult.
  const result = (await contactStub(c.env, locationId, contactId).timeline(`${locationId}:${contactId}`, {
    refresh,
    order,
  })) as TimelineResult;
  if (!result.ok) {
    if (result.failure.kind === 'not_found' || result.failure.kind === 'wrong_location')
      await locationOf(c).forgetContact(locationId, contactId);
    throw new GhlError(result.failure);
  }
  return c.json({
    items: result.items,
    contact,
    freshness: { ...result.freshness, ghlCalls: result.freshness.ghlCalls + contactCalls },
  });
});

timelineRoutes.get('/:contactId/appointments', paramsOf(ContactParams), async (c) => {
  const { contactId } = c.req.valid('param');
  const { locationId } = c.var.session;
  const events = await ghlOf(c).listAppointments(contactId);
  const mine = events.filter(
    (e) =>
      (e.locationId === undefined || e.locationId === locationId) &&
      (e.contactId === undefined || e.contactId === contactId),
  );
  if (mine.length !== events.length)
    console.error('appointments of another location or contact dropped', locationId, contactId);
  return c.json({ events: mine });
});
