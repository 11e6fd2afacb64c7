import { describe, expect, it } from 'vitest';
import { changeFromEvent } from '../../worker/timeline/events.ts';
import {
  normalizeTime,
  orderTimeline,
  toTimelineItem,
  type CachedItem,
} from '../../worker/timeline/merge.ts';

const note = (id: string, dateAdded: string, extra = {}): CachedItem => ({
  kind: 'note',
  id,
  source: 'ghl',
  raw: { id, body: `note ${id}`, dateAdded, ...extra },
});
const task = (id: string, dueDate: string | undefined, completed = false): CachedItem => ({
  kind: 'task',
  id,
  source: 'ghl',
  raw: { id, title: `task ${id}`, dueDate, completed, dateAdded: '2026-01-01T00:00:00.000Z' },
});
const appt = (id: string, startTime: string): CachedItem => ({
  kind: 'appointment',
  id,
  source: 'partner',
  raw: { id, title: 'Demo', startTime, appointmentStatus: 'confirmed', notes: 'bring slides' },
});

describe('normalizeTime', () => {
  it('reads ISO strings, epoch millis and GHL’s zone-less appointment times (as UTC)', () => {
    expect(normalizeTime('2026-03-01T10:00:00+02:00')).toBe('2026-03-01T08:00:00.000Z');
    expect(normalizeTime(Date.UTC(2026, 0, 2))).toBe('2026-01-02T00:00:00.000Z');
    expect(normalizeTime('2021-07-16 11:00:00')).toBe('2021-07-16T11:00:00.000Z');
    expect(normalizeTime('not a date')).toBeNull();
    expect(normalizeTime(undefined)).toBeNull();
  });
});

describe('toTimelineItem', () => {
  it('maps notes, tasks and appointments to one item shape', () => {
    expect(toTimelineItem(note('n1', '2026-01-05T00:00:00Z', { title: 'T', pinned: true }))).toMatchObject({
      kind: 'note',
      at: '2026-01-05T00:00:00.000Z',
      title: 'T',
      body: 'note n1',
      status: 'pinned',
      source: 'ghl',
    });
    expect(toTimelineItem(task('t1', '2026-02-01T00:00:00Z', true))).toMatchObject({
      kind: 'task',
      at: '2026-02-01T00:00:00.000Z',
      status: 'completed',
    });
    expect(toTimelineItem(task('t2', undefined)).at).toBe('2026-01-01T00:00:00.000Z');
    expect(toTimelineItem(appt('a1', '2026-01-10 09:30:00'))).toMatchObject({
      kind: 'appointment',
      at: '2026-01-10T09:30:00.000Z',
      body: 'bring slides',
      status: 'confirmed',
      source: 'partner',
    });
  });
});

describe('orderTimeline', () => {
  const items = [
    note('n-old', '2026-01-01T00:00:00Z'),
    task('t-late', '2026-03-01T00:00:00Z'),
    task('t-soon', '2026-02-01T00:00:00Z'),
    task('t-done', '2026-04-01T00:00:00Z', true),
    appt('a', '2026-02-15T00:00:00Z'),
    note('n-undated', 'garbage'),
  ].map(toTimelineItem);

  it('puts the newest first and undated entries last', () => {
    expect(orderTimeline(items).map((i) => i.id)).toEqual([
      't-done',
      't-late',
      'a',
      't-soon',
      'n-old',
      'n-undated',
    ]);
  });

  it('puts pending tasks first by due date with pending-first', () => {
    expect(orderTimeline(items, 'pending-first').map((i) => i.id)).toEqual([
      't-soon',
      't-late',
      't-done',
      'a',
      'n-old',
      'n-undated',
    ]);
  });
});

describe('changeFromEvent', () => {
  const env = {
    webhookId: 'w',
    timestamp: '2026-01-01T00:00:00Z',
    locationId: 'L1',
    appId: 'app',
    versionId: 'v',
  };

  it('marks a TaskCreate without body as thin and drops the envelope', () => {
    expect(changeFromEvent({ ...env, type: 'TaskCreate', id: 't1', title: 'Call' }, 'L1', 'C1')).toEqual({
      op: 'upsert',
      kind: 'task',
      thin: true,
      item: { id: 't1', title: 'Call', contactId: 'C1' },
    });
  });

  it('sets completed on TaskComplete, which the payload does not say', () => {
    const change = changeFromEvent(
      { ...env, type: 'TaskComplete', id: 't1', body: 'b', contactId: 'C1' },
      'L1',
      'C1',
    );
    expect(change).toMatchObject({ op: 'upsert', thin: false, item: { completed: true } });
  });

  it('maps deletes, appointments and contact events', () => {
    expect(changeFromEvent({ ...env, type: 'NoteDelete', id: 'n1' }, 'L1', 'C1')).toEqual({
      op: 'delete',
      kind: 'note',
      id: 'n1',
    });
    expect(
      changeFromEvent({ ...env, type: 'AppointmentDelete', appointment: { id: 'a1' } }, 'L1', 'C1'),
    ).toEqual({ op: 'delete', kind: 'appointment', id: 'a1' });
    expect(
      changeFromEvent(
        { ...env, type: 'AppointmentCreate', appointment: { id: 'a1', title: 'x' } },
        'L1',
        'C1',
      ),
    ).toMatchObject({
      op: 'upsert',
      kind: 'appointment',
      item: { id: 'a1', locationId: 'L1', contactId: 'C1' },
    });
    expect(
      changeFromEvent({ ...env, type: 'ContactUpdate', id: 'C1', email: 'e@x.com' }, 'L1', 'C1'),
    ).toEqual({ op: 'contact', contact: { id: 'C1', email: 'e@x.com', locationId: 'L1' } });
    expect(changeFromEvent({ ...env, type: 'ContactDelete', id: 'C1' }, 'L1', 'C1')).toEqual({
      op: 'contact_deleted',
      id: 'C1',
    });
    expect(changeFromEvent({ ...env, type: 'AppointmentCreate' }, 'L1', 'C1')).toBeNull();
  });
});
