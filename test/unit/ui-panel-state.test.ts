import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash, type Route } from '../../ui/lib/route.ts';
import { editable, type SettingsAnswer } from '../../ui/lib/settings.ts';
import {
  filterItems,
  freshnessAt,
  isCompleted,
  noteItem,
  sortItems,
  taskItem,
  withCompleted,
} from '../../ui/lib/timeline.ts';
import type { TimelineItem } from '../../ui/lib/types.ts';

describe('routes', () => {
  it('round-trips every route through the hash', () => {
    const routes: Route[] = [
      { page: 'contacts' },
      { page: 'contacts', contactId: 'abc/1 2' },
      { page: 'sync-log' },
      { page: 'sync-log', contactId: 'c1' },
      { page: 'settings' },
    ];
    for (const r of routes) expect(parseRoute(routeHash(r))).toEqual(r);
  });

  it('sends unknown hashes to the contact list', () => {
    expect(parseRoute('')).toEqual({ page: 'contacts' });
    expect(parseRoute('#/nope')).toEqual({ page: 'contacts' });
  });
});

describe('settings', () => {
  // The worker's GET and PUT answer: the settings in force, flat, plus who may edit them.
  const answer: SettingsAnswer = {
    kinds: {
      contacts: { enabled: true, direction: 'both' },
      tasks: { enabled: false, direction: 'ghl_to_partner' },
      notes: { enabled: true, direction: 'both' },
      appointments: { enabled: true, direction: 'partner_to_ghl' },
      tags: { enabled: true, direction: 'both' },
    },
    conflictPolicy: 'ghl_wins',
    dryRun: true,
    fieldMapping: { calcom: { phone: 'attendees.0.phoneNumber' } },
    canEdit: false,
  };

  it('edits, and so PUTs, only kinds, conflict policy and dry run (the worker takes a strict patch)', () => {
    const stored = {
      ...answer,
      connections: [{ id: 'k1', enabled: true }],
      updatedAt: '2026-01-01T00:00:00Z',
      updatedBy: 'u1',
    };
    expect(editable(stored)).toEqual({ kinds: answer.kinds, conflictPolicy: 'ghl_wins', dryRun: true });
  });
});

describe('timeline helpers', () => {
  const task: TimelineItem = {
    kind: 'task',
    id: 't1',
    at: '2026-01-10T00:00:00.000Z',
    title: 'Call',
    status: 'pending',
    source: 'ghl',
    raw: { completed: false },
  };
  const note: TimelineItem = {
    kind: 'note',
    id: 'n1',
    at: '2026-01-12T00:00:00.000Z',
    body: 'hi',
    source: 'ghl',
  };
  const appt: TimelineItem = { kind: 'appointment', id: 'a1', at: null, source: 'partner' };

  it('filters by kind and sorts newest first with undated items last', () => {
    expect(filterItems([task, note, appt], 'tasks')).toEqual([task]);
    expect(filterItems([task, note, appt], 'all')).toHaveLength(3);
    expect(sortItems([appt, task, note]).map((i) => i.id)).toEqual(['n1', 't1', 'a1']);
  });

  it('flips completion on status and raw together', () => {
    const done = withCompleted(task, true);
    expect(isCompleted(done)).toBe(true);
    expect(done.status).toBe('completed');
    expect(isCompleted(withCompleted(done, false))).toBe(false);
  });

  it('builds items from GHL answers', () => {
    expect(noteItem({ id: 'n2', body: 'b', dateAdded: '2026-01-01T00:00:00Z' })).toMatchObject({
      kind: 'note',
      id: 'n2',
      body: 'b',
      at: '2026-01-01T00:00:00Z',
    });
    expect(
      taskItem({ id: 't2', title: 'x', dueDate: '2026-02-01T00:00:00Z', completed: true }),
    ).toMatchObject({ at: '2026-02-01T00:00:00Z', status: 'completed' });
  });

  it('takes the latest freshness time', () => {
    expect(
      freshnessAt({
        cachedAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-02T00:00:00Z',
        source: 'cache',
        ghlCalls: 0,
      }),
    ).toBe(Date.parse('2026-01-02T00:00:00Z'));
    expect(
      freshnessAt({ cachedAt: '2026-01-03T00:00:00Z', updatedAt: null, source: 'ghl', ghlCalls: 3 }),
    ).toBe(Date.parse('2026-01-03T00:00:00Z'));
    expect(freshnessAt({ cachedAt: null, updatedAt: null, source: 'cache', ghlCalls: 0 })).toBeNull();
  });
});
