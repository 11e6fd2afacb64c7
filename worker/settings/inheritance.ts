import { SYNC_KINDS, type SettingsPatch } from './model.ts';

/**
 * Where each setting in force comes from. A location's stored settings are partial: every
 * setting it has not set itself follows its agency's defaults, and what the agency has not set
 * follows the built-in defaults (model.ts `resolveSettings`). This names that layering per field.
 */
export type SettingSource = 'location' | 'agency' | 'default';

/** The setting paths a stored patch sets itself, e.g. `kinds.tasks.enabled`, `conflictPolicy`, `scope`. */
export function pathsSet(patch: SettingsPatch | null): string[] {
  if (!patch) return [];
  const out: string[] = [];
  for (const kind of SYNC_KINDS) {
    const k = patch.kinds?.[kind];
    if (k?.enabled !== undefined) out.push(`kinds.${kind}.enabled`);
    if (k?.direction !== undefined) out.push(`kinds.${kind}.direction`);
  }
  if (patch.conflictPolicy !== undefined) out.push('conflictPolicy');
  if (patch.dryRun !== undefined) out.push('dryRun');
  for (const [connector, fields] of Object.entries(patch.fieldMapping ?? {}))
    for (const field of Object.keys(fields)) out.push(`fieldMapping.${connector}.${field}`);
  if (patch.connections !== undefined) out.push('connections');
  if (patch.scope !== undefined) out.push('scope');
  return out;
}

/** Every setting either layer sets, with the layer it is taken from (the location's beats the agency's). */
export function settingSources(
  agency: SettingsPatch | null,
  location: SettingsPatch | null,
): Record<string, SettingSource> {
  const out: Record<string, SettingSource> = {};
  for (const path of pathsSet(agency)) out[path] = 'agency';
  for (const path of pathsSet(location)) out[path] = 'location';
  return out;
}

/** Where one setting path comes from. */
export function sourceOf(
  path: string,
  agency: SettingsPatch | null,
  location: SettingsPatch | null,
): SettingSource {
  return settingSources(agency, location)[path] ?? 'default';
}
