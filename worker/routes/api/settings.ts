import { Hono } from 'hono';
import * as v from 'valibot';
import { isAdmin, type SessionEnv } from '../../auth/session.ts';
import { fieldMappingError } from '../../connectors/partner-fields.ts';
import { connectorFor } from '../../connectors/registry.ts';
import { badRequest, forbidden } from '../../errors.ts';
import { SettingsPatch } from '../../settings/model.ts';
import { loadSettings, saveSettings, type SettingsRecord } from '../../settings/store.ts';
import { jsonBody, notEmpty } from './validate.ts';

/**
 * What `PUT` takes: a change, or the whole `GET` answer sent back. The fields `GET` adds
 * (`updatedAt`, `updatedBy`, `canEdit`) are read-only and dropped; any other unknown field is refused.
 */
const SettingsChange = v.pipe(
  v.strictObject({
    ...SettingsPatch.entries,
    updatedAt: v.optional(v.nullable(v.string())),
    updatedBy: v.optional(v.nullable(v.string())),
    canEdit: v.optional(v.boolean()),
  }),
  v.transform(({ updatedAt: _at, updatedBy: _by, canEdit: _edit, ...change }): SettingsPatch => change),
  v.check(notEmpty, 'send at least one setting to change'),
);

/** `GET/PUT /api/settings`: the session location's settings; only admins may change them. */
export const settingsRoutes = new Hono<SessionEnv>();

const view = (record: SettingsRecord, admin: boolean) => ({
  ...record.settings,
  updatedAt: record.updatedAt,
  updatedBy: record.updatedBy,
  canEdit: admin,
});

settingsRoutes.get('/', async (c) => {
  const { locationId, companyId } = c.var.session;
  return c.json(view(await loadSettings(c.env.DB, locationId, companyId), isAdmin(c.var.session)));
});

settingsRoutes.put(
  '/',
  async (c, next) => {
    // Role first: a non-admin learns nothing from validation messages.
    if (!isAdmin(c.var.session)) throw forbidden('Only sub-account admins can change Contact Sync settings.');
    await next();
  },
  jsonBody(SettingsChange),
  async (c) => {
    const { locationId, companyId, userId } = c.var.session;
    const patch = c.req.valid('json');
    const unknownField = patch.fieldMapping ? fieldMappingError(connectorFor, patch.fieldMapping) : null;
    if (unknownField) throw badRequest(unknownField, 'invalid_field_map');
    return c.json(view(await saveSettings(c.env.DB, locationId, patch, userId, companyId), true));
  },
);
