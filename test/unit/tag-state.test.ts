import { describe, expect, it } from 'vitest';
import {
  contactTags,
  foldSnapshots,
  heldTags,
  mergeGhlSnapshot,
  mergePartnerOp,
  readTagState,
  recordGhlWrite,
  restate,
} from '../../worker/sync/tag-state.ts';

describe('tag state: last writer wins, tag by tag', () => {
  it('reads the first stored format (the held set) as tags on since the link’s time', () => {
    const s = readTagState(['VIP', 'lead'], 100);
    expect(s.tags).toEqual({ vip: { on: true, at: 100 }, lead: { on: true, at: 100 } });
    expect(readTagState(undefined).tags).toEqual({});
  });

  it('a GHL snapshot adds and removes only what changed; what it re-states is seen, not changed', () => {
    const s = readTagState(['vip', 'lead'], 100);
    expect(mergeGhlSnapshot(s, ['VIP', 'hot'], 200)).toEqual({ add: ['hot'], remove: ['lead'] });
    expect(s.tags.vip).toEqual({ on: true, at: 100, seen: 200 });
    expect(heldTags(s).sort()).toEqual(['hot', 'vip']);
  });

  it('a partner remove made before a GHL report that still showed the tag (and delivered after it) applies', () => {
    const s = readTagState(['lead'], 100);
    expect(mergeGhlSnapshot(s, ['lead'], 300)).toEqual({ add: [], remove: [] });
    expect(mergePartnerOp(s, 'tag_remove', ['lead'], 250)).toEqual(['lead']);
    // GHL's own older report arriving now changes nothing.
    expect(mergeGhlSnapshot(s, ['lead'], 280)).toEqual({ add: [], remove: [] });
  });

  it('an older snapshot arriving late changes no tag set later', () => {
    const s = readTagState([], 0);
    mergeGhlSnapshot(s, ['vip'], 300);
    expect(mergeGhlSnapshot(s, [], 200)).toEqual({ add: [], remove: [] });
    expect(heldTags(s)).toEqual(['vip']);
  });

  it('a partner remove older than GHL’s add is stale; a newer one applies', () => {
    const s = readTagState([], 0);
    mergeGhlSnapshot(s, ['alpha'], 200);
    expect(mergePartnerOp(s, 'tag_remove', ['alpha'], 150)).toEqual([]);
    expect(mergePartnerOp(s, 'tag_remove', ['Alpha'], 250)).toEqual(['Alpha']);
    expect(s.tags.alpha).toMatchObject({ on: false, at: 250 });
  });

  it('a partner add delivered after its later remove does nothing', () => {
    const s = readTagState([], 0);
    expect(mergePartnerOp(s, 'tag_remove', ['beta'], 200)).toEqual(['beta']);
    expect(mergePartnerOp(s, 'tag_add', ['beta'], 100)).toEqual([]);
    expect(s.tags.beta?.on).toBe(false);
  });

  it('a remove of a tag never seen is still written (GHL may hold it)', () => {
    expect(mergePartnerOp(readTagState([], 0), 'tag_remove', ['old'], 10)).toEqual(['old']);
  });

  it('what GHL reports from before our write of a tag landed says nothing new about that tag', () => {
    const s = readTagState(['cold'], 0);
    expect(mergePartnerOp(s, 'tag_remove', ['cold'], 100)).toEqual(['cold']);
    recordGhlWrite(s, 1000, 1100, { add: [], remove: ['cold'] });
    // GHL's webhook about another write of ours, stamped just before our remove landed: cold still on.
    expect(mergeGhlSnapshot(s, ['cold'], 1050)).toEqual({ add: [], remove: [] });
    expect(s.tags.cold).toMatchObject({ on: false, at: 100, ghlAt: 1100 });
    // A real change in GHL after our write still counts.
    expect(mergeGhlSnapshot(s, ['cold'], 5000)).toEqual({ add: ['cold'], remove: [] });
  });

  it('a contact written with an older snapshot keeps tags changed after it', () => {
    const s = readTagState([], 0);
    mergePartnerOp(s, 'tag_remove', ['alpha'], 300);
    mergePartnerOp(s, 'tag_add', ['beta'], 300);
    expect(contactTags(s, ['alpha', 'gamma'], 200).sort()).toEqual(['beta', 'gamma']);
    expect(contactTags(s, ['alpha'], 400)).toEqual(['alpha']);
  });

  it('a contact written with a GHL snapshot taken before our tag write landed keeps that tag', () => {
    const s = readTagState([], 0);
    mergePartnerOp(s, 'tag_add', ['lead'], 100);
    recordGhlWrite(s, 950, 1000, { add: ['lead'], remove: [] });
    expect(contactTags(s, [], 990)).toEqual(['lead']);
  });

  it('restating writes each tag’s current value', () => {
    const s = readTagState(['vip'], 0);
    mergePartnerOp(s, 'tag_remove', ['lead'], 10);
    expect(restate(s, ['vip', 'lead', 'unknown'])).toEqual({ add: ['vip'], remove: ['lead', 'unknown'] });
  });

  it('folding snapshots keeps when each tag took its value; a tag that changed in between starts a new run', () => {
    const once = foldSnapshots({ tags: ['delta'], at: 100 }, { tags: ['delta', 'Lead'], at: 300 });
    expect(once).toEqual({
      tags: ['delta', 'Lead'],
      at: 300,
      runs: { delta: { from: 100 }, lead: { from: 300, against: 100 } },
    });
    // Folded again: delta gone at 500, lead keeps its run.
    expect(foldSnapshots(once, { tags: ['lead'], at: 500 }).runs).toEqual({
      delta: { from: 500, against: 300 },
      lead: { from: 300, against: 100 },
    });
  });

  it('folding an older snapshot that arrived late moves a run’s start back, up to a report showing the other value', () => {
    const waiting = foldSnapshots({ tags: ['lead'], at: 300 }, { tags: [], at: 100 });
    expect(waiting).toEqual({ tags: ['lead'], at: 300, runs: { lead: { from: 300, against: 100 } } });
    const more = foldSnapshots(waiting, { tags: ['lead'], at: 200 });
    expect(more.runs.lead).toEqual({ from: 200, against: 100 });
    // A report older than the one showing the other value says nothing more.
    expect(foldSnapshots(more, { tags: ['lead'], at: 50 }).runs.lead).toEqual({ from: 200, against: 100 });
    // The other value inside the run: the run began after it.
    expect(foldSnapshots(more, { tags: [], at: 250 }).runs.lead).toEqual({ from: 300, against: 250 });
  });

  it('a partner remove made between two folded GHL snapshots still wins over the tag’s older add', () => {
    const s = readTagState([], 0);
    // GHL added delta at 100 and lead at 300; both reports were folded into one item.
    const folded = foldSnapshots({ tags: ['delta'], at: 100 }, { tags: ['delta', 'lead'], at: 300 });
    expect(mergeGhlSnapshot(s, folded.tags, folded.at, folded.runs)).toEqual({
      add: ['delta', 'lead'],
      remove: [],
    });
    expect(s.tags.delta).toMatchObject({ on: true, at: 100, seen: 300 });
    expect(mergePartnerOp(s, 'tag_remove', ['delta'], 200)).toEqual(['delta']);
    // Unfolded, delta would date from 300 and the remove would be dropped as older.
    const plain = readTagState([], 0);
    mergeGhlSnapshot(plain, ['delta', 'lead'], 300);
    expect(mergePartnerOp(plain, 'tag_remove', ['delta'], 200)).toEqual([]);
  });

  it('a tag GHL added and removed again stays off when the report of the add is handled last', () => {
    const s = readTagState([], 0);
    // The add's report (at 200) and the remove's (at 300) were folded into one item; the
    // contact's report from between them (at 250, still showing the tag) is written after it.
    const folded = foldSnapshots({ tags: ['warm'], at: 200 }, { tags: [], at: 300 });
    expect(mergeGhlSnapshot(s, folded.tags, folded.at, folded.runs)).toEqual({ add: [], remove: [] });
    expect(contactTags(s, ['warm'], 250)).toEqual([]);
    expect(mergeGhlSnapshot(s, ['warm'], 250)).toEqual({ add: [], remove: [] });
    expect(heldTags(s)).toEqual([]);
    // A partner add made after GHL's remove still counts.
    expect(mergePartnerOp(s, 'tag_add', ['warm'], 400)).toEqual(['warm']);
    // Kept with the stored state.
    expect(readTagState(JSON.parse(JSON.stringify(s))).ghlShownAt).toBe(300);
  });

  it('GHL’s report of a tag change handled after a later report still dates the change', () => {
    const s = readTagState([], 0);
    mergeGhlSnapshot(s, ['delta', 'lead'], 300);
    expect(mergeGhlSnapshot(s, ['delta'], 100)).toEqual({ add: [], remove: [] });
    expect(s.tags.delta).toMatchObject({ on: true, at: 100 });
    expect(s.tags.lead).toMatchObject({ on: true, at: 300, against: 100 });
    expect(mergePartnerOp(s, 'tag_remove', ['delta'], 200)).toEqual(['delta']);
    expect(mergePartnerOp(s, 'tag_remove', ['lead'], 200)).toEqual([]);
  });

  it('a value GHL has shown since before a newer partner change is not news (that change is on its way to GHL)', () => {
    const s = readTagState([], 0);
    mergePartnerOp(s, 'tag_add', ['vip'], 200);
    const runs = { vip: { from: 100 } };
    expect(mergeGhlSnapshot(s, [], 300, runs)).toEqual({ add: [], remove: [] });
    expect(s.tags.vip).toMatchObject({ on: true, at: 200 });
    expect(contactTags(s, [], 300, runs)).toEqual(['vip']);
  });

  it('a person’s change in GHL moments after our write of the tag landed counts', () => {
    const s = readTagState([], 0);
    expect(mergePartnerOp(s, 'tag_add', ['cold'], 100)).toEqual(['cold']);
    recordGhlWrite(s, 950, 1000, { add: ['cold'], remove: [] });
    expect(mergeGhlSnapshot(s, [], 1000)).toEqual({ add: [], remove: [] });
    expect(mergeGhlSnapshot(s, [], 1026)).toEqual({ add: [], remove: ['cold'] });
  });

  // chaos seed 5: the partner added warm, then removed it (that event came late); meanwhile a
  // person added warm in GHL, before our write of the partner's add reached GHL.
  it('GHL’s own add of a tag the partner had added, made before our write of it, outlives the partner’s older remove', () => {
    const s = readTagState([], 0);
    expect(mergePartnerOp(s, 'tag_add', ['warm'], 100)).toEqual(['warm']);
    // GHL's reports: without warm at 150, with it at 200 (the person's add), waiting together.
    const folded = foldSnapshots({ tags: [], at: 150 }, { tags: ['warm'], at: 200 });
    // Our write of the partner's add ran 300–310, before that item's turn.
    recordGhlWrite(s, 300, 310, { add: ['warm'], remove: [] });
    expect(mergeGhlSnapshot(s, folded.tags, folded.at, folded.runs)).toEqual({ add: [], remove: [] });
    expect(s.tags.warm).toMatchObject({ on: true, at: 200, byGhl: true });
    // The partner's remove (made at 170) arrives last: older than GHL's add, so warm stays, and
    // the partner, which still shows its remove, gets warm back.
    const stale: string[] = [];
    expect(mergePartnerOp(s, 'tag_remove', ['warm'], 170, stale)).toEqual([]);
    expect(stale).toEqual(['warm']);
    expect(heldTags(s)).toEqual(['warm']);
  });

  it('the same race with GHL’s two reports handled one by one, in order', () => {
    const s = readTagState([], 0);
    mergePartnerOp(s, 'tag_add', ['warm'], 100);
    recordGhlWrite(s, 300, 310, { add: ['warm'], remove: [] });
    expect(mergeGhlSnapshot(s, [], 150)).toEqual({ add: [], remove: [] });
    expect(mergeGhlSnapshot(s, ['warm'], 200)).toEqual({ add: [], remove: [] });
    const stale: string[] = [];
    expect(mergePartnerOp(s, 'tag_remove', ['warm'], 170, stale)).toEqual([]);
    expect(stale).toEqual(['warm']);
    expect(heldTags(s)).toEqual(['warm']);
  });

  it('GHL showing a tag only once our write of it began is our write, not a change of GHL’s', () => {
    const s = readTagState([], 0);
    mergePartnerOp(s, 'tag_add', ['warm'], 100);
    recordGhlWrite(s, 300, 310, { add: ['warm'], remove: [] });
    const folded = foldSnapshots({ tags: [], at: 150 }, { tags: ['warm'], at: 305 });
    expect(mergeGhlSnapshot(s, folded.tags, folded.at, folded.runs)).toEqual({ add: [], remove: [] });
    expect(s.tags.warm).toMatchObject({ on: true, at: 100 });
    // So the partner's remove, newer than its add, still wins.
    const stale: string[] = [];
    expect(mergePartnerOp(s, 'tag_remove', ['warm'], 170, stale)).toEqual(['warm']);
    expect(stale).toEqual([]);
    expect(heldTags(s)).toEqual([]);
  });

  it('GHL showing the other value only before the partner’s change is not enough to date GHL’s value after it', () => {
    const s = readTagState([], 0);
    mergePartnerOp(s, 'tag_add', ['warm'], 100);
    const folded = foldSnapshots({ tags: [], at: 50 }, { tags: ['warm'], at: 200 });
    mergeGhlSnapshot(s, folded.tags, folded.at, folded.runs);
    expect(s.tags.warm).toMatchObject({ on: true, at: 100 });
    expect(mergePartnerOp(s, 'tag_remove', ['warm'], 170)).toEqual(['warm']);
  });
});
