import type { Hono } from 'hono';
import { assertLocation, CONTACTS_VERSION, guard } from './auth.ts';
import type { AppEnv, Emu } from './context.ts';
import { scopeNotGranted } from './errors.ts';
import type { User } from './state.ts';
import { validate } from './validate.ts';

/** GHL's `UserSchema` as `GET /users/` answers it (users.readonly). */
export function userView(user: User) {
  return {
    id: user.id,
    name: `${user.firstName} ${user.lastName}`.trim(),
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    phone: '',
    extension: '',
    roles: { type: user.type, role: user.role, locationIds: user.locationIds },
    deleted: false,
  };
}

export function registerUsers(app: Hono<AppEnv>, emu: Emu): void {
  const { state } = emu;

  /** The users who can work in a location: its own, and the agency's (they see every location). */
  app.get('/users', guard(emu, 'any', CONTACTS_VERSION), (c) => {
    if (!c.get('auth').scope.split(' ').includes('users.readonly')) throw scopeNotGranted();
    const q = validate(c.req.query(), { locationId: { type: 'string', required: true } });
    const locationId = String(q.locationId);
    assertLocation(emu, c.get('auth'), locationId);
    const location = state.locations.get(locationId);
    const users = [...state.users.values()].filter((u) =>
      u.type === 'agency' ? u.companyId === location?.companyId : u.locationIds.includes(locationId),
    );
    return c.json({ users: users.map(userView) });
  });
}
