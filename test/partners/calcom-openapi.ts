import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Cal.com's v2 OpenAPI description (the subset in test/specs/calcom, see test/specs/README.md) as
 * Ajv validators, for contract tests of the emulator and of the connector's requests.
 * CALCOM_SPEC_FILE may name the full upstream file instead.
 */

export const CALCOM_SPEC_FILE =
  process.env.CALCOM_SPEC_FILE ??
  fileURLToPath(new URL('../specs/calcom/openapi-v2.subset.json', import.meta.url));

type Schema = Record<string, unknown>;
interface Spec {
  paths: Record<string, Record<string, Schema>>;
  components: { schemas: Record<string, Schema> };
}

let spec: Spec | undefined;
function load(): Spec {
  if (!spec) {
    if (!existsSync(CALCOM_SPEC_FILE))
      throw new Error(`Cal.com spec not found at ${CALCOM_SPEC_FILE} (set CALCOM_SPEC_FILE)`);
    spec = JSON.parse(readFileSync(CALCOM_SPEC_FILE, 'utf8')) as Spec;
  }
  return spec;
}

/**
 * The spec's `oneOf`s are not exclusive (a plain booking also satisfies GetSeatedBookingOutput,
 * whose required fields are a subset), so a strict oneOf rejects every real answer. They are
 * read as anyOf; tests pin the exact branch by also validating against the named schema.
 * `nullable` without a `type` (e.g. `{ nullable, allOf }`), which Ajv refuses, becomes "that or null".
 */
function relax(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relax);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) out[k === 'oneOf' ? 'anyOf' : k] = relax(v);
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _nullable, ...rest } = out;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

// CJS interop differs between Node and Vitest; the plugin function is on `.default` in both shapes.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;
let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function compile(key: string, schema: () => Schema): ValidateFunction {
  if (!ajv) {
    ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateSchema: false }));
    ajv.addSchema({ $id: 'calcom', components: relax(load().components) as Schema });
  }
  let v = validators.get(key);
  if (!v) {
    v = ajv.compile(schema());
    validators.set(key, v);
  }
  return v;
}

/** Rewrites `#/components/...` refs to the registered `calcom` document. */
function rebase(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rebase);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node))
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `calcom${v}` : rebase(v);
  return relax(out) as Schema;
}

function errorsOf(v: ValidateFunction, data: unknown): string[] {
  return v(data)
    ? []
    : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

function operation(path: string, method: string): Schema {
  const op = load().paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`${method.toUpperCase()} ${path} is not in the Cal.com spec`);
  return op;
}

/** Errors of a response body against the operation's schema for `status` (empty when valid). */
export function responseErrors(path: string, method: string, status: number, body: unknown): string[] {
  const schema = (
    operation(path, method).responses as Record<string, { content?: Record<string, { schema?: Schema }> }>
  )[String(status)]?.content?.['application/json']?.schema;
  if (!schema) return [`the spec has no ${status} response for ${method.toUpperCase()} ${path}`];
  return errorsOf(
    compile(`res ${method} ${path} ${status}`, () => rebase(schema) as Schema),
    body,
  );
}

/** Errors of a request body against the operation's JSON request schema. */
export function requestErrors(path: string, method: string, body: unknown): string[] {
  const schema = (
    operation(path, method).requestBody as { content?: Record<string, { schema?: Schema }> } | undefined
  )?.content?.['application/json']?.schema;
  if (!schema) return [`the spec has no JSON request body for ${method.toUpperCase()} ${path}`];
  return errorsOf(
    compile(`req ${method} ${path}`, () => rebase(schema) as Schema),
    body,
  );
}

/** Errors of `data` against one named component schema (e.g. BookingOutput_2024_08_13). */
export function componentErrors(name: string, data: unknown): string[] {
  if (!load().components.schemas[name]) return [`no component schema ${name}`];
  return errorsOf(
    compile(`component ${name}`, () => ({ $ref: `calcom#/components/schemas/${name}` })),
    data,
  );
}

/** Property paths in `data` that the named component schema does not declare (invented fields). */
export function undeclaredFields(name: string, data: unknown): string[] {
  const schemas = load().components.schemas;
  const out: string[] = [];
  const walk = (schema: Schema | undefined, value: unknown, at: string): void => {
    if (!schema || value === null || typeof value !== 'object') return;
    if (typeof schema.$ref === 'string') return walk(schemas[schema.$ref.split('/').pop()!], value, at);
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
      const parts = schema[key] as Schema[] | undefined;
      if (parts?.length === 1) return walk(parts[0], value, at);
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(schema.items as Schema | undefined, item, `${at}[${i}]`));
      return;
    }
    const props = schema.properties as Record<string, Schema> | undefined;
    if (!props || schema.additionalProperties !== undefined) return;
    for (const [k, v] of Object.entries(value as Schema)) {
      if (!(k in props)) out.push(`${at}.${k}`);
      else walk(props[k], v, `${at}.${k}`);
    }
  };
  walk(schemas[name], data, name);
  return out;
}
