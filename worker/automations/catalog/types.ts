import type * as v from 'valibot';
import type {
  ApplyResult,
  OutboundOp,
  SyncAppointment,
  SyncKind,
  SyncNote,
  SyncTask,
} from '../../connectors/types.ts';
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

/** A create's idempotency key and the print of its content (as ghl/api.ts takes it). */
export interface CreateKey {
  key: string;
  fingerprint: string;
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
  /** With a key, sent once per key: a re-run after a lost answer finds the task instead (ghl/create-once.ts). */
  createTask(
    contactId: string,
    input: { title: string; body?: string; dueDate: string; completed: boolean },
    key?: CreateKey,
  ): Promise<GhlTask>;
  createNote(contactId: string, input: { body: string }, key?: CreateKey): Promise<GhlNote>;
  addTags(contactId: string, tags: string[]): Promise<string[]>;
  removeTags(contactId: string, tags: string[]): Promise<string[]>;
  completeTask(contactId: string, taskId: string, completed: boolean): Promise<GhlTask>;
  listAppointments(contactId: string): Promise<GhlAppointment[]>;
  listCalendars(): Promise<{ id: string; name?: string; isActive?: boolean }[]>;
  createAppointment(input: Record<string, unknown>): Promise<GhlAppointment>;
  updateAppointment(eventId: string, input: Record<string, unknown>): Promise<GhlAppointment>;
}

/** A partner connection an action can write to. */
export interface PartnerTarget {
  id: string;
  kind: string;
  name: string;
}

/** A write at a partner app, in the connectors' common model (the contact is added by the runtime). */
export type PartnerWrite =
  | { kind: 'appointment'; op: 'create'; data: SyncAppointment }
  | { kind: 'appointment'; op: 'update'; partnerId: string; data: SyncAppointment }
  | { kind: 'appointment'; op: 'delete'; partnerId: string; data: null }
  | { kind: 'task'; op: 'create'; data: SyncTask }
  | { kind: 'note'; op: 'create'; data: SyncNote };

/** Who makes a partner write: the recipe (or a manual or workflow run) and its step, for the sync log. */
export interface WriteOrigin {
  /** The recipe's id, or `manual` / `workflow` for a one-off run. */
  recipeId: string;
  recipeName: string | null;
  /** The catalog action (`partner.booking.create`). */
  action: string;
  step: number;
  /** This try of the step (1 for the first). */
  attempt: number;
  /** No try follows this one: a failure is final (else the step retries it). */
  lastTry: boolean;
  /** A one-off run's key (`workflow:<workflow id>:<step id>`, `manual:<time>`): which workflow ran it. */
  runKey?: string;
}

/** Writes straight to the partner apps, through their connectors (not through GHL and the sync). */
export interface PartnerWrites {
  /** The location's active connections whose app takes `kind` `op` from us. */
  targets(kind: SyncKind, op: OutboundOp): Promise<PartnerTarget[]>;
  /** Applies the write at one connection under `key`: a repeat with the same key writes once. */
  apply(connectionId: string, write: PartnerWrite, key: string): Promise<ApplyResult>;
  /** What the sync last held of a partner object it links (the content), or null. */
  known(connectionId: string, kind: SyncKind, partnerId: string): Promise<Record<string, unknown> | null>;
}

/** The sync engine's own operations (admins only). */
export interface EngineOps {
  /** Starts a backfill of a connection: for the whole location, or only this contact (run at once). */
  backfill(
    connectionId: string,
    only: 'location' | 'contact',
    history: boolean,
  ): Promise<Record<string, unknown>>;
  /** Connections a backfill can run for (active, complete). */
  backfillTargets(): Promise<PartnerTarget[]>;
  /** Sends a failed sync log row of the location through the engine again. */
  replay(logId: number): Promise<Record<string, unknown>>;
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
  /**
   * Unique to this run of the step and the same when it runs again (a restart, a retry), so a
   * write whose answer was lost is found rather than made twice; null for one-off runs.
   */
  idempotencyKey: string | null;
  /** The step ran before (its answer lost, or cut off by a restart): a write may have landed. */
  rerun: boolean;
  /** The location's time zone, for wall-time delays without one of their own (a GHL read, cached). */
  timeZone(): Promise<string>;
  partners: PartnerWrites;
  engine: EngineOps;
}

export interface ActionOperation<S extends v.GenericSchema = v.GenericSchema> extends OperationBase {
  kind: 'action';
  /** Runs only for admins (engine operations): never a GHL workflow action. */
  adminOnly?: boolean;
  input: S;
  sample: v.InferInput<S>;
  /** Runs the action; the answer is kept in the run history (and returned to GHL workflows). */
  run(ctx: ActionContext, input: v.InferOutput<S>): Promise<Record<string, unknown>>;
}

export type Operation = TriggerOperation | ActionOperation;

/** Keeps each action's input type tied to its schema. */
export const action = <S extends v.GenericSchema>(op: Omit<ActionOperation<S>, 'kind'>): ActionOperation =>
  ({ kind: 'action', ...op }) as unknown as ActionOperation;
