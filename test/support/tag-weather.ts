/**
 * A contact's tags under random weather: people add and remove tags on both sides at random
 * times; GHL reports its whole tag set, the partner each add or remove; every report arrives
 * 0-2 s late or 5-30 s late, some twice; our writes take time and may land after a person's edit
 * made during them, and each side mostly reports our write back. Whatever the order, both sides
 * must end with the newest change of every tag. Numeric clock, seeded, in memory.
 */
import {
  decideGhlTags,
  decidePartnerTags,
  heldTags,
  readTagRecord,
  recordTagWrite,
  recordWholeWrite,
  tagsBehind,
  type TagDiff,
  type TagRecord,
} from '../../worker/sync/tag-record.ts';
import { seededRandom as rng } from './seeded-random.ts';

type Side = 'ghl' | 'partner';
const TAGS = ['vip', 'lead', 'warm'];

type Report =
  | { side: 'ghl'; at: number; tags: string[] }
  | { side: 'partner'; at: number; op: 'tag_add' | 'tag_remove'; tag: string };
type Happening =
  | { type: 'edit'; at: number; side: Side; tag: string; on: boolean }
  | { type: 'deliver'; at: number; report: Report }
  | { type: 'land'; at: number; side: Side; diff: TagDiff; whole?: boolean }
  | { type: 'engine'; at: number };
type Ev = Happening & { seq: number };

/** One run; `ok` when both sides end with the newest change of every tag. */
export function run(seed: number, edits = 8, wholeSets = false): { ok: boolean; log: string[] } {
  const r = rng(seed);
  const store: Record<Side, Set<string>> = { ghl: new Set(['vip']), partner: new Set(['vip']) };
  // Both sides held `vip` when the link was made (the first stored format: the held set).
  let record: TagRecord = readTagRecord({ state: ['vip'], sourceAt: 0 });
  const truth = new Map<string, { on: boolean; at: number }>(
    TAGS.map((t) => [t, { on: t === 'vip', at: 0 }]),
  );
  const events: Ev[] = [];
  let seq = 0;
  const push = (e: Happening) => events.push({ ...e, seq: seq++ });
  for (let i = 0; i < edits; i++) {
    // Distinct times: a tie goes to GHL by policy, the truth below could not tell.
    const at = 10_000 + Math.floor(r() * 60_000) + i / 10;
    push({
      type: 'edit',
      at,
      side: r() < 0.5 ? 'ghl' : 'partner',
      tag: TAGS[Math.floor(r() * 3)]!,
      on: r() < 0.5,
    });
  }
  const log: string[] = [];
  const queue: Report[] = [];
  let busyUntil = 0;
  let engineScheduled = false;
  const deliverLater = (report: Report) => {
    const late = r() < 0.25 ? 5_000 + r() * 25_000 : r() * 2_000;
    push({ type: 'deliver', at: report.at + late, report });
    if (r() < 0.3) push({ type: 'deliver', at: report.at + r() * 30_000, report });
  };
  const reportOf = (side: Side, at: number, tag: string, on: boolean): Report =>
    side === 'ghl'
      ? { side, at, tags: [...store.ghl].sort() }
      : { side, at, op: on ? 'tag_add' : 'tag_remove', tag };
  while (events.length) {
    events.sort((x, y) => x.at - y.at || x.seq - y.seq);
    const e = events.shift()!;
    if (e.type === 'edit') {
      // A person adds a tag that is not there or removes one that is; anything else is no edit.
      if (store[e.side].has(e.tag) === e.on) continue;
      if (e.on) store[e.side].add(e.tag);
      else store[e.side].delete(e.tag);
      if (e.at >= truth.get(e.tag)!.at) truth.set(e.tag, { on: e.on, at: e.at });
      log.push(`${e.at} edit ${e.side} ${e.on ? '+' : '-'}${e.tag}`);
      deliverLater(reportOf(e.side, e.at, e.tag, e.on));
    } else if (e.type === 'land') {
      const changed = [
        ...e.diff.add.filter((t) => !store[e.side].has(t)).map((t) => [t, true] as const),
        ...e.diff.remove.filter((t) => store[e.side].has(t)).map((t) => [t, false] as const),
      ];
      for (const t of e.diff.add) store[e.side].add(t);
      for (const t of e.diff.remove) store[e.side].delete(t);
      log.push(`${e.at} land ${e.side} ${JSON.stringify(e.diff)}`);
      // GHL reports every write of ours (its whole set); the partner mostly reports the adds and
      // removes our write made there (none for a tag it already held as written).
      if (e.side === 'ghl') deliverLater(reportOf('ghl', e.at, '', true));
      // (A contact written with its tags is reported, if at all, as a contact: no tag events.)
      if (e.side === 'partner' && !e.whole)
        for (const [t, on] of changed) if (r() < 0.7) deliverLater(reportOf('partner', e.at, t, on));
    } else if (e.type === 'deliver') {
      queue.push(e.report);
      if (!engineScheduled) {
        engineScheduled = true;
        push({ type: 'engine', at: Math.max(e.at, busyUntil) });
      }
    } else {
      engineScheduled = false;
      const report = queue.shift();
      if (!report) continue;
      let now = e.at;
      const d =
        report.side === 'ghl'
          ? decideGhlTags(record, report.tags, report.at, 'newest_wins', now)
          : decidePartnerTags(record, report.op, [report.tag], report.at, 'newest_wins', now);
      record = d.record;
      log.push(`${now} decide ${JSON.stringify(report)} -> ${heldTags(record).sort()} ${d.log.join('; ')}`);
      for (const side of [report.side === 'ghl' ? 'partner' : 'ghl', report.side] as Side[]) {
        const diff = tagsBehind(record, side);
        if (!diff.add.length && !diff.remove.length) continue;
        const ws = now;
        const land = ws + 50 + r() * 1500;
        const we = land + 20 + r() * 300;
        if (side === 'partner' && wholeSets && r() < 0.3) {
          // The contact itself was written, carrying the whole agreed tag set.
          const held = heldTags(record);
          push({
            type: 'land',
            at: land,
            side,
            diff: { add: held, remove: TAGS.filter((t) => !held.includes(t)) },
            whole: true,
          });
          record = recordWholeWrite(record, ws, we);
        } else {
          push({ type: 'land', at: land, side, diff });
          record = recordTagWrite(record, side, diff, ws, we);
        }
        now = we;
      }
      busyUntil = now;
      if (queue.length) {
        engineScheduled = true;
        push({ type: 'engine', at: busyUntil });
      }
    }
  }
  const want = TAGS.filter((t) => truth.get(t)!.on).join(',');
  const ghl = [...store.ghl].filter((t) => TAGS.includes(t)).sort();
  const partner = [...store.partner].sort();
  const sorted = want.split(',').filter(Boolean).sort().join(',');
  const ok = ghl.join(',') === sorted && partner.join(',') === sorted;
  if (!ok) log.push(`want [${sorted}], GHL [${ghl}], partner [${partner}]`);
  return { ok, log };
}
