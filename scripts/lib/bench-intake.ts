/**
 * The intake section of `npm run bench`: GHL webhook acknowledgements measured against the
 * machine's own floor. In the same run and at the same concurrency it times `GET /healthz` (the
 * least the Hono app can answer), `POST /_bench/verify` (reads the body and checks its Ed25519
 * signature, stores nothing; present only because the bench stack sets BENCH_PROBES) and
 * `POST /webhooks/ghl` with the same signed bodies, in interleaved rounds so all three see the
 * same load. It does so with the sync engine idle, then again while the engine drains a burst of
 * ContactCreate events for another location that has a partner connection, and prints
 * intake / floor ratios and where intake's time goes (the route's Server-Timing phases).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Stack } from '../stack.ts';
import {
  connectYourApp,
  fmt,
  getJson,
  ghlState,
  ghlStats,
  ms,
  percentile,
  pool,
  postJson,
  sleep,
  table,
  tally,
  type Json,
  type Session,
} from './harness.ts';

export interface IntakeBenchEnv {
  stack: Stack;
  sessions: Map<string, Session>;
  /** Locations that receive the measured events (no partner connection). */
  targets: string[];
  /** Location whose burst the engine drains during the second measurement (gets a connection). */
  burst: string;
}

export interface IntakeBenchOptions {
  events: number;
  concurrency: number;
  rounds: number;
  burst: number;
}

type Signed = { body: string; headers: Record<string, string> };
type Answer = {
  status: number;
  ms: number;
  doneAt: number;
  duplicate: boolean;
  timing: Record<string, number>;
  error?: string;
};
type RouteRun = { answers: Answer[]; wallMs: number };
type Condition = { healthz: RouteRun; verify: RouteRun; intake: RouteRun; loopDelay: string };

/**
 * This process also runs the emulators: when they are busy, answers wait here before the clock
 * stops. The event-loop delay while measuring says how much of a figure that can be.
 */
async function withLoopDelay<T>(fn: () => Promise<T>): Promise<[T, string]> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  try {
    const out = await fn();
    return [
      out,
      `p50 ${ms(h.percentile(50) / 1e6)}, p99 ${ms(h.percentile(99) / 1e6)}, max ${ms(h.max / 1e6)}`,
    ];
  } finally {
    h.disable();
  }
}

/** The connection list is cached by the engine for 15 s: a burst sooner would find no connection. */
const CONNECTION_CACHE_MS = 16_000;

function parseServerTiming(header: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (header ?? '').split(',')) {
    const m = /^\s*([\w-]+);dur=([\d.]+)/.exec(part);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

async function request(url: string, init: RequestInit): Promise<Answer> {
  const t = performance.now();
  const res = await fetch(url, init);
  const text = await res.text();
  return {
    status: res.status,
    ms: performance.now() - t,
    doneAt: performance.now(),
    duplicate: text.includes('"duplicate":true'),
    timing: parseServerTiming(res.headers.get('server-timing')),
    error: res.ok ? undefined : `${res.status} ${text.slice(0, 160)}`,
  };
}

async function run<T>(
  items: readonly T[],
  concurrency: number,
  send: (item: T) => Promise<Answer>,
  into: RouteRun,
): Promise<void> {
  const t0 = performance.now();
  into.answers.push(...(await pool(items, concurrency, send)));
  into.wallMs += performance.now() - t0;
}

/** Signed GHL bodies exactly as GHL sends them, built before any clock starts. */
async function signEvents(
  stack: Stack,
  locs: string[],
  count: number,
  type: (i: number) => string,
): Promise<Signed[]> {
  const contacts = await Promise.all(
    locs.map(async (loc) => ({ loc, cs: (await ghlState(stack.emulatorUrl, loc)).contacts as Json[] })),
  );
  const specs = Array.from({ length: count }, (_, i) => {
    const { loc, cs } = contacts[i % contacts.length]!;
    const c = cs[Math.floor(i / contacts.length) % cs.length]!;
    const { id, firstName, lastName, email, phone, tags, dateAdded, companyName } = c;
    return {
      type: type(i),
      locationId: loc,
      id,
      firstName,
      lastName,
      email,
      phone,
      tags,
      dateAdded,
      companyName,
    };
  });
  return pool(specs, 20, (s) => postJson<Signed>(`${stack.emulatorUrl}/_emulator/webhooks/event`, s));
}

async function backlog(env: IntakeBenchEnv, loc: string): Promise<number> {
  const res = await getJson<{ health: { inboxBacklog: number } }>(
    `${env.stack.appUrl}/api/sync-log?limit=1`,
    env.sessions.get(loc)!.token,
  );
  return res.health.inboxBacklog;
}

const partnerCallCount = async (url: string) =>
  (await getJson<{ total: number }>(`${url}/_partner/stats`)).total;

/** Waits until `count` has not changed for a second; returns how long that took. */
async function settled(count: () => Promise<number>, timeoutMs: number): Promise<number> {
  const t = Date.now();
  let last = await count();
  let since = Date.now();
  while (Date.now() - t < timeoutMs && Date.now() - since < 1000) {
    await sleep(200);
    const now = await count();
    if (now !== last) [last, since] = [now, Date.now()];
  }
  return since - t;
}

async function waitDrained(
  env: IntakeBenchEnv,
  locs: string[],
  timeoutMs: number,
): Promise<{ ms: number; left: number }> {
  const t = Date.now();
  let left = 0;
  while (Date.now() - t < timeoutMs) {
    left = (await Promise.all(locs.map((l) => backlog(env, l)))).reduce((a, b) => a + b, 0);
    if (left === 0) break;
    await sleep(250);
  }
  return { ms: Date.now() - t, left };
}

/** The three routes in `rounds` interleaved rounds, each route's share of a round at `concurrency`. */
async function measure(env: IntakeBenchEnv, events: Signed[], opts: IntakeBenchOptions): Promise<Condition> {
  const { appUrl } = env.stack;
  const cond: Condition = {
    healthz: { answers: [], wallMs: 0 },
    verify: { answers: [], wallMs: 0 },
    intake: { answers: [], wallMs: 0 },
    loopDelay: '',
  };
  const post = (path: string) => (ev: Signed) =>
    request(`${appUrl}${path}`, { method: 'POST', headers: ev.headers, body: ev.body });
  const per = Math.ceil(events.length / opts.rounds);
  [, cond.loopDelay] = await withLoopDelay(async () => {
    for (let r = 0; r < opts.rounds; r++) {
      const slice = events.slice(r * per, (r + 1) * per);
      await run(slice, opts.concurrency, () => request(`${appUrl}/healthz`, {}), cond.healthz);
      await run(slice, opts.concurrency, post('/_bench/verify'), cond.verify);
      await run(slice, opts.concurrency, post('/webhooks/ghl'), cond.intake);
    }
  });
  return cond;
}

const throughput = (r: RouteRun) => r.answers.length / (r.wallMs / 1000);
const lat = (r: RouteRun, p: number) =>
  percentile(
    r.answers.map((a) => a.ms),
    p,
  );

function routeRows(name: string, cond: Condition): (string | number)[][] {
  const row = (route: string, r: RouteRun) => [
    `${name}: ${route}`,
    `${r.answers.length} (${tally(r.answers.map((a) => a.status))})`,
    fmt(throughput(r), 1),
    ms(lat(r, 50)),
    ms(lat(r, 95)),
    ms(lat(r, 99)),
    ms(Math.max(...r.answers.map((a) => a.ms))),
  ];
  return [
    row('GET /healthz', cond.healthz),
    row('POST /_bench/verify', cond.verify),
    row('POST /webhooks/ghl', cond.intake),
  ];
}

function ratioRows(name: string, cond: Condition): (string | number)[][] {
  const { healthz, verify, intake } = cond;
  return [
    [
      `${name}: throughput intake / signature-only floor (goal ≥ 0.5)`,
      fmt(throughput(intake) / throughput(verify), 3),
    ],
    [`${name}: throughput intake / healthz floor`, fmt(throughput(intake) / throughput(healthz), 3)],
    [`${name}: p50 latency intake / signature-only floor`, fmt(lat(intake, 50) / lat(verify, 50), 2)],
    [`${name}: p99 latency intake / signature-only floor`, fmt(lat(intake, 99) / lat(verify, 99), 2)],
  ];
}

/** Mean and percentiles of each Server-Timing phase the intake route reported. */
function phaseRows(name: string, answers: Answer[]): (string | number)[][] {
  const timed = answers.filter((a) => Object.keys(a.timing).length);
  if (!timed.length) return [[`${name}: no Server-Timing (BENCH_PROBES off?)`, '', '', '', '', '']];
  const names = [...new Set(timed.flatMap((a) => Object.keys(a.timing)))];
  const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const total = meanOf(timed.map((a) => a.ms));
  const rows = names.map((phase) => {
    const xs = timed.map((a) => a.timing[phase] ?? 0);
    return [
      `${name}: ${phase}`,
      fmt(meanOf(xs), 2),
      fmt(percentile(xs, 50), 2),
      fmt(percentile(xs, 99), 2),
      `${fmt((100 * meanOf(xs)) / total, 1)}%`,
    ];
  });
  const inWorker = meanOf(timed.map((a) => Object.values(a.timing).reduce((x, y) => x + y, 0)));
  rows.push([
    `${name}: outside the route (HTTP, wrangler's proxy, queueing)`,
    fmt(total - inWorker, 2),
    '',
    '',
    `${fmt((100 * (total - inWorker)) / total, 1)}%`,
  ]);
  rows.push([
    `${name}: whole request as the client saw it`,
    fmt(total, 2),
    fmt(
      percentile(
        timed.map((a) => a.ms),
        50,
      ),
      2,
    ),
    fmt(
      percentile(
        timed.map((a) => a.ms),
        99,
      ),
      2,
    ),
    '100%',
  ]);
  return rows;
}

/** Acknowledgements per second in each fifth of a run: whether it kept its pace. */
function fifths(answers: Answer[], startedAt: number): string {
  const done = answers.map((a) => a.doneAt).sort((a, b) => a - b);
  const out: string[] = [];
  let from = startedAt;
  for (let k = 1; k <= 5; k++) {
    const to = done[Math.ceil((k * done.length) / 5) - 1]!;
    out.push(fmt(done.length / 5 / ((to - from) / 1000), 1));
    from = to;
  }
  return out.join(' / ');
}

export async function intakeBench(
  env: IntakeBenchEnv,
  partner: Parameters<typeof connectYourApp>[2],
  opts: IntakeBenchOptions,
): Promise<void> {
  const { stack } = env;
  const conn = await connectYourApp(
    stack.appUrl,
    env.sessions.get(env.burst)!,
    partner,
    'Bench burst partner',
  );
  const connectedAt = Date.now();
  const tSign = Date.now();
  const idleEvents = await signEvents(stack, env.targets, opts.events, (i) =>
    i % 4 === 3 ? 'ContactTagUpdate' : 'ContactUpdate',
  );
  const drainEvents = await signEvents(stack, env.targets, opts.events, (i) =>
    i % 4 === 3 ? 'ContactTagUpdate' : 'ContactUpdate',
  );
  const burstEvents = await signEvents(stack, [env.burst], opts.burst, () => 'ContactCreate');
  const signMs = Date.now() - tSign;

  const before = await waitDrained(env, [...env.targets, env.burst], 60_000);
  const idle = await measure(env, idleEvents, opts);
  const idleDrain = await waitDrained(env, env.targets, 120_000);

  await sleep(Math.max(0, connectedAt + CONNECTION_CACHE_MS - Date.now()));
  const ghlBefore = await ghlStats(stack.emulatorUrl, env.burst);
  const tBurst = performance.now();
  const [burstAcks, burstLoopDelay] = await withLoopDelay(() =>
    pool(burstEvents, opts.concurrency, (ev) =>
      request(`${stack.appUrl}/webhooks/ghl`, { method: 'POST', headers: ev.headers, body: ev.body }),
    ),
  );
  const burstMs = performance.now() - tBurst;
  const ghlDuringBurst = (await ghlStats(stack.emulatorUrl, env.burst)).total - ghlBefore.total;
  const backlogAtStart = await backlog(env, env.burst);
  const partnerCallsAtStart = await partnerCallCount(partner.url);
  const draining = await measure(env, drainEvents, opts);
  const backlogAtEnd = await backlog(env, env.burst);
  const partnerCalls = (await partnerCallCount(partner.url)) - partnerCallsAtStart;
  const targetsDrain = await waitDrained(env, env.targets, 120_000);
  const burstDrain = await waitDrained(env, [env.burst], 300_000);
  const partnerSettled = await settled(() => partnerCallCount(partner.url), 120_000);

  const replays = idleEvents.filter((_, i) => i % 20 === 0);
  const dupes = await pool(replays, opts.concurrency, (ev) =>
    request(`${stack.appUrl}/webhooks/ghl`, { method: 'POST', headers: ev.headers, body: ev.body }),
  );

  const header = ['route', 'answers', 'req/s', 'p50', 'p95', 'p99', 'max'];
  table(
    `Intake vs floor: ${opts.events} requests per route, concurrency ${opts.concurrency}, ${opts.rounds} interleaved rounds; intake = signed ContactUpdate/ContactTagUpdate over ${env.targets.length} locations`,
    header,
    [...routeRows('engine idle', idle), ...routeRows('engine draining', draining)],
  );
  table(
    'Intake vs floor: ratios (same run, same concurrency)',
    ['figure', 'value'],
    [
      ...ratioRows('engine idle', idle),
      ...ratioRows('engine draining', draining),
      ['intake p99 draining / idle (goal ≤ 3)', fmt(lat(draining.intake, 99) / lat(idle.intake, 99), 2)],
      ['intake p50 draining / idle', fmt(lat(draining.intake, 50) / lat(idle.intake, 50), 2)],
    ],
  );
  table(
    `Intake: where the time goes (Server-Timing, ms per acknowledged event; "do-" phases run in the location's object, "rpc" is the rest of the call)`,
    ['phase', 'mean', 'p50', 'p99', 'share of mean'],
    [
      ...phaseRows('engine idle', idle.intake.answers),
      ...phaseRows('engine draining', draining.intake.answers),
      ...phaseRows('burst', burstAcks),
    ],
  );
  const errors = [
    ...new Set(
      [...idle.intake.answers, ...draining.intake.answers, ...burstAcks]
        .map((a) => a.error)
        .filter((e): e is string => !!e),
    ),
  ];
  table(
    'Intake: the burst and the drain',
    ['figure', 'value'],
    [
      ['backlog before the idle measurement', before.left],
      [
        'idle intake stored events handed to contact objects',
        idleDrain.left === 0
          ? `${fmt(idleDrain.ms / 1000, 1)} s after the last ack`
          : `not drained after 120 s (${idleDrain.left} left)`,
      ],
      [
        `burst: ${opts.burst} ContactCreate events for ${env.burst} (connection ${conn.id})`,
        `${tally(burstAcks.map((a) => a.status))} in ${fmt(burstMs / 1000, 1)} s (${fmt(opts.burst / (burstMs / 1000), 1)}/s, p99 ${ms(
          percentile(
            burstAcks.map((a) => a.ms),
            99,
          ),
        )})`,
      ],
      ['burst acks/s by fifth of the burst', fifths(burstAcks, tBurst)],
      ['GHL calls for the burst location while the burst was acknowledged', ghlDuringBurst],
      ['burst backlog when the draining measurement started / ended', `${backlogAtStart} / ${backlogAtEnd}`],
      ['partner calls during the draining measurement', partnerCalls],
      [
        'draining-phase intake handed to contact objects',
        targetsDrain.left === 0
          ? `${fmt(targetsDrain.ms / 1000, 1)} s after the last ack`
          : `not drained after 120 s (${targetsDrain.left} left)`,
      ],
      [
        'burst fully drained',
        burstDrain.left === 0
          ? `${fmt(burstDrain.ms / 1000, 1)} s after the measurement`
          : `not after 300 s (${burstDrain.left} left)`,
      ],
      [
        'partner calls settled (contact objects done with the burst)',
        `${fmt(partnerSettled / 1000, 1)} s later`,
      ],
      [
        'redelivered events answered duplicate',
        `${dupes.filter((d) => d.duplicate && d.status === 200).length} / ${dupes.length}`,
      ],
      ['signing the bodies (not timed above)', `${fmt(signMs / 1000, 1)} s`],
      [
        'event-loop delay of this process (load generator + emulators): idle / draining / burst',
        `${idle.loopDelay} / ${draining.loopDelay} / ${burstLoopDelay}`,
      ],
      ...errors.slice(0, 3).map((e) => ['sample error answer', e]),
    ],
  );
}
