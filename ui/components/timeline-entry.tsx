import { useState } from 'preact/hooks';
import { dueText, formatDateTime, isOverdue, relativeTime } from '../lib/format.ts';
import { useLazy } from '../lib/lazy.ts';
import { isCompleted, isOpenAppointment, taskDue } from '../lib/timeline.ts';
import type { TimelineItem } from '../lib/types.ts';
import type { ContactState } from '../lib/use-contact.ts';
import type { Users } from '../lib/users.ts';
import { ConfirmDialog } from './dialog.tsx';
import { ItemOrigin } from './item-origin.tsx';
import { NoteForm } from './note-form.tsx';
import { Loading } from './states.tsx';
import { TaskForm } from './task-form.tsx';

interface Props {
  item: TimelineItem;
  state: ContactState;
  now: number;
  userId: string;
  users: Users;
  contactId: string;
}

/** The booking form (calendars, free slots) loads on first use: most visits never book. */
export const loadBooking = () => import('./booking.tsx').then((m) => m.BookingForm);

const ICON: Record<TimelineItem['kind'], string> = { note: '✎', task: '✓', appointment: '◷' };
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** One timeline row with its inline actions (edit, complete, delete). */
export function TimelineEntry({ item, state, now, userId, users, contactId }: Props) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const BookingForm = useLazy(loadBooking, editing && item.kind === 'appointment');
  const done = item.kind === 'task' && isCompleted(item);
  const due = item.kind === 'task' ? taskDue(item) : undefined;
  const overdue = item.kind === 'task' && isOverdue(due, done, now);
  const titleId = `tl-${item.kind}-${item.id}`;

  if (editing && item.kind === 'note') {
    return (
      <li class="tl-item">
        <NoteForm
          initial={{ title: item.title ?? '', body: item.body ?? '' }}
          onSubmit={async (note) => {
            await state.editNote(item, note);
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      </li>
    );
  }
  if (editing && item.kind === 'task') {
    const initial = {
      title: item.title ?? '',
      body: item.body ?? '',
      dueDate: due ?? '',
      completed: done,
      assignedTo: str(item.raw?.assignedTo),
    };
    return (
      <li class="tl-item">
        <TaskForm
          initial={initial}
          defaultAssignee={userId}
          users={users}
          onSubmit={async (task) => {
            await state.editTask(item, task);
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      </li>
    );
  }
  if (editing && item.kind === 'appointment') {
    return (
      <li class="tl-item">
        {BookingForm ? (
          <BookingForm
            contactId={contactId}
            appointment={item}
            onDone={(appointment) => {
              state.showAppointment(appointment, true);
              setEditing(false);
            }}
            onCancel={() => setEditing(false)}
          />
        ) : (
          <Loading label="Loading the calendar…" />
        )}
      </li>
    );
  }

  const when = item.kind === 'appointment' ? str(item.raw?.startTime) || item.at : item.at;
  return (
    <li
      class={`tl-item tl-${item.kind}${done ? ' is-done' : ''}${overdue ? ' is-overdue' : ''}`}
      data-testid="timeline-item"
      data-kind={item.kind}
      data-id={item.id}
      aria-labelledby={titleId}
    >
      <span class={`tl-icon tl-icon-${item.kind}`} aria-hidden="true">
        {ICON[item.kind]}
      </span>
      <div class="tl-main">
        <div class="tl-top">
          {item.kind === 'task' && (
            <input
              type="checkbox"
              class="check"
              checked={done}
              aria-label={done ? `Reopen task ${item.title ?? ''}` : `Complete task ${item.title ?? ''}`}
              data-testid="task-complete-toggle"
              onChange={() => state.toggleTask(item)}
            />
          )}
          <h3 id={titleId} class="tl-title">
            {item.title || (item.kind === 'note' ? 'Note' : item.kind === 'task' ? 'Task' : 'Appointment')}
          </h3>
          {item.source === 'partner' && (
            <span
              class="badge badge-partner"
              data-testid="timeline-partner"
              title={item.partner ? `Synced from ${item.partner.name}` : undefined}
            >
              {item.partner ? `From ${item.partner.name}` : 'Partner'}
            </span>
          )}
          {item.kind === 'appointment' && item.status && <span class="badge">{item.status}</span>}
        </div>
        {item.body && <p class="tl-body">{item.body}</p>}
        <p class="tl-meta muted small">
          {item.kind === 'task' && (
            <span class={overdue ? 'due overdue' : 'due'} data-testid="task-due-label">
              {done ? `Completed${due ? ` · was due ${formatDateTime(due)}` : ''}` : dueText(due, done, now)}
            </span>
          )}
          {item.kind === 'appointment' && <span>{formatDateTime(when)}</span>}
          {item.kind === 'note' && (
            <time dateTime={item.at ?? undefined} title={formatDateTime(item.at)}>
              {relativeTime(item.at, now)}
            </time>
          )}
          <ItemOrigin item={item} users={users} />
        </p>
      </div>
      {isOpenAppointment(item, now) && (
        <div class="tl-actions">
          <button
            type="button"
            class="btn btn-sm btn-ghost"
            data-testid="appointment-reschedule"
            onClick={() => setEditing(true)}
          >
            Reschedule
          </button>
          <button
            type="button"
            class="btn btn-sm btn-ghost danger"
            data-testid="appointment-cancel"
            onClick={() => setConfirming(true)}
          >
            Cancel
          </button>
        </div>
      )}
      {item.kind !== 'appointment' && (
        <div class="tl-actions">
          <button
            type="button"
            class="btn btn-sm btn-ghost"
            data-testid={`${item.kind}-edit`}
            onClick={() => setEditing(true)}
          >
            Edit
          </button>
          <button
            type="button"
            class="btn btn-sm btn-ghost danger"
            data-testid={`${item.kind}-delete`}
            onClick={() => setConfirming(true)}
          >
            Delete
          </button>
        </div>
      )}
      {confirming && item.kind === 'appointment' && (
        <ConfirmDialog
          title="Cancel this appointment?"
          message={`“${item.title || 'Appointment'}” on ${formatDateTime(when)} will be cancelled in HighLevel and in the connected apps. The time becomes free for others.`}
          confirmLabel="Cancel appointment"
          dismissLabel="Keep it"
          onConfirm={() => void state.cancelAppointment(item)}
          onClose={() => setConfirming(false)}
        />
      )}
      {confirming && item.kind !== 'appointment' && (
        <ConfirmDialog
          title={item.kind === 'note' ? 'Delete this note?' : 'Delete this task?'}
          message={`“${item.title || item.body?.slice(0, 60) || item.kind}” will be deleted. This cannot be undone.`}
          confirmLabel="Delete"
          onConfirm={() => state.remove(item)}
          onClose={() => setConfirming(false)}
        />
      )}
    </li>
  );
}
