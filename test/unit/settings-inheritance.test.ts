import { describe, expect, it } from 'vitest';
import { pathsSet, settingSources, sourceOf } from '../../worker/settings/inheritance.ts';
import { resolveSettings } from '../../worker/settings/model.ts';

describe('settings inheritance: location, then agency, then built-in', () => {
  const agency = {
    conflictPolicy: 'ghl_wins' as const,
    kinds: { tags: { enabled: false } },
    fieldMapping: { calcom: { phone: 'attendee.phone' } },
  };
  const location = {
    conflictPolicy: 'partner_wins' as const,
    kinds: { tags: { direction: 'ghl_to_partner' as const } },
  };

  it('names the paths a stored patch sets itself', () => {
    expect(pathsSet(null)).toEqual([]);
    expect(pathsSet(agency)).toEqual(['kinds.tags.enabled', 'conflictPolicy', 'fieldMapping.calcom.phone']);
    expect(pathsSet({ scope: {}, dryRun: false })).toEqual(['dryRun', 'scope']);
  });

  it('takes each setting from the nearest layer that sets it', () => {
    expect(settingSources(agency, location)).toEqual({
      'kinds.tags.enabled': 'agency',
      'kinds.tags.direction': 'location',
      conflictPolicy: 'location',
      'fieldMapping.calcom.phone': 'agency',
    });
    expect(sourceOf('dryRun', agency, location)).toBe('default');
    expect(sourceOf('conflictPolicy', agency, null)).toBe('agency');
  });

  it('agrees with the settings in force', () => {
    const resolved = resolveSettings(agency, location);
    expect(resolved.conflictPolicy).toBe('partner_wins');
    expect(resolved.kinds.tags).toEqual({ enabled: false, direction: 'ghl_to_partner' });
    expect(resolved.fieldMapping).toEqual({ calcom: { phone: 'attendee.phone' } });
    expect(resolved.dryRun).toBe(false);
    // A location that sets nothing gets exactly the agency's defaults over the built-in ones.
    expect(resolveSettings(agency, null).conflictPolicy).toBe('ghl_wins');
    expect(resolveSettings(agency, {}).kinds.tags.enabled).toBe(false);
  });
});
