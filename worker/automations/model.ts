import * as v from 'valibot';
import { isTimeZone } from './schedule.ts';

/**
 * A recipe (pure shape): when a trigger from the catalog fires for a contact and its conditions
 * hold, its steps run in order, each after its own delay (counted from the trigger).
 */

const Short = (max: number) => v.pipe(v.string(), v.maxLength(max));
const Minutes = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(60 * 24 * 366));

export const TimeZone = v.pipe(
  v.string(),
  v.maxLength(64),
  v.check(isTimeZone, 'must be an IANA time zone such as Europe/Berlin'),
);

/** When a step runs (or a task is due), counted from the moment the trigger fired. */
export const Delay = v.variant('type', [
  v.object({ type: v.literal('now') }),
  v.object({ type: v.literal('after'), minutes: Minutes }),
  v.object({
    type: v.literal('next_business_day'),
    hour: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(23)),
    minute: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(59)), 0),
    /** A fixed offset from UTC in minutes (older recipes); 0 or absent: the time zone below. */
    utcOffsetMinutes: v.optional(
      v.pipe(v.number(), v.integer(), v.minValue(-14 * 60), v.maxValue(14 * 60)),
      0,
    ),
    /** IANA time zone of the wall time (`Europe/Berlin`); absent: the location's own time zone. */
    timeZone: v.optional(TimeZone),
  }),
  v.object({ type: v.literal('before_appointment'), minutes: Minutes }),
  v.object({ type: v.literal('after_appointment'), minutes: Minutes }),
]);
export type Delay = v.InferOutput<typeof Delay>;

const Path = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z][\w]*(\.[\w-]+){0,4}$/, 'must be a field path like contact.email'),
);

export const Condition = v.variant('type', [
  v.object({ type: v.literal('tag'), op: v.picklist(['has', 'lacks']), tag: Short(100) }),
  v.object({
    type: v.literal('field'),
    path: Path,
    op: v.picklist(['eq', 'neq', 'contains', 'set', 'unset']),
    value: v.optional(Short(500)),
  }),
  v.object({ type: v.literal('source'), value: Short(200) }),
  v.object({ type: v.literal('business'), value: Short(100) }),
  v.object({ type: v.literal('calendar'), value: Short(100) }),
  v.object({ type: v.literal('upcoming_appointment'), value: v.boolean() }),
]);
export type Condition = v.InferOutput<typeof Condition>;

const Key = v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_.]{2,80}$/, 'must be a catalog key'));

export const Step = v.object({
  action: Key,
  input: v.optional(v.record(v.string(), v.unknown()), {}),
  delay: v.optional(Delay, { type: 'now' }),
  /** Checked again when the step is due (e.g. "nothing booked yet" two days later). */
  when: v.optional(v.pipe(v.array(Condition), v.maxLength(10)), []),
});
export type Step = v.InferOutput<typeof Step>;

/** Stops a recipe for the subject (an appointment) its trigger was about. */
export const StopOn = v.object({
  triggers: v.pipe(v.array(Key), v.minLength(1), v.maxLength(5)),
  /** Completes the GHL tasks this recipe made for the subject. */
  closeTasks: v.optional(v.boolean(), true),
});

/** A daily run over a set of the location's contacts (trigger `schedule.daily`). */
export const Schedule = v.pipe(
  v.object({
    hour: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(23)),
    minute: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(59)), 0),
    /** The contacts: those with this tag, or those of this business. */
    tag: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100))),
    businessId: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a business id'))),
    /** IANA time zone of `hour`; absent: the location's own. */
    timeZone: v.optional(TimeZone),
  }),
  v.check((s) => Boolean(s.tag) !== Boolean(s.businessId), 'name either a tag or a businessId'),
);
export type Schedule = v.InferOutput<typeof Schedule>;

export const RecipeDefinition = v.object({
  name: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(120)),
  description: v.optional(Short(500), ''),
  trigger: Key,
  conditions: v.optional(v.pipe(v.array(Condition), v.maxLength(20)), []),
  steps: v.pipe(v.array(Step), v.minLength(1), v.maxLength(10)),
  stopOn: v.optional(StopOn),
  schedule: v.optional(Schedule),
});
export type RecipeDefinition = v.InferOutput<typeof RecipeDefinition>;

export interface Recipe extends RecipeDefinition {
  id: string;
  locationId: string;
  enabled: boolean;
  template: string | null;
  updatedAt: number;
  updatedBy: string | null;
}
