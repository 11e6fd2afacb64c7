/** Runs one partner → GHL work item with the location's GHL client. */
import type {
  PartnerChange,
  SyncAppointment,
  SyncContact,
  SyncKind,
  SyncNote,
  SyncTask,
} from '../../../connectors/types.ts';
import { GhlError } from '../../../ghl/errors.ts';
import type { EngineDeps } from './engine-deps.ts';
import { isPartnerEcho } from '../../../sync/echo.ts';
import { withFields } from '../../../sync/field-merge.ts';
import { agreed, needsWrite, recordWrite, type SyncRecord } from '../../../sync/field-record.ts';
import { decideReports, reportsOf } from '../../../sync/item-reports.ts';
import type { ConflictPolicy } from '../../../sync/policy.ts';
import { normalizeEmail, normalizePhone } from '../../../sync/fingerprint.ts';
import { appointmentToGhl, contactFromGhl, contactToGhl, ghlPrint } from '../../../sync/ghl-model.ts';
import type { Links } from './queue.ts';
import type { Link, PartnerChangeItem } from '../../../sync/work.ts';
import { tagsToGhl } from './tag-steps.ts';
import type { StepOutcome } from './step.ts';

/** Raised when GHL accepted a write but did not keep what we sent: logged, not retried. */
export class GhlDropped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GhlDropped';
  }
}

const NO_SHOW_TAG = 'no-show';

export async function runToGhl(
  item: PartnerChangeItem,
  deps: EngineDeps,
  links: Links,
  dryRun: boolean,
  policy: ConflictPolicy,
): Promise<StepOutcome> {
  let change: PartnerChange = item.payload;
  const before =
    links.byPartner(change.kind, change.connectionId, change.partnerId) ??
    (item.ghlId ? links.byGhl(change.kind, change.connectionId, item.ghlId) : undefined);
  let record: SyncRecord | undefined;
  let told: Pick<StepOutcome, 'conflicts' | 'fields'> = {};
  const writable = await partnerTakes(deps, change.connectionId, change.kind);
  // Field by field: what the partner's reports change, however late they come (field-record.ts).
  // A partner that only knows an attendee fills blanks in GHL instead (applyToGhl).
  if (change.op === 'upsert' && !before?.deleted && (change.kind !== 'contact' || writable)) {
    const reports = reportsOf(change, item.changedAt);
    // The partner's print of our own write (connector.fingerprint): its own spelling of what we
    // sent (a booking page renames and re-times), no change of a person's.
    if (reports.length === 1 && isPartnerEcho(before, change.fingerprint, item.changedAt)) {
      return {
        status: 'skipped',
        action: `${change.op} ${change.kind} in GHL`,
        note: 'no change since the last sync (echo of our own write)',
      };
    }
    const decision = decideReports(before, reports, 'partner', policy, Date.now());
    record = decision.record;
    told = {
      ...(decision.conflicts.length ? { conflicts: decision.conflicts } : {}),
      ...(decision.log.length ? { fields: decision.log } : {}),
    };
    const content = withFields(before?.data ?? change.data, agreed(record));
    const reassert =
      writable && before && needsWrite(record, 'partner') ? { reassert: { to: 'partner' as const } } : {};
    if (before && !needsWrite(record, 'ghl')) {
      const action = `update ${change.kind} in GHL`;
      if (dryRun) return { status: 'skipped', action, note: 'dry run: nothing written' };
      links.saveRecord(before.kind, before.connectionId, before.ghlId, record, content);
      const note = Object.keys(decision.changed).length
        ? 'GHL holds this already'
        : decision.older.length
          ? 'an older change than the one already synced (reordered delivery)'
          : 'nothing new from the partner (an echo of our own write, or what was synced already)';
      return { status: 'skipped', action, note, ...told, ...reassert };
    }
    change = { ...change, data: content } as PartnerChange;
    item = { ...item, payload: change };
  }
  let outcome: StepOutcome;
  try {
    outcome = await applyToGhl(item, deps, links, dryRun, policy, record);
  } catch (err) {
    // Deleted in GHL meanwhile: GHL's delete, on its way, decides (newest wins against this change).
    if (
      err instanceof GhlError &&
      err.kind === 'not_found' &&
      change.op !== 'delete' &&
      before &&
      !before.deleted
    ) {
      return {
        status: 'skipped',
        action: `${change.op} ${change.kind} in GHL`,
        note: 'deleted in GHL since (its delete syncs on its own)',
      };
    }
    throw err;
  }
  if (record) {
    // The partner may hold an older value: our write of an older GHL change landed over a newer one there.
    return outcome.status === 'done' && writable && before && needsWrite(record, 'partner')
      ? { ...outcome, reassert: { to: 'partner' }, ...told }
      : { ...outcome, ...told };
  }
  // A delete the same way: our update reaching the partner after its delete brought the object back.
  const overwrittenAt = before?.partnerWriteAt;
  if (
    outcome.status === 'done' &&
    change.op === 'delete' &&
    overwrittenAt &&
    item.changedAt &&
    item.changedAt < overwrittenAt
  ) {
    return { ...outcome, reassert: { to: 'partner' } };
  }
  return outcome;
}

/** Can we write this kind to the partner? (Booking pages only report attendees.) */
async function partnerTakes(deps: EngineDeps, connectionId: string, kind: SyncKind): Promise<boolean> {
  const connection = (await deps.connections()).find((c) => c.id === connectionId);
  return !!connection && !!deps.connector(connection.kind)?.capabilities.outbound[kind]?.length;
}

/** `record`: the upsert was decided field by field; its write to GHL is remembered there. */
async function applyToGhl(
  item: PartnerChangeItem,
  deps: EngineDeps,
  links: Links,
  dryRun: boolean,
  policy: ConflictPolicy,
  record?: SyncRecord,
): Promise<StepOutcome> {
  const change = item.payload;
  const { ghl, contactId } = deps;
  const conn = change.connectionId;
  const byId = item.ghlId ? links.byGhl(change.kind, conn, item.ghlId) : undefined;
  // A live link wins over the tombstone of an object deleted since this item was queued.
  const known =
    (byId?.deleted ? undefined : byId) ??
    links.byPartner(change.kind, conn, change.partnerId) ??
    (change.previousPartnerId ? links.byPartner(change.kind, conn, change.previousPartnerId) : undefined) ??
    byId;
  const sourceAt = item.changedAt ?? null;
  let startedAt = Date.now();
  const save = (ghlId: string, data: unknown) => {
    const fields = record ? recordWrite(record, 'ghl', data, startedAt, Date.now()) : undefined;
    links.save({
      kind: change.kind,
      connectionId: conn,
      ghlId,
      partnerId: change.partnerId,
      ghlFp: ghlPrint(change.kind, data),
      partnerFp: change.fingerprint,
      state: undefined,
      sourceAt,
      ghlWriteAt: Date.now(),
      data,
      fields,
    });
    if (change.previousPartnerId) links.alias(change.kind, conn, change.previousPartnerId, ghlId);
  };

  if (change.kind === 'tag') return tagsToGhl(item, deps, links, dryRun, policy);
  // A late, reordered delivery must not roll back a newer state already synced (an upsert's
  // fields were weighed one by one already), nor bring back what was deleted.
  if ((!record || known?.deleted) && known?.sourceAt && sourceAt && sourceAt < known.sourceAt) {
    return {
      status: 'skipped',
      action: `${change.op} ${change.kind} in GHL`,
      note: 'an older change than the one already synced (reordered delivery)',
    };
  }
  // Deleted on both sides: the partner's report from before we saw the delete is late.
  if (known?.deleted && change.op !== 'delete' && sourceAt && sourceAt <= (known.syncedAt ?? 0)) {
    return {
      status: 'skipped',
      action: `${change.op} ${change.kind} in GHL`,
      note: 'deleted on both sides since (a late report about it)',
    };
  }
  // A deleted object's tombstone only serves the staleness checks above.
  const link = known?.deleted ? undefined : known;

  if (!record && change.op !== 'delete' && isPartnerEcho(link, change.fingerprint, item.changedAt)) {
    return {
      status: 'skipped',
      action: `${change.op} ${change.kind} in GHL`,
      note: 'no change since the last sync (echo of our own write)',
    };
  }

  if (change.op === 'delete') {
    if (!link) {
      // Its creation may still be on its way (reordered): remember the delete, so it is stale then.
      if (!known) links.buryUnsynced(change.kind, conn, change.partnerId, sourceAt);
      return { status: 'skipped', action: `delete ${change.kind} in GHL`, note: 'never synced to GHL' };
    }
    if (dryRun)
      return { status: 'skipped', action: `delete ${change.kind} in GHL`, note: 'dry run: nothing written' };
    await deleteInGhl(deps, change.kind, link.ghlId);
    links.bury(change.kind, conn, link.ghlId, sourceAt);
    return { status: 'done', action: `delete ${change.kind} in GHL`, objectId: link.ghlId };
  }

  const verb = link ? 'update' : 'create';
  const action = `${verb} ${change.kind} in GHL`;
  if (dryRun) return { status: 'skipped', action, note: 'dry run: nothing written' };
  startedAt = Date.now();

  switch (change.kind) {
    case 'contact': {
      let body = contactToGhl(change.data as SyncContact);
      const connection = (await deps.connections()).find((c) => c.id === conn);
      if (connection && !deps.connector(connection.kind)?.capabilities.outbound.contact?.length) {
        // A partner without contact records (a booking page) only knows what the attendee typed:
        // it may fill blanks in GHL, never overwrite what the agency keeps there.
        const current = (await deps.contact()) as Record<string, unknown> | undefined;
        body = Object.fromEntries(
          Object.entries(body).filter(([k]) => current?.[k] === undefined || current[k] === ''),
        );
        if (!Object.keys(body).length)
          return {
            status: 'skipped',
            action: 'update contact in GHL',
            note: 'the partner adds nothing the GHL contact lacks',
          };
      }
      const written = await ghl.updateContact(contactId, body);
      checkKept(body, written as Record<string, unknown>);
      save(contactId, contactFromGhl(written as Record<string, unknown>));
      return { status: 'done', action: 'update contact in GHL', objectId: contactId };
    }
    case 'note': {
      const data = change.data as SyncNote;
      let id = link?.ghlId;
      if (id) await updateInGhl(deps, 'note', id, data);
      else {
        // A retry may follow a create whose answer was lost: look before creating again.
        const existing =
          item.attempts > 0 ? (await ghl.listNotes(contactId)).find((n) => n.body === data.body) : undefined;
        id = existing?.id ?? (await ghl.createNote(contactId, noteInput(data))).id;
      }
      save(id, data);
      return { status: 'done', action, objectId: id };
    }
    case 'task': {
      const data = change.data as SyncTask;
      let id = link?.ghlId;
      if (id) await updateInGhl(deps, 'task', id, data);
      else {
        const existing =
          item.attempts > 0
            ? (await ghl.listTasks(contactId)).find(
                (t) => t.title === data.title && t.dueDate === data.dueDate,
              )
            : undefined;
        id = existing?.id ?? (await ghl.createTask(contactId, taskInput(data))).id;
      }
      save(id, data);
      return { status: 'done', action, objectId: id };
    }
    case 'appointment': {
      if (change.op === 'no_show') {
        await ghl.addTags(contactId, [NO_SHOW_TAG]);
        return { status: 'done', action: `tag contact "${NO_SHOW_TAG}" in GHL`, objectId: contactId };
      }
      const data = change.data as SyncAppointment;
      const body = appointmentToGhl(data);
      let id = link?.ghlId;
      if (id) await updateInGhl(deps, 'appointment', id, data);
      else {
        const existing =
          item.attempts > 0
            ? (await ghl.listAppointments(contactId)).find(
                (a) => Date.parse(String(a.startTime)) === Date.parse(data.startTime),
              )
            : undefined;
        const connection = (await deps.connections()).find((c) => c.id === conn);
        const configured = connection?.settings.ghlCalendarId ?? connection?.settings.calendarId;
        // GHL needs a real calendar: without one chosen for the connection, the location's first active one.
        const calendarId = configured
          ? String(configured)
          : ((await ghl.listCalendars()).find((c) => c.isActive !== false)?.id ?? 'default');
        id =
          existing?.id ??
          (await ghl.createAppointment({ ...body, calendarId, contactId, ignoreFreeSlotValidation: true }))
            .id;
      }
      save(id, data);
      return { status: 'done', action, objectId: id };
    }
  }
}

const noteInput = (n: SyncNote) => ({ body: n.body, ...(n.title ? { title: n.title } : {}) });
const taskInput = (t: SyncTask) => ({
  title: t.title,
  body: t.body,
  dueDate: t.dueDate,
  completed: t.completed,
});

/** Writes `data` (common model) over an object GHL already has; returns it as GHL now holds it. */
export async function updateInGhl(
  deps: EngineDeps,
  kind: Exclude<SyncKind, 'tag'>,
  ghlId: string,
  data: unknown,
): Promise<unknown> {
  const { ghl, contactId } = deps;
  switch (kind) {
    case 'contact':
      return contactFromGhl(
        (await ghl.updateContact(contactId, contactToGhl(data as SyncContact))) as Record<string, unknown>,
      );
    case 'note':
      await ghl.updateNote(contactId, ghlId, noteInput(data as SyncNote));
      return data;
    case 'task':
      await ghl.updateTask(contactId, ghlId, taskInput(data as SyncTask));
      return data;
    case 'appointment':
      await ghl.updateAppointment(ghlId, appointmentToGhl(data as SyncAppointment));
      return data;
  }
}

/** Deletes an object in GHL; one already gone is fine. */
export async function deleteInGhl(deps: EngineDeps, kind: SyncKind, ghlId: string): Promise<void> {
  const { ghl, contactId } = deps;
  await ignoreMissing(async () => {
    if (kind === 'note') await ghl.deleteNote(contactId, ghlId);
    else if (kind === 'task') await ghl.deleteTask(contactId, ghlId);
    else if (kind === 'appointment') await ghl.deleteAppointment(ghlId);
    else if (kind === 'contact') await ghl.deleteContact(contactId);
  });
}

async function ignoreMissing(fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof GhlError && err.kind === 'not_found')) throw err;
  }
}

/** GHL answers 200 even when it merged or dropped what we sent; compare the fields that matter. */
function checkKept(sent: Record<string, unknown>, got: Record<string, unknown>) {
  const dropped: string[] = [];
  if (sent.email && normalizeEmail(sent.email) !== normalizeEmail(got.email)) dropped.push('email');
  if (sent.phone && normalizePhone(sent.phone) !== normalizePhone(got.phone)) dropped.push('phone');
  for (const f of ['firstName', 'lastName', 'companyName'] as const) {
    if (typeof sent[f] === 'string' && String(got[f] ?? '').trim() !== String(sent[f]).trim())
      dropped.push(f);
  }
  if (dropped.length)
    throw new GhlDropped(
      `GHL did not keep ${dropped.join(', ')} (it may have merged the contact or rejected the value)`,
    );
}
