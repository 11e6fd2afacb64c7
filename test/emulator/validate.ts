import type { Context } from 'hono';
import { badRequest, unprocessable } from './errors.ts';

export interface Rule {
  type: 'string' | 'boolean' | 'number' | 'stringArray' | 'array' | 'object' | 'isoDate' | 'email' | 'any';
  required?: boolean;
  nullable?: boolean;
  oneOf?: readonly string[];
  maxLength?: number;
}

export type Rules = Record<string, Rule>;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function check(key: string, value: unknown, rule: Rule): string[] {
  switch (rule.type) {
    case 'string':
    case 'email':
    case 'isoDate': {
      if (typeof value !== 'string') return [`${key} must be a string`];
      if (rule.type === 'email' && !EMAIL.test(value)) return [`${key} must be an email`];
      if (rule.type === 'isoDate' && (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value)))) {
        return [`${key} must be a valid ISO 8601 date string`];
      }
      if (rule.oneOf && !rule.oneOf.includes(value))
        return [`${key} must be one of the following values: ${rule.oneOf.join(', ')}`];
      if (rule.maxLength !== undefined && value.length > rule.maxLength) {
        return [`${key} must be shorter than or equal to ${rule.maxLength} characters`];
      }
      return [];
    }
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${key} must be a boolean value`];
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? []
        : [`${key} must be a number conforming to the specified constraints`];
    case 'stringArray':
      if (!Array.isArray(value)) return [`${key} must be an array`];
      return value.every((v) => typeof v === 'string') ? [] : [`each value in ${key} must be a string`];
    case 'array':
      return Array.isArray(value) ? [] : [`${key} must be an array`];
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value)
        ? []
        : [`${key} must be an object`];
    case 'any':
      return [];
  }
}

/** class-validator style checks with the messages GHL (NestJS) returns in its 422 bodies. */
export function validate(body: unknown, rules: Rules): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw unprocessable(['body must be an object']);
  const record = body as Record<string, unknown>;
  const messages: string[] = [];
  for (const [key, rule] of Object.entries(rules)) {
    const value = record[key];
    if (value === undefined || (value === null && !rule.nullable) || value === '') {
      if (rule.required) messages.push(`${key} should not be empty`);
      else if (value === null) messages.push(...check(key, value, rule));
      continue;
    }
    if (value === null) continue;
    messages.push(...check(key, value, rule));
  }
  if (messages.length > 0) throw unprocessable(messages);
  return record;
}

/** JSON body or `{}` when there is none; malformed JSON answers 400 like GHL's body parser. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(error instanceof Error ? error.message : 'Unexpected token in JSON', {
      error: 'Bad Request',
    });
  }
}

/** Form-encoded or JSON body as a flat record of strings. */
export async function readForm(c: Context): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? '';
  if (type.includes('application/json')) {
    const body = await readJson(c);
    const out: Record<string, string> = {};
    if (body && typeof body === 'object') {
      for (const [k, v] of Object.entries(body)) if (v !== undefined && v !== null) out[k] = String(v);
    }
    return out;
  }
  return Object.fromEntries(new URLSearchParams(await c.req.text()));
}
