import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAppointletEmulator, type AppointletEmulator } from '../partners/appointlet.ts';
import { startSink, type Sink } from '../partners/common.ts';

/** The Appointlet emulator: Activity envelopes, unsigned, to the configured target. */

let emu: AppointletEmulator;
let sink: Sink;

beforeAll(async () => {
  sink = await startSink();
  emu = await startAppointletEmulator();
});
afterAll(async () => {
  await emu.close();
  await sink.close();
});
beforeEach(async () => {
  await post('/_partner/reset', {});
  await post('/_partner/target', { url: `${sink.url}/in?key=abc` });
  sink.received.length = 0;
});

async function post(path: string, body: unknown): Promise<any> {
  const res = await fetch(`${emu.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return res.json();
}

describe('Appointlet emulator', () => {
  it('sends the attested Activity envelope, unsigned, to the target URL with its query', async () => {
    const r = await post('/_partner/act', {
      action: 'Meeting.scheduled',
      start: '2030-01-01T10:00:00Z',
      attendee: { email: 'a@example.com' },
    });
    expect(r.deliveries[0].status).toBe(200);
    const got = sink.received[0]!;
    expect(got.path).toBe('/in');
    expect(Object.keys(got.headers).filter((h) => /signature/i.test(h))).toEqual([]);
    const activity = JSON.parse(got.body);
    expect(activity).toMatchObject({
      type: 'Activity',
      action: 'Meeting.scheduled',
      message: null,
      metadata: null,
      entity: {
        type: 'Meeting',
        start: '2030-01-01T10:00:00Z',
        end: '2030-01-01T10:30:00.000Z',
        cancelled: false,
        confirmed: false,
        location_type: 'place',
      },
    });
    expect(typeof activity.id).toBe('number');
    expect(activity.entity.attendees[0]).toMatchObject({ type: 'Attendee', email: 'a@example.com' });
  });

  it('keeps meeting state across actions and names the tag in metadata', async () => {
    const r = await post('/_partner/act', {
      action: 'Meeting.scheduled',
      attendee: { email: 'a@example.com' },
    });
    const id = r.activity.entity.id;
    await post('/_partner/act', { action: 'Meeting.tagged', meetingId: id, tag: 'VIP' });
    const cancelled = await post('/_partner/act', { action: 'Meeting.cancelled', meetingId: id });
    expect(cancelled.activity.entity).toMatchObject({ cancelled: true, tags: ['VIP'] });
    expect(JSON.parse(sink.received[1]!.body).metadata).toEqual({ tag: 'VIP' });
    const state = (await (await fetch(`${emu.url}/_partner/state`)).json()) as any;
    expect(state.meetings[0]).toMatchObject({ id, cancelled: true });
  });

  it('can build without sending, send twice, or send raw bodies', async () => {
    const quiet = await post('/_partner/act', { action: 'Meeting.scheduled', deliver: false });
    expect(quiet.deliveries).toEqual([]);
    expect(JSON.parse(quiet.body).action).toBe('Meeting.scheduled');
    await post('/_partner/act', { action: 'Meeting.scheduled', times: 2 });
    expect(sink.received).toHaveLength(2);
    expect(sink.received[0]!.body).toBe(sink.received[1]!.body);
    await post('/_partner/raw', '{not json');
    expect(sink.received[2]!.body).toBe('{not json');
  });

  it('refuses unknown meetings and missing actions', async () => {
    expect(await post('/_partner/act', {})).toMatchObject({ error: expect.stringMatching(/action/) });
    expect(await post('/_partner/act', { action: 'Meeting.cancelled', meetingId: 1 })).toMatchObject({
      error: expect.stringMatching(/no meeting/),
    });
  });
});
