import { Hono } from 'hono';
import * as v from 'valibot';
import type { SessionEnv } from '../../auth/session.ts';
import { contactInLocation, ghlOf, remember } from './scope.ts';
import { ContactParams, jsonBody, paramsOf } from './validate.ts';

const Tags = v.object({
  tags: v.pipe(
    v.array(v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(100))),
    v.minLength(1, 'name at least one tag'),
    v.maxLength(50),
  ),
});

/** `POST/DELETE /api/contacts/:contactId/tags` with `{ tags: [] }`; answers the contact's tags after the change. */
export const tagRoutes = new Hono<SessionEnv>();

for (const method of ['post', 'delete'] as const) {
  tagRoutes[method]('/:contactId/tags', paramsOf(ContactParams), jsonBody(Tags), async (c) => {
    const { contactId } = c.req.valid('param');
    const { contact } = await contactInLocation(c, contactId);
    const api = ghlOf(c);
    const given = c.req.valid('json').tags;
    const tags =
      method === 'post' ? await api.addTags(contactId, given) : await api.removeTags(contactId, given);
    await remember(c, [{ id: contactId, locationId: contact.locationId, tags }]);
    return c.json({ tags }, method === 'post' ? 201 : 200);
  });
}
