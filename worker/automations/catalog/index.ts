import * as v from 'valibot';
import { ACTIONS } from './actions.ts';
import { TRIGGERS } from './triggers.ts';
import type { ActionOperation, Operation, TriggerOperation } from './types.ts';

export type { ActionContext, ActionOperation, Operation, TriggerOperation } from './types.ts';

const triggers = new Map(TRIGGERS.map((t) => [t.key, t]));
const actions = new Map(ACTIONS.map((a) => [a.key, a]));

export const triggerOf = (key: string): TriggerOperation | undefined => triggers.get(key);
export const actionOf = (key: string): ActionOperation | undefined => actions.get(key);
export const allOperations = (): Operation[] => [...TRIGGERS, ...ACTIONS];

/** One input field as the panel renders it. */
export interface FieldInfo {
  name: string;
  type: string;
  required: boolean;
  description?: string;
  options?: string[];
}

function unwrap(schema: v.GenericSchema): { base: v.GenericSchema; required: boolean; description?: string } {
  let s = schema as v.GenericSchema & {
    wrapped?: v.GenericSchema;
    pipe?: readonly { type: string; description?: string }[];
  };
  let required = true;
  let description: string | undefined;
  for (let i = 0; i < 5; i++) {
    if (s.type === 'optional' || s.type === 'nullish' || s.type === 'nullable') {
      required = false;
      s = s.wrapped as typeof s;
      continue;
    }
    const desc = s.pipe?.find((p) => p.type === 'description');
    if (desc?.description) description = desc.description;
    break;
  }
  return { base: s, required, description };
}

/** The fields of an action's input schema (an object schema), for forms and the catalog. */
export function fieldsOf(schema: v.GenericSchema): FieldInfo[] {
  const entries = (schema as unknown as { entries?: Record<string, v.GenericSchema> }).entries ?? {};
  return Object.entries(entries).map(([name, entry]) => {
    const { base, required, description } = unwrap(entry);
    const options = (base as unknown as { options?: unknown[] }).options;
    const type = base.type === 'variant' ? 'delay' : base.type;
    return {
      name,
      type,
      required,
      ...(description ? { description } : {}),
      ...(Array.isArray(options) && options.every((o) => typeof o === 'string')
        ? { options: options as string[] }
        : {}),
    };
  });
}

/** The catalog as `GET /api/catalog` answers it. */
export function catalogView() {
  return {
    triggers: TRIGGERS.map(({ kind, key, group, label, description, scope, sample }) => ({
      kind,
      key,
      group,
      label,
      description,
      scope,
      sample,
    })),
    actions: ACTIONS.map(({ kind, key, group, label, description, scope, sample, input, adminOnly }) => ({
      kind,
      key,
      group,
      label,
      description,
      scope,
      sample,
      adminOnly: adminOnly === true,
      fields: fieldsOf(input),
    })),
  };
}

/** Validates an action's input; the issues as one message, or the parsed input. */
export function parseActionInput(
  key: string,
  input: unknown,
): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  const op = actionOf(key);
  if (!op) return { ok: false, message: `unknown action ${key}` };
  const result = v.safeParse(op.input, input ?? {});
  if (result.success) return { ok: true, value: result.output as Record<string, unknown> };
  return {
    ok: false,
    message: result.issues
      .slice(0, 3)
      .map((i) => `${v.getDotPath(i) ?? key}: ${i.message}`)
      .join('; '),
  };
}
