import { useEffect, useRef, useState } from 'preact/hooks';
import {
  bookAppointment,
  freeSlots,
  listCalendars,
  type BookingInput,
  type Calendar,
  type SlotDay,
} from '../booking-api.ts';
import { ApiError, changeAppointment, errorText } from '../api.ts';
import { ActionKeys } from '../lib/action-keys.ts';
import { useUniqueId } from '../lib/hooks.ts';
import type { TimelineItem } from '../lib/types.ts';
import { Field } from './field.tsx';
import { FormError } from './form-error.tsx';
import { Loading } from './states.tsx';

const DAY = 86_400_000;
const WEEKS_AHEAD = 12;

interface Props {
  contactId: string;
  /** Given: move this appointment (its calendar); absent: book a new one. */
  appointment?: TimelineItem;
  onDone: (appointment: Record<string, unknown>) => void;
  onCancel: () => void;
}

const zone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const startOfToday = () => {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.getTime();
};
const dayLabel = (date: string) => {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y!, m! - 1, d!).toLocaleDateString(undefined, {
    weekday: 'long',
    month: 'short',
    day: 'numeric',
  });
};
const timeLabel = (iso: string) =>
  new Date(iso).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
const whenLabel = (iso: string) =>
  new Date(iso).toLocaleString(undefined, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  });

/**
 * Books an appointment for the contact, or moves one, on a free slot of one of the sub-account's
 * calendars: pick the calendar, page through the weeks, pick a time, confirm. Loaded on first use.
 */
export function BookingForm({ contactId, appointment, onDone, onCancel }: Props) {
  const moving = appointment !== undefined;
  const fixedCalendar = typeof appointment?.raw?.calendarId === 'string' ? appointment.raw.calendarId : '';
  const [calendars, setCalendars] = useState<Calendar[] | null>(null);
  const [calendarId, setCalendarId] = useState(fixedCalendar);
  const [week, setWeek] = useState(0);
  const [days, setDays] = useState<SlotDay[] | null>(null);
  const [picked, setPicked] = useState('');
  const [title, setTitle] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [reload, setReload] = useState(0);
  const form = useRef<HTMLFormElement>(null);
  // One key per booking: a double submit or a retry after an error books once.
  const bookingKeys = useRef(new ActionKeys());
  const calendarField = useUniqueId();
  const weekTitle = useUniqueId();

  useEffect(() => {
    listCalendars().then(
      (list) => {
        setCalendars(list);
        if (!calendarId) setCalendarId(list.find((c) => c.isActive)?.id ?? list[0]?.id ?? '');
      },
      (err: unknown) => setError(`Could not load the calendars: ${errorText(err)}`),
    );
  }, []);

  useEffect(() => {
    if (!calendarId) return;
    let alive = true;
    setDays(null);
    setPicked('');
    const from = startOfToday() + week * 7 * DAY;
    freeSlots(calendarId, Math.max(from, Date.now()), from + 7 * DAY - 1, zone()).then(
      (d) => alive && setDays(d),
      (err: unknown) => {
        if (!alive) return;
        setDays([]);
        setError(`Could not load the free times: ${errorText(err)}`);
      },
    );
    return () => void (alive = false);
  }, [calendarId, week, reload]);

  useEffect(() => form.current?.querySelector<HTMLElement>('select, button')?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!picked) return setError('Pick a time.');
    setBusy(true);
    setError('');
    try {
      const booking: BookingInput = {
        calendarId,
        startTime: picked,
        ...(title.trim() ? { title: title.trim() } : {}),
      };
      const saved = moving
        ? await changeAppointment(contactId, appointment.id, { startTime: picked })
        : await bookingKeys.current.run(booking, (key) => bookAppointment(contactId, booking, key));
      onDone(saved);
    } catch (err) {
      setBusy(false);
      setError(errorText(err));
      if (err instanceof ApiError && err.code === 'slot_taken') setReload((n) => n + 1);
    }
  };

  const weekStart = new Date(startOfToday() + week * 7 * DAY);
  const calendar = calendars?.find((c) => c.id === calendarId);
  return (
    <form
      ref={form}
      class="card form inline-form booking"
      data-testid="booking-form"
      aria-label={moving ? 'Reschedule appointment' : 'Book an appointment'}
      onSubmit={submit}
      onKeyDown={(e) => e.key === 'Escape' && onCancel()}
    >
      <div class="form-row">
        <div class="field">
          <label for={calendarField}>Calendar</label>
          <select
            id={calendarField}
            class="input"
            value={calendarId}
            disabled={!calendars || moving}
            data-testid="booking-calendar"
            onChange={(e) => {
              setCalendarId(e.currentTarget.value);
              setWeek(0);
            }}
          >
            {!calendars && <option value={calendarId}>Loading calendars…</option>}
            {calendars?.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
                {c.slotDuration ? ` (${c.slotDuration} min)` : ''}
              </option>
            ))}
          </select>
        </div>
        {!moving && (
          <Field
            label="Title"
            value={title}
            onValue={setTitle}
            maxLength={200}
            placeholder={calendar?.name}
            hint="Leave empty to name it after the calendar."
            testId="booking-title"
          />
        )}
      </div>

      <div class="booking-week">
        <button
          type="button"
          class="btn btn-sm"
          disabled={week === 0}
          onClick={() => setWeek((w) => w - 1)}
          data-testid="booking-prev-week"
        >
          ← Earlier
        </button>
        <h3 id={weekTitle} class="booking-week-title" aria-live="polite">
          {week === 0
            ? 'The next 7 days'
            : `Week of ${weekStart.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })}`}
        </h3>
        <button
          type="button"
          class="btn btn-sm"
          disabled={week >= WEEKS_AHEAD}
          onClick={() => setWeek((w) => w + 1)}
          data-testid="booking-next-week"
        >
          Later →
        </button>
      </div>

      {calendars?.length === 0 && (
        <p class="muted" data-testid="booking-no-calendar">
          This sub-account has no calendar yet. Create one in HighLevel (Calendars), then book here.
        </p>
      )}
      <p class="muted small">Times are shown in your time zone ({zone().replace(/_/g, ' ')}).</p>
      {calendarId && days === null && <Loading label="Finding free times…" />}
      {days?.length === 0 && !error && (
        <p class="muted" data-testid="booking-none">
          No free times this week. Try a later week.
        </p>
      )}
      {days && days.length > 0 && (
        <div class="booking-days" aria-labelledby={weekTitle}>
          {days.map((d) => (
            <div key={d.date} class="booking-day" role="group" aria-label={dayLabel(d.date)}>
              <p class="booking-day-title">{dayLabel(d.date)}</p>
              <div class="booking-slots">
                {d.slots.map((s) => (
                  <button
                    type="button"
                    key={s}
                    class="chip slot"
                    aria-pressed={picked === s}
                    data-testid="booking-slot"
                    data-start={s}
                    onClick={() => setPicked(s)}
                  >
                    {timeLabel(s)}
                  </button>
                ))}
              </div>
            </div>
          ))}
        </div>
      )}

      <FormError message={error} />
      <div class="form-actions">
        <button type="button" class="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="btn btn-primary" disabled={busy || !picked} data-testid="booking-submit">
          {busy
            ? 'Saving…'
            : picked
              ? `${moving ? 'Move to' : 'Book'} ${whenLabel(picked)}`
              : moving
                ? 'Pick a new time'
                : 'Pick a time'}
        </button>
      </div>
    </form>
  );
}
