import { readFileSync } from 'node:fs';
import { GHL_API_DIR, type Schema } from './openapi.ts';

interface EventDoc {
  schema?: Schema;
  schemaRaw?: string;
  examples?: { label: string; payload?: Record<string, unknown> }[];
}

/** INSTALL and UNINSTALL are documented as AppInstall / AppUninstall. */
export function eventDocName(type: string): string {
  return (
    (
      { INSTALL: 'AppInstall', UNINSTALL: 'AppUninstall', PLAN_CHANGE: 'PlanChange' } as Record<
        string,
        string
      >
    )[type] ?? type
  );
}

function load(type: string): EventDoc {
  return JSON.parse(
    readFileSync(`${GHL_API_DIR.replace(/\/$/, '')}/webhook-events/${eventDocName(type)}.json`, 'utf8'),
  ) as EventDoc;
}

const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

/** The docs' schema blocks are JSON-schema-like; a few use type names like "Date" that JSON Schema lacks. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'type' && typeof value === 'string' && !JSON_TYPES.has(value)) {
      if (value === 'Date') Object.assign(out, { type: 'string', format: 'date-time' });
      else out.type = 'string';
    } else {
      out[key] =
        key === 'properties'
          ? Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, toJsonSchema(v)]))
          : toJsonSchema(value);
    }
  }
  return out;
}

/** A usable JSON schema for the event, or undefined when the docs' block is not valid JSON. */
export function eventSchema(type: string): Schema | undefined {
  const doc = load(type);
  return doc.schema ? (toJsonSchema(doc.schema) as Schema) : undefined;
}

/** Field names the documentation's examples show (top level), used where no schema is usable. */
export function exampleFields(type: string): string[] {
  const fields = new Set<string>();
  for (const example of load(type).examples ?? [])
    for (const key of Object.keys(example.payload ?? {})) fields.add(key);
  return [...fields];
}

/** Each documented example's field names; some events document alternatives (location- vs agency-level). */
export function exampleVariants(type: string): string[][] {
  return (load(type).examples ?? []).filter((e) => e.payload).map((e) => Object.keys(e.payload!));
}
