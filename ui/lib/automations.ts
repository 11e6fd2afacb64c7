/** Automations as the panel sees them (answers of /api/automations and /api/catalog). */

export type Delay =
  | { type: 'now' }
  | { type: 'after'; minutes: number }
  | { type: 'next_business_day'; hour: number; minute?: number; utcOffsetMinutes?: number }
  | { type: 'before_appointment'; minutes: number }
  | { type: 'after_appointment'; minutes: number };

export type Condition =
  | { type: 'tag'; op: 'has' | 'lacks'; tag: string }
  | { type: 'field'; path: string; op: 'eq' | 'neq' | 'contains' | 'set' | 'unset'; value?: string }
  | { type: 'source' | 'business' | 'calendar'; value: string }
  | { type: 'upcoming_appointment'; value: boolean };

export interface Step {
  action: string;
  input: Record<string, unknown>;
  delay: Delay;
  when: Condition[];
}

export interface RecipeDefinition {
  name: string;
  description?: string;
  trigger: string;
  conditions: Condition[];
  steps: Step[];
  stopOn?: { triggers: string[]; closeTasks?: boolean };
  schedule?: { hour: number; minute?: number; tag?: string; businessId?: string; timeZone?: string };
}

export interface Recipe extends RecipeDefinition {
  id: string;
  enabled: boolean;
  template: string | null;
}

export interface TemplateView extends RecipeDefinition {
  id: string;
  recipeId: string | null;
}

export interface AutomationsAnswer {
  recipes: Recipe[];
  templates: TemplateView[];
  dailyCap: number;
  canEdit: boolean;
}

export interface Run {
  id: number;
  recipeId: string;
  contactId: string;
  trigger: string;
  step: number;
  action: string;
  status: string;
  detail: Record<string, unknown> | null;
  test: boolean;
  at: string;
}

export interface FieldInfo {
  name: string;
  type: string;
  required: boolean;
  description?: string;
  options?: string[];
}

export interface Operation {
  kind: 'trigger' | 'action';
  key: string;
  group: string;
  label: string;
  description: string;
  scope: string | null;
  sample: unknown;
  fields?: FieldInfo[];
  /** Engine operations: admins only, never a GHL workflow action. */
  adminOnly?: boolean;
}

export interface Catalog {
  triggers: Operation[];
  actions: Operation[];
}

export const DELAY_TYPES: { type: Delay['type']; label: string }[] = [
  { type: 'now', label: 'At once' },
  { type: 'after', label: 'After (minutes)' },
  { type: 'next_business_day', label: 'Next business day at (hour, local)' },
  { type: 'before_appointment', label: 'Before the appointment (minutes)' },
  { type: 'after_appointment', label: 'After the appointment (minutes)' },
];

/** The number a delay carries (minutes or hour), for its one input. */
export const delayNumber = (d: Delay) =>
  d.type === 'now' ? 0 : d.type === 'next_business_day' ? d.hour : d.minutes;

export function makeDelay(type: Delay['type'], n: number): Delay {
  if (type === 'now') return { type };
  if (type === 'next_business_day')
    return { type, hour: Math.min(23, Math.max(0, Math.round(n))), minute: 0, utcOffsetMinutes: 0 };
  return { type, minutes: Math.max(0, Math.round(n)) };
}

export function describeDelay(d: Delay): string {
  switch (d.type) {
    case 'now':
      return 'at once';
    case 'after':
      return d.minutes % 60 === 0 ? `after ${d.minutes / 60} h` : `after ${d.minutes} min`;
    case 'next_business_day':
      return `next business day ${String(d.hour).padStart(2, '0')}:${String(d.minute ?? 0).padStart(2, '0')}`;
    case 'before_appointment':
      return `${d.minutes} min before the appointment`;
    case 'after_appointment':
      return `${d.minutes} min after the appointment`;
  }
}

export const CONDITION_TYPES: Condition['type'][] = [
  'tag',
  'field',
  'source',
  'business',
  'calendar',
  'upcoming_appointment',
];

export function blankCondition(type: Condition['type']): Condition {
  if (type === 'tag') return { type, op: 'has', tag: '' };
  if (type === 'field') return { type, path: 'contact.email', op: 'set' };
  if (type === 'upcoming_appointment') return { type, value: false };
  return { type, value: '' };
}

export function describeCondition(c: Condition): string {
  switch (c.type) {
    case 'tag':
      return `contact ${c.op === 'has' ? 'has' : 'lacks'} tag "${c.tag}"`;
    case 'field':
      return `${c.path} ${c.op}${c.value !== undefined && c.op !== 'set' && c.op !== 'unset' ? ` "${c.value}"` : ''}`;
    case 'upcoming_appointment':
      return c.value ? 'has an upcoming appointment' : 'has no upcoming appointment';
    default:
      return `${c.type} is "${c.value}"`;
  }
}
