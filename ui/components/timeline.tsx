import { useRef, useState } from 'preact/hooks';
import { relativeTime } from '../lib/format.ts';
import { useNow } from '../lib/hooks.ts';
import { useLazy } from '../lib/lazy.ts';
import { FILTERS, filterItems, type TimelineFilter } from '../lib/timeline.ts';
import type { ContactState } from '../lib/use-contact.ts';
import { useUsers } from '../lib/users.ts';
import { NoteForm } from './note-form.tsx';
import { Empty, Loading } from './states.tsx';
import { TaskForm } from './task-form.tsx';
import { loadBooking, TimelineEntry } from './timeline-entry.tsx';

const EMPTY: Record<TimelineFilter, string> = {
  all: 'No activity yet',
  notes: 'No notes yet',
  tasks: 'No tasks yet',
  appointments: 'No appointments',
};

/** Notes, tasks and appointments of the contact, newest first, with filters and the add forms. */
export function Timeline({
  state,
  userId,
  contactId,
}: {
  state: ContactState;
  userId: string;
  contactId: string;
}) {
  const [filter, setFilter] = useState<TimelineFilter>('all');
  const [composer, setComposer] = useState<'note' | 'task' | 'booking' | null>(null);
  const now = useNow(15_000);
  const users = useUsers();
  const BookingForm = useLazy(loadBooking, composer === 'booking');
  const shown = filterItems(state.items, filter);
  const noteBtn = useRef<HTMLButtonElement>(null);
  const taskBtn = useRef<HTMLButtonElement>(null);
  const bookBtn = useRef<HTMLButtonElement>(null);
  // The form unmounts on close; hand focus back to the button that opened it.
  const close = () => {
    const btn = { note: noteBtn, task: taskBtn, booking: bookBtn }[composer ?? 'note'].current;
    setComposer(null);
    setTimeout(() => btn?.focus(), 0);
  };

  return (
    <section class="card timeline" aria-labelledby="timeline-title" data-testid="timeline">
      <div class="timeline-head">
        <div>
          <h2 id="timeline-title" class="section-title">
            Activity
          </h2>
          <p class="muted small" data-testid="timeline-freshness" aria-live="polite">
            {state.refreshing ? 'Refreshing…' : `Updated ${relativeTime(state.freshAt, now)}`}
          </p>
        </div>
        <div class="timeline-actions">
          <button
            type="button"
            class="btn btn-sm btn-ghost"
            onClick={state.reload}
            disabled={state.refreshing}
            data-testid="timeline-refresh"
          >
            Refresh
          </button>
          <button
            type="button"
            ref={noteBtn}
            class="btn btn-sm"
            onClick={() => setComposer('note')}
            data-testid="add-note"
            aria-expanded={composer === 'note'}
          >
            Add note
          </button>
          <button
            type="button"
            ref={bookBtn}
            class="btn btn-sm"
            onClick={() => setComposer('booking')}
            data-testid="book-appointment"
            aria-expanded={composer === 'booking'}
          >
            Book appointment
          </button>
          <button
            type="button"
            ref={taskBtn}
            class="btn btn-sm btn-primary"
            onClick={() => setComposer('task')}
            data-testid="add-task"
            aria-expanded={composer === 'task'}
          >
            Add task
          </button>
        </div>
      </div>

      {composer === 'note' && (
        <NoteForm
          onSubmit={async (note) => {
            await state.addNote(note);
            close();
          }}
          onCancel={close}
        />
      )}
      {composer === 'task' && (
        <TaskForm
          defaultAssignee={userId}
          users={users}
          onSubmit={async (task) => {
            await state.addTask(task);
            close();
          }}
          onCancel={close}
        />
      )}
      {composer === 'booking' &&
        (BookingForm ? (
          <BookingForm
            contactId={contactId}
            onDone={(appointment) => {
              state.showAppointment(appointment, false);
              close();
            }}
            onCancel={close}
          />
        ) : (
          <Loading label="Loading the calendar…" />
        ))}

      <div class="filters" role="group" aria-label="Show">
        {FILTERS.map((f) => {
          const count = filterItems(state.items, f.value).length;
          return (
            <button
              type="button"
              key={f.value}
              class="chip"
              aria-pressed={filter === f.value}
              data-testid={`timeline-filter-${f.value}`}
              onClick={() => setFilter(f.value)}
            >
              {f.label} <span class="chip-count">{count}</span>
            </button>
          );
        })}
      </div>

      {shown.length === 0 ? (
        <Empty title={EMPTY[filter]}>
          {filter === 'appointments'
            ? 'Use “Book appointment”, or book in HighLevel or the partner app.'
            : 'Use “Add note” or “Add task” to start.'}
        </Empty>
      ) : (
        <ol class="timeline-list" aria-label="Activity, newest first">
          {shown.map((item) => (
            <TimelineEntry
              key={`${item.kind}:${item.id}`}
              item={item}
              state={state}
              now={now}
              userId={userId}
              users={users}
              contactId={contactId}
            />
          ))}
        </ol>
      )}
    </section>
  );
}
