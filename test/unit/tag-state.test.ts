import { describe, expect, it } from 'vitest';
import { contactTags, heldTags, mergeGhlSnapshot, mergePartnerOp, readTagState, recordGhlWrite, restate } from '../../worker/sync/tag-state.ts';

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
    recordGhlWrite(s, 1100, { add: [], remove: ['cold'] });
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
    recordGhlWrite(s, 1000, { add: ['lead'], remove: [] });
    expect(contactTags(s, [], 990)).toEqual(['lead']);
  });

  it('restating writes each tag’s current value', () => {
    const s = readTagState(['vip'], 0);
    mergePartnerOp(s, 'tag_remove', ['lead'], 10);
    expect(restate(s, ['vip', 'lead', 'unknown'])).toEqual({ add: ['vip'], remove: ['lead', 'unknown'] });
  });
});
