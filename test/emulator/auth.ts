import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv, Emu } from './context.ts';
import {
  badRequest,
  invalidJwt,
  noLocationAccess,
  notFound,
  tooManyRequests,
  wrongAuthClass,
} from './errors.ts';
import type { AccessToken, Appointment, Contact, Note, Task } from './state.ts';

export const CONTACTS_VERSION = '2021-07-28';
export const CALENDARS_VERSION = '2021-04-15';

/** location: sub-account token only; agency: company token only; any: either (checked per object). */
export type Access = 'location' | 'agency' | 'any';

export function bearer(c: Context): string | undefined {
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1]?.trim();
}

export function liveToken(emu: Emu, token: string | undefined): AccessToken | undefined {
  const record = token ? emu.state.accessTokens.get(token) : undefined;
  if (!record || record.revoked || record.expiresAt <= Date.now()) return undefined;
  return record;
}

/**
 * Every resource route: a live token of the right class, the rate limit of its (app, resource),
 * then the Version header. Rate-limit headers go on every answer after the token check.
 */
export function guard(emu: Emu, access: Access, version: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const auth = liveToken(emu, bearer(c));
    if (!auth) throw invalidJwt();
    if (access === 'agency' && auth.userType !== 'Company') throw wrongAuthClass();
    if (access === 'location' && auth.userType !== 'Location') throw noLocationAccess();
    const decision = emu.limiter.take(auth.clientId, auth.locationId ?? auth.companyId);
    for (const [name, value] of Object.entries(decision.headers)) c.header(name, value);
    if (!decision.allowed) throw tooManyRequests();
    const given = c.req.header('version');
    if (!given) throw badRequest('version header was not found', { error: 'Bad Request' });
    if (given !== version)
      throw badRequest(`Version ${given} is not supported for this route; use ${version}`, {
        error: 'Bad Request',
      });
    c.set('auth', auth);
    await next();
  };
}

/** A location id named in a request must be the token's own location (or, for a company token, one of its company). */
export function assertLocation(emu: Emu, auth: AccessToken, locationId: string): void {
  if (auth.userType === 'Location') {
    if (auth.locationId !== locationId) throw noLocationAccess();
    return;
  }
  const location = emu.state.locations.get(locationId);
  if (!location || location.companyId !== auth.companyId) throw noLocationAccess();
}

export function contactFor(emu: Emu, auth: AccessToken, contactId: string): Contact {
  const contact = emu.state.contacts.get(contactId);
  if (!contact) throw badRequest('Contact not found');
  assertLocation(emu, auth, contact.locationId);
  return contact;
}

export function taskFor(emu: Emu, contact: Contact, taskId: string): Task {
  const task = emu.state.tasks.get(taskId);
  if (!task || task.contactId !== contact.id) throw notFound('Task not found');
  return task;
}

export function noteFor(emu: Emu, contact: Contact, noteId: string): Note {
  const note = emu.state.notes.get(noteId);
  if (!note || note.contactId !== contact.id) throw notFound('Note not found');
  return note;
}

export function appointmentFor(emu: Emu, auth: AccessToken, eventId: string): Appointment {
  const appointment = emu.state.appointments.get(eventId);
  if (!appointment) throw notFound('Appointment not found');
  assertLocation(emu, auth, appointment.locationId);
  return appointment;
}
