/**
 * What a backfill does with each GHL object of a contact, decided once: the preview counts this
 * plan and the run queues exactly the changes it plans to write, so the two cannot disagree.
 */
import { mapFor } from '../connectors/mapping.ts';
import {
  supports,
  type Connector,
  type ConnectorConnection,
  type OutboundOp,
  type SyncAppointment,
  type SyncKind,
} from '../connectors/types.ts';
import type { GhlEvent } from '../webhooks/events.ts';
import { SETTINGS_KEY, type EngineSettings } from './engine-types.ts';
import { changesFromGhlEvent, type GhlChange } from './ghl-events.ts';
import { ghlPrint } from './ghl-model.ts';
import { allowsFlow } from './policy.ts';

export type PlanAction = 'create' | 'update' | 'unchanged' | 'skipped';
export type ActionCounts = Record<PlanAction, number>;
/** Counts per object kind; a kind the partner does not take in that direction is absent. */
export type KindCounts = Partial<Record<SyncKind, ActionCounts>>;

export interface PlannedChange {
  kind: SyncKind;
  action: PlanAction;
  /** Why a change is skipped (shown in the preview). */
  reason?: string;
}

export interface BackfillOptions {
  /** Book appointments that already ended too (off: only upcoming ones reach the partner). */
  history: boolean;
}

export interface PlanContext {
  connector: Connector;
  connection: ConnectorConnection;
  settings: Pick<EngineSettings, 'kinds' | 'dryRun'>;
  /** The GHL-side print last synced for the object, or undefined when it never was. */
  linked(kind: SyncKind, ghlId: string): { partnerId: string | null; ghlFp: string | null } | undefined;
  options: BackfillOptions;
  now: number;
}

export const emptyCounts = (): ActionCounts => ({ create: 0, update: 0, unchanged: 0, skipped: 0 });

export function addTo(counts: KindCounts, planned: readonly PlannedChange[]): KindCounts {
  for (const p of planned) (counts[p.kind] ??= emptyCounts())[p.action]++;
  return counts;
}

export function mergeCounts(into: KindCounts, from: KindCounts): KindCounts {
  for (const [kind, c] of Object.entries(from) as [SyncKind, ActionCounts][]) {
    const t = (into[kind] ??= emptyCounts());
    for (const a of Object.keys(t) as PlanAction[]) t[a] += c[a] ?? 0;
  }
  return into;
}

/** Why a kind cannot be written to the partner by this connection at all, or null. */
function notConfigured(ctx: PlanContext, kind: SyncKind): string | null {
  if (
    ctx.connection.kind === 'calcom' &&
    kind === 'appointment' &&
    !(Number(ctx.connection.settings.eventTypeId) > 0)
  ) {
    return 'no Cal.com event type is chosen for bookings made from HighLevel';
  }
  return null;
}

function planChange(ctx: PlanContext, change: GhlChange, carriesTags: boolean): PlannedChange | null {
  const op: OutboundOp = change.op === 'delete' ? 'delete' : change.kind === 'tag' ? 'tag_add' : 'create';
  if (!supports(ctx.connector.capabilities, 'outbound', change.kind, op)) return null;
  // The contact write carries its tags: no separate tag write follows it.
  if (change.kind === 'tag' && carriesTags) return null;
  const link = ctx.linked(change.kind, change.ghlId);
  if (change.kind === 'tag' && !link && !(change.data as { tags?: string[] })?.tags?.length) return null;
  const k = ctx.settings.kinds[SETTINGS_KEY[change.kind]];
  if (!k?.enabled)
    return {
      kind: change.kind,
      action: 'skipped',
      reason: `${SETTINGS_KEY[change.kind]} sync is switched off`,
    };
  if (!allowsFlow(k.direction, 'ghl'))
    return {
      kind: change.kind,
      action: 'skipped',
      reason: `${SETTINGS_KEY[change.kind]} sync runs ${k.direction.replace(/_/g, ' ')} only`,
    };
  if (link?.ghlFp && link.ghlFp === ghlPrint(change.kind, change.data))
    return { kind: change.kind, action: 'unchanged' };
  const isNew = !link?.partnerId && change.kind !== 'tag';
  if (isNew && change.kind === 'appointment') {
    const appt = change.data as SyncAppointment;
    if (appt.status === 'cancelled')
      return { kind: change.kind, action: 'skipped', reason: 'cancelled, never booked at the partner' };
    if (!ctx.options.history && Date.parse(appt.endTime || appt.startTime) < ctx.now)
      return {
        kind: change.kind,
        action: 'skipped',
        reason: 'in the past (choose "include history" to book it)',
      };
  }
  const missing = notConfigured(ctx, change.kind);
  if (missing) return { kind: change.kind, action: 'skipped', reason: missing };
  if (ctx.settings.dryRun)
    return { kind: change.kind, action: 'skipped', reason: 'the location is in dry-run mode' };
  return { kind: change.kind, action: isNew ? 'create' : 'update' };
}

/** The plan for one GHL event (`data` overrides the event's own content per kind, as in `fromGhl`). */
export function planGhlEvent(
  ctx: PlanContext,
  event: GhlEvent,
  data?: Partial<Record<SyncKind, unknown>>,
): PlannedChange[] {
  const changes = changesFromGhlEvent(event).map((c) => (data?.[c.kind] ? { ...c, data: data[c.kind] } : c));
  const carriesTags =
    changes.some((c) => c.kind === 'contact') &&
    'tags' in mapFor(ctx.connector.defaultFieldMaps, ctx.connection.settings, 'contact');
  return changes.map((c) => planChange(ctx, c, carriesTags)).filter((p): p is PlannedChange => p !== null);
}

/** Does the plan write anything (then the run queues the event)? */
export const writes = (planned: readonly PlannedChange[]) =>
  planned.some((p) => p.action === 'create' || p.action === 'update');
