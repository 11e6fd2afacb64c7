/** Date and name formatting for the panel. Pure: `now` and locale are parameters for tests. */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * Reads the date shapes the API hands over: ISO strings, GHL's `"2021-07-16 11:00:00"`,
 * epoch milliseconds or seconds. Anything else is `null`.
 */
export function parseDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Below 1e11 it can only be seconds (1e11 ms is 1973).
    return new Date(value < 1e11 ? value * 1000 : value);
  }
  if (typeof value !== 'string' || !value.trim()) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return parseDate(Number(text));
  const d = new Date(/^\d{4}-\d{2}-\d{2} \d/.test(text) ? text.replace(' ', 'T') : text);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "in 2 days", else a short date. */
export function relativeTime(value: unknown, now: number = Date.now(), locale?: string): string {
  const d = parseDate(value);
  if (!d) return '';
  const diff = now - d.getTime();
  const abs = Math.abs(diff);
  const past = diff >= 0;
  if (abs < 45_000) return 'just now';
  if (abs < HOUR) return span(Math.round(abs / MIN), 'min', past);
  if (abs < DAY) return span(Math.round(abs / HOUR), 'h', past);
  const days = calendarDays(d.getTime(), now);
  if (days === 1) return past ? 'yesterday' : 'tomorrow';
  if (days < 7) return span(days, 'days', past);
  return formatDate(d, locale);
}

function span(n: number, unit: string, past: boolean): string {
  return past ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

/** Whole calendar days between two instants in local time. */
function calendarDays(a: number, b: number): number {
  const da = new Date(a);
  const db = new Date(b);
  const ua = Date.UTC(da.getFullYear(), da.getMonth(), da.getDate());
  const ub = Date.UTC(db.getFullYear(), db.getMonth(), db.getDate());
  return Math.abs(Math.round((ub - ua) / DAY));
}

export function formatDate(value: unknown, locale?: string): string {
  const d = parseDate(value);
  return d ? d.toLocaleDateString(locale, { year: 'numeric', month: 'short', day: 'numeric' }) : '';
}

export function formatDateTime(value: unknown, locale?: string): string {
  const d = parseDate(value);
  return d
    ? d.toLocaleString(locale, {
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: 'numeric',
        minute: '2-digit',
      })
    : '';
}

/** A task is overdue when it is open and its due instant has passed. */
export function isOverdue(due: unknown, completed: boolean, now: number = Date.now()): boolean {
  const d = parseDate(due);
  return !completed && d !== null && d.getTime() < now;
}

/** "Due today", "Due tomorrow", "Due in 3 days", "Overdue by 2 days", "Overdue", else "Due <date>". */
export function dueLabel(
  due: unknown,
  completed: boolean,
  now: number = Date.now(),
  locale?: string,
): string {
  const d = parseDate(due);
  if (!d) return 'No due date';
  const days = calendarDays(d.getTime(), now);
  const future = d.getTime() >= now;
  if (isOverdue(d, completed, now))
    return days === 0 ? 'Overdue' : `Overdue by ${days} ${days === 1 ? 'day' : 'days'}`;
  if (days === 0) return 'Due today';
  if (days === 1) return future ? 'Due tomorrow' : 'Due yesterday';
  if (future && days < 7) return `Due in ${days} days`;
  return `Due ${formatDate(d, locale)}`;
}

/** The full due line of a task: "Overdue by 2 days · Jan 13, 2026, 9:00 AM", or "Due Feb 14, 2026, 9:00 AM" when far. */
export function dueText(due: unknown, completed: boolean, now: number = Date.now(), locale?: string): string {
  const d = parseDate(due);
  if (!d) return 'No due date';
  const label = dueLabel(d, completed, now, locale);
  const full = formatDateTime(d, locale);
  return label === `Due ${formatDate(d, locale)}` ? `Due ${full}` : `${label} · ${full}`;
}

/** ISO instant → the value of an `<input type="datetime-local">` in local time. */
export function toDateTimeLocal(value: unknown): string {
  const d = parseDate(value);
  // The UTC fields of the instant moved by its own offset are its local fields.
  return d ? new Date(d.getTime() - d.getTimezoneOffset() * MIN).toISOString().slice(0, 16) : '';
}

/** `<input type="datetime-local">` value (local time) → ISO instant, or `''` when empty or invalid. */
export function fromDateTimeLocal(value: string): string {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

interface Named {
  name?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
}

export function contactName(c: Named): string {
  const full = [c.firstName, c.lastName].filter(Boolean).join(' ').trim();
  return full || c.name?.trim() || c.email || c.phone || 'Unnamed contact';
}

export function initials(name: string): string {
  const parts = name
    .trim()
    .split(/\s+/)
    .filter((p) => /\w/.test(p));
  const first = parts[0]?.[0] ?? '?';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}
