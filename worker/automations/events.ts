/**
 * GHL webhooks and partner changes as catalog trigger occurrences (pure). The keys make a
 * redelivery, a replay or a reordered duplicate the same occurrence, so a recipe runs once.
 */
import type { PartnerChange, SyncAppointment, SyncContact } from '../connectors/types.ts';
import type { GhlEvent } from '../webhooks/events.ts';
import type { AppointmentFacts, ContactFacts, TriggerData, TriggerEvent } from './trigger-data.ts';

const str = (x: unknown) => (typeof x === 'string' && x !== '' ? x : undefined);

/** The contact as recipes read it, from a GHL contact payload. */
export function contactFacts(id: string, raw: Record<string, unknown>): ContactFacts {
  const fields: Record<string, unknown> = {};
  const custom = raw.customFields ?? raw.customField;
  if (Array.isArray(custom))
    for (const f of custom as { id?: string; value?: unknown }[]) if (f?.id) fields[f.id] = f.value;
  return {
    id,
    firstName: str(raw.firstName),
    lastName: str(raw.lastName),
    name:
      str(raw.name) ??
      str(raw.contactName) ??
      ([str(raw.firstName), str(raw.lastName)].filter(Boolean).join(' ') || undefined),
    email: str(raw.email),
    phone: str(raw.phone),
    companyName: str(raw.companyName),
    source: str(raw.source),
    businessId: str(raw.businessId),
    tags: Array.isArray(raw.tags) ? raw.tags.map(String) : undefined,
    customFields: fields,
  };
}

function appointmentFacts(raw: Record<string, unknown>): AppointmentFacts {
  return {
    id: String(raw.id),
    calendarId: str(raw.calendarId),
    title: str(raw.title),
    startTime: str(raw.startTime),
    endTime: str(raw.endTime),
    status: str(raw.appointmentStatus) ?? str(raw.status),
    source: str(raw.source),
    notes: str(raw.notes),
  };
}

/** The contact's tags as this app last saw them; undefined when it never did. */
export type TagBaseline = readonly string[] | undefined;

/**
 * Occurrences a stored GHL event brings for `contactId`. Tags are compared with the baseline:
 * each tag newly on is one `ghl.contact.tag_added`. Without a baseline only a report that is
 * about tags (ContactTagUpdate) or a new contact counts its tags as added; a plain ContactUpdate
 * cannot say which of them changed.
 */
export function fromGhlEvent(
  event: GhlEvent,
  contactId: string,
  baseline: TagBaseline,
): { events: TriggerEvent[]; tags?: string[] } {
  const out: TriggerEvent[] = [];
  const at = `${event.webhookId}`;
  const raw = event as Record<string, unknown>;
  switch (event.type) {
    case 'ContactCreate':
    case 'ContactUpdate':
    case 'ContactTagUpdate': {
      const contact = contactFacts(contactId, raw);
      const data: TriggerData = { contact };
      if (event.type === 'ContactCreate')
        out.push({ trigger: 'ghl.contact.created', key: `created:${contactId}`, data });
      if (event.type === 'ContactUpdate')
        out.push({ trigger: 'ghl.contact.updated', key: `updated:${at}`, data });
      const tags = contact.tags;
      if (!tags) return { events: out };
      const counts = baseline !== undefined || event.type !== 'ContactUpdate';
      if (!counts) return { events: out };
      const before = new Set((baseline ?? []).map((t) => t.toLowerCase()));
      const now = new Set(tags.map((t) => t.toLowerCase()));
      for (const tag of tags)
        if (!before.has(tag.toLowerCase()))
          out.push({
            trigger: 'ghl.contact.tag_added',
            key: `tag_added:${tag.toLowerCase()}:${at}`,
            object: `tag:${tag.toLowerCase()}`,
            data: { ...data, tag },
          });
      for (const tag of baseline ?? [])
        if (!now.has(tag.toLowerCase()))
          out.push({
            trigger: 'ghl.contact.tag_removed',
            key: `tag_removed:${tag.toLowerCase()}:${at}`,
            object: `untag:${tag.toLowerCase()}`,
            data: { ...data, tag },
          });
      return { events: out, tags };
    }
    case 'AppointmentCreate':
    case 'AppointmentUpdate':
    case 'AppointmentDelete': {
      const appt = event.appointment;
      if (!appt?.id) return { events: out };
      const appointment = appointmentFacts(appt);
      const data: TriggerData = { appointment };
      const subject = `appointment:${appt.id}`;
      const status = (appointment.status ?? '').toLowerCase();
      if (event.type === 'AppointmentDelete' || status === 'cancelled')
        out.push({ trigger: 'ghl.appointment.cancelled', key: `cancelled:${appt.id}`, subject, data });
      else if (event.type === 'AppointmentCreate')
        out.push({
          trigger: 'ghl.appointment.booked',
          key: `booked:${appt.id}`,
          subject,
          object: subject,
          data,
        });
      else if (status === 'noshow')
        out.push({ trigger: 'ghl.appointment.no_show', key: `noshow:${appt.id}`, subject, data });
      else if (status === 'showed')
        out.push({ trigger: 'ghl.appointment.showed', key: `showed:${appt.id}`, subject, data });
      else out.push({ trigger: 'ghl.appointment.updated', key: `appt_updated:${at}`, subject, data });
      return { events: out };
    }
    case 'TaskCreate':
    case 'TaskComplete': {
      if (typeof event.id !== 'string') return { events: out };
      const task = {
        id: event.id,
        title: str(raw.title),
        dueDate: str(raw.dueDate),
        completed: event.type === 'TaskComplete' || raw.completed === true,
      };
      const trigger = event.type === 'TaskCreate' ? 'ghl.task.created' : 'ghl.task.completed';
      out.push({ trigger, key: `${trigger}:${event.id}`, object: `task:${event.id}`, data: { task } });
      return { events: out };
    }
    case 'NoteCreate': {
      if (typeof event.id !== 'string') return { events: out };
      out.push({
        trigger: 'ghl.note.created',
        key: `note_created:${event.id}`,
        object: `note:${event.id}`,
        data: { note: { id: event.id, body: str(raw.body) } },
      });
      return { events: out };
    }
    default:
      return { events: out };
  }
}

function partnerContact(contactId: string, c: SyncContact | undefined): ContactFacts {
  return {
    id: contactId,
    firstName: c?.firstName,
    lastName: c?.lastName,
    name: c?.name,
    email: c?.email,
    phone: c?.phone,
    companyName: c?.companyName,
    tags: c?.tags,
    customFields: c?.customFields ?? {},
  };
}

/** What this app last saw of a partner booking (its start), or undefined for a new one. */
export type BookingSeen = { startTime: string } | undefined;

/**
 * Occurrences a partner change brings. A booking is `created` the first time it is seen,
 * `rescheduled` when it names a previous booking or its start moved, `cancelled` on that status.
 */
export function fromPartnerChange(
  change: PartnerChange,
  contactId: string,
  seen: BookingSeen,
): TriggerEvent[] {
  const base = { connectionId: change.connectionId, contact: partnerContact(contactId, change.contact) };
  const id = `${change.connectionId}:${change.partnerId}`;
  if (change.kind === 'appointment' && change.op === 'upsert') {
    const a: SyncAppointment = change.data;
    const appointment: AppointmentFacts = {
      id: change.partnerId,
      title: a.title,
      startTime: a.startTime,
      endTime: a.endTime,
      status: a.status,
      notes: a.notes,
    };
    const data = { ...base, appointment };
    const subject = `partner_booking:${id}`;
    // The partner's report of a booking a recipe wrote there carries that origin (loop guard).
    const object = subject;
    if (a.status === 'cancelled')
      return [{ trigger: 'partner.booking.cancelled', key: `p_cancelled:${id}`, subject, object, data }];
    if (a.status === 'noshow')
      return [{ trigger: 'partner.booking.no_show', key: `p_noshow:${id}`, subject, object, data }];
    if (change.previousPartnerId || (seen && seen.startTime !== a.startTime)) {
      return [
        {
          trigger: 'partner.booking.rescheduled',
          key: `p_rescheduled:${id}:${a.startTime}`,
          subject,
          object,
          data,
        },
      ];
    }
    if (!seen) return [{ trigger: 'partner.booking.created', key: `p_created:${id}`, subject, object, data }];
    return [];
  }
  if (change.kind === 'appointment' && change.op === 'no_show') {
    if (!change.data.absent) return [];
    return [
      {
        trigger: 'partner.booking.no_show',
        key: `p_noshow:${id}`,
        subject: `partner_booking:${id}`,
        data: { ...base, appointment: { id: change.partnerId } },
      },
    ];
  }
  if (change.kind === 'contact' && change.op === 'upsert') {
    return [
      {
        trigger: 'partner.contact.updated',
        key: `p_contact:${change.dedupeKey}`,
        data: { ...base, contact: partnerContact(contactId, change.data) },
      },
    ];
  }
  if (change.kind === 'task' && change.op === 'upsert') {
    const t = change.data;
    return [
      {
        trigger: 'partner.task.updated',
        key: `p_task:${change.dedupeKey}`,
        object: `partner_task:${id}`,
        data: {
          ...base,
          task: { id: change.partnerId, title: t.title, dueDate: t.dueDate, completed: t.completed },
        },
      },
    ];
  }
  if (change.kind === 'note' && change.op === 'upsert') {
    return [
      {
        trigger: 'partner.note.updated',
        key: `p_note:${change.dedupeKey}`,
        object: `partner_note:${id}`,
        data: { ...base, note: { id: change.partnerId, body: change.data.body } },
      },
    ];
  }
  return [];
}

const DAY_MS = 24 * 3600_000;

/** The fields of a sync log entry (sync-log/write.ts SyncLogInput) a trigger reads. */
export interface SyncLogFacts {
  workKey?: string;
  action: string;
  objectKind: string;
  objectId?: string | null;
  connectionId?: string | null;
  status: string;
  error?: string | null;
  /** The sync log row's id (what a replay names). */
  logId?: number;
}

/**
 * Occurrences a sync log entry of the contact's engine brings: a conflict, a failure that will
 * not be retried, or a connection that needs a reconnect (once per connection and day).
 */
export function fromSyncLog(entry: SyncLogFacts, contactId: string, now: number): TriggerEvent[] {
  const sync = {
    action: entry.action,
    objectKind: entry.objectKind,
    ...(entry.objectId ? { objectId: entry.objectId } : {}),
    ...(entry.error ? { error: entry.error } : {}),
    ...(entry.logId ? { logId: entry.logId } : {}),
  };
  const data: TriggerData = {
    sync,
    contact: { id: contactId },
    ...(entry.connectionId ? { connectionId: entry.connectionId } : {}),
  };
  const what = entry.workKey ?? `${entry.objectKind}:${entry.objectId ?? ''}:${entry.action}`;
  if (entry.status === 'conflict')
    return [{ trigger: 'sync.conflict', key: `sync_conflict:${what}:${now}`, data }];
  if (entry.status === 'failed')
    return [
      {
        trigger: 'sync.failed',
        key: `sync_failed:${what}`,
        data,
        // A replay a recipe started that fails again does not start that recipe again.
        ...(entry.logId ? { object: `sync_log:${entry.logId}` } : {}),
      },
    ];
  if (entry.status === 'retrying' && /reconnect/i.test(entry.error ?? '')) {
    return [
      {
        trigger: 'sync.reconnect_needed',
        key: `sync_reconnect:${entry.connectionId ?? ''}:${Math.floor(now / DAY_MS)}`,
        data,
      },
    ];
  }
  return [];
}
