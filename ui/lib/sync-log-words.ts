/**
 * A sync log row in plain words: "Booked 'Consultation' in Cal.com for Ada Lovelace". Built from
 * the engine's action (`<op> <kind> in|to <where>`), the row's status, what it is about and
 * whose it is. Pure.
 */

export interface Wordable {
  action: string;
  objectKind: string;
  status: string;
  subject?: string | null;
  contactName?: string | null;
}

type Verb = { base: string; past: string };
const V = (base: string, past: string): Verb => ({ base, past });
const BOOK = V('book', 'booked');

function verbOf(op: string, kind: string, where: string): Verb {
  const partner = where !== 'HighLevel';
  if (op === 'create' || op === 'upsert')
    return kind === 'appointment' && partner
      ? BOOK
      : op === 'upsert'
        ? V('save', 'saved')
        : V('create', 'created');
  if (op === 'update') return V('update', 'updated');
  if (op === 'delete')
    return kind === 'appointment' && partner ? V('cancel', 'cancelled') : V('delete', 'deleted');
  if (op === 'tag_add' || op === 'tag_remove' || op === 'sync') return V('sync', 'synced');
  return V(op.replace(/_/g, ' '), op.replace(/_/g, ' '));
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function tensed(verb: Verb, status: string): string {
  switch (status) {
    case 'done':
      return cap(verb.past);
    case 'queued':
      return `Will ${verb.base}`;
    case 'retrying':
      return `Retrying to ${verb.base}`;
    case 'failed':
    case 'dead':
      return `Could not ${verb.base}`;
    case 'skipped':
      return `Did not ${verb.base}`;
    case 'conflict':
      return `Conflict, did not ${verb.base}`;
    default:
      return cap(verb.base);
  }
}

const ACTION = /^(\w+) (\w+) (?:in|to) (.+?)(?::.*)?$/;

export function describeEntry(e: Wordable): string {
  const m = ACTION.exec(e.action.trim());
  const whom = e.contactName ? ` for ${e.contactName}` : '';
  if (!m) return `${cap(e.action)}${e.subject ? ` ‘${e.subject}’` : ''}${whom}`;
  const [, op, kind, rawWhere] = m as unknown as [string, string, string, string];
  const where = rawWhere === 'GHL' ? 'HighLevel' : rawWhere;
  const verb = verbOf(op === 'sync' && kind === 'tags' ? 'sync' : op, kind === 'tags' ? 'tag' : kind, where);
  const noun = verb === BOOK ? '' : kind === 'tag' || kind === 'tags' ? ' tags' : ` ${kind}`;
  // A contact row is about the contact itself: its name is said once, after "contact".
  if (kind === 'contact') {
    const name = e.contactName ?? e.subject;
    return `${tensed(verb, e.status)} contact${name ? ` ${name}` : ''} in ${where}`;
  }
  const about = e.subject ? ` ‘${e.subject}’` : '';
  return `${tensed(verb, e.status)}${noun}${about} in ${where}${whom}`;
}

/** Keys whose values never show, wherever they sit in a detail (tokens, secrets, keys). */
const SECRET = /token|secret|password|authorization|api[-_]?key|signature/i;

/** A detail as JSON text of at most `max` characters, secrets masked. */
export function redacted(value: unknown, max = 4000): string {
  const text = JSON.stringify(value, (k, v) => (k && SECRET.test(k) ? '••••' : v), 2) ?? '';
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text;
}
