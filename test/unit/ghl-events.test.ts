import { describe, expect, it } from 'vitest';
import { changesFromGhlEvent } from '../../worker/sync/ghl-events.ts';
import type { GhlEvent } from '../../worker/webhooks/events.ts';

const base = { locationId: 'loc1', webhookId: 'w1', timestamp: '2026-11-23T10:00:30.000Z' };

describe('GHL events as sync changes: when the change was made', () => {
  it('an update is dated by its dateUpdated', () => {
    const event = {
      ...base,
      type: 'NoteUpdate',
      id: 'n1',
      contactId: 'c1',
      body: 'x',
      dateAdded: '2026-11-20T09:00:00.000Z',
      dateUpdated: '2026-11-23T10:00:01.000Z',
    } as unknown as GhlEvent;
    expect(changesFromGhlEvent(event)[0]!.changedAt).toBe(Date.parse('2026-11-23T10:00:01.000Z'));
  });

  it('a create without dateUpdated is dated by its dateAdded, not by its (late) delivery', () => {
    const event = {
      ...base,
      type: 'TaskCreate',
      id: 't1',
      contactId: 'c1',
      title: 'Call',
      body: 'b',
      dueDate: '2026-12-01T17:00:00.000Z',
      dateAdded: '2026-11-23T10:00:02.000Z',
    } as unknown as GhlEvent;
    expect(changesFromGhlEvent(event)[0]!.changedAt).toBe(Date.parse('2026-11-23T10:00:02.000Z'));
  });

  it('an update without dateUpdated falls back to the delivery time, never to its creation', () => {
    const event = {
      ...base,
      type: 'NoteUpdate',
      id: 'n1',
      contactId: 'c1',
      body: 'x',
      dateAdded: '2026-11-20T09:00:00.000Z',
    } as unknown as GhlEvent;
    expect(changesFromGhlEvent(event)[0]!.changedAt).toBe(Date.parse(base.timestamp));
  });
});
