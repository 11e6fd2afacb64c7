/**
 * A contact's tags on the field rule (worker/sync/tag-record.ts) as a table: both sides held in
 * memory, a numeric clock, and reports delivered in the order each row says. GHL reports its
 * whole tag set, the partner single adds and removes. After each delivery the engine writes each
 * side the tags it lacks (its write takes 50 ms and is remembered), as the contact object does.
 */
import { describe, expect, it } from 'vitest';
import {
  decideGhlTags,
  decidePartnerTags,
  heldTags,
  readTagRecord,
  recordTagWrite,
  recordWholeWrite,
  restate,
  tagsBehind,
  type TagDecision,
  type TagRecord,
} from '../../worker/sync/tag-record.ts';
import type { ConflictPolicy, Side } from '../../worker/sync/policy.ts';

class Sim {
  record: TagRecord;
  side: Record<Side, Set<string>>;
  /** when the engine handles the next delivery (after every report it is given) */
  clock = 0;
  readonly writes: { side: Side; add: string[]; remove: string[]; at: number }[] = [];
  readonly decisions: TagDecision[] = [];
  readonly policy: ConflictPolicy;

  constructor(start: string[], policy: ConflictPolicy = 'newest_wins') {
    this.policy = policy;
    this.record = readTagRecord({ state: start, sourceAt: 0 });
    this.side = { ghl: new Set(start), partner: new Set(start) };
  }

  /** GHL's tag set as of `at` (null: no usable time) reaches the engine. */
  ghl(tags: string[], at: number | null) {
    this.step(at, (now) => decideGhlTags(this.record, tags, at, this.policy, now));
  }

  /** The partner's add or remove as of `at` reaches the engine. */
  partner(op: 'add' | 'remove', tags: string[], at: number | null) {
    const kind = op === 'add' ? 'tag_add' : 'tag_remove';
    this.step(at, (now) => decidePartnerTags(this.record, kind, tags, at, this.policy, now));
  }

  /** A person changes a tag on one side (its report is delivered by the row). */
  edit(side: Side, op: 'add' | 'remove', tag: string) {
    if (op === 'add') this.side[side].add(tag);
    else this.side[side].delete(tag);
  }

  /** The engine writes the contact to the partner with the agreed tags (the whole set). */
  contactWrite() {
    const start = (this.clock += 100);
    this.side.partner = new Set(heldTags(this.record));
    this.writes.push({ side: 'partner', add: heldTags(this.record), remove: [], at: start });
    this.record = recordWholeWrite(this.record, start, (this.clock += 50));
  }

  /** What the engine's writes left on one side, beside what people did there. */
  held(side: Side) {
    return [...this.side[side]].sort();
  }

  private step(at: number | null, decideAt: (now: number) => TagDecision) {
    this.clock = Math.max(this.clock, at ?? 0) + 100;
    const d = decideAt(this.clock);
    this.decisions.push(d);
    this.record = d.record;
    for (const side of ['partner', 'ghl'] as const) {
      const diff = tagsBehind(this.record, side);
      if (!diff.add.length && !diff.remove.length) continue;
      const start = (this.clock += 10);
      for (const t of diff.add) this.side[side].add(t);
      for (const t of diff.remove) this.side[side].delete(t);
      this.writes.push({ side, ...diff, at: start });
      this.record = recordTagWrite(this.record, side, diff, start, (this.clock += 50));
    }
  }
}

interface Row {
  name: string;
  start: string[];
  policy?: ConflictPolicy;
  steps: (sim: Sim) => void;
  /** the tags both sides hold at the end */
  want: string[];
  /** at most this many writes */
  maxWrites?: number;
}

/**
 * chaos seed 9: the partner added lead, then removed it while our contact write (which did not
 * carry it yet) was on its way there; its two reports arrive in either order.
 */
function seed9(order: 'remove first' | 'add first'): Row {
  return {
    name: `a partner’s remove made during our contact write beats its older add (${order})`,
    start: [],
    steps: (s) => {
      // The contact went to the partner once already (without the tag).
      s.contactWrite();
      s.edit('partner', 'add', 'lead');
      s.clock = 1_000;
      s.contactWrite();
      s.edit('partner', 'remove', 'lead');
      const during = s.writes.at(-1)!.at + 20;
      const remove = () => s.partner('remove', ['lead'], during);
      const add = () => s.partner('add', ['lead'], 100);
      if (order === 'remove first') [remove, add].forEach((f) => f());
      else [add, remove].forEach((f) => f());
    },
    want: [],
    // (the two contact writes, and the remove written to GHL, which may hold the tag)
    ...(order === 'remove first' ? { maxWrites: 3 } : {}),
  };
}

const rows: Row[] = [
  {
    name: 'a GHL tag set adds and removes only what changed; what it repeats is no change',
    start: ['vip', 'lead'],
    steps: (s) => {
      s.edit('ghl', 'add', 'hot');
      s.edit('ghl', 'remove', 'lead');
      s.ghl(['VIP', 'hot'], 200);
    },
    want: ['hot', 'vip'],
    maxWrites: 1,
  },
  {
    name: 'a partner remove made before a GHL report that still showed the tag, delivered after it, applies',
    start: ['lead'],
    steps: (s) => {
      s.ghl(['lead'], 300);
      s.edit('partner', 'remove', 'lead');
      s.partner('remove', ['lead'], 250);
      s.ghl(['lead'], 280);
    },
    want: [],
  },
  {
    name: 'an older GHL tag set arriving late changes nothing',
    start: [],
    steps: (s) => {
      s.edit('ghl', 'add', 'vip');
      s.ghl(['vip'], 300);
      s.ghl([], 200);
    },
    want: ['vip'],
  },
  {
    name: 'a partner remove older than GHL’s add is stale; a newer one applies',
    start: [],
    steps: (s) => {
      s.edit('ghl', 'add', 'alpha');
      s.ghl(['alpha'], 200);
      s.edit('partner', 'remove', 'alpha');
      s.partner('remove', ['alpha'], 150);
      expect(s.decisions.at(-1)!.changed).toEqual([]);
      s.partner('remove', ['Alpha'], 250);
    },
    want: [],
  },
  {
    name: 'a partner add delivered after its own later remove does nothing',
    start: ['beta'],
    steps: (s) => {
      s.edit('partner', 'remove', 'beta');
      s.partner('remove', ['beta'], 200);
      s.partner('add', ['beta'], 100);
    },
    want: [],
  },
  {
    name: 'a partner remove of a tag never seen is still written to GHL (it may hold it)',
    start: [],
    steps: (s) => {
      s.edit('ghl', 'add', 'old');
      s.partner('remove', ['old'], 10);
    },
    want: [],
  },
  {
    name: 'what GHL reports from before our write of a tag landed says nothing new of it; a later change counts',
    start: ['cold'],
    steps: (s) => {
      s.partner('remove', ['cold'], 100);
      // GHL's webhook about another change, stamped before our remove landed: cold still on.
      s.ghl(['cold'], 150);
      expect(s.held('ghl')).toEqual([]);
      s.edit('ghl', 'add', 'cold');
      s.ghl(['cold'], 5000);
    },
    want: ['cold'],
  },
  {
    name: 'GHL added a tag and removed it again: the add’s report handled last does not bring it back',
    start: [],
    steps: (s) => {
      s.ghl([], 300);
      s.ghl(['warm'], 200);
      // A partner add made after GHL’s remove still counts.
      s.edit('partner', 'add', 'warm');
      s.partner('add', ['warm'], 400);
    },
    want: ['warm'],
  },
  {
    // chaos seed 5, previous stop: GHL's person added and removed vip; the add's report came last.
    name: 'a tag GHL removed after adding it never reaches the partner when the add is reported late',
    start: [],
    steps: (s) => {
      s.ghl([], 28_700);
      s.ghl(['vip'], 26_400);
      s.ghl(['vip'], 26_400);
    },
    want: [],
    maxWrites: 0,
  },
  {
    name: 'GHL’s own add of a tag the partner had added, made before our write of it, outlives the partner’s older remove',
    start: [],
    steps: (s) => {
      s.edit('partner', 'add', 'warm');
      // Handled a second later: our write of it to GHL began then.
      s.clock = 1_000;
      s.partner('add', ['warm'], 100);
      s.ghl([], 150);
      s.ghl(['warm'], 205);
      // The partner's remove (made at 170) arrives last: older than GHL's add.
      s.edit('partner', 'remove', 'warm');
      s.partner('remove', ['warm'], 170);
    },
    want: ['warm'],
  },
  {
    name: 'a partner remove made between two GHL tag sets that waited together wins over the older add',
    start: [],
    steps: (s) => {
      // GHL added delta at 100 and lead at 300; the partner removed delta at 200.
      s.edit('ghl', 'add', 'delta');
      s.edit('ghl', 'add', 'lead');
      s.ghl(['delta'], 100);
      s.ghl(['delta', 'lead'], 300);
      s.edit('partner', 'remove', 'delta');
      s.partner('remove', ['delta'], 200);
    },
    want: ['lead'],
  },
  {
    name: 'GHL’s report of a tag change handled after a later report still dates the change',
    start: [],
    steps: (s) => {
      s.edit('ghl', 'add', 'delta');
      s.edit('ghl', 'add', 'lead');
      s.ghl(['delta', 'lead'], 300);
      s.ghl(['delta'], 100);
      // delta was on from 100: the partner's remove at 200 is newer; lead came at 300: newer than it.
      // (The partner had removed both before our writes of them reached it.)
      s.partner('remove', ['delta'], 200);
      s.partner('remove', ['lead'], 200);
    },
    want: ['lead'],
  },
  // ---- issue 17, tag by tag: late reports repeat older states of tags changed since ----
  {
    name: 'a late GHL tag set, made before the partner’s two changes reached GHL, undoes neither',
    start: ['vip'],
    steps: (s) => {
      // GHL's report of a change to another tag (lead), made at 100, is delayed.
      s.edit('ghl', 'add', 'lead');
      s.edit('partner', 'remove', 'vip');
      s.partner('remove', ['vip'], 200);
      s.edit('partner', 'add', 'hot');
      s.partner('add', ['hot'], 300);
      s.ghl(['lead', 'vip'], 100);
    },
    want: ['hot', 'lead'],
  },
  {
    name: 'a GHL tag removed and added back, reported out of order around an older partner remove, stays',
    start: ['vip'],
    steps: (s) => {
      s.edit('ghl', 'remove', 'vip');
      s.edit('ghl', 'add', 'vip');
      s.ghl(['vip'], 42_080);
      s.ghl([], 41_551);
      s.edit('partner', 'remove', 'vip');
      s.partner('remove', ['vip'], 36_064);
    },
    want: ['vip'],
  },
  {
    name: 'a partner add and remove in quick succession, delivered remove, add, remove again, stays removed',
    start: ['vip'],
    steps: (s) => {
      s.edit('partner', 'remove', 'vip');
      s.partner('remove', ['vip'], 21_669);
      s.partner('remove', ['vip'], 35_516);
      s.partner('add', ['vip'], 32_020);
      s.partner('remove', ['vip'], 21_669);
    },
    want: [],
  },
  {
    name: 'a person re-adding a tag at the partner while our remove was on its way wins, and is written back',
    start: ['lead'],
    steps: (s) => {
      s.edit('ghl', 'remove', 'lead');
      s.ghl([], 1_000);
      // Our remove of lead reached the partner after the person had added it again there.
      s.edit('partner', 'add', 'lead');
      s.side.partner.delete('lead');
      s.partner('add', ['lead'], s.writes.at(-1)!.at + 20);
    },
    want: ['lead'],
  },
  {
    // chaos seed 7: our contact write carried the tags it knew, over the partner's newer add.
    name: 'a contact written to the partner with its tags, before the partner’s add of a new tag was handled, loses no tag',
    start: ['gamma'],
    steps: (s) => {
      s.edit('partner', 'add', 'delta');
      s.contactWrite();
      s.partner('add', ['delta'], 50);
    },
    want: ['delta', 'gamma'],
  },
  ...(['remove first', 'add first'] as const).map(seed9),
  {
    name: 'a report with no time: the policy settles a tag the other side changed too, and the log says so',
    start: [],
    steps: (s) => {
      s.edit('partner', 'add', 'vip');
      s.partner('add', ['vip'], 500);
      s.edit('ghl', 'remove', 'vip');
      s.ghl([], null);
      expect(s.decisions.at(-1)!.log.join(' ')).toMatch(/tag "vip": GHL's report has no time/);
    },
    want: ['vip'],
  },
  {
    name: 'both sides changed a tag before the other’s change reached them: ghl_wins keeps GHL’s',
    start: ['vip'],
    policy: 'ghl_wins',
    steps: (s) => {
      s.edit('ghl', 'remove', 'vip');
      s.edit('partner', 'add', 'hot');
      s.edit('partner', 'remove', 'vip');
      s.partner('add', ['hot'], 100);
      s.partner('remove', ['vip'], 90);
      s.ghl(['hot'], 80);
    },
    want: ['hot'],
  },
];

describe('tags, tag by tag, whatever order reports arrive in', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const sim = new Sim(row.start, row.policy);
    row.steps(sim);
    expect(sim.held('ghl')).toEqual(row.want);
    expect(sim.held('partner')).toEqual(row.want);
    expect(heldTags(sim.record).sort()).toEqual(row.want);
    if (row.maxWrites !== undefined) expect(sim.writes.length).toBeLessThanOrEqual(row.maxWrites);
  });
});

describe('the tag record', () => {
  it('reads both earlier stored forms: the held set, and tags on or off since a time', () => {
    expect(heldTags(readTagRecord({ state: ['VIP', 'lead'], sourceAt: 100 })).sort()).toEqual([
      'lead',
      'vip',
    ]);
    const old = readTagRecord({
      state: { tags: { vip: { on: true, at: 10 }, cold: { on: false, at: 20 } }, ghlShownAt: 30 },
    });
    expect(heldTags(old)).toEqual(['vip']);
    expect(old.ghlShown).toEqual([30]);
    expect(readTagRecord(undefined).fields).toEqual({});
    // A stored record is read as it is.
    expect(readTagRecord({ fields: old, state: ['x'] })).toBe(old);
  });

  it('a tag named like a contact field is a tag like any other', () => {
    const s = new Sim([]);
    s.ghl(['name', 'tags', 'updatedAt'], 100);
    expect(s.held('partner')).toEqual(['name', 'tags', 'updatedat']);
  });

  it('restating writes each tag’s agreed value; a tag never seen is removed', () => {
    const s = new Sim(['vip']);
    s.partner('remove', ['lead'], 10);
    expect(restate(s.record, ['vip', 'lead', 'unknown'])).toEqual({
      add: ['vip'],
      remove: ['lead', 'unknown'],
    });
  });

  it('conflicts and log lines name the tag, not the record key', () => {
    const s = new Sim(['vip'], 'partner_wins');
    s.partner('remove', ['vip'], 100);
    s.ghl(['vip', 'hot'], 90);
    s.edit('ghl', 'remove', 'hot');
    const d = decideGhlTags(s.record, [], 95, 'partner_wins', 10_000);
    expect(d.log.every((l) => l.startsWith('tag "'))).toBe(true);
    expect(d.changed).toEqual(['hot']);
  });

  it('remembers a bounded number of GHL tag sets', () => {
    let record = readTagRecord(undefined);
    for (let i = 1; i <= 40; i++)
      record = decideGhlTags(record, ['vip'], i * 100, 'newest_wins', i * 100).record;
    expect(record.ghlShown).toHaveLength(16);
    expect(record.ghlShown!.at(-1)).toBe(4000);
  });
});
