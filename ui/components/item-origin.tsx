import type { TimelineItem } from '../lib/types.ts';
import type { Users } from '../lib/users.ts';

const idOf = (v: unknown) => (typeof v === 'string' && v ? v : null);

/**
 * Who a timeline item is about and where it came from: a note's author (GHL's `userId`), a task's
 * assignee, an appointment's team member, by name; "HighLevel" for items made there (a partner's
 * items carry the partner's badge instead). GHL records no author for tasks.
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
  const name = person.id && users.list ? (users.nameOf(person.id) ?? 'a former user') : null;
  return (
    <>
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
