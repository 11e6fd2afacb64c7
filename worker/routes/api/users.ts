import { Hono } from 'hono';
import type { SessionEnv } from '../../auth/session.ts';
import { AppError } from '../../errors.ts';
import { GhlError } from '../../ghl/errors.ts';
import { listUsers, type GhlUser } from '../../ghl/scheduling.ts';
import { ghlOf } from './scope.ts';

/** A user the panel can name: an assignee, a note's author. */
export interface PanelUser {
  id: string;
  name: string;
  email: string | null;
  role: string | null;
}

function nameOf(u: GhlUser): string {
  const full = [u.firstName, u.lastName].filter(Boolean).join(' ').trim();
  return u.name?.trim() || full || u.email || u.id;
}

/**
 * `GET /api/users`: the session location's users by name. Users GHL marks deleted, and account
 * users GHL says belong elsewhere, are left out (agency users work in every location).
 */
export const userRoutes = new Hono<SessionEnv>();

/** GHL's refusal of a scope the install never granted: 401 that is not about the token, or 403. */
async function readUsers(c: Parameters<typeof ghlOf>[0]): Promise<GhlUser[]> {
  try {
    return await listUsers(ghlOf(c));
  } catch (err) {
    if (err instanceof GhlError && (err.kind === 'not_found' || err.kind === 'wrong_location'))
      throw new AppError(
        403,
        'users_not_granted',
        "HighLevel does not let the app read this sub-account's users. Reinstall the app to grant it (it asks for users.readonly).",
        err.message,
      );
    throw err;
  }
}

/** The session location's users, by name. */
async function locationUsers(c: Parameters<typeof ghlOf>[0]): Promise<PanelUser[]> {
  const { locationId } = c.var.session;
  return (await readUsers(c))
    .filter((u) => typeof u?.id === 'string' && u.deleted !== true)
    .filter((u) => u.roles?.type === 'agency' || (u.roles?.locationIds ?? [locationId]).includes(locationId))
    .map((u) => ({ id: u.id, name: nameOf(u), email: u.email ?? null, role: u.roles?.role ?? null }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A task may be assigned only to someone who works in the session's location. The session's own
 * user is (GHL signed them in here); anyone else costs one read of the location's users.
 */
export async function assertAssignable(c: Parameters<typeof ghlOf>[0], userId: string): Promise<void> {
  if (userId === c.var.session.userId) return;
  if (!(await locationUsers(c)).some((u) => u.id === userId))
    throw new AppError(422, 'unknown_assignee', 'Assign the task to someone who works in this sub-account.');
}

userRoutes.get('/', async (c) => c.json({ users: await locationUsers(c) }));
