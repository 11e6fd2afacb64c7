import { normalizePhone } from './contact-ops.ts';
import { unprocessable } from './errors.ts';
import type { Contact } from './state.ts';
import { contactName, contactView } from './views.ts';

type Filter = { field?: string; operator?: string; value?: unknown; group?: string; filters?: Filter[] };
type SortKey = string | number;

const DATE_FIELDS = new Set(['dateAdded', 'dateUpdated']);
const OPERATORS = new Set(['eq', 'not_eq', 'contains', 'not_contains', 'exists', 'not_exists', 'range']);
const FIELDS = new Set([
  'id',
  'email',
  'phone',
  'firstName',
  'lastName',
  'firstNameLowerCase',
  'lastNameLowerCase',
  'fullNameLowerCase',
  'companyName',
  'tags',
  'dateAdded',
  'dateUpdated',
  'assignedTo',
  'source',
  'city',
  'state',
  'country',
  'postalCode',
  'dnd',
  'businessId',
  'type',
  'website',
  'address1',
  'timezone',
]);

function fieldValue(c: Contact, field: string): unknown {
  switch (field) {
    case 'firstNameLowerCase':
      return c.firstName?.toLowerCase();
    case 'lastNameLowerCase':
      return c.lastName?.toLowerCase();
    case 'fullNameLowerCase':
      return contactName(c)?.toLowerCase();
    default:
      return (c as unknown as Record<string, unknown>)[field];
  }
}

function toMs(value: unknown): number {
  return typeof value === 'number' ? value : Date.parse(String(value));
}

function same(field: string, actual: unknown, expected: unknown): boolean {
  if (actual === undefined || actual === null) return false;
  if (field === 'phone') return actual === normalizePhone(String(expected));
  if (DATE_FIELDS.has(field)) return toMs(actual) === toMs(expected);
  if (typeof actual === 'boolean') return actual === (expected === true || expected === 'true');
  return String(actual).toLowerCase() === String(expected).toLowerCase();
}

function matches(c: Contact, filter: Filter): boolean {
  if (filter.group) {
    const parts = (filter.filters ?? []).map((f) => matches(c, f));
    return filter.group.toUpperCase() === 'OR' ? parts.some(Boolean) : parts.every(Boolean);
  }
  const field = filter.field!;
  const actual = fieldValue(c, field);
  const values = Array.isArray(filter.value) ? filter.value : [filter.value];
  const list = Array.isArray(actual) ? actual : [actual];
  switch (filter.operator) {
    case 'eq':
      return values.some((v) => list.some((a) => same(field, a, v)));
    case 'not_eq':
      return !values.some((v) => list.some((a) => same(field, a, v)));
    case 'contains':
      return values.some((v) =>
        list.some((a) => a !== undefined && String(a).toLowerCase().includes(String(v).toLowerCase())),
      );
    case 'not_contains':
      return !values.some((v) =>
        list.some((a) => a !== undefined && String(a).toLowerCase().includes(String(v).toLowerCase())),
      );
    case 'exists':
      return Array.isArray(actual) ? actual.length > 0 : actual !== undefined && actual !== '';
    case 'not_exists':
      return Array.isArray(actual) ? actual.length === 0 : actual === undefined || actual === '';
    case 'range': {
      const range = (filter.value ?? {}) as Record<string, unknown>;
      const a = DATE_FIELDS.has(field) ? toMs(actual) : Number(actual);
      if (Number.isNaN(a)) return false;
      const bound = (k: string) => (DATE_FIELDS.has(field) ? toMs(range[k]) : Number(range[k]));
      return (
        (range.gt === undefined || a > bound('gt')) &&
        (range.gte === undefined || a >= bound('gte')) &&
        (range.lt === undefined || a < bound('lt')) &&
        (range.lte === undefined || a <= bound('lte'))
      );
    }
    default:
      return false;
  }
}

function checkFilters(filters: Filter[], messages: string[]): void {
  for (const f of filters) {
    if (f.group) {
      if (!['AND', 'OR'].includes(f.group.toUpperCase()))
        messages.push('filters.group must be one of the following values: AND, OR');
      checkFilters(f.filters ?? [], messages);
      continue;
    }
    if (!f.field || !FIELDS.has(f.field)) messages.push(`filters.field ${String(f.field)} is not supported`);
    if (!f.operator || !OPERATORS.has(f.operator))
      messages.push(`filters.operator must be one of the following values: ${[...OPERATORS].join(', ')}`);
  }
}

function text(c: Contact): string {
  return [contactName(c), c.email, c.phone, c.phone?.replace(/\D/g, ''), c.companyName]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
}

function matchesQuery(c: Contact, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const digits = q.replace(/\D/g, '');
  return text(c).includes(q) || (digits.length >= 4 && (c.phone ?? '').replace(/\D/g, '').includes(digits));
}

function sortKey(c: Contact, field: string): SortKey {
  const v = fieldValue(c, field);
  if (DATE_FIELDS.has(field)) return toMs(v);
  return typeof v === 'number' ? v : String(v ?? '').toLowerCase();
}

function compare(a: [SortKey, string], b: [SortKey, string]): number {
  if (a[0] < b[0]) return -1;
  if (a[0] > b[0]) return 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** POST /contacts/search: query text, filters, sort, page/pageLimit or searchAfter paging. */
export function searchContacts(
  all: Contact[],
  body: Record<string, unknown>,
): { contacts: Record<string, unknown>[]; total: number } {
  const messages: string[] = [];
  const pageLimit = body.pageLimit;
  if (typeof pageLimit !== 'number' || pageLimit < 1) messages.push('pageLimit must be a positive number');
  else if (pageLimit > 500) messages.push('pageLimit must not be greater than 500');
  const page = body.page === undefined ? 1 : body.page;
  if (typeof page !== 'number' || page < 1) messages.push('page must be a positive number');
  if (body.query !== undefined && (typeof body.query !== 'string' || body.query.length > 75))
    messages.push('query must be a string of at most 75 characters');
  const filters = (Array.isArray(body.filters) ? body.filters : []) as Filter[];
  checkFilters(filters, messages);
  const sorts = (Array.isArray(body.sort) ? body.sort : []) as { field?: string; direction?: string }[];
  for (const s of sorts)
    if (!s.field || !FIELDS.has(s.field)) messages.push(`sort.field ${String(s.field)} is not supported`);
  const searchAfter = body.searchAfter;
  if (searchAfter !== undefined && (!Array.isArray(searchAfter) || searchAfter.length !== 2))
    messages.push('searchAfter must be an array of [sortValue, id]');
  const limit = typeof pageLimit === 'number' ? pageLimit : 0;
  if (searchAfter === undefined && typeof page === 'number' && page * limit > 10_000)
    messages.push('page * pageLimit must not exceed 10000; use searchAfter');
  if (messages.length) throw unprocessable(messages);

  const sort = sorts[0] ?? { field: 'dateAdded', direction: 'desc' };
  const field = sort.field!;
  const direction = sort.direction?.toLowerCase() === 'asc' ? 1 : -1;
  const hits = all.filter(
    (c) => matchesQuery(c, String(body.query ?? '')) && filters.every((f) => matches(c, f)),
  );
  const keyed = hits.map((c) => ({ c, key: [sortKey(c, field), c.id] as [SortKey, string] }));
  keyed.sort((a, b) => direction * compare(a.key, b.key));
  let start = ((page as number) - 1) * limit;
  if (Array.isArray(searchAfter)) {
    const cursor: [SortKey, string] = [
      DATE_FIELDS.has(field) ? toMs(searchAfter[0]) : (searchAfter[0] as SortKey),
      String(searchAfter[1]),
    ];
    start = keyed.findIndex((k) => direction * compare(k.key, cursor) > 0);
    if (start < 0) start = keyed.length;
  }
  return {
    contacts: keyed
      .slice(start, start + limit)
      .map(({ c, key }) => ({ ...contactView(c), searchAfter: key })),
    total: hits.length,
  };
}

export { matchesQuery };
