/**
 * Backfill of one contact for one connection, in the contact's object: the contact and, where
 * the partner takes them, its notes, tasks and appointments are read from GHL (the same reads in
 * a preview and a run), planned (backfill-plan.ts), and in a run the events that write something
 * are queued like webhooks.
 */
import type { Connector, ConnectorConnection, SyncKind } from '../../../connectors/types.ts';
import type { GhlApi } from '../../../ghl/api.ts';
import type { GhlEvent } from '../../../webhooks/events.ts';
import type { ContactEngine } from './contact-engine.ts';
import type { EngineSettings } from '../../../sync/engine-types.ts';
import { taskFromGhl } from '../../../sync/ghl-model.ts';
import { backfillEvents } from '../../../sync/backfill-events.ts';
import {
  addTo,
  planGhlEvent,
  writes,
  type BackfillOptions,
  type KindCounts,
  type PlannedChange,
} from '../../../sync/backfill-plan.ts';

export interface ContactBackfillDeps {
  locationId: string;
  contactId: string;
  engine: ContactEngine;
  ghl: GhlApi;
  settings: EngineSettings;
  connection: ConnectorConnection;
  connector: Connector;
}

export interface ContactBackfillResult {
  counts: KindCounts;
  /** Why changes were skipped, with how many. */
  reasons: Record<string, number>;
  /** Work items queued (0 in a preview). */
  queued: number;
}

/** The GHL reads a backfill of the contact needs: its notes, tasks and appointments, where the partner takes them. */
async function eventsOf(d: ContactBackfillDeps, contact: Record<string, unknown>): Promise<GhlEvent[]> {
  const { contactId } = d;
  const outbound = d.connector.capabilities.outbound;
  return backfillEvents(
    { locationId: d.locationId, contactId, connectionId: d.connection.id, now: Date.now() },
    contact,
    {
      notes: outbound.note?.length ? await d.ghl.listNotes(contactId) : [],
      tasks: outbound.task?.length ? await d.ghl.listTasks(contactId) : [],
      appointments: outbound.appointment?.length ? await d.ghl.listAppointments(contactId) : [],
    },
  );
}

export async function backfillContact(
  d: ContactBackfillDeps,
  contact: Record<string, unknown>,
  opts: BackfillOptions & { dryRun: boolean },
  now = Date.now(),
): Promise<ContactBackfillResult> {
  const ctx = {
    connector: d.connector,
    connection: d.connection,
    settings: d.settings,
    linked: (kind: SyncKind, ghlId: string) => d.engine.links.byGhl(kind, d.connection.id, ghlId),
    options: { history: opts.history },
    now,
  };
  const counts: KindCounts = {};
  const reasons: Record<string, number> = {};
  let queued = 0;
  for (const event of await eventsOf(d, contact)) {
    // TaskComplete forces completed=true; a backfilled task keeps its own state.
    const override = event.type === 'TaskComplete' ? { task: taskFromGhl(event) } : undefined;
    const planned: PlannedChange[] = planGhlEvent(ctx, event, override);
    addTo(counts, planned);
    for (const p of planned) if (p.reason) reasons[p.reason] = (reasons[p.reason] ?? 0) + 1;
    if (!opts.dryRun && writes(planned))
      queued += await d.engine.fromGhl(event, 'backfill', override, d.connection.id);
  }
  return { counts, reasons, queued };
}
