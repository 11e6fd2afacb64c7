import type { Connector, FieldMapOverrides } from './types.ts';

/**
 * Which field paths a partner has, so a field map cannot point at a field that does not exist
 * there. `name.*` allows any path below `name` (a partner's own custom fields). A connector
 * without a list (your app: its contract lets the partner name its fields) takes any path.
 */

type MapKind = keyof FieldMapOverrides;
const KINDS: readonly MapKind[] = ['contact', 'appointment', 'note', 'task'];

function has(list: readonly string[], path: string): boolean {
  return list.some((p) =>
    p.endsWith('.*') ? path.startsWith(p.slice(0, -1)) && path.length > p.length - 1 : p === path,
  );
}

/** The kinds a mapping key applies to: `contact.phone` one kind, a bare `phone` every kind whose default has it. */
function kindsOf(connector: Connector, key: string): MapKind[] {
  const dot = key.indexOf('.');
  const prefix = dot > 0 ? key.slice(0, dot) : '';
  if ((KINDS as readonly string[]).includes(prefix)) return [prefix as MapKind];
  return KINDS.filter((k) => Object.hasOwn(connector.defaultFieldMaps[k] ?? {}, key));
}

/** Why `path` is not a field of the partner for mapping `key`, or null when it is. */
export function unknownPartnerField(connector: Connector, key: string, path: string): string | null {
  const fields = connector.partnerFields;
  if (!fields || path === '') return null;
  const kinds = kindsOf(connector, key).filter((k) => fields[k]);
  if (!kinds.length || kinds.some((k) => has(fields[k]!, path))) return null;
  const known = kinds.flatMap((k) => fields[k]!);
  return `${connector.label} has no field "${path.slice(0, 80)}" for ${key.slice(0, 80)}; it has ${[...new Set(known)].join(', ')}.`;
}

/** The first field of location overrides (`fieldMapping` of /api/settings) a partner does not have, as a message. */
export function fieldMappingError(
  connectorFor: (kind: string) => Connector | undefined,
  mapping: Record<string, Record<string, string | null>>,
): string | null {
  for (const [kind, fields] of Object.entries(mapping)) {
    const connector = connectorFor(kind);
    if (!connector) continue;
    for (const [key, path] of Object.entries(fields)) {
      const why = path === null ? null : unknownPartnerField(connector, key, path);
      if (why) return why;
    }
  }
  return null;
}

/** The same for one connection's own `settings.fieldMap` (keyed by kind, then common field). */
export function connectionFieldMapError(
  connector: Connector,
  fieldMap: FieldMapOverrides | undefined,
): string | null {
  for (const [kind, fields] of Object.entries(fieldMap ?? {})) {
    for (const [field, path] of Object.entries(fields ?? {})) {
      const why = unknownPartnerField(connector, `${kind}.${field}`, path);
      if (why) return why;
    }
  }
  return null;
}
