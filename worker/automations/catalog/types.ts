import type * as v from 'valibot';
import type { GhlAppointment, GhlNote, GhlTask } from '../../ghl/types.ts';
import type { TriggerData } from '../trigger-data.ts';

/** Where an operation's events come from or where its writes go. */
export type OperationGroup = 'ghl' | 'partner' | 'sync' | 'schedule';

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

/** The GHL calls actions make (GhlApi has them; kept structural so this module stays pure). */
export interface ActionGhl {
  call<T>(req: {
    method: 'GET' | 'POST' | 'PUT' | 'DELETE';
    path: string;
    query?: Record<string, string | undefined>;
    body?: unknown;
    version: string;
  }): Promise<T>;
  createTask(
    contactId: string,
    input: { title: string; body?: string; dueDate: string; completed: boolean },
  ): Promise<GhlTask>;
  createNote(contactId: string, input: { body: string }): Promise<GhlNote>;
  addTags(contactId: string, tags: string[]): Promise<string[]>;
  removeTags(contactId: string, tags: string[]): Promise<string[]>;
  completeTask(contactId: string, taskId: string, completed: boolean): Promise<GhlTask>;
  listAppointments(contactId: string): Promise<GhlAppointment[]>;
  listCalendars(): Promise<{ id: string; name?: string; isActive?: boolean }[]>;
  createAppointment(input: Record<string, unknown>): Promise<GhlAppointment>;
  updateAppointment(eventId: string, input: Record<string, unknown>): Promise<GhlAppointment>;
}

/** What a running action may use. Everything it writes is remembered as the recipe's own. */
export interface ActionContext {
  ghl: ActionGhl;
  /** The contact's records at the connected apps, from the sync's ID map (no call to anyone). */
  partnerRecords(): Promise<{ connectionId: string; connectionKind: string; partnerId: string }[]>;
  /** Hands the contact as GHL holds it now to the sync engine (like a webhook), for every connection. */
  pushToPartners(): Promise<{ queued: boolean }>;
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
export const action = <S extends v.GenericSchema>(op: Omit<ActionOperation<S>, 'kind'>): ActionOperation =>
  ({ kind: 'action', ...op }) as unknown as ActionOperation;
