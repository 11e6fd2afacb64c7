/** The `/api/*` calls only the settings screen makes, so they load with its chunk (lib/lazy.ts). */
import { enc, request } from './api.ts';
import type {
  Backfill,
  CheckOutcome,
  ConnectionPatch,
  Created,
  NewConnection,
  PartnerConnection,
} from './lib/connections.ts';
import type { FrameDomains } from './lib/frame-domains.ts';
import type { SettingsAnswer, SettingsPatch } from './lib/settings.ts';

const connPath = (id: string) => `/api/connections/${enc(id)}`;

export const getSettings = () => request<SettingsAnswer>('GET', '/api/settings');
export const putSettings = (patch: SettingsPatch) => request<SettingsAnswer>('PUT', '/api/settings', patch);

export const createConnection = (body: NewConnection) => request<Created>('POST', '/api/connections', body);
export const updateConnection = (id: string, patch: ConnectionPatch) =>
  request<{ connection: PartnerConnection }>('PATCH', connPath(id), patch).then((r) => r.connection);
export const deleteConnection = (id: string) => request<unknown>('DELETE', connPath(id));
export const getBackfill = (id: string) =>
  request<{ backfill: Backfill | null }>('GET', `${connPath(id)}/backfill`).then((r) => r.backfill);
export const startBackfill = (id: string, dryRun: boolean, history = false) =>
  request<{ backfill: Backfill | null }>('POST', `${connPath(id)}/backfill`, { dryRun, history }).then(
    (r) => r.backfill,
  );
export const cancelBackfill = (id: string) =>
  request<{ backfill: Backfill | null }>('DELETE', `${connPath(id)}/backfill`).then((r) => r.backfill);
export const testConnection = (id: string) =>
  request<{ check: CheckOutcome }>('POST', `${connPath(id)}/test`).then((r) => r.check);
export const sendTestEvent = (id: string) =>
  request<{ check: CheckOutcome }>('POST', `${connPath(id)}/test-event`).then((r) => r.check);
export const calcomSignInUrl = (body: { name?: string; settings?: Record<string, unknown> }) =>
  request<{ url: string }>('POST', '/api/connections/calcom/sign-in', body).then((r) => r.url);

export const getFrameDomains = () => request<FrameDomains>('GET', '/api/agency/frame-domains');
export const putFrameDomains = (domains: string[]) =>
  request<FrameDomains>('PUT', '/api/agency/frame-domains', { domains });
