import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/** The official GHL files the contract tests check against (test/specs/README.md); GHL_API_DIR points elsewhere. */
export const GHL_API_DIR =
  process.env.GHL_API_DIR ?? fileURLToPath(new URL('../../specs/ghl-api/', import.meta.url));

export type SpecName = 'contacts' | 'oauth' | 'calendars' | 'locations';
export type Schema = Record<string, unknown>;

const cache = new Map<string, Schema>();
function loadJson(relative: string): Schema {
  const file = `${GHL_API_DIR.replace(/\/$/, '')}/${relative}`;
  let doc = cache.get(file);
  if (!doc) {
    if (!existsSync(file)) throw new Error(`GHL spec file not found: ${file} (set GHL_API_DIR)`);
    doc = JSON.parse(readFileSync(file, 'utf8')) as Schema;
    cache.set(file, doc);
  }
  return doc;
}

function pointer(doc: Schema, fragment: string): Schema {
  let node: unknown = doc;
  for (const raw of fragment.replace(/^\//, '').split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = (node as Record<string, unknown>)[key];
    if (node === undefined) throw new Error(`unresolvable pointer ${fragment}`);
  }
  return node as Schema;
}

/** Inlines `#/...` and `../common/common-schemas.json#/...` refs, so the result is one plain JSON schema. */
export function resolveRefs(node: unknown, docPath: string, seen: string[] = []): unknown {
  if (Array.isArray(node)) return node.map((n) => resolveRefs(n, docPath, seen));
  if (!node || typeof node !== 'object') return node;
  const record = node as Schema;
  if (typeof record.$ref === 'string') {
    const [file, fragment = ''] = record.$ref.split('#');
    const target = file ? new URL(file, `file:///${docPath}`).pathname.slice(1) : docPath;
    const key = `${target}#${fragment}`;
    if (seen.includes(key)) return {};
    return resolveRefs(pointer(loadJson(target), fragment), target, [...seen, key]);
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, resolveRefs(v, docPath, seen)]));
}

export interface OperationSchemas {
  request?: Schema;
  responses: Record<string, Schema | undefined>;
}

/** Request and response schemas of one operation of an official spec, refs resolved. */
export function operationSchemas(spec: SpecName, path: string, method: string): OperationSchemas {
  const docPath = `apps/${spec}.json`;
  const doc = loadJson(docPath) as { paths: Record<string, Record<string, Schema>> };
  const op = doc.paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`${method.toUpperCase()} ${path} is not in ${docPath}`);
  const content =
    (op.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)?.content ?? {};
  const requestSchema =
    content['application/json']?.schema ?? content['application/x-www-form-urlencoded']?.schema;
  const responses: Record<string, Schema | undefined> = {};
  for (const [status, response] of Object.entries(
    (op.responses ?? {}) as Record<string, { content?: Record<string, { schema?: Schema }> }>,
  )) {
    const schema = response.content?.['application/json']?.schema;
    responses[status] = schema ? (resolveRefs(schema, docPath) as Schema) : undefined;
  }
  return { request: requestSchema ? (resolveRefs(requestSchema, docPath) as Schema) : undefined, responses };
}

// CJS interop differs between Node and Vitest; the plugin function is on `.default` in both shapes.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;
const ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateSchema: false }));
const compiled = new WeakMap<Schema, ValidateFunction>();

/** Ajv errors of `data` against `schema`, as readable strings (empty when valid). */
export function schemaErrors(schema: Schema, data: unknown): string[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate(data)
    ? []
    : (validate.errors ?? []).map(
        (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
      );
}

/** Returns a copy of `schema` with `patch` applied at a dotted property path (for documented spec mistakes). */
export function patchSchema(schema: Schema, path: string[], patch: Schema): Schema {
  const copy = structuredClone(schema);
  let node: Schema = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Schema;
  node[path.at(-1)!] = patch;
  return copy;
}

/**
 * Paths in `data` that the schema does not declare (objects whose schema lists `properties`), like
 * `contact.name` or `tasks[].dateAdded`. The specs never set additionalProperties, so this is the
 * only way to catch a misspelt or invented field.
 */
export function undeclaredPaths(schema: Schema | undefined, data: unknown, path = ''): string[] {
  if (!schema || data === null || typeof data !== 'object') return [];
  const variants = [
    ...((schema.allOf as Schema[]) ?? []),
    ...((schema.anyOf as Schema[]) ?? []),
    ...((schema.oneOf as Schema[]) ?? []),
  ];
  if (variants.length) return variants.length === 1 ? undeclaredPaths(variants[0], data, path) : [];
  if (Array.isArray(data))
    return data.flatMap((item) => undeclaredPaths(schema.items as Schema | undefined, item, `${path}[]`));
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (!properties || Object.keys(properties).length === 0) return [];
  const out = new Set<string>();
  for (const [key, value] of Object.entries(data)) {
    const child = path ? `${path}.${key}` : key;
    if (!(key in properties)) out.add(child);
    else for (const p of undeclaredPaths(properties[key], value, child)) out.add(p);
  }
  return [...out];
}
