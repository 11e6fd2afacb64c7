import type { TimelineItem } from '../lib/types.ts';
import type { Users } from '../lib/users.ts';

const idOf = (v: unknown) => (typeof v === 'string' && v ? v : null);

/**
 * Who a timeline item is about and where it came from: a note's author (GHL's `userId`), a task's
 * assignee, an appointment's team member, by name, and who made a task or appointment in this
 * panel (GHL records no author for those); "HighLevel" for items made there (a partner's items
 * carry the partner's badge instead).
 */
export function ItemOrigin({ item, users }: { item: TimelineItem; users: Users }) {
  const raw = item.raw ?? {};
  const person =
    item.kind === 'note'
      ? { id: idOf(raw.userId), lead: 'by', testId: 'timeline-author' }
      : item.kind === 'task'
        ? { id: idOf(raw.assignedTo), lead: 'Assigned to', testId: 'timeline-assignee' }
        : { id: idOf(raw.assignedUserId), lead: 'with', testId: 'timeline-assignee' };
  // Until the users are known, an id is not worth showing; after, an unknown one is a former user.
  const named = (id: string | null) => (id && users.list ? (users.nameOf(id) ?? 'a former user') : null);
  const name = named(person.id);
  const maker = item.kind === 'note' ? null : named(idOf(item.createdBy));
  return (
    <>
      {maker && (
        <span class="tl-person" data-testid="timeline-creator" data-user-id={item.createdBy}>
          {item.kind === 'task' ? 'Created' : 'Booked'} by {maker}
        </span>
      )}
      {name && (
        <span class="tl-person" data-testid={person.testId} data-user-id={person.id ?? undefined}>
          {person.lead} {name}
        </span>
      )}
      {item.source !== 'partner' && (
        <span class="tl-origin" data-testid="timeline-origin">
          HighLevel
        </span>
      )}
    </>
  );
}
