/**
 * Field-mapping overrides of one connector as editable rows (`PUT /api/settings { fieldMapping }`,
 * worker/sync/field-mapping.ts). A row maps a common field to a partner field path. A bare field
 * (`phone`) applies to every object kind whose default map has it; `contact.phone` targets one
 * kind; GHL custom fields are `contact.customField.<id>`. Pure.
 */

export interface MapRow {
  field: string;
  path: string;
}

export type Defaults = Record<string, Record<string, string>>;

export const COMMON_FIELDS = [
  'email',
  'phone',
  'firstName',
  'lastName',
  'companyName',
  'title',
  'startTime',
  'endTime',
  'notes',
  'body',
  'dueDate',
  'customField.<id>',
];
export const OBJECT_KINDS = ['contact', 'appointment', 'note', 'task'];

const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
const FORBIDDEN = ['__proto__', 'prototype', 'constructor'];

/** A dotted path the worker accepts: at most 8 names of letters, digits, `_` and `-`. */
export function isPath(path: string): boolean {
  const parts = path.split('.');
  return parts.length <= 8 && parts.every((p) => SEGMENT.test(p) && !FORBIDDEN.includes(p));
}

/** Trims, and files a bare custom field under contacts (the only kind that has them). */
export function normalizeField(field: string): string {
  const f = field.trim();
  return f.startsWith('customField.') ? `contact.${f}` : f;
}

/** Does a field reach anything? Kind-prefixed ones do; a bare one only where a default has it. */
function reaches(field: string, defaults: Defaults | undefined): boolean {
  if (!defaults) return true;
  const dot = field.indexOf('.');
  if (dot > 0 && OBJECT_KINDS.includes(field.slice(0, dot))) return true;
  return Object.values(defaults).some((m) => Object.hasOwn(m, field));
}

const CHARS = /^[A-Za-z0-9_.-]+$/;

function pathError(what: string, raw: string, max: number): string {
  const v = raw.trim();
  if (!v) return `Enter the ${what}.`;
  if (!CHARS.test(v)) return `The ${what} may use letters, digits, _ . - only.`;
  if (v.length > max || !isPath(v)) return `The ${what} must be names joined by single dots.`;
  return '';
}

/** The partner's fields for display: `responses.*` reads "responses.<name>". */
export const fieldChoices = (fields: string[]) =>
  fields.map((f) => (f.endsWith('.*') ? `${f.slice(0, -1)}<name>` : f));

/** Does the partner have `path` for `field` (the worker's rule, connectors/partner-fields.ts)? */
function partnerHas(
  field: string,
  path: string,
  defaults: Defaults | undefined,
  partner: Record<string, string[]>,
): string[] | null {
  const dot = field.indexOf('.');
  const kinds =
    dot > 0 && OBJECT_KINDS.includes(field.slice(0, dot))
      ? [field.slice(0, dot)]
      : OBJECT_KINDS.filter((k) => defaults?.[k] && Object.hasOwn(defaults[k]!, field));
  const lists = kinds.map((k) => partner[k]).filter((l): l is string[] => !!l);
  if (!lists.length) return null;
  const ok = lists.some((l) =>
    l.some((p) =>
      p.endsWith('.*') ? path.startsWith(p.slice(0, -1)) && path.length > p.length - 1 : p === path,
    ),
  );
  return ok ? null : [...new Set(lists.flat())];
}

/**
 * Why each row cannot be saved ('' when it can), in row order; duplicates are flagged too.
 * With `partner` (its fields per kind), a path the partner does not have is refused.
 */
export function rowErrors(
  rows: MapRow[],
  defaults?: Defaults,
  partner?: { label: string; fields: Record<string, string[]> | null | undefined },
): string[] {
  const seen = new Set<string>();
  return rows.map((r) => {
    const field = normalizeField(r.field);
    const error = pathError('common field', r.field, 128) || pathError('partner field', r.path, 256);
    if (error) return error;
    if (!reaches(field, defaults))
      return `No default mapping uses “${field}”: write it as contact.${field} (or appointment., note., task.).`;
    const known = partner?.fields ? partnerHas(field, r.path.trim(), defaults, partner.fields) : null;
    if (known)
      return `${partner!.label} has no field “${r.path.trim()}” here. It has: ${fieldChoices(known).join(', ')}.`;
    if (seen.has(field)) return `“${field}” is mapped twice.`;
    seen.add(field);
    return '';
  });
}

export const rowsOf = (map: Record<string, string> | undefined): MapRow[] =>
  Object.entries(map ?? {}).map(([field, path]) => ({ field, path }));

/** The map the rows stand for (normalized). */
export function mapOf(rows: MapRow[]): Record<string, string> {
  return Object.fromEntries(rows.map((r) => [normalizeField(r.field), r.path.trim()]));
}

/** The `fieldMapping[kind]` patch: every row, and `null` for each saved override that was removed. */
export function mapPatch(
  saved: Record<string, string> | undefined,
  rows: MapRow[],
): Record<string, string | null> {
  const next: Record<string, string | null> = mapOf(rows);
  for (const key of Object.keys(saved ?? {})) if (!Object.hasOwn(next, key)) next[key] = null;
  return next;
}

/** Default maps as `kind.field → path` lines, for display. */
export function defaultLines(defaults: Defaults | undefined): MapRow[] {
  return Object.entries(defaults ?? {}).flatMap(([kind, map]) =>
    Object.entries(map).map(([field, path]) => ({ field: `${kind}.${field}`, path })),
  );
}
