import { describe, expect, it } from 'vitest';
import { applyPatch, applySummary, changedSettings, noChoices } from '../../ui/lib/agency.ts';
import type { SyncSettings } from '../../ui/lib/settings.ts';

const base = (): SyncSettings => ({
  kinds: {
    contacts: { enabled: true, direction: 'both' },
    tasks: { enabled: true, direction: 'both' },
    notes: { enabled: true, direction: 'both' },
    appointments: { enabled: true, direction: 'both' },
    tags: { enabled: true, direction: 'both' },
  },
  conflictPolicy: 'newest_wins',
  dryRun: false,
});

describe('agency console forms', () => {
  it('saves only the defaults that were edited', () => {
    expect(changedSettings(base(), base())).toEqual({});
    const after = base();
    after.kinds.tags = { enabled: false, direction: 'both' };
    after.conflictPolicy = 'ghl_wins';
    expect(changedSettings(base(), after)).toEqual({
      kinds: { tags: { enabled: false } },
      conflictPolicy: 'ghl_wins',
    });
  });

  it('applies only the settings chosen; "leave as is" sends nothing', () => {
    expect(applyPatch(noChoices())).toEqual({});
    const choices = noChoices();
    choices.dryRun = 'off';
    choices.enabled.notes = 'on';
    choices.direction.notes = 'partner_to_ghl';
    expect(applyPatch(choices)).toEqual({
      dryRun: false,
      kinds: { notes: { enabled: true, direction: 'partner_to_ghl' } },
    });
  });

  it('sums up a bulk apply in one line', () => {
    const answer = (applied: number, unchanged: number, notFound: number, failed: number) => ({
      results: [],
      summary: { applied, unchanged, notFound, failed },
    });
    expect(applySummary(answer(2, 0, 0, 0))).toBe('Applied to 2.');
    expect(applySummary(answer(0, 1, 1, 1))).toBe(
      'Applied to 0, 1 already had these settings, 1 not found, 1 failed (apply again to retry).',
    );
  });
});
