import { describe, expect, it } from 'vitest';
import { mergeKnown, statusOf, viewOf, type KnownLocation } from '../../worker/routes/api/agency-view.ts';

type DirectoryLocation = NonNullable<KnownLocation['directory']>;
type Install = NonNullable<KnownLocation['install']>;
type InstallStatus = 'active' | 'pending' | 'reconnect_needed' | 'uninstalled';

const dir = (id: string, installed: boolean, name = id): DirectoryLocation => ({
  id,
  name,
  address: '',
  installed,
});
const row = (id: string, status: InstallStatus, name: string | null = null): Install => ({
  resourceId: id,
  name,
  status,
  lastError: status === 'reconnect_needed' ? 'token refresh failed' : null,
});

describe('how the agency console sees a sub-account', () => {
  it('takes our tokens over an older copy of GHL’s list, and GHL’s list where we hold none', () => {
    const cases: [DirectoryLocation | undefined, Install | undefined, string][] = [
      [dir('a', true), row('a', 'active'), 'active'],
      [dir('a', false), row('a', 'active'), 'active'], // installed since GHL's list was read
      [dir('a', true), row('a', 'pending'), 'pending'],
      [dir('a', true), row('a', 'reconnect_needed'), 'reconnect_needed'],
      [undefined, row('a', 'reconnect_needed'), 'reconnect_needed'],
      [dir('a', false), row('a', 'reconnect_needed'), 'not_installed'], // GHL has it uninstalled
      [dir('a', true), row('a', 'uninstalled'), 'reconnect_needed'], // our UNINSTALL, GHL still has it
      [dir('a', true), undefined, 'reconnect_needed'], // never provisioned
      [dir('a', false), undefined, 'not_installed'],
      [undefined, row('a', 'uninstalled'), 'not_installed'],
    ];
    for (const [directory, install, status] of cases)
      expect(statusOf({ id: 'a', directory, install }), JSON.stringify([directory, install])).toBe(status);
  });

  it('merges both sources by id, ordered by name, and shows dead-token reasons only when reconnecting', () => {
    const known = mergeKnown(
      [dir('b', true, 'Bravo'), dir('a', false, 'Alpha')],
      [row('c', 'reconnect_needed', 'Charlie'), row('b', 'active')],
    );
    expect(known.map((k) => k.id)).toEqual(['a', 'b', 'c']);
    const views = known.map((k) => viewOf(k, null, []));
    expect(views.map((v) => [v.name, v.status, v.installed])).toEqual([
      ['Alpha', 'not_installed', false],
      ['Bravo', 'active', true],
      ['Charlie', 'reconnect_needed', true],
    ]);
    expect(views[2]!.lastError).toBe('token refresh failed');
    expect(views[0]!.backlog).toBeNull();
  });
});
