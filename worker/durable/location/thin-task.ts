import type { GhlGateway } from '../../ghl/gateway.ts';
import type { GhlEvent } from '../../webhooks/events.ts';

type FoundTask = {
  id?: string;
  _id?: string;
  contactId?: string;
  title?: string;
  body?: string;
  dueDate?: string;
  completed?: boolean;
  dateUpdated?: string;
};

/**
 * TaskCreate arrives without contactId and body (GHL issue #332). The task search answers with
 * the whole task; it has no id filter, so search by title first, then page through the
 * location's tasks. Returns the contact and the fields the event left out.
 */
export async function completeThinTask(
  gateway: GhlGateway,
  locationId: string,
  event: GhlEvent,
): Promise<{ contactId: string; fields: Record<string, unknown> } | undefined> {
  if (!event.type.startsWith('Task') || !event.id) return undefined;
  const title = typeof event.title === 'string' ? event.title : undefined;
  const attempts: Record<string, unknown>[] = title ? [{ query: title, limit: 100 }] : [];
  for (let skip = 0; skip < 500; skip += 100) attempts.push({ limit: 100, skip });
  for (const body of attempts) {
    const result = await gateway.send<{ tasks?: FoundTask[] }>({
      method: 'POST',
      path: `/locations/${encodeURIComponent(locationId)}/tasks/search`,
      body,
      version: '2021-07-28',
    });
    if (!result.ok) throw new Error(`task search failed: ${result.failure.message}`);
    const tasks = result.data.tasks ?? [];
    const hit = tasks.find((t) => (t.id ?? t._id) === event.id);
    if (hit?.contactId) {
      // The task as it is now, whole: mixed with what the event carried from its creation, a
      // later edit would read as a different task state (and not as our own write coming back).
      const fields: Record<string, unknown> = {};
      if (typeof hit.title === 'string') {
        fields.title = hit.title;
        fields.body = hit.body ?? '';
      }
      if (typeof hit.dueDate === 'string') fields.dueDate = hit.dueDate;
      if (typeof hit.completed === 'boolean') fields.completed = hit.completed;
      if (typeof hit.dateUpdated === 'string') fields.dateUpdated = hit.dateUpdated;
      return { contactId: hit.contactId, fields };
    }
    if (!('query' in body) && tasks.length < 100) break;
  }
  return undefined;
}
