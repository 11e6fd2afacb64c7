/** Runs one partner → GHL work item with the location's GHL client. */
import type { PartnerChange, SyncAppointment, SyncContact, SyncNote, SyncTask } from '../connectors/types.ts';
import { GhlError } from '../ghl/errors.ts';
import type { EngineDeps } from './engine-types.ts';
import { normalizeEmail, normalizePhone } from './fingerprint.ts';
import { appointmentToGhl, contactFromGhl, contactToGhl, ghlPrint } from './ghl-model.ts';
import type { Links, WorkItem } from './queue.ts';
import type { StepOutcome } from './to-partner.ts';

/** Raised when GHL accepted a write but did not keep what we sent: logged, not retried. */
export class GhlDropped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GhlDropped';
  }
}

const NO_SHOW_TAG = 'no-show';

export async function runToGhl(item: WorkItem, deps: EngineDeps, links: Links, dryRun: boolean): Promise<StepOutcome> {
  const change = item.payload as PartnerChange;
  const before = links.byPartner(change.kind, change.connectionId, change.partnerId) ?? (item.ghlId ? links.byGhl(change.kind, change.connectionId, item.ghlId) : undefined);
  const outcome = await applyToGhl(item, deps, links, dryRun);
  // Both sides changed within moments: this partner change (the newer) was made before our
  // write of the older GHL change reached the partner, which then overwrote it there. GHL now
  // holds the winner; the partner must get it back.
  const overwrittenAt = before?.partnerWriteAt;
  if (outcome.status === 'done' && change.op === 'upsert' && overwrittenAt && item.changedAt && item.changedAt < overwrittenAt) {
    return { ...outcome, reassert: { data: change.data } };
  }
  return outcome;
}

async function applyToGhl(item: WorkItem, deps: EngineDeps, links: Links, dryRun: boolean): Promise<StepOutcome> {
  const change = item.payload as PartnerChange;
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
  const save = (ghlId: string, data: unknown) => {
    links.save({ kind: change.kind, connectionId: conn, ghlId, partnerId: change.partnerId, ghlFp: ghlPrint(change.kind, data), partnerFp: change.fingerprint, state: undefined, sourceAt });
    if (change.previousPartnerId) links.alias(change.kind, conn, change.previousPartnerId, ghlId);
  };

  // A late, reordered delivery must not roll back a newer state already synced.
  if (known?.sourceAt && sourceAt && sourceAt < known.sourceAt && change.kind !== 'tag') {
    return { status: 'skipped', action: `${change.op} ${change.kind} in GHL`, note: 'an older change than the one already synced (reordered delivery)' };
  }
  // A deleted object's tombstone only serves the staleness check above.
  const link = known?.deleted ? undefined : known;

  if (link && link.partnerFp === change.fingerprint && change.op !== 'delete') {
    return { status: 'skipped', action: `${change.op} ${change.kind} in GHL`, note: 'no change since the last sync (echo of our own write)' };
  }

  if (change.op === 'delete') {
    if (!link) return { status: 'skipped', action: `delete ${change.kind} in GHL`, note: 'never synced to GHL' };
    if (dryRun) return { status: 'skipped', action: `delete ${change.kind} in GHL`, note: 'dry run: nothing written' };
    await ignoreMissing(async () => {
      if (change.kind === 'note') await ghl.deleteNote(contactId, link.ghlId);
      else if (change.kind === 'task') await ghl.deleteTask(contactId, link.ghlId);
      else if (change.kind === 'appointment') await ghl.deleteAppointment(link.ghlId);
      else if (change.kind === 'contact') await ghl.deleteContact(contactId);
    });
    links.bury(change.kind, conn, link.ghlId, sourceAt);
    return { status: 'done', action: `delete ${change.kind} in GHL`, objectId: link.ghlId };
  }

  const verb = link ? 'update' : 'create';
  const action = change.kind === 'tag' ? `${change.op === 'tag_add' ? 'add' : 'remove'} tags in GHL` : `${verb} ${change.kind} in GHL`;
  if (dryRun) return { status: 'skipped', action, note: 'dry run: nothing written' };

  switch (change.kind) {
    case 'contact': {
      let body = contactToGhl(change.data as SyncContact);
      const connection = (await deps.connections()).find((c) => c.id === conn);
      if (connection && !deps.connector(connection.kind)?.capabilities.outbound.contact?.length) {
        // A partner without contact records (a booking page) only knows what the attendee typed:
        // it may fill blanks in GHL, never overwrite what the agency keeps there.
        const current = (await deps.contact()) as Record<string, unknown> | undefined;
        body = Object.fromEntries(Object.entries(body).filter(([k]) => current?.[k] === undefined || current[k] === ''));
        if (!Object.keys(body).length) return { status: 'skipped', action: 'update contact in GHL', note: 'the partner adds nothing the GHL contact lacks' };
      }
      const written = await ghl.updateContact(contactId, body);
      checkKept(body, written as Record<string, unknown>);
      save(contactId, contactFromGhl(written as Record<string, unknown>));
      return { status: 'done', action: 'update contact in GHL', objectId: contactId };
    }
    case 'tag': {
      const tags = (change.data as { tags: string[] }).tags;
      if (change.op === 'tag_add') await ghl.addTags(contactId, tags);
      else await ghl.removeTags(contactId, tags);
      // The partner holds these tags now too: record it, so GHL's ContactTagUpdate about this
      // very write is not sent back to the partner as a change (echo suppression for tags).
      const held = new Set(((link?.state as string[] | undefined) ?? []).map((t) => t.toLowerCase()));
      for (const t of tags) change.op === 'tag_add' ? held.add(t.toLowerCase()) : held.delete(t.toLowerCase());
      links.save({ kind: 'tag', connectionId: conn, ghlId: contactId, partnerId: link?.partnerId ?? null, ghlFp: link?.ghlFp ?? null, partnerFp: null, state: [...held] });
      return { status: 'done', action: `${action}: ${tags.join(', ')}`, objectId: contactId };
    }
    case 'note': {
      const data = change.data as SyncNote;
      const input = { body: data.body, ...(data.title ? { title: data.title } : {}) };
      let id = link?.ghlId;
      if (id) await ghl.updateNote(contactId, id, input);
      else {
        // A retry may follow a create whose answer was lost: look before creating again.
        const existing = item.attempts > 0 ? (await ghl.listNotes(contactId)).find((n) => n.body === data.body) : undefined;
        id = existing?.id ?? (await ghl.createNote(contactId, input)).id;
      }
      save(id, data);
      return { status: 'done', action, objectId: id };
    }
    case 'task': {
      const data = change.data as SyncTask;
      const input = { title: data.title, body: data.body, dueDate: data.dueDate, completed: data.completed };
      let id = link?.ghlId;
      if (id) await ghl.updateTask(contactId, id, input);
      else {
        const existing = item.attempts > 0 ? (await ghl.listTasks(contactId)).find((t) => t.title === data.title && t.dueDate === data.dueDate) : undefined;
        id = existing?.id ?? (await ghl.createTask(contactId, input)).id;
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
      if (id) await ghl.updateAppointment(id, body);
      else {
        const existing =
          item.attempts > 0 ? (await ghl.listAppointments(contactId)).find((a) => Date.parse(String(a.startTime)) === Date.parse(data.startTime)) : undefined;
        const connection = (await deps.connections()).find((c) => c.id === conn);
        const configured = connection?.settings.ghlCalendarId ?? connection?.settings.calendarId;
        // GHL needs a real calendar: without one chosen for the connection, the location's first active one.
        const calendarId = configured ? String(configured) : ((await ghl.listCalendars()).find((c) => c.isActive !== false)?.id ?? 'default');
        id = existing?.id ?? (await ghl.createAppointment({ ...body, calendarId, contactId, ignoreFreeSlotValidation: true })).id;
      }
      save(id, data);
      return { status: 'done', action, objectId: id };
    }
  }
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
    if (typeof sent[f] === 'string' && String(got[f] ?? '').trim() !== String(sent[f]).trim()) dropped.push(f);
  }
  if (dropped.length) throw new GhlDropped(`GHL did not keep ${dropped.join(', ')} (it may have merged the contact or rejected the value)`);
}
