/**
 * Writes test/specs/calcom/openapi-v2.subset.json from a full copy of Cal.com's API v2 OpenAPI file:
 * only the operations the connector, the emulator and their contract tests use, and the component
 * schemas those reach. Run it by hand when Cal.com's spec moves on:
 *
 *   node test/specs/tools/extract-calcom.ts /path/to/openapi.json
 *
 * Nothing at test time runs this; the tests read the subset it wrote.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Paths kept, with every method the spec has for them. */
export const KEPT_PATHS = [
  '/v2/bookings',
  '/v2/bookings/{bookingUid}',
  '/v2/bookings/{bookingUid}/reschedule',
  '/v2/bookings/{bookingUid}/cancel',
  '/v2/bookings/{bookingUid}/mark-absent',
  '/v2/event-types',
  '/v2/event-types/{eventTypeId}',
  '/v2/me',
  '/v2/auth/oauth2/token',
  '/v2/slots',
  '/v2/webhooks',
  '/v2/webhooks/{webhookId}',
];

type Json = Record<string, unknown>;

function refsIn(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) return node.forEach((n) => refsIn(n, into));
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) into.add(value.slice('#/components/schemas/'.length));
    else refsIn(value, into);
  }
}

export function subset(spec: { openapi: string; info: Json; paths: Record<string, Json>; components: { schemas: Record<string, Json> } }) {
  const paths = Object.fromEntries(KEPT_PATHS.map((p) => {
    if (!spec.paths[p]) throw new Error(`${p} is not in the source spec`);
    return [p, spec.paths[p]];
  }));
  const wanted = new Set<string>();
  refsIn(paths, wanted);
  const schemas: Record<string, Json> = {};
  const pending = [...wanted];
  while (pending.length) {
    const name = pending.pop()!;
    if (schemas[name]) continue;
    const schema = spec.components.schemas[name];
    if (!schema) throw new Error(`schema ${name} is referenced but missing`);
    schemas[name] = schema;
    const more = new Set<string>();
    refsIn(schema, more);
    for (const m of more) if (!schemas[m]) pending.push(m);
  }
  const sorted = Object.fromEntries(Object.keys(schemas).sort().map((k) => [k, schemas[k]]));
  return { openapi: spec.openapi, info: spec.info, paths, components: { schemas: sorted } };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const source = process.argv[2];
  if (!source) throw new Error('usage: node test/specs/tools/extract-calcom.ts /path/to/openapi.json');
  const out = fileURLToPath(new URL('../calcom/openapi-v2.subset.json', import.meta.url));
  const result = subset(JSON.parse(readFileSync(source, 'utf8')));
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`${Object.keys(result.paths).length} paths, ${Object.keys(result.components.schemas).length} schemas → ${out}`);
}
