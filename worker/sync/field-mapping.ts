/**
 * The location's field-mapping overrides (panel settings, `fieldMapping[connectorKind]`) folded
 * into a connection's own. A key `contact.phone` targets one object kind; a bare key `phone`
 * applies to every kind whose default map has that common field. Pure.
 */
import type { ConnectionSettings, FieldMapOverrides, SyncKind } from '../connectors/types.ts';

type MapKind = Exclude<SyncKind, 'tag'>;
const KINDS: readonly MapKind[] = ['contact', 'appointment', 'note', 'task'];

export function withLocationMapping(
  settings: ConnectionSettings,
  defaults: FieldMapOverrides,
  flat: Record<string, string> | undefined,
): ConnectionSettings {
  if (!flat || !Object.keys(flat).length) return settings;
  const fieldMap: FieldMapOverrides = { ...settings.fieldMap };
  for (const [key, partnerField] of Object.entries(flat)) {
    const dot = key.indexOf('.');
    const prefix = dot > 0 ? key.slice(0, dot) : '';
    const targeted = (KINDS as readonly string[]).includes(prefix);
    const kinds: MapKind[] = targeted
      ? [prefix as MapKind]
      : KINDS.filter((k) => defaults[k] && key in defaults[k]!);
    const field = targeted ? key.slice(dot + 1) : key;
    for (const kind of kinds) fieldMap[kind] = { ...fieldMap[kind], [field]: partnerField };
  }
  return { ...settings, fieldMap };
}
