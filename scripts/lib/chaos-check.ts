/**
 * The chaos run's definition of "converged" and of a lost change, as code. Objects are paired
 * across the two sides by keys both sides keep: a contact by its email, a note by the token in
 * its body (`[n2-17]`), a task by the token in its title (`[t2-5]`). Appointments and contact
 * deletes are not part of the run.
 */
import type { Json } from './harness.ts';

export const DEFINITION = [
  'converged = for every one of the locations, with pairing by email (contacts), by the [n…] token in the body (notes)',
  '  and by the [t…] token in the title (tasks):',
  '  - every GHL contact has exactly one "your app" contact with the same email and vice versa, with equal',
  '    firstName, lastName, companyName, phone (digits) and tag set (lower-case);',
  '  - every GHL note has exactly one partner note with the same token and vice versa, with equal body and the',
  '    same contact (by email);',
  '  - every GHL task has exactly one partner task with the same token and vice versa, with equal title, body,',
  '    dueDate (same instant) and completed, and the same contact;',
  '  - and this held on two checks at least 3 s apart, after the last change was made, with no report held',
  '    back and no sync work waiting (inbox and queues empty; work scheduled for later, a check, aside).',
  'lost change = an object whose final state (on either side) is not the last change made to it: a value',
  '  that is not the newest write, a created object missing on a side, or a deleted object still present.',
  'duplicate = a second object with the same key on the same side.',
];

export interface SideObjects {
  contacts: Json[];
  notes: Json[];
  tasks: Json[];
}

export interface Mismatch {
  kind: 'contact' | 'note' | 'task';
  key: string;
  why: string;
}

export interface Comparison {
  pairs: number;
  mismatches: Mismatch[];
  duplicates: Mismatch[];
}

const s = (v: unknown) => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v));
const digits = (v: unknown) => s(v).replace(/\D/g, '');
const when = (v: unknown) => {
  const t = Date.parse(s(v));
  return Number.isFinite(t) ? t : s(v);
};
const tagSet = (v: unknown) =>
  Array.isArray(v) ? [...new Set(v.map((t) => s(t).toLowerCase()).filter(Boolean))].sort().join(',') : '';
export const noteToken = (body: unknown) => /\[n[\w-]+\]/.exec(s(body))?.[0];
export const taskToken = (title: unknown) => /\[t[\w-]+\]/.exec(s(title))?.[0];

function group(items: Json[], key: (o: Json) => string | undefined): Map<string, Json[]> {
  const out = new Map<string, Json[]>();
  for (const o of items) {
    const k = key(o);
    if (!k) continue;
    out.set(k, [...(out.get(k) ?? []), o]);
  }
  return out;
}

export const contactFields = (c: Json) => ({
  firstName: s(c.firstName),
  lastName: s(c.lastName),
  companyName: s(c.companyName),
  phone: digits(c.phone),
  tags: tagSet(c.tags),
});
export const noteFields = (n: Json) => ({ body: s(n.body) });
export const taskFields = (t: Json) => ({
  title: s(t.title),
  body: s(t.body),
  dueDate: when(t.dueDate),
  completed: t.completed === true,
});

export function differences(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return Object.keys(a)
    .filter((k) => a[k] !== b[k])
    .map((k) => `${k}: ${JSON.stringify(a[k])} ≠ ${JSON.stringify(b[k])}`);
}

/** Email of the contact a GHL note/task belongs to, and of a partner note/task. */
function ghlOwner(ghl: SideObjects) {
  const byId = new Map(ghl.contacts.map((c) => [s(c.id), s(c.email).toLowerCase()]));
  return (o: Json) => byId.get(s(o.contactId)) ?? '?';
}
function partnerOwner(partner: SideObjects) {
  const byId = new Map(partner.contacts.map((c) => [s(c.id), s(c.email).toLowerCase()]));
  const byGhl = new Map(
    partner.contacts.filter((c) => c.ghlId).map((c) => [s(c.ghlId), s(c.email).toLowerCase()]),
  );
  return (o: Json) => {
    const ref = (o.contact ?? {}) as Json;
    return s(ref.email).toLowerCase() || byId.get(s(ref.id)) || byGhl.get(s(ref.ghlId)) || '?';
  };
}

/** Pairs the two sides of one location and lists every difference. */
export function compare(ghl: SideObjects, partner: SideObjects): Comparison {
  const mismatches: Mismatch[] = [];
  const duplicates: Mismatch[] = [];
  let pairs = 0;
  const kinds = [
    {
      kind: 'contact' as const,
      key: (o: Json) => s(o.email).toLowerCase() || undefined,
      fields: contactFields,
      g: ghl.contacts,
      p: partner.contacts,
    },
    {
      kind: 'note' as const,
      key: (o: Json) => noteToken(o.body),
      fields: noteFields,
      g: ghl.notes,
      p: partner.notes,
    },
    {
      kind: 'task' as const,
      key: (o: Json) => taskToken(o.title),
      fields: taskFields,
      g: ghl.tasks,
      p: partner.tasks,
    },
  ];
  const gOwner = ghlOwner(ghl);
  const pOwner = partnerOwner(partner);
  for (const { kind, key, fields, g, p } of kinds) {
    const gs = group(g, key);
    const ps = group(p, key);
    for (const k of new Set([...gs.keys(), ...ps.keys()])) {
      const a = gs.get(k) ?? [];
      const b = ps.get(k) ?? [];
      if (a.length > 1) duplicates.push({ kind, key: k, why: `${a.length} in GHL` });
      if (b.length > 1) duplicates.push({ kind, key: k, why: `${b.length} at the partner` });
      if (!a.length || !b.length) {
        mismatches.push({ kind, key: k, why: a.length ? 'missing at the partner' : 'missing in GHL' });
        continue;
      }
      pairs++;
      const diffs = differences(fields(a[0]!), fields(b[0]!));
      if (kind !== 'contact' && gOwner(a[0]!) !== pOwner(b[0]!))
        diffs.push(`contact: ${gOwner(a[0]!)} ≠ ${pOwner(b[0]!)}`);
      if (diffs.length) mismatches.push({ kind, key: k, why: diffs.join('; ') });
    }
  }
  return { pairs, mismatches, duplicates };
}
