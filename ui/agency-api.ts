/** The `/api/agency/*` calls of the agency console, loaded with its chunk (lib/lazy.ts). */
import { request } from './api.ts';
import type { AgencyDefaults, AgencyLocationPage, ApplyAnswer } from './lib/agency.ts';
import type { SettingsPatch } from './lib/settings.ts';

export const listAgencyLocations = (cursor: string | null, refresh = false) => {
  const q = new URLSearchParams({ limit: '25' });
  if (cursor) q.set('cursor', cursor);
  if (refresh) q.set('refresh', '1');
  return request<AgencyLocationPage>('GET', `/api/agency/locations?${q}`);
};
export const getAgencyDefaults = () => request<AgencyDefaults>('GET', '/api/agency/defaults');
export const putAgencyDefaults = (patch: SettingsPatch) =>
  request<AgencyDefaults>('PUT', '/api/agency/defaults', patch);
/** The key makes a retry of the same apply (a lost answer) safe: the worker answers it once. */
export const applyToLocations = (locationIds: string[], settings: SettingsPatch, key: string) =>
  request<ApplyAnswer>('POST', '/api/agency/settings/apply', { locationIds, settings }, true, {
    'Idempotency-Key': key,
  });
