import { invalid } from '../errors.ts';
import { normalizeEmail, normalizePhone } from '../sync/fingerprint.ts';
import type { ConnectionSettings, FieldMap, FieldMapOverrides, SyncKind } from './types.ts';

/**
 * Pure field mapping between the common model and a partner's view of an object. A field map is
 * `{ [commonField]: partnerPath }`: dotted paths on both sides, where the common side may name a
 * GHL custom field as `customField.<id>`. Maps come from users, so paths are checked and never
 * walk into prototypes.
 */

const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);
const MAP_KINDS = ['contact', 'appointment', 'note', 'task'] as const;
const CUSTOM = 'customField.';

function segments(path: string): string[] | null {
  const parts = path.split('.');
  if (parts.length === 0 || parts.length > 8) return null;
  for (const p of parts) if (!SEGMENT.test(p) || FORBIDDEN.has(p)) return null;
  return parts;
}

/** Is `path` a safe dotted path (letters, digits, `_`, `-`; at most 8 segments)? */
export function isSafePath(path: string): boolean {
  return segments(path) !== null;
}

/** Reads a dotted path; anything unsafe or missing is undefined. */
export function getPath(obj: unknown, path: string): unknown {
  const parts = segments(path);
  if (!parts) return undefined;
  let at: unknown = obj;
  for (const p of parts) {
    if (!at || typeof at !== 'object' || !Object.hasOwn(at, p)) return undefined;
    at = (at as Record<string, unknown>)[p];
  }
  return at;
}

/** Writes a dotted path, creating plain objects on the way; unsafe paths are ignored. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = segments(path);
  if (!parts) return;
  let at: Record<string, unknown> = obj;
  for (const p of parts.slice(0, -1)) {
    const next = Object.hasOwn(at, p) ? at[p] : undefined;
    if (!next || typeof next !== 'object' || Array.isArray(next)) at[p] = {};
    at = at[p] as Record<string, unknown>;
  }
  at[parts[parts.length - 1]!] = value;
}

/** Defaults with overrides applied; an override of `''` removes that default. */
export function effectiveMap(defaults: FieldMap | undefined, overrides: FieldMap | undefined): FieldMap {
  const out: FieldMap = { ...defaults };
  for (const [common, partner] of Object.entries(overrides ?? {})) {
    if (partner === '') delete out[common];
    else out[common] = partner;
  }
  return out;
}

/** The field map for one kind of one connection. */
export function mapFor(
  defaults: FieldMapOverrides,
  settings: ConnectionSettings,
  kind: Exclude<SyncKind, 'tag'>,
): FieldMap {
  return effectiveMap(defaults[kind], settings.fieldMap?.[kind]);
}

function readCommon(common: object, field: string): unknown {
  if (field.startsWith(CUSTOM))
    return getPath((common as { customFields?: unknown }).customFields, field.slice(CUSTOM.length));
  return getPath(common, field);
}

function writeCommon(common: Record<string, unknown>, field: string, value: unknown): void {
  if (field.startsWith(CUSTOM)) {
    const id = field.slice(CUSTOM.length);
    if (!SEGMENT.test(id) || FORBIDDEN.has(id)) return;
    const fields = (common.customFields ??= {}) as Record<string, unknown>;
    fields[id] = value;
    return;
  }
  setPath(common, field, value);
}

/** Strings are trimmed; empty strings, null and objects that are not arrays are dropped. */
function cleanValue(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value;
  return undefined;
}

/** Partner view → common fields, following `map`. */
export function toCommon(view: unknown, map: FieldMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [common, partner] of Object.entries(map)) {
    const value = cleanValue(getPath(view, partner));
    if (value !== undefined) writeCommon(out, common, value);
  }
  return out;
}

/** Common fields → partner view, following `map`. */
export function toPartner(common: object, map: FieldMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [commonField, partner] of Object.entries(map)) {
    const value = cleanValue(readCommon(common, commonField));
    if (value !== undefined) setPath(out, partner, value);
  }
  return out;
}

/** A string or undefined (numbers become strings). */
export function str(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  return s === '' ? undefined : s;
}

/** An ISO 8601 string in UTC with milliseconds, or undefined when `value` is not a date. */
export function iso(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const t = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

/** Drops keys whose value is undefined, so objects compare and serialise cleanly. */
export function compact<T extends object>(obj: T): T {
  const out = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}

/**
 * Validates user-supplied field map overrides (settings JSON) and returns them typed; throws a
 * 400 naming the first bad entry.
 */
export function parseFieldMapOverrides(input: unknown): FieldMapOverrides {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input))
    throw badMap('fieldMap must be an object keyed by kind');
  const out: FieldMapOverrides = {};
  for (const [kind, map] of Object.entries(input)) {
    if (!(MAP_KINDS as readonly string[]).includes(kind))
      throw badMap(`fieldMap has an unknown kind "${kind}"`);
    if (!map || typeof map !== 'object' || Array.isArray(map))
      throw badMap(`fieldMap.${kind} must be an object`);
    const clean: FieldMap = {};
    for (const [common, partner] of Object.entries(map as Record<string, unknown>)) {
      if (!isSafePath(common))
        throw badMap(`fieldMap.${kind} has an invalid field name "${common.slice(0, 80)}"`);
      if (typeof partner !== 'string' || (partner !== '' && !isSafePath(partner))) {
        throw badMap(`fieldMap.${kind}.${common} must be a dotted field path or ""`);
      }
      clean[common] = partner;
    }
    out[kind as (typeof MAP_KINDS)[number]] = clean;
  }
  return out;
}

const badMap = (message: string) => invalid(message, 'invalid_field_map');

/**
 * A partner-side id for a person when the partner has no contact objects (Cal.com attendees,
 * Appointlet attendees): `email:<lower-cased email>`, else `phone:+<digits>`.
 */
export function personKey(contact: { email?: string; phone?: string }): string | undefined {
  const email = normalizeEmail(contact.email);
  if (email) return `email:${email}`;
  const phone = normalizePhone(contact.phone);
  return phone ? `phone:${phone}` : undefined;
}
