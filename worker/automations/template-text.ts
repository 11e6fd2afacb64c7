import { valueAt } from './conditions.ts';
import type { TriggerData } from './trigger-data.ts';

/**
 * Fills `{{contact.firstName}}`-style placeholders from the trigger's data (pure). A missing value
 * is an empty string; `{{a | fallback}}` gives a fallback. Times are left as GHL sent them.
 */
export function fill(template: string, data: TriggerData): string {
  return template.replace(
    /\{\{\s*([\w.-]+)\s*(?:\|\s*([^}]*?)\s*)?\}\}/g,
    (_, path: string, fallback?: string) => {
      const value = valueAt(data, path);
      const out =
        value === undefined || value === null ? '' : Array.isArray(value) ? value.join(', ') : String(value);
      return out.trim() === '' ? (fallback ?? '') : out;
    },
  );
}

/** Fills every string of an action's input (one level of arrays). */
export function fillInput(input: Record<string, unknown>, data: TriggerData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(input)) {
    out[k] =
      typeof value === 'string'
        ? fill(value, data)
        : Array.isArray(value)
          ? value.map((x) => (typeof x === 'string' ? fill(x, data) : x))
          : value;
  }
  return out;
}
