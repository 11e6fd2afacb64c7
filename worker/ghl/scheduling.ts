import type { GhlApi } from './api.ts';

/** GHL calls the panel's booking and assignee pickers need, beside the typed API in api.ts. */

const CALENDARS = '2021-04-15';
const USERS = '2021-07-28';

/** A user as GHL's `GET /users/` lists it (fields we read). */
export interface GhlUser {
  id: string;
  name?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  roles?: { type?: string; role?: string; locationIds?: string[] };
  deleted?: boolean;
}

/** The users of the API's location (`GET /users/?locationId`, scope users.readonly). */
export function listUsers(api: GhlApi): Promise<GhlUser[]> {
  return api
    .call<{ users?: GhlUser[] }>({
      method: 'GET',
      path: '/users/',
      query: { locationId: api.locationId },
      version: USERS,
    })
    .then((r) => r.users ?? []);
}

/** Free slots of a calendar: `{ "YYYY-MM-DD": { slots: [ISO…] } }` (`GET /calendars/:id/free-slots`). */
export function freeSlots(
  api: GhlApi,
  calendarId: string,
  range: { startDate: number; endDate: number; timezone?: string },
): Promise<Record<string, { slots?: unknown } | unknown>> {
  return api.call({
    method: 'GET',
    path: `/calendars/${encodeURIComponent(calendarId)}/free-slots`,
    query: {
      startDate: range.startDate,
      endDate: range.endDate,
      ...(range.timezone ? { timezone: range.timezone } : {}),
    },
    version: CALENDARS,
  });
}
