import { Hono, type Context } from 'hono';
import { CallStats, Deliverer, jsonBody, listen, type Delivery } from './common.ts';

/**
 * An Appointlet stand-in: Appointlet has no public API (test/partners/README.md), only
 * unsigned outbound webhooks of `Activity` envelopes. This emulator keeps meetings and sends
 * those webhooks to a target URL when the control API acts as an Appointlet user.
 *
 * Attested fields: Activity {id, type, created_at, action, message, metadata, entity}; Meeting
 * {id, type, created_at, name, location, location_type, start, end, approved, confirmed,
 * cancelled}. [inferred] and documented in README.md: Meeting.attendees[], Meeting.tags[],
 * Attendee {id, type, email, first_name, last_name, phone, timezone, status, notes, fields,
 * meeting}, and `metadata.tag` on Meeting.tagged/untagged.
 */

export interface AppointletAttendee {
  id: number;
  type: 'Attendee';
  created_at: string;
  email: string;
  first_name: string;
  last_name: string;
  phone: string | null;
  timezone: string;
  status: 'scheduled' | 'cancelled' | 'approved' | 'declined';
  notes: string | null;
  fields: { name: string; value: string }[];
}

export interface AppointletMeeting {
  id: number;
  type: 'Meeting';
  created_at: string;
  updated_at: string;
  name: string;
  location: string | null;
  location_type: string;
  start: string;
  end: string;
  approved: boolean | null;
  confirmed: boolean;
  cancelled: boolean;
  tags: string[];
  attendees: AppointletAttendee[];
}

export interface AppointletEmulatorOptions {
  port?: number;
  /** Where webhooks go (our `/webhooks/partner/:id?key=…`); settable later by the control API. */
  targetUrl?: string;
}

export interface AppointletEmulator {
  url: string;
  meetings: Map<number, AppointletMeeting>;
  deliveries: Delivery[];
  close(): Promise<void>;
}

type Obj = Record<string, unknown>;

/** Starts the Appointlet emulator (control API only; Appointlet has no API to emulate). */
export async function startAppointletEmulator(
  opts: AppointletEmulatorOptions = {},
): Promise<AppointletEmulator> {
  const meetings = new Map<number, AppointletMeeting>();
  const stats = new CallStats();
  const deliverer = new Deliverer(stats);
  let target = opts.targetUrl ?? null;
  let nextId = 1000;
  let activityId = 14_224_744;
  const now = () => new Date().toISOString();

  function attendee(input: Obj): AppointletAttendee {
    return {
      id: nextId++,
      type: 'Attendee',
      created_at: now(),
      email: String(input.email ?? `attendee${nextId}@example.com`),
      first_name: String(input.first_name ?? 'Appointlet'),
      last_name: String(input.last_name ?? 'Attendee'),
      phone: typeof input.phone === 'string' ? input.phone : null,
      timezone: String(input.timezone ?? 'UTC'),
      status: 'scheduled',
      notes: typeof input.notes === 'string' ? input.notes : null,
      fields: Array.isArray(input.fields) ? (input.fields as { name: string; value: string }[]) : [],
    };
  }

  function meetingOf(c: Obj): AppointletMeeting {
    const m = meetings.get(Number(c.meetingId));
    if (!m) throw new Error(`no meeting ${String(c.meetingId)}`);
    return m;
  }

  function activity(action: string, entity: unknown, metadata: Obj | null = null) {
    return { id: activityId++, type: 'Activity', created_at: now(), action, message: null, metadata, entity };
  }

  const withoutAttendees = (m: AppointletMeeting) => {
    const { attendees: _a, ...rest } = m;
    return rest;
  };

  /** Applies one action to the state and returns the Activity it produces. */
  function act(action: string, b: Obj) {
    const touch = (m: AppointletMeeting) => {
      m.updated_at = now();
      return m;
    };
    switch (action) {
      case 'Meeting.scheduled': {
        const start = typeof b.start === 'string' ? b.start : new Date(Date.now() + 86_400_000).toISOString();
        const end =
          typeof b.end === 'string' ? b.end : new Date(Date.parse(start) + 30 * 60_000).toISOString();
        const list = Array.isArray(b.attendees)
          ? (b.attendees as Obj[])
          : [(b.attendee as Obj | undefined) ?? {}];
        const m: AppointletMeeting = {
          id: nextId++,
          type: 'Meeting',
          created_at: now(),
          updated_at: now(),
          name: String(b.name ?? 'Example Meeting Type'),
          location: typeof b.location === 'string' ? b.location : '123 Address Street',
          location_type: 'place',
          start,
          end,
          approved: b.requiresApproval === true ? null : true,
          confirmed: false,
          cancelled: false,
          tags: [],
          attendees: list.map(attendee),
        };
        meetings.set(m.id, m);
        return activity(action, m);
      }
      case 'Meeting.rescheduled': {
        const m = meetingOf(b);
        m.start = String(b.start);
        m.end = typeof b.end === 'string' ? b.end : new Date(Date.parse(m.start) + 30 * 60_000).toISOString();
        return activity(action, touch(m));
      }
      case 'Meeting.cancelled':
        return activity(action, touch(Object.assign(meetingOf(b), { cancelled: true })));
      case 'Meeting.approved':
        return activity(action, touch(Object.assign(meetingOf(b), { approved: true })));
      case 'Meeting.declined':
        return activity(action, touch(Object.assign(meetingOf(b), { approved: false })));
      case 'Meeting.tagged':
      case 'Meeting.untagged': {
        const m = meetingOf(b);
        const tag = String(b.tag);
        m.tags =
          action === 'Meeting.tagged' ? [...new Set([...m.tags, tag])] : m.tags.filter((t) => t !== tag);
        return activity(action, touch(m), { tag });
      }
      case 'Attendee.scheduled': {
        const m = meetingOf(b);
        const a = attendee((b.attendee as Obj | undefined) ?? {});
        m.attendees.push(a);
        return activity(action, { ...a, meeting: withoutAttendees(touch(m)) });
      }
      case 'Attendee.cancelled':
      case 'Attendee.approved':
      case 'Attendee.declined':
      case 'Attendee.reminded': {
        const m = meetingOf(b);
        const a = m.attendees.find((x) => x.id === Number(b.attendeeId)) ?? m.attendees[0];
        if (!a) throw new Error('meeting has no attendees');
        if (action !== 'Attendee.reminded') a.status = action.split('.')[1] as AppointletAttendee['status'];
        return activity(action, { ...a, meeting: withoutAttendees(touch(m)) });
      }
      default:
        return activity(action, b.entity ?? { id: nextId++, type: action.split('.')[0] });
    }
  }

  async function deliver(body: string, times: number): Promise<Delivery[]> {
    if (!target) return [];
    const out: Delivery[] = [];
    for (let i = 0; i < times; i++)
      out.push(await deliverer.send(target, 'activity', body, { 'content-type': 'application/json' }));
    return out;
  }

  const app = new Hono();
  const fail = (c: Context, message: string) => c.json({ error: message }, 400);
  app.get('/_partner/state', (c) => c.json({ targetUrl: target, meetings: [...meetings.values()] }));
  app.post('/_partner/reset', (c) => {
    meetings.clear();
    deliverer.log.length = 0;
    stats.reset();
    return c.json({ ok: true });
  });
  app.post('/_partner/target', async (c) => {
    const b = (await jsonBody(c)) ?? {};
    target = typeof b.url === 'string' ? b.url : null;
    return c.json({ targetUrl: target });
  });
  app.post('/_partner/act', async (c) => {
    const b = (await jsonBody(c)) ?? {};
    if (typeof b.action !== 'string') return fail(c, 'action is required, e.g. "Meeting.scheduled"');
    let event;
    try {
      event = act(b.action, b);
    } catch (err) {
      return fail(c, String((err as Error).message));
    }
    const body = JSON.stringify(event);
    const deliveries =
      b.deliver === false ? [] : await deliver(body, typeof b.times === 'number' ? b.times : 1);
    return c.json({ activity: event, body, deliveries });
  });
  app.post('/_partner/raw', async (c) => {
    const body = await c.req.text();
    return c.json({ deliveries: await deliver(body, 1) });
  });
  app.get('/_partner/deliveries', (c) => c.json({ deliveries: deliverer.log }));
  app.get('/_partner/stats', (c) => c.json(stats.snapshot()));

  const running = await listen(app, opts.port);
  return { url: running.url, meetings, deliveries: deliverer.log, close: running.close };
}
