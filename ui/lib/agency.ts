/**
 * The agency console's data (worker/routes/api/agency-console.ts) and the pure parts of its
 * forms: what changed in the defaults, and which settings a bulk apply sets.
 */
import {
  KINDS,
  type ConflictPolicy,
  type Direction,
  type Kind,
  type SettingsPatch,
  type SyncSettings,
} from './settings.ts';
// The wire shape of a sub-account row, from the worker's one pure module that builds it.
import type { AgencyLocation, AgencyLocationStatus } from '../../worker/routes/api/agency-view.ts';

export type { AgencyLocation, AgencyLocationStatus };

export interface AgencyLocationPage {
  locations: AgencyLocation[];
  total: number;
  counts: Record<AgencyLocationStatus, number>;
  nextCursor: string | null;
  directory: { source: 'ghl' | 'installs'; fetchedAt: string | null; error: string | null };
}

export interface AgencyDefaults extends SyncSettings {
  defaults: SettingsPatch;
  updatedAt: string | null;
  updatedBy: string | null;
}

export type ApplyStatus = 'applied' | 'unchanged' | 'not_found' | 'failed';

export interface ApplyAnswer {
  results: { locationId: string; status: ApplyStatus; message?: string }[];
  summary: { applied: number; unchanged: number; notFound: number; failed: number };
}

export const STATUS_LABEL: Record<AgencyLocationStatus, string> = {
  active: 'Active',
  reconnect_needed: 'Reconnect needed',
  pending: 'Connecting',
  not_installed: 'Not installed',
};

/** The settings of `after` that differ from `before`: a defaults save changes only what was edited. */
export function changedSettings(before: SyncSettings, after: SyncSettings): SettingsPatch {
  const out: SettingsPatch = {};
  const kinds: Partial<Record<Kind, Partial<SyncSettings['kinds'][Kind]>>> = {};
  for (const k of KINDS) {
    const change: Partial<SyncSettings['kinds'][Kind]> = {};
    if (after.kinds[k].enabled !== before.kinds[k].enabled) change.enabled = after.kinds[k].enabled;
    if (after.kinds[k].direction !== before.kinds[k].direction) change.direction = after.kinds[k].direction;
    if (Object.keys(change).length) kinds[k] = change;
  }
  if (Object.keys(kinds).length) out.kinds = kinds as SyncSettings['kinds'];
  if (after.conflictPolicy !== before.conflictPolicy) out.conflictPolicy = after.conflictPolicy;
  if (after.dryRun !== before.dryRun) out.dryRun = after.dryRun;
  return out;
}

/** The bulk-apply form: '' leaves a setting as each sub-account has it. */
export interface ApplyChoices {
  conflictPolicy: ConflictPolicy | '';
  dryRun: '' | 'on' | 'off';
  enabled: Record<Kind, '' | 'on' | 'off'>;
  direction: Record<Kind, Direction | ''>;
}

export const noChoices = (): ApplyChoices => ({
  conflictPolicy: '',
  dryRun: '',
  enabled: Object.fromEntries(KINDS.map((k) => [k, ''])) as ApplyChoices['enabled'],
  direction: Object.fromEntries(KINDS.map((k) => [k, ''])) as ApplyChoices['direction'],
});

/** The settings a bulk apply sets: only the ones chosen. */
export function applyPatch(choices: ApplyChoices): SettingsPatch {
  const out: SettingsPatch = {};
  const kinds: Partial<Record<Kind, { enabled?: boolean; direction?: Direction }>> = {};
  for (const k of KINDS) {
    const change: { enabled?: boolean; direction?: Direction } = {};
    if (choices.enabled[k]) change.enabled = choices.enabled[k] === 'on';
    if (choices.direction[k]) change.direction = choices.direction[k] as Direction;
    if (Object.keys(change).length) kinds[k] = change;
  }
  if (Object.keys(kinds).length) out.kinds = kinds as SyncSettings['kinds'];
  if (choices.conflictPolicy) out.conflictPolicy = choices.conflictPolicy;
  if (choices.dryRun) out.dryRun = choices.dryRun === 'on';
  return out;
}

/** One line for a bulk apply's outcome. */
export function applySummary({ summary }: ApplyAnswer): string {
  const parts = [`Applied to ${summary.applied}`];
  if (summary.unchanged) parts.push(`${summary.unchanged} already had these settings`);
  if (summary.notFound) parts.push(`${summary.notFound} not found`);
  if (summary.failed) parts.push(`${summary.failed} failed (apply again to retry)`);
  return `${parts.join(', ')}.`;
}
