/**
 * `npm run bench`, automations section: recipe trigger → action latency (GHL change made → the
 * recipe's write visible in GHL), actions per trigger, and GHL calls per event when no recipe
 * matches, against the worker under `wrangler dev` and the GHL emulator.
 */
import type { Stack } from '../stack.ts';
import { act, call, ghlState, ghlStats, ms, percentile, sleep, table, type Session } from './harness.ts';

const ROUNDS = 20;

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(15);
  }
  return false;
}

/** GHL calls the location made while `work` ran and everything it started settled (~1 s quiet). */
async function callsDuring(stack: Stack, loc: string, work: () => Promise<void>): Promise<number> {
  const before = (await ghlStats(stack.emulatorUrl, loc)).total;
  await work();
  let last = -1;
  for (;;) {
    await sleep(1000);
    const now = (await ghlStats(stack.emulatorUrl, loc)).total;
    if (now === last) return now - before;
    last = now;
  }
}

export async function automations(env: {
  stack: Stack;
  locations: string[];
  sessions: Map<string, Session>;
}): Promise<void> {
  const { stack } = env;
  const loc = env.locations[env.locations.length - 1]!;
  const token = env.sessions.get(loc)!.token;
  const api = (method: string, path: string, body?: unknown) =>
    call<any>(method, `${stack.appUrl}${path}`, { token, body });
  const contacts = (
    (await ghlState(stack.emulatorUrl, loc)).contacts as { id: string; tags?: string[] }[]
  ).slice(0, ROUNDS);
  const update = (i: number) =>
    act(stack.emulatorUrl, {
      locationId: loc,
      action: 'contact.update',
      contactId: contacts[i % contacts.length]!.id,
      data: { companyName: `Bench Auto ${i}-${Date.now()}` },
    });

  // GHL calls per event with no recipe, then with recipes enabled that this event does not start.
  const none = await callsDuring(stack, loc, async () => {
    for (let i = 0; i < ROUNDS; i++) await update(i);
  });
  await api('POST', '/api/automations/templates/no-show/enable');
  await api('POST', '/api/automations/templates/milestone-task/enable');
  await sleep(5_500); // the contact objects' cached recipe set expires (5 s)
  const nonMatching = await callsDuring(stack, loc, async () => {
    for (let i = 0; i < ROUNDS; i++) await update(ROUNDS + i);
  });

  // Latency: a tag in GHL → the milestone task in GHL (webhook, inbox, contact object, alarm, GHL write).
  const latencies: number[] = [];
  const before = (await ghlStats(stack.emulatorUrl, loc)).total;
  for (const [i, c] of contacts.entries()) {
    const t = performance.now();
    await act(stack.emulatorUrl, {
      locationId: loc,
      action: 'tags.add',
      contactId: c.id,
      tags: ['qualified'],
    });
    const ok = await until(async () =>
      (await ghlState(stack.emulatorUrl, loc)).tasks.some(
        (x: any) => x.contactId === c.id && String(x.title).endsWith('(qualified)'),
      ),
    );
    if (ok) latencies.push(performance.now() - t);
    else console.log(`  (milestone task ${i} did not appear in 30 s)`);
  }
  await sleep(1500);
  const milestoneCalls = (await ghlStats(stack.emulatorUrl, loc)).total - before;
  const runs = (await api('GET', `/api/automations/runs?limit=200`)).data.runs as {
    status: string;
    action: string;
  }[];
  const done = runs.filter((r) => r.status === 'done').length;

  // Several actions per trigger: a no-show → tag, note and rebook task.
  const noShow: number[] = [];
  for (const c of contacts.slice(0, 5)) {
    const { appointment } = await act<{ appointment: { id: string } }>(stack.emulatorUrl, {
      locationId: loc,
      action: 'appointment.create',
      contactId: c.id,
      data: { title: 'Bench visit', startTime: new Date(Date.now() - 3600_000).toISOString() },
    });
    const t = performance.now();
    await act(stack.emulatorUrl, {
      locationId: loc,
      action: 'appointment.update',
      appointmentId: appointment.id,
      data: { appointmentStatus: 'noshow' },
    });
    if (
      await until(async () =>
        (await ghlState(stack.emulatorUrl, loc)).tasks.some(
          (x: any) => x.contactId === c.id && x.title === 'Rebook Bench visit',
        ),
      )
    )
      noShow.push(performance.now() - t);
  }

  table(
    'Automations: trigger → action (wrangler dev + GHL emulator)',
    ['measure', 'value'],
    [
      ['GHL calls per contact update, no recipe', (none / ROUNDS).toFixed(2)],
      [
        'GHL calls per contact update, recipes enabled that it does not start',
        (nonMatching / ROUNDS).toFixed(2),
      ],
      ['milestone tag → task in GHL, p50', ms(percentile(latencies, 50))],
      ['milestone tag → task in GHL, p99', ms(percentile(latencies, 99))],
      ['milestone triggers / tasks made', `${contacts.length} / ${latencies.length}`],
      [
        'GHL calls per milestone trigger (incl. the task write)',
        (milestoneCalls / Math.max(1, latencies.length)).toFixed(2),
      ],
      ['actions per milestone trigger (run history)', (done / Math.max(1, latencies.length)).toFixed(2)],
      ['no-show → all 3 actions (tag, note, task) in GHL, p50', ms(percentile(noShow, 50))],
    ],
  );
}
