/**
 * One location of the chaos run: what was written on each side (the model), and the changes
 * themselves, made as a person would make them in GHL (`/_emulator/act`) or in "your app"
 * (its control API; delivery to us is left to the caller, see chaos-faults.ts).
 */
import type { YourAppEmulator } from '../../test/partners/yourapp.ts';
import {
  contactFields,
  differences,
  noteFields,
  noteToken,
  taskFields,
  taskToken,
  type SideObjects,
} from './chaos-check.ts';
import { act, ghlState, postJson, type Json } from './harness.ts';
import { seededRandom } from '../../test/emulator/ids.ts';

export type Side = 'ghl' | 'partner';

interface Base {
  key: string;
  origin: Side;
  ghlId?: string;
  partnerId?: string;
  deleted: boolean;
  /** Source time (epoch ms) of the last write made to it, either side. */
  lastAt: number;
  /** Changed on both sides within ~40 ms at least once (a deliberate conflict). */
  conflicted?: boolean;
  /** The changes made to it, oldest first ("time side what"), for `--dump`. */
  history?: string[];
}
export interface MContact extends Base {
  email: string;
  phone: string;
  firstName: string;
  lastName: string;
  companyName: string;
  tags: Set<string>;
}
export interface MNote extends Base {
  contact: MContact;
  body: string;
}
export interface MTask extends Base {
  contact: MContact;
  title: string;
  body: string;
  dueDate: string;
  completed: boolean;
}

/** Deterministic random numbers, so `--seed` repeats the same choices. */
export const rng = seededRandom;

const FIRST = [
  'Ada',
  'Bo',
  'Cy',
  'Di',
  'Eli',
  'Fay',
  'Gus',
  'Hal',
  'Ivy',
  'Jo',
  'Kai',
  'Lu',
  'Max',
  'Nia',
  'Oz',
  'Pia',
];
const LAST = ['Hart', 'Ng', 'Diaz', 'Okoro', 'Berg', 'Lund', 'Sato', 'Rossi', 'Klein', 'Moss'];
const TAGS = ['alpha', 'beta', 'gamma', 'delta', 'vip', 'lead', 'cold', 'warm'];

/** Hands a partner event to the delivery; `key` names the object it is about (for held reports). */
export type PartnerSend = (eventId: string, body: string, key: string, side: Side) => void;

/** The contact fields a person edits in the run. */
const CONTACT_EDITS = ['firstName', 'lastName', 'companyName', 'phone'] as const;
type ContactEdit = (typeof CONTACT_EDITS)[number];

export class World {
  readonly contacts: MContact[] = [];
  readonly notes: MNote[] = [];
  readonly tasks: MTask[] = [];
  /** Keys of objects with a change on its way; the generator leaves them alone meanwhile. */
  readonly busy = new Set<string>();
  /**
   * Edits the generator makes next, before anything else (chaos-late.ts: a report held back
   * waits for a newer edit of the same object from the other side).
   */
  readonly wanted: { key: string; side: Side; fields?: ContactEdit[] }[] = [];
  ghl: SideObjects = { contacts: [], notes: [], tasks: [] };
  private seq = 0;
  readonly loc: string;
  readonly index: number;
  readonly emulatorUrl: string;
  readonly partner: YourAppEmulator;
  readonly random: () => number;
  readonly send: PartnerSend;

  constructor(opts: {
    loc: string;
    index: number;
    emulatorUrl: string;
    partner: YourAppEmulator;
    random: () => number;
    send: PartnerSend;
  }) {
    this.loc = opts.loc;
    this.index = opts.index;
    this.emulatorUrl = opts.emulatorUrl;
    this.partner = opts.partner;
    this.random = opts.random;
    this.send = opts.send;
  }

  pick<T>(xs: readonly T[]): T | undefined {
    return xs.length ? xs[Math.floor(this.random() * xs.length)] : undefined;
  }

  /** Re-reads GHL's side of this location (ids of objects the partner created appear here). */
  async refreshGhl(): Promise<void> {
    const s = await ghlState(this.emulatorUrl, this.loc);
    this.ghl = { contacts: s.contacts, notes: s.notes, tasks: s.tasks };
  }

  partnerSide(): SideObjects {
    const o = this.partner.objects;
    return { contacts: [...o.contact!.values()], notes: [...o.note!.values()], tasks: [...o.task!.values()] };
  }

  /** Fills in the id of an object on the side that did not create it, once the sync made it there. */
  resolve(x: MContact | MNote | MTask, kind: 'contact' | 'note' | 'task'): void {
    if (!x.ghlId) {
      const list = kind === 'contact' ? this.ghl.contacts : kind === 'note' ? this.ghl.notes : this.ghl.tasks;
      const hit = list.find((o) =>
        kind === 'contact'
          ? String(o.email).toLowerCase() === x.key
          : kind === 'note'
            ? noteToken(o.body) === x.key
            : taskToken(o.title) === x.key,
      );
      if (hit) x.ghlId = String(hit.id);
    }
    if (!x.partnerId) {
      const store = this.partner.objects[kind]!;
      for (const o of store.values()) {
        const same =
          (x.ghlId && o.ghlId === x.ghlId) ||
          (kind === 'contact'
            ? String(o.email ?? '').toLowerCase() === x.key
            : kind === 'note'
              ? noteToken(o.body) === x.key
              : taskToken(o.title) === x.key);
        if (same) {
          x.partnerId = String(o.id);
          break;
        }
      }
    }
  }

  /** Which side a change to `x` can be made on: the asked one if the object is there yet. */
  sideFor(x: Base, want: Side): Side {
    if (want === 'ghl' ? x.ghlId : x.partnerId) return want;
    return want === 'ghl' ? 'partner' : 'ghl';
  }

  private record(x: Base, side: Side, what: string): void {
    (x.history ??= []).push(`${new Date().toISOString()} ${side} ${what}`);
  }

  /** The tags GHL shows on the contact right now. */
  private async ghlTags(c: MContact): Promise<Set<string>> {
    const state = await ghlState(this.emulatorUrl, this.loc);
    const found = state.contacts.find((o) => o.id === c.ghlId);
    return new Set((found?.tags as string[] | undefined) ?? []);
  }

  private ref(c: MContact): Json {
    return c.partnerId ? { id: c.partnerId, email: c.email } : { email: c.email };
  }

  /** Makes a change at the partner and hands its event to the delivery (duplicates, reordering). */
  private async partnerAct(type: string, data: Json, key: string): Promise<{ id: string; at: number }> {
    const res = await postJson<{ event: { id: string; timestamp: string; data: Json }; body: string }>(
      `${this.partner.url}/_partner/act`,
      { type, data, deliver: false },
    );
    this.send(res.event.id, res.body, key, 'partner');
    return { id: String(res.event.data.id ?? data.id ?? ''), at: Date.parse(res.event.timestamp) };
  }

  // ---- changes ------------------------------------------------------------------------------

  async createContact(side: Side): Promise<void> {
    const n = ++this.seq;
    const c: MContact = {
      key: '',
      origin: side,
      deleted: false,
      lastAt: 0,
      tags: new Set(),
      email: `c${this.index}-${n}.${Math.floor(this.random() * 1e6)}@chaos.example.com`,
      phone: `+1555${this.index}${String(n).padStart(6, '0')}`,
      firstName: this.pick(FIRST)!,
      lastName: this.pick(LAST)!,
      companyName: `Co ${n}`,
    };
    c.key = c.email;
    this.contacts.push(c);
    this.record(c, side, 'contact.create');
    const fields = {
      email: c.email,
      phone: c.phone,
      firstName: c.firstName,
      lastName: c.lastName,
      companyName: c.companyName,
    };
    if (side === 'ghl') {
      const { contact } = await act<{ contact: Json }>(this.emulatorUrl, {
        locationId: this.loc,
        action: 'contact.create',
        data: fields,
      });
      c.ghlId = String(contact.id);
      c.lastAt = Date.parse(String(contact.dateUpdated)) || Date.now();
    } else {
      const r = await this.partnerAct('contact.created', fields, c.key);
      c.partnerId = r.id;
      c.lastAt = r.at;
    }
  }

  /**
   * A person edits some of the contact's fields (all three names when `fields` is not given: the
   * usual edit; else only those, as a person fixing one field does). The partner's event carries
   * its whole record as it is after the edit, like GHL's webhook.
   */
  async updateContact(
    c: MContact,
    side: Side,
    fields: readonly ContactEdit[] = ['firstName', 'lastName', 'companyName'],
  ): Promise<void> {
    const seq = ++this.seq;
    const all: Record<ContactEdit, string> = {
      firstName: this.pick(FIRST)!,
      lastName: this.pick(LAST)!,
      companyName: `Co ${seq}`,
      phone: `+1556${this.index}${String(seq).padStart(6, '0')}`,
    };
    const edit = Object.fromEntries(fields.map((f) => [f, all[f]]));
    // A field typed as the side already shows it is no change of the person's (the sync merges
    // field by field): the model keeps the value of the field's last real change.
    const shown =
      side === 'ghl'
        ? (await ghlState(this.emulatorUrl, this.loc)).contacts.find((o) => o.id === c.ghlId)
        : this.partner.objects.contact!.get(String(c.partnerId));
    const same = (key: string, value: string) =>
      key === 'phone'
        ? String(shown?.phone ?? '').replace(/\D/g, '') === value.replace(/\D/g, '')
        : shown?.[key] === value;
    for (const [key, value] of Object.entries(edit))
      if (!same(key, value)) (c as unknown as Record<string, unknown>)[key] = value;
    this.record(c, side, `contact.update ${JSON.stringify(edit)}`);
    if (side === 'ghl') {
      const { contact } = await act<{ contact: Json }>(this.emulatorUrl, {
        locationId: this.loc,
        action: 'contact.update',
        contactId: c.ghlId,
        data: edit,
      });
      c.lastAt = Date.parse(String(contact.dateUpdated)) || Date.now();
    } else {
      const record = Object.fromEntries(CONTACT_EDITS.map((f) => [f, shown?.[f] ?? c[f]]));
      c.lastAt = (
        await this.partnerAct(
          'contact.updated',
          { ...record, id: c.partnerId, email: c.email, ...edit },
          c.key,
        )
      ).at;
    }
  }

  /** One or two fields, each edited on its own (GHL then reports the whole contact each time). */
  async editFields(c: MContact, side: Side, fields: readonly ContactEdit[]): Promise<void> {
    for (const f of fields) await this.updateContact(c, side, [f]);
  }

  /** A random edit of one or two single fields, or of the phone. */
  randomFields(): ContactEdit[] {
    const r = this.random();
    if (r < 0.3) return ['phone'];
    const a = this.pick(['firstName', 'lastName', 'companyName'] as const)!;
    const b = this.pick(['firstName', 'lastName', 'companyName'] as const)!;
    return r < 0.65 || a === b ? [a] : [a, b];
  }

  /** Do both sides show the object as the model has it? (a held report's newer edit has been applied) */
  applied(key: string, partner: SideObjects): boolean {
    const c = this.contacts.find((x) => x.key === key);
    if (c) {
      const model = contactFields({ ...c, tags: [...c.tags] });
      const on = (objs: SideObjects) =>
        objs.contacts.find((o) => String(o.email ?? '').toLowerCase() === key);
      return [on(this.ghl), on(partner)].every(
        (o) => o && !differences({ ...model, tags: '' }, { ...contactFields(o), tags: '' }).length,
      );
    }
    const n = this.notes.find((x) => x.key === key);
    if (n)
      return [this.ghl, partner].every((objs) =>
        objs.notes.some(
          (o) =>
            noteToken(o.body) === key && !differences(noteFields(n as unknown as Json), noteFields(o)).length,
        ),
      );
    const t = this.tasks.find((x) => x.key === key);
    if (t)
      return [this.ghl, partner].every((objs) =>
        objs.tasks.some(
          (o) =>
            taskToken(o.title) === key &&
            !differences(taskFields(t as unknown as Json), taskFields(o)).length,
        ),
      );
    return true;
  }

  async tag(c: MContact, side: Side, add: boolean): Promise<void> {
    let candidates = add ? TAGS.filter((t) => !c.tags.has(t)) : [...c.tags];
    if (side === 'ghl' && c.partnerId) {
      // A person changes the tags their side shows. A change made on the other side may still be
      // on its way to GHL, and repeating or undoing it there changes nothing (GHL sends no event).
      const shown = await this.ghlTags(c);
      const visible = candidates.filter((t) => shown.has(t) !== add);
      if (visible.length) candidates = visible;
      else side = 'partner';
    }
    const tag = this.pick(candidates)!;
    if (add) c.tags.add(tag);
    else c.tags.delete(tag);
    this.record(c, side, `${add ? 'tag.add' : 'tag.remove'} ${tag}`);
    if (side === 'ghl')
      await act(this.emulatorUrl, {
        locationId: this.loc,
        action: add ? 'tags.add' : 'tags.remove',
        contactId: c.ghlId,
        tags: [tag],
      });
    else
      await this.partnerAct(
        add ? 'tag.added' : 'tag.removed',
        { id: c.partnerId, tags: [tag], contact: this.ref(c) },
        c.key,
      );
  }

  async createNote(c: MContact, side: Side): Promise<void> {
    const key = `[n${this.index}-${++this.seq}]`;
    const n: MNote = {
      key,
      origin: side,
      deleted: false,
      lastAt: 0,
      contact: c,
      body: `${key} first words ${Math.floor(this.random() * 1e4)}`,
    };
    this.notes.push(n);
    this.record(n, side, 'note.create');
    if (side === 'ghl') {
      const { note } = await act<{ note: Json }>(this.emulatorUrl, {
        locationId: this.loc,
        action: 'note.create',
        contactId: c.ghlId,
        data: { body: n.body },
      });
      n.ghlId = String(note.id);
      n.lastAt = Date.parse(String(note.dateAdded)) || Date.now();
    } else {
      const r = await this.partnerAct('note.created', { body: n.body, contact: this.ref(c) }, n.key);
      n.partnerId = r.id;
      n.lastAt = r.at;
    }
  }

  async updateNote(n: MNote, side: Side): Promise<void> {
    n.body = `${n.key} edited ${++this.seq}`;
    this.record(n, side, `note.update ${n.body}`);
    if (side === 'ghl') {
      await act(this.emulatorUrl, {
        locationId: this.loc,
        action: 'note.update',
        noteId: n.ghlId,
        data: { body: n.body },
      });
      n.lastAt = Date.now();
    } else {
      n.lastAt = (
        await this.partnerAct(
          'note.updated',
          { id: n.partnerId, body: n.body, contact: this.ref(n.contact) },
          n.key,
        )
      ).at;
    }
  }

  async deleteNote(n: MNote, side: Side): Promise<void> {
    n.deleted = true;
    this.record(n, side, 'note.delete');
    if (side === 'ghl')
      await act(this.emulatorUrl, { locationId: this.loc, action: 'note.delete', noteId: n.ghlId });
    else await this.partnerAct('note.deleted', { id: n.partnerId, contact: this.ref(n.contact) }, n.key);
    n.lastAt = Date.now();
  }

  async createTask(c: MContact, side: Side): Promise<void> {
    const key = `[t${this.index}-${++this.seq}]`;
    const due = new Date(Date.now() + (1 + Math.floor(this.random() * 20)) * 86_400_000);
    due.setUTCHours(17, 0, 0, 0);
    const t: MTask = {
      key,
      origin: side,
      deleted: false,
      lastAt: 0,
      contact: c,
      title: `${key} call back`,
      body: `details ${this.seq}`,
      dueDate: due.toISOString(),
      completed: false,
    };
    this.tasks.push(t);
    this.record(t, side, 'task.create');
    const fields = { title: t.title, body: t.body, dueDate: t.dueDate, completed: false };
    if (side === 'ghl') {
      const { task } = await act<{ task: Json }>(this.emulatorUrl, {
        locationId: this.loc,
        action: 'task.create',
        contactId: c.ghlId,
        data: fields,
      });
      t.ghlId = String(task.id);
      t.lastAt = Date.now();
    } else {
      const r = await this.partnerAct('task.created', { ...fields, contact: this.ref(c) }, t.key);
      t.partnerId = r.id;
      t.lastAt = r.at;
    }
  }

  /** GHL sends no event for a task edit (only TaskComplete), so in GHL a task can only be completed. */
  async updateTask(t: MTask, side: Side): Promise<void> {
    if (side === 'ghl' && t.partnerId) {
      // GHL may still show a completion the partner has since undone: completing it again there
      // changes nothing, so the person makes their edit in the partner app.
      const shown = (await ghlState(this.emulatorUrl, this.loc)).tasks.find((o) => o.id === t.ghlId);
      if (shown?.completed) side = 'partner';
    }
    this.record(t, side, 'task.update');
    if (side === 'ghl') {
      t.completed = true;
      await act(this.emulatorUrl, { locationId: this.loc, action: 'task.complete', taskId: t.ghlId });
      t.lastAt = Date.now();
      return;
    }
    const due = new Date(Date.parse(t.dueDate) + 86_400_000);
    const completed = this.random() < 0.4;
    Object.assign(t, {
      title: `${t.key} call back (v${++this.seq})`,
      body: `details ${this.seq}`,
      dueDate: due.toISOString(),
    });
    // The person ticks or unticks the box only if it differs from what the partner app shows
    // them; otherwise it is no change of theirs (a completion in GHL may still be on its way).
    const shown = Boolean(this.partner.objects.task!.get(String(t.partnerId))?.completed);
    if (completed !== shown) t.completed = completed;
    const r = await this.partnerAct(
      'task.updated',
      {
        id: t.partnerId,
        title: t.title,
        body: t.body,
        dueDate: t.dueDate,
        completed,
        contact: this.ref(t.contact),
      },
      t.key,
    );
    t.lastAt = r.at;
  }

  async deleteTask(t: MTask, side: Side): Promise<void> {
    t.deleted = true;
    this.record(t, side, 'task.delete');
    if (side === 'ghl')
      await act(this.emulatorUrl, { locationId: this.loc, action: 'task.delete', taskId: t.ghlId });
    else await this.partnerAct('task.deleted', { id: t.partnerId, contact: this.ref(t.contact) }, t.key);
    t.lastAt = Date.now();
  }

  // ---- lost changes ------------------------------------------------------------------------

  /** Objects whose final state on a side is not the last change made to them. */
  lost(partner: SideObjects): { key: string; side: Side; why: string; conflicted: boolean }[] {
    const out: { key: string; side: Side; why: string; conflicted: boolean }[] = [];
    const flagged = new Set(
      [...this.contacts, ...this.notes, ...this.tasks].filter((x) => x.conflicted).map((x) => x.key),
    );
    const push = (o: { key: string; side: Side; why: string }) =>
      out.push({ ...o, conflicted: flagged.has(o.key) });
    const sides: [Side, SideObjects][] = [
      ['ghl', this.ghl],
      ['partner', partner],
    ];
    for (const [side, objs] of sides) {
      for (const c of this.contacts) {
        const found = objs.contacts.filter((o) => String(o.email ?? '').toLowerCase() === c.key);
        if (!found.length) push({ key: c.key, side, why: 'created contact missing' });
        else {
          const d = differences(contactFields({ ...c, tags: [...c.tags] }), contactFields(found[0]!));
          if (d.length) push({ key: c.key, side, why: d.join('; ') });
        }
      }
      for (const n of this.notes) {
        const found = objs.notes.filter((o) => noteToken(o.body) === n.key);
        if (n.deleted) {
          if (found.length) push({ key: n.key, side, why: 'deleted note still there' });
        } else if (!found.length) push({ key: n.key, side, why: 'note missing' });
        else {
          const d = differences(noteFields(n as unknown as Json), noteFields(found[0]!));
          if (d.length) push({ key: n.key, side, why: d.join('; ') });
        }
      }
      for (const t of this.tasks) {
        const found = objs.tasks.filter((o) => taskToken(o.title) === t.key);
        if (t.deleted) {
          if (found.length) push({ key: t.key, side, why: 'deleted task still there' });
        } else if (!found.length) push({ key: t.key, side, why: 'task missing' });
        else {
          const d = differences(taskFields(t as unknown as Json), taskFields(found[0]!));
          if (d.length) push({ key: t.key, side, why: d.join('; ') });
        }
      }
    }
    return out;
  }
}
