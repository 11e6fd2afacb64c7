/**
 * The engine's field rule (worker/sync/field-record.ts) as a table: two sides held in memory, a
 * numeric clock, and reports delivered in the order each row says. After each delivery the
 * engine writes the agreed values to every side that lacks them, as the contact object does
 * (the whole record, like the connectors), and the write is remembered in the record.
 */
import { describe, expect, it } from 'vitest';
import {
  agreed,
  decide,
  emptyRecord,
  needsWrite,
  recordWrite,
  seedRecord,
  type Decision,
  type SyncRecord,
} from '../../worker/sync/field-record.ts';
import { decideReports, reportsOf, withReport, type HeldReport } from '../../worker/sync/item-reports.ts';
import type { ConflictPolicy, Side } from '../../worker/sync/policy.ts';

type Fields = Record<string, unknown>;

/** Two sides holding one object, and the engine between them. */
class Sim {
  /** epoch ms; steps of seconds, as apart as real edits and deliveries are */
  clock = 1_000_000;
  readonly side: Record<Side, Fields>;
  record: SyncRecord;
  readonly held = new Map<string, { side: Side; at: number | null; data: Fields }>();
  readonly decisions: Decision[] = [];
  writes = 0;

  readonly policy: ConflictPolicy;
  /** ms between steps (edits, deliveries); our writes take half of it to start and to end */
  readonly stepMs: number;

  constructor(start: Fields, policy: ConflictPolicy = 'newest_wins', stepMs = 10_000) {
    this.policy = policy;
    this.stepMs = stepMs;
    this.side = { ghl: { ...start }, partner: { ...start } };
    this.record = seedRecord(start, 0);
  }

  /** A person edits `fields` on `side`; its report (the side's whole record now) is kept as `name`. */
  edit(side: Side, name: string, fields: Fields, timed = true) {
    this.clock += this.stepMs;
    Object.assign(this.side[side], fields);
    this.held.set(name, { side, at: timed ? this.clock : null, data: { ...this.side[side] } });
  }

  /** Delivers the report `name` to the engine, which then writes where needed. */
  deliver(name: string) {
    const report = this.held.get(name);
    if (!report) throw new Error(`no report ${name}`);
    this.clock += this.stepMs;
    const d = decide(this.record, report, this.policy, this.clock);
    this.decisions.push(d);
    this.record = d.record;
    for (const s of ['ghl', 'partner'] as const) {
      if (!needsWrite(this.record, s)) continue;
      const start = (this.clock += this.stepMs / 2);
      Object.assign(this.side[s], agreed(this.record));
      this.writes++;
      this.record = recordWrite(this.record, s, agreed(this.record), start, (this.clock += this.stepMs / 2));
    }
  }

  /** The report `side` sends about our last write to it (its echo), kept as `name`. */
  echo(side: Side, name: string) {
    this.held.set(name, { side, at: this.clock, data: { ...this.side[side] } });
  }
}

interface Row {
  name: string;
  start: Fields;
  policy?: ConflictPolicy;
  steps: (sim: Sim) => void;
  /** what both sides hold at the end */
  want: Fields;
  /** at most this many writes (the engine does not write what a side holds already) */
  maxWrites?: number;
  /** ms between steps (10 s unless the row needs things within moments) */
  stepMs?: number;
}

const person = { firstName: 'Ann', lastName: 'Moss', phone: '+15550001', companyName: 'Start Co' };
const note = { body: 'base' };
const task = { title: 'Call back', body: 'first', dueDate: '2026-12-07T10:00:00.000Z', completed: false };

const rows: Row[] = [
  // ---- issue 17: late reports repeat older values of fields the other side changed since ----
  {
    name: 'case 1: a late partner phone edit after two GHL name edits keeps the names',
    start: person,
    steps: (s) => {
      s.edit('partner', 'phone', { phone: '+15550002' });
      s.edit('ghl', 'first', { firstName: 'Ada' });
      s.deliver('first');
      s.edit('ghl', 'last', { lastName: 'Lund' });
      s.deliver('last');
      s.deliver('phone');
    },
    want: { ...person, firstName: 'Ada', lastName: 'Lund', phone: '+15550002' },
  },
  {
    name: 'case 2: a late GHL phone edit after two partner name edits keeps the names',
    start: person,
    steps: (s) => {
      s.edit('ghl', 'phone', { phone: '+15550003' });
      s.edit('partner', 'first', { firstName: 'Bo' });
      s.deliver('first');
      s.edit('partner', 'last', { lastName: 'Berg' });
      s.deliver('last');
      s.deliver('phone');
    },
    want: { ...person, firstName: 'Bo', lastName: 'Berg', phone: '+15550003' },
  },
  {
    name: 'case 3: GHL first name, partner first name, GHL phone; delivered partner, GHL second, GHL first',
    start: person,
    steps: (s) => {
      s.edit('ghl', 'g1', { firstName: 'Gus' });
      s.edit('partner', 'p1', { firstName: 'Pia' });
      s.edit('ghl', 'g2', { phone: '+15550004' });
      s.deliver('p1');
      s.deliver('g2');
      s.deliver('g1');
    },
    want: { ...person, firstName: 'Pia', phone: '+15550004' },
  },
  {
    name: 'case 3 with both GHL reports before the partner’s: the partner’s newer first name wins',
    start: person,
    steps: (s) => {
      s.edit('ghl', 'g1', { firstName: 'Gus' });
      s.edit('partner', 'p1', { firstName: 'Pia' });
      s.edit('ghl', 'g2', { phone: '+15550004' });
      s.deliver('g2');
      s.deliver('g1');
      s.deliver('p1');
    },
    want: { ...person, firstName: 'Pia', phone: '+15550004' },
  },
  {
    name: 'a losing first name dated by a later report, then by its own: GHL’s first name, shown early late, still wins',
    start: person,
    steps: (s) => {
      s.edit('partner', 'p1', { firstName: 'Pia' });
      s.edit('ghl', 'g1', { firstName: 'Gus' });
      s.edit('partner', 'p2', { lastName: 'Lund' });
      s.edit('ghl', 'g2', { phone: '+15550005' });
      s.deliver('g2');
      // The partner's name, seen first in its later report, loses to GHL's (dated by its later report too).
      s.deliver('p2');
      // Its own report dates it earlier; GHL's own report then dates GHL's name earlier, still after it.
      s.deliver('p1');
      s.deliver('g1');
    },
    want: { ...person, firstName: 'Gus', lastName: 'Lund', phone: '+15550005' },
  },
  {
    name: 'note: an edit made earlier and delivered after a newer one synced does not overwrite it',
    start: note,
    steps: (s) => {
      s.edit('partner', 'old', { body: 'partner edit' });
      s.edit('ghl', 'g1', { body: 'ghl edit' });
      s.deliver('g1');
      s.edit('ghl', 'g2', { body: 'ghl edit 2' });
      s.deliver('g2');
      s.deliver('old');
    },
    want: { body: 'ghl edit 2' },
  },
  {
    name: 'note: mirror: a late GHL edit after two partner edits',
    start: note,
    steps: (s) => {
      s.edit('ghl', 'old', { body: 'ghl edit' });
      s.edit('partner', 'p1', { body: 'p1' });
      s.deliver('p1');
      s.edit('partner', 'p2', { body: 'p2' });
      s.deliver('p2');
      s.deliver('old');
    },
    want: { body: 'p2' },
  },
  {
    // chaos seed 5 (the tag version is in tag-record.test.ts): GHL's person made the partner's
    // first value their own before our write of it arrived; the partner's second edit, older
    // than that, is reported last.
    name: 'a side making the agreed value its own, later than an older edit reported late, keeps it',
    start: person,
    steps: (s) => {
      s.edit('partner', 'p1', { firstName: 'Ada' });
      s.edit('partner', 'p2', { firstName: 'Bo' });
      s.edit('ghl', 'g', { firstName: 'Ada' });
      s.deliver('p1');
      s.deliver('g');
      s.deliver('p2');
    },
    want: { ...person, firstName: 'Ada' },
  },
  {
    // chaos seed 7: GHL's completion, made moments after our write undid our earlier write of
    // a completion, was taken for that earlier write showing, and GHL got the open task back.
    name: 'task: GHL completes it moments after our writes completed and reopened it: the completion stands',
    start: task,
    stepMs: 400,
    steps: (s) => {
      s.edit('partner', 'done', { completed: true });
      s.deliver('done');
      s.edit('partner', 'reopen', { title: 'Call back (v2)', completed: false });
      s.deliver('reopen');
      s.edit('ghl', 'again', { completed: true });
      s.deliver('again');
    },
    want: { ...task, title: 'Call back (v2)', completed: true },
  },
  {
    // chaos seed 5 (second run): the partner changed the last name and changed it back; the
    // report of the change back only repeated what we knew, and the first one came last.
    name: 'a side’s change it undid itself, reported after the report of the undo, stays undone',
    start: person,
    steps: (s) => {
      s.edit('partner', 'berg', { lastName: 'Berg' });
      s.edit('partner', 'back', { lastName: 'Moss', firstName: 'Ada' });
      s.deliver('back');
      s.deliver('berg');
    },
    want: { ...person, firstName: 'Ada' },
  },
  {
    name: 'task case 1: a late partner due-date edit after GHL retitled and completed it',
    start: task,
    steps: (s) => {
      s.edit('partner', 'due', { dueDate: '2026-12-09T10:00:00.000Z' });
      s.edit('ghl', 'title', { title: 'Call back (moved)' });
      s.deliver('title');
      s.edit('ghl', 'done', { completed: true });
      s.deliver('done');
      s.deliver('due');
    },
    want: { ...task, title: 'Call back (moved)', completed: true, dueDate: '2026-12-09T10:00:00.000Z' },
  },
  {
    name: 'task case 2: a late GHL completion after two partner edits',
    start: task,
    steps: (s) => {
      s.edit('ghl', 'done', { completed: true });
      s.edit('partner', 't1', { title: 'Call back (v2)' });
      s.deliver('t1');
      s.edit('partner', 't2', { body: 'second' });
      s.deliver('t2');
      s.deliver('done');
    },
    want: { ...task, title: 'Call back (v2)', body: 'second', completed: true },
  },
  {
    name: 'task case 3: GHL title, partner title, GHL completion; delivered partner, GHL second, GHL first',
    start: task,
    steps: (s) => {
      s.edit('ghl', 'g1', { title: 'GHL title' });
      s.edit('partner', 'p1', { title: 'Partner title' });
      s.edit('ghl', 'g2', { completed: true });
      s.deliver('p1');
      s.deliver('g2');
      s.deliver('g1');
    },
    want: { ...task, title: 'Partner title', completed: true },
  },
  // ---- a side changing a field back: the change back is only seen once the change comes ----
  {
    name: 'a GHL task reopened after completing it, reported in reverse, beats an older partner completion',
    start: task,
    steps: (s) => {
      s.edit('ghl', 'done', { completed: true });
      s.edit('partner', 'p', { completed: true, title: 'Call back (partner)' });
      s.edit('ghl', 'reopen', { completed: false });
      // The reopening's report shows what GHL held at first: no news, until the completion's comes.
      s.deliver('reopen');
      s.deliver('done');
      s.deliver('p');
    },
    want: { ...task, title: 'Call back (partner)', completed: false },
  },
  {
    name: 'a note GHL changed and changed back, the change reported last, keeps the change back over an older partner edit',
    start: note,
    steps: (s) => {
      s.edit('ghl', 'g1', { body: 'draft' });
      s.edit('partner', 'p', { body: 'partner edit' });
      s.edit('ghl', 'g2', { body: 'base' });
      s.deliver('g2');
      s.deliver('p');
      s.deliver('g1');
    },
    want: { body: 'base' },
  },
  // ---- the races docs/ARCHITECTURE.md describes ----
  {
    name: 'a reordered older delivery does not roll back a newer state',
    start: note,
    steps: (s) => {
      s.edit('ghl', 'older', { body: 'older' });
      s.edit('ghl', 'newer', { body: 'newer' });
      s.deliver('newer');
      s.deliver('older');
    },
    want: { body: 'newer' },
  },
  {
    name: 'our write of the older partner edit landed in GHL after the newer GHL edit: GHL gets its edit back',
    start: note,
    steps: (s) => {
      s.edit('partner', 'p', { body: 'partner edit' });
      s.edit('ghl', 'g', { body: 'ghl edit' });
      s.deliver('p');
      s.deliver('g');
    },
    want: { body: 'ghl edit' },
  },
  {
    name: 'our write of the older GHL edit landed at the partner after the newer partner edit: the partner gets its edit back',
    start: note,
    steps: (s) => {
      s.edit('ghl', 'g', { body: 'ghl edit' });
      s.edit('partner', 'p', { body: 'partner edit' });
      s.deliver('g');
      s.deliver('p');
    },
    want: { body: 'partner edit' },
  },
  {
    name: 'echo: the side’s report of our own write changes nothing',
    start: note,
    steps: (s) => {
      s.edit('partner', 'p', { body: 'partner edit' });
      s.deliver('p');
      s.echo('ghl', 'echo');
      s.deliver('echo');
    },
    want: { body: 'partner edit' },
    maxWrites: 1,
  },
  {
    name: 'echo of an earlier write of ours, arriving after a later one, is still ours',
    start: note,
    steps: (s) => {
      s.edit('partner', 'p1', { body: 'p1' });
      s.deliver('p1');
      s.echo('ghl', 'echo1');
      s.edit('partner', 'p2', { body: 'p2' });
      s.deliver('p2');
      s.deliver('echo1');
    },
    want: { body: 'p2' },
    maxWrites: 2,
  },
  {
    name: 'GHL’s echo waiting beside a newer partner edit does not beat it',
    start: note,
    steps: (s) => {
      s.edit('partner', 'p1', { body: 'p1' });
      s.edit('partner', 'p2', { body: 'p2' });
      s.deliver('p1');
      s.echo('ghl', 'echo');
      s.deliver('echo');
      s.deliver('p2');
    },
    want: { body: 'p2' },
  },
  {
    name: 'edits of different fields on both sides, each made before the other reached it, are both kept',
    start: task,
    steps: (s) => {
      s.edit('ghl', 'done', { completed: true });
      s.edit('partner', 'title', { title: 'Order cake (chocolate)' });
      s.deliver('done');
      s.deliver('title');
    },
    want: { ...task, completed: true, title: 'Order cake (chocolate)' },
  },
  {
    name: 'an older partner edit delivered after a newer GHL edit keeps the fields the GHL edit left alone',
    start: person,
    steps: (s) => {
      s.edit('partner', 'p', { firstName: 'Fay', companyName: 'Partner Co' });
      s.edit('ghl', 'g', { companyName: 'GHL Co' });
      s.deliver('g');
      s.deliver('p');
    },
    want: { ...person, firstName: 'Fay', companyName: 'GHL Co' },
  },
  {
    name: 'newest wins field by field: a field the winner changed before the loser’s edit takes the loser’s value',
    start: person,
    steps: (s) => {
      s.edit('ghl', 'g1', { lastName: 'Lund' });
      s.edit('partner', 'p', { lastName: 'Okoro', companyName: 'P Co' });
      s.edit('ghl', 'g2', { firstName: 'Ada' });
      s.deliver('g2');
      s.deliver('g1');
      s.deliver('p');
    },
    want: { ...person, firstName: 'Ada', lastName: 'Okoro', companyName: 'P Co' },
  },
  {
    name: 'a field changed and changed back on one side is still that side’s change',
    start: person,
    steps: (s) => {
      s.edit('partner', 'p', { lastName: 'Rossi' });
      s.edit('ghl', 'away', { lastName: 'Klein' });
      s.edit('ghl', 'back', { lastName: 'Moss', companyName: 'Two Co' });
      s.deliver('p');
      s.deliver('away');
      s.deliver('back');
    },
    want: { ...person, lastName: 'Moss', companyName: 'Two Co' },
  },
  {
    name: 'conflict, GHL wins: both changed the body without seeing the other’s change',
    start: note,
    policy: 'ghl_wins',
    steps: (s) => {
      s.edit('ghl', 'g', { body: 'ghl edit' });
      s.edit('partner', 'p', { body: 'partner edit' });
      s.deliver('g');
      s.deliver('p');
    },
    want: { body: 'ghl edit' },
  },
  {
    name: 'conflict, partner wins, even when its change is older',
    start: note,
    policy: 'partner_wins',
    steps: (s) => {
      s.edit('partner', 'p', { body: 'partner edit' });
      s.edit('ghl', 'g', { body: 'ghl edit' });
      s.deliver('p');
      s.deliver('g');
    },
    want: { body: 'partner edit' },
  },
  {
    name: 'a change made after the other side’s value reached it is no conflict: it wins under any policy',
    start: note,
    policy: 'ghl_wins',
    steps: (s) => {
      s.edit('ghl', 'g', { body: 'ghl edit' });
      s.deliver('g');
      s.edit('partner', 'p', { body: 'partner edit after seeing it' });
      s.deliver('p');
    },
    want: { body: 'partner edit after seeing it' },
  },
  {
    name: 'a report with no time: nothing to weigh it against, it is taken',
    start: note,
    steps: (s) => {
      s.edit('partner', 'p', { body: 'untimed' }, false);
      s.deliver('p');
    },
    want: { body: 'untimed' },
  },
  {
    name: 'a report with no time against a change from the other side it never saw: the policy (newest wins keeps the timed one)',
    start: person,
    steps: (s) => {
      s.edit('partner', 'p', { firstName: 'Kai', phone: '+15550009' }, false);
      s.edit('ghl', 'g', { firstName: 'Lu' });
      s.deliver('g');
      s.deliver('p');
    },
    want: { ...person, firstName: 'Lu', phone: '+15550009' },
  },
];

describe('field by field, whatever order reports arrive in', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const sim = new Sim(row.start, row.policy, row.stepMs);
    row.steps(sim);
    expect(sim.side.ghl).toEqual(row.want);
    expect(sim.side.partner).toEqual(row.want);
    expect(agreed(sim.record)).toEqual(row.want);
    if (row.maxWrites !== undefined) expect(sim.writes).toBeLessThanOrEqual(row.maxWrites);
  });
});

describe('what a decision says', () => {
  it('a late report that only repeats older values changes nothing and says which fields were older', () => {
    const sim = new Sim(person);
    sim.edit('partner', 'p', { companyName: 'P Co' });
    sim.edit('ghl', 'g', { companyName: 'G Co' });
    sim.deliver('g');
    sim.deliver('p');
    const last = sim.decisions.at(-1)!;
    expect(last.changed).toEqual({});
    expect(last.older).toEqual(['companyName']);
  });

  it('a conflict names the field, both values and the winner', () => {
    const sim = new Sim(note, 'ghl_wins');
    sim.edit('ghl', 'g', { body: 'ghl edit' });
    sim.edit('partner', 'p', { body: 'partner edit' });
    sim.deliver('g');
    sim.deliver('p');
    expect(sim.decisions.at(-1)!.conflicts).toEqual([
      { field: 'body', ghl: 'ghl edit', partner: 'partner edit', winner: 'ghl' },
    ]);
  });

  it('a report with no time says in the log which field was decided how', () => {
    const sim = new Sim(person, 'partner_wins');
    sim.edit('partner', 'p', { firstName: 'Kai' }, false);
    sim.edit('ghl', 'g', { firstName: 'Lu' });
    sim.deliver('g');
    sim.deliver('p');
    expect(sim.decisions.at(-1)!.log).toEqual([
      "firstName: the partner's report has no time and GHL changed it too: the partner's value kept (partner_wins)",
    ]);
    expect(sim.side.ghl.firstName).toBe('Kai');
  });

  it('a new object: every field of its first report is a change', () => {
    const d = decide(
      emptyRecord(),
      { side: 'ghl', at: 5, data: { body: 'hello', updatedAt: 'x' } },
      'newest_wins',
      10,
    );
    expect(d.changed).toEqual({ body: 'hello' });
    expect(needsWrite(d.record, 'partner')).toBe(true);
    expect(needsWrite(d.record, 'ghl')).toBe(false);
  });

  it('values that differ only in spelling are the same (email case, phone punctuation, date format)', () => {
    const record = seedRecord({ email: 'a@b.co', phone: '+1 555 0001', dueDate: '2026-12-07T10:00:00Z' }, 0);
    const d = decide(
      record,
      {
        side: 'partner',
        at: 5,
        data: { email: 'A@B.co', phone: '+15550001', dueDate: '2026-12-07T10:00:00.000Z' },
      },
      'newest_wins',
      10,
    );
    expect(d.changed).toEqual({});
  });
});

describe('our write landing around a change made during it', () => {
  it('the side’s report of our write, made after its person’s newer edit, shows it lost: the newest value is written there again', () => {
    // The partner changed the body (t=1000); we wrote it to GHL from 2000 to 2500; GHL's person
    // changed it at 2200, before our write landed (2400), so GHL holds ours.
    let record = seedRecord(note, 0);
    record = decide(
      record,
      { side: 'partner', at: 1000, data: { body: 'partner edit' } },
      'newest_wins',
      1500,
    ).record;
    record = recordWrite(record, 'ghl', { body: 'partner edit' }, 2000, 2500);
    const ghlEdit = decide(
      record,
      { side: 'ghl', at: 2200, data: { body: 'ghl edit' } },
      'newest_wins',
      3000,
    );
    expect(ghlEdit.changed).toEqual({ body: 'ghl edit' });
    // Made while our write was on its way: it may have landed over it, so the edit is written back.
    expect(needsWrite(ghlEdit.record, 'ghl')).toBe(true);
    const echo = decide(
      ghlEdit.record,
      { side: 'ghl', at: 2400, data: { body: 'partner edit' } },
      'newest_wins',
      3100,
    );
    expect(echo.changed).toEqual({});
    expect(agreed(echo.record)).toEqual({ body: 'ghl edit' });
    expect(needsWrite(echo.record, 'ghl')).toBe(true);
  });

  it('landed before that edit (its report says so), nothing needs writing back', () => {
    let record = seedRecord(note, 0);
    record = decide(
      record,
      { side: 'partner', at: 1000, data: { body: 'partner edit' } },
      'newest_wins',
      1500,
    ).record;
    record = recordWrite(record, 'ghl', { body: 'partner edit' }, 2000, 2500);
    record = decide(
      record,
      { side: 'ghl', at: 2200, data: { body: 'ghl edit' } },
      'newest_wins',
      3000,
    ).record;
    const echo = decide(
      record,
      { side: 'ghl', at: 2100, data: { body: 'partner edit' } },
      'newest_wins',
      3100,
    );
    expect(needsWrite(echo.record, 'ghl')).toBe(false);
    expect(agreed(echo.record)).toEqual({ body: 'ghl edit' });
  });
});

describe('a record begun from content both sides held', () => {
  // chaos seed 4: the contact was made in GHL from the partner's update (Co 24 at 41 s); the
  // partner's create (Co 20 at 40 s) came late. The partner's next report still showed Co 24,
  // which was taken for a new partner change and beat GHL's newer Co 32.
  it('knows each side held that content from the time it was recorded, not from the start of time', () => {
    let record = seedRecord({ companyName: 'Co 24', lastName: 'Rossi' }, 41_000);
    const decideAt = (side: Side, at: number, data: Fields) =>
      (record = decide(record, { side, at, data }, 'newest_wins', at + 500).record);
    decideAt('ghl', 45_000, { companyName: 'Co 32', lastName: 'Rossi' });
    decideAt('partner', 40_000, { companyName: 'Co 20', lastName: 'Ng' });
    decideAt('partner', 61_000, { companyName: 'Co 24', lastName: 'Diaz' });
    expect(agreed(record)).toEqual({ companyName: 'Co 32', lastName: 'Diaz' });
  });
});

describe('reports folded into one waiting item', () => {
  const link = (data: Fields) => ({
    kind: 'contact',
    connectionId: 'c',
    ghlId: 'g',
    partnerId: 'p',
    ghlFp: null,
    partnerFp: null,
    state: undefined,
    syncedAt: 0,
    sourceAt: 0,
    partnerWriteAt: null,
    ghlWriteAt: null,
    data,
    ghlWritten: [],
    partnerWritten: [],
  });

  it('each keeps its own time: a field is dated by the first report showing its value', () => {
    // GHL changed the last name (t=100), the partner too (t=200, already synced), then GHL the first name (t=300).
    const start = decideReports(
      link(person),
      [{ at: 200, data: { ...person, lastName: 'Okoro' } }],
      'partner',
      'newest_wins',
      250,
    );
    const folded = withReport([{ at: 100, data: { ...person, lastName: 'Lund' } }], {
      at: 300,
      data: { ...person, lastName: 'Lund', firstName: 'Ada' },
    });
    const d = decideReports({ ...link(person), fields: start.record }, folded, 'ghl', 'newest_wins', 400);
    expect(agreed(d.record)).toEqual({ ...person, firstName: 'Ada', lastName: 'Okoro' });
    expect(d.conflicts.map((c) => [c.field, c.winner])).toEqual([['lastName', 'partner']]);
  });

  it('a burst keeps its first and newest reports only', () => {
    let held: HeldReport[] = [{ at: 0, data: { body: 'r0' } }];
    for (let i = 1; i <= 20; i++) held = withReport(held, { at: i, data: { body: `r${i}` } });
    expect(held.map((r) => r.at)).toEqual([0, 1, 15, 16, 17, 18, 19, 20]);
  });

  it('an item from before reports were kept stands for one report', () => {
    expect(reportsOf({ data: { body: 'x' } }, 7)).toEqual([{ at: 7, data: { body: 'x' } }]);
  });
});

describe('the change that lost, dated by the earliest report showing it', () => {
  it('shown again by an earlier report within the clock slack, it is dated earlier: the winner, shown earlier still, keeps winning', () => {
    // Partner first name (t=1000), GHL first name (1100), partner last name (1200), GHL phone (1300);
    // delivered: GHL's phone, the partner's last name, the partner's first name, GHL's first name.
    const p = (at: number, data: Fields) => ({ side: 'partner' as const, at, data: { ...person, ...data } });
    const g = (at: number, data: Fields) => ({ side: 'ghl' as const, at, data: { ...person, ...data } });
    let record = seedRecord(person, 0);
    record = decide(record, g(1300, { firstName: 'Gus', phone: '+15550006' }), 'newest_wins', 1400).record;
    record = recordWrite(record, 'partner', agreed(record), 1500, 1600);
    const p2 = decide(record, p(1200, { firstName: 'Pia', lastName: 'Lund' }), 'newest_wins', 1700);
    expect(p2.conflicts.map((c) => [c.field, c.winner])).toEqual([['firstName', 'ghl']]);
    record = recordWrite(p2.record, 'ghl', agreed(p2.record), 1800, 1900);
    record = decide(record, p(1000, { firstName: 'Pia' }), 'newest_wins', 2000).record;
    expect(record.fields.firstName!.rival).toEqual({ v: 'Pia', at: 1000, by: 'partner' });
    const g1 = decide(record, g(1100, { firstName: 'Gus' }), 'newest_wins', 2100);
    expect(g1.changed).toEqual({});
    expect(agreed(g1.record)).toEqual({ ...person, firstName: 'Gus', lastName: 'Lund', phone: '+15550006' });
  });
});

describe('two reports of one side within one millisecond', () => {
  // The partner changed the company, then the first name, within one millisecond: both reports
  // carry the same time and arrive in the other order.
  const company = { side: 'partner' as const, at: 5000, data: { ...person, companyName: 'Co 80' } };
  const first = {
    side: 'partner' as const,
    at: 5000,
    data: { ...person, companyName: 'Co 80', firstName: 'Nia' },
  };

  it.each([
    ['the later edit first', [first, company]],
    ['in the order made', [company, first]],
  ])('%s: both edits are kept', (_order, reports) => {
    let record = seedRecord(person, 0);
    for (const report of reports) record = decide(record, report, 'newest_wins', 6000).record;
    expect(agreed(record)).toEqual({ ...person, companyName: 'Co 80', firstName: 'Nia' });
  });
});

describe('a value of ours written earlier, shown again after a later write of ours', () => {
  it('is a person’s change, not our echo: GHL re-typing the partner’s older last name wins', () => {
    const p = (at: number, lastName: string) => ({
      side: 'partner' as const,
      at,
      data: { ...person, lastName },
    });
    const g = (at: number, lastName: string) => ({ side: 'ghl' as const, at, data: { ...person, lastName } });
    let record = seedRecord(person, 0);
    record = decide(record, p(1000, 'Hart'), 'newest_wins', 1050).record;
    record = recordWrite(record, 'ghl', agreed(record), 1100, 1600);
    record = decide(record, p(1800, 'Sato'), 'newest_wins', 1900).record;
    record = recordWrite(record, 'ghl', agreed(record), 2000, 2200);
    // Within the clock slack of our Hart write, but after our Sato write landed.
    const d = decide(record, g(2300, 'Hart'), 'newest_wins', 2400);
    expect(d.changed).toEqual({ lastName: 'Hart' });
    expect(needsWrite(d.record, 'partner')).toBe(true);
  });
});
