import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash, type Route } from '../../ui/lib/route.ts';
import { readSettings } from '../../ui/lib/settings.ts';
import { filterItems, freshnessAt, isCompleted, noteItem, sortItems, taskItem, withCompleted } from '../../ui/lib/timeline.ts';
import type { TimelineItem } from '../../ui/lib/types.ts';

describe('routes', () => {
  it('round-trips every route through the hash', () => {
    const routes: Route[] = [
      { page: 'contacts' },
      { page: 'contacts', contactId: 'abc/1 2' },
      { page: 'log' },
      { page: 'log', contactId: 'c1' },
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
  // The worker's GET: merged settings, flat, plus who may edit them.
  const answer = {
    kinds: { contacts: { enabled: true, direction: 'both' }, tasks: { enabled: false, direction: 'ghl_to_partner' } },
    conflictPolicy: 'ghl_wins',
    dryRun: true,
    fieldMapping: { calcom: { phone: 'attendees.0.phoneNumber' } },
    connections: [{ id: 'k1', enabled: true }],
    updatedAt: '2026-01-01T00:00:00Z',
    updatedBy: 'u1',
    canEdit: false,
  };

  it('reads kinds, policy, dry run, connections and canEdit, with defaults for missing kinds', () => {
    const view = readSettings(answer);
    expect(view.settings.kinds.tasks).toEqual({ enabled: false, direction: 'ghl_to_partner' });
    expect(view.settings.kinds.tags).toEqual({ enabled: true, direction: 'both' });
    expect(view.settings.conflictPolicy).toBe('ghl_wins');
    expect(view.settings.dryRun).toBe(true);
    expect(view.settings.connections).toEqual([{ id: 'k1', name: 'k1', enabled: true }]);
    expect(view.canEdit).toBe(false);
  });

  it('PUTs only what the panel edits (the worker takes a strict patch)', () => {
    const view = readSettings(answer);
    const s = view.settings;
    const body = view.toBody({
      ...s,
      dryRun: false,
      kinds: { ...s.kinds, tasks: { enabled: true, direction: 'both' } },
      connections: [{ id: 'k1', name: 'k1', enabled: false }],
    });
    expect(body).toEqual({
      kinds: {
        contacts: { enabled: true, direction: 'both' },
        tasks: { enabled: true, direction: 'both' },
        notes: { enabled: true, direction: 'both' },
        appointments: { enabled: true, direction: 'both' },
        tags: { enabled: true, direction: 'both' },
      },
      conflictPolicy: 'ghl_wins',
      dryRun: false,
      connections: [{ id: 'k1', enabled: false }],
    });
  });

  it('reads wrapped settings with boolean kinds and health-only connections', () => {
    const view = readSettings({
      settings: { contacts: false, notes: { enabled: true, direction: 'nonsense' }, conflictPolicy: 'x' },
      connections: [{ connectionId: 'c9', lastEventAt: 5, backlog: 2 }],
    });
    expect(view.settings.kinds.contacts.enabled).toBe(false);
    expect(view.settings.kinds.notes.direction).toBe('both');
    expect(view.settings.conflictPolicy).toBe('newest_wins');
    expect(view.settings.connections).toEqual([{ id: 'c9', name: 'c9', lastEventAt: 5, backlog: 2 }]);
    const body = view.toBody(view.settings) as { settings: Record<string, unknown> };
    expect(body.settings.contacts).toEqual({ enabled: false, direction: 'both' });
    expect(body.settings).not.toHaveProperty('connections');
  });
});

describe('timeline helpers', () => {
  const task: TimelineItem = { kind: 'task', id: 't1', at: '2026-01-10T00:00:00.000Z', title: 'Call', status: 'pending', source: 'ghl', raw: { completed: false } };
  const note: TimelineItem = { kind: 'note', id: 'n1', at: '2026-01-12T00:00:00.000Z', body: 'hi', source: 'ghl' };
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
    expect(noteItem({ id: 'n2', body: 'b', dateAdded: '2026-01-01T00:00:00Z' })).toMatchObject({ kind: 'note', id: 'n2', body: 'b', at: '2026-01-01T00:00:00Z' });
    expect(taskItem({ id: 't2', title: 'x', dueDate: '2026-02-01T00:00:00Z', completed: true })).toMatchObject({ at: '2026-02-01T00:00:00Z', status: 'completed' });
  });

  it('takes the latest freshness time', () => {
    expect(freshnessAt({ cachedAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-02T00:00:00Z', source: 'cache' })?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(freshnessAt({ cachedAt: null, updatedAt: null })).toBeNull();
    expect(freshnessAt(1_768_471_200_000)?.toISOString()).toBe('2026-01-15T10:00:00.000Z');
  });
});
