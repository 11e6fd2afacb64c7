import { Hono } from 'hono';
import type { SessionEnv } from '../../auth/session.ts';
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

userRoutes.get('/', async (c) => {
  const { locationId } = c.var.session;
  const users: PanelUser[] = (await listUsers(ghlOf(c)))
    .filter((u) => typeof u?.id === 'string' && u.deleted !== true)
    .filter((u) => u.roles?.type === 'agency' || (u.roles?.locationIds ?? [locationId]).includes(locationId))
    .map((u) => ({ id: u.id, name: nameOf(u), email: u.email ?? null, role: u.roles?.role ?? null }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return c.json({ users });
});
