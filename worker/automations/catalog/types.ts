import type * as v from 'valibot';
import type { GhlApi } from '../../ghl/api.ts';
import type { TriggerData } from '../trigger-data.ts';

/** Where an operation's events come from or where its writes go. */
export type OperationGroup = 'ghl' | 'partner' | 'sync';

interface OperationBase {
  key: string;
  group: OperationGroup;
  label: string;
  /** One line, shown in the catalog. */
  description: string;
  /** The OAuth scope the operation needs, or null for none of GHL's. */
  scope: string | null;
}

export interface TriggerOperation extends OperationBase {
  kind: 'trigger';
  /** What a recipe sees when it fires (also the "send a test event" payload). */
  sample: TriggerData;
}

/** What a running action may use. Everything it writes is remembered as the recipe's own. */
export interface ActionContext {
  ghl: Pick<GhlApi, 'call' | 'createTask' | 'createNote' | 'addTags' | 'removeTags' | 'completeTask'>;
  locationId: string;
  contactId: string;
  data: TriggerData;
  now: number;
  /** Marks an object (`task:<id>`, `tag:<name>`) as written by the running recipe (loop guard). */
  wrote(object: string): void;
  /** GHL task ids the running recipe made for the trigger's subject (closing them on a cancel). */
  recipeTasks(): string[];
}

export interface ActionOperation<S extends v.GenericSchema = v.GenericSchema> extends OperationBase {
  kind: 'action';
  input: S;
  sample: v.InferInput<S>;
  /** Runs the action; the answer is kept in the run history (and returned to GHL workflows). */
  run(ctx: ActionContext, input: v.InferOutput<S>): Promise<Record<string, unknown>>;
}

export type Operation = TriggerOperation | ActionOperation;

/** Keeps each action's input type tied to its schema. */
export const action = <S extends v.GenericSchema>(op: Omit<ActionOperation<S>, 'kind'>): ActionOperation => ({ kind: 'action', ...op }) as unknown as ActionOperation;
