/**
 * `npm run bench`: figures for the foundation (rate budget, token refresh), the panel (bundle
 * size, timeline latency) and the sync engine (webhook intake, end-to-end latency, API calls per
 * change) and automations (trigger → action latency, GHL calls per event), measured against the real worker under `wrangler dev` and the local emulators.
 * Prints tables; asserts nothing about timing. Exits non-zero only when something crashes.
 *
 * Sections, all by default, or name some: `npm run bench -- intake` (foundation, panel, intake,
 * e2e, automations, synclog; `sync` is intake and e2e; synclog needs no running stack).
 * Flags: --requests N (foundation workload, default 250), --events N (intake, per route and
 * condition, default 2000), --burst N (intake: events the engine drains meanwhile, default 2000),
 * --rounds N (intake: interleaved rounds, default 10), --concurrency N (intake, default 20),
 * --contacts N (e2e contacts, default 6), --verbose.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { automations } from './lib/bench-automations.ts';
import { DEMO_NOT_INSTALLED } from '../test/emulator/demo-data.ts';
import { buildPanel, installAgency, ROOT, startStack, type Stack } from './stack.ts';
import { intakeBench } from './lib/bench-intake.ts';
import { syncLogBench } from './lib/bench-sync-log.ts';
import {
  act,
  call,
  companies,
  connectYourApp,
  diff,
  fmt,
  getJson,
  ghlState,
  ghlStats,
  ms,
  openSession,
  percentile,
  postJson,
  routeCount,
  sleep,
  table,
  tally,
  workerRevision,
  type EmulatorCompany,
  type EmulatorStats,
  type Json,
  type Session,
} from './lib/harness.ts';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    requests: { type: 'string', default: '250' },
    events: { type: 'string', default: '2000' },
    burst: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '20' },
    contacts: { type: 'string', default: '6' },
    verbose: { type: 'boolean', default: false },
  },
});
const REQUESTS = Number(flags.requests);
const E2E_CONTACTS = Number(flags.contacts);
const SECTIONS = ['foundation', 'panel', 'intake', 'e2e', 'automations', 'synclog'] as const;
const ALIASES: Record<string, readonly string[]> = { sync: ['intake', 'e2e'] };

const ASSETS = join(ROOT, 'dist', 'ui', 'app', 'assets');
const BUNDLE_BUDGET_BYTES = 25 * 1024;
/** The scaled-down GHL burst limit of the foundation run. */
const LIMIT = { max: 10, intervalMs: 1000 };

interface Env {
  stack: Stack;
  company: EmulatorCompany;
  /** [demo location used by foundation and e2e, demo location for the panel, extra, extra, burst] */
  locations: string[];
  sessions: Map<string, Session>;
}

const isRead = (route: string) =>
  route.startsWith('GET ') || route.endsWith('/search') || route.endsWith('/tasks/search');
const isWrite = (route: string) =>
  !isRead(route) && !route.endsWith(' fault') && !route.startsWith('POST /oauth');

// ---- foundation ----------------------------------------------------------------------------------

async function foundation(env: Env): Promise<void> {
  const { stack } = env;
  const loc = env.locations[0]!;
  const session = env.sessions.get(loc)!;
  const contactIds = ((await ghlState(stack.emulatorUrl, loc)).contacts as { id: string }[]).map((c) => c.id);
  const read = (i: number) =>
    call('GET', `${stack.appUrl}/api/contacts/${contactIds[i % contactIds.length]}`, {
      token: session.token,
      okStatuses: [409, 429, 500, 502, 503],
    });

  await postJson(`${stack.emulatorUrl}/_emulator/rate-limit`, { locationId: loc, ...LIMIT });
  // One call teaches the location's budget the new limit from GHL's headers (GHL's real limit never
  // changes under a running app); then let the emulator's window empty.
  await read(0);
  await sleep(LIMIT.intervalMs + 200);

  const samples: { at: number; stats: EmulatorStats }[] = [];
  const sample = async () => samples.push({ at: Date.now(), stats: await ghlStats(stack.emulatorUrl, loc) });
  await sample();
  const started = Date.now();
  let sampling = true;
  const sampler = (async () => {
    for (let k = 1; sampling; k++) {
      await sleep(Math.max(0, started + k * LIMIT.intervalMs - Date.now()));
      if (sampling) await sample();
    }
  })();
  const results = await Promise.all(
    Array.from({ length: REQUESTS }, async (_, i) => {
      const t = performance.now();
      const res = await read(i);
      return { status: res.status, ms: performance.now() - t };
    }),
  );
  const wall = Date.now() - started;
  sampling = false;
  await sampler;
  await sample();

  const windows = samples.slice(1).map((s, i) => {
    const d = diff(s.stats, samples[i]!.stats);
    return {
      seconds: (s.at - samples[i]!.at) / 1000,
      ok: d.total - d.throttled - routeCount(d, (r) => r.endsWith(' fault')),
      throttled: d.throttled,
    };
  });
  const total = diff(samples.at(-1)!.stats, samples[0]!.stats);
  const calls = total.total - total.throttled;
  // Full windows while the workload was saturating: all but the last (partial) one.
  const full = windows.slice(0, -1).filter((w) => w.seconds >= 0.9);
  const perWindow = full.map((w) => w.ok);
  const mean = perWindow.reduce((a, b) => a + b, 0) / Math.max(1, perWindow.length);
  const statuses = tally(results.map((r) => r.status));
  table(
    `Foundation: GHL calls per ${LIMIT.intervalMs} ms window (limit ${LIMIT.max}), ${REQUESTS} concurrent GET /api/contacts/:id on one location`,
    ['window', 'seconds', 'GHL calls', 'allowed', 'utilization', '429s'],
    windows.map((w, i) => [
      `#${i + 1}${i === windows.length - 1 ? ' (tail)' : ''}`,
      fmt(w.seconds, 2),
      w.ok,
      LIMIT.max,
      `${fmt((100 * w.ok) / LIMIT.max, 0)}%`,
      w.throttled,
    ]),
  );
  const minSeconds = REQUESTS / (LIMIT.max / (LIMIT.intervalMs / 1000));
  table(
    'Foundation: rate budget summary',
    ['figure', 'value'],
    [
      ['panel requests answered', `${results.length} (${statuses})`],
      ['GHL calls made (emulator count)', calls],
      ['429s from GHL (goal 0)', total.throttled],
      [
        'mean GHL calls per full window / allowed',
        `${fmt(mean, 2)} / ${LIMIT.max} = ${fmt((100 * mean) / LIMIT.max, 1)}%`,
      ],
      ['min / max calls in a full window', `${Math.min(...perWindow)} / ${Math.max(...perWindow)}`],
      ['wall time', `${fmt(wall / 1000, 2)} s`],
      ['theoretical minimum (calls / limit per s)', `${fmt(minSeconds, 2)} s`],
      ['wall time / theoretical minimum', fmt(wall / 1000 / minSeconds, 3)],
      [
        'overall utilization (calls / (wall s × limit/s))',
        `${fmt((100 * calls) / ((wall / 1000) * ((LIMIT.max * 1000) / LIMIT.intervalMs)), 1)}%`,
      ],
      [
        'request latency p50 / p95 / max',
        `${ms(
          percentile(
            results.map((r) => r.ms),
            50,
          ),
        )} / ${ms(
          percentile(
            results.map((r) => r.ms),
            95,
          ),
        )} / ${ms(Math.max(...results.map((r) => r.ms)))}`,
      ],
    ],
  );
  await postJson(`${stack.emulatorUrl}/_emulator/rate-limit`, {
    locationId: loc,
    max: 100,
    intervalMs: 10_000,
  });

  // Single-flight refresh: every access token of a fresh location dies, then 50 reads at once.
  const refreshLoc = env.locations[2]!;
  const refreshSession = env.sessions.get(refreshLoc)!;
  const ids = ((await ghlState(stack.emulatorUrl, refreshLoc)).contacts as { id: string }[]).map((c) => c.id);
  await call('GET', `${stack.appUrl}/api/contacts/${ids[0]}`, { token: refreshSession.token });
  const expired = await postJson<{ count: number }>(`${stack.emulatorUrl}/_emulator/tokens/expire`, {
    locationId: refreshLoc,
  });
  const before = await ghlStats(stack.emulatorUrl, refreshLoc);
  const t0 = Date.now();
  const reads = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      call('GET', `${stack.appUrl}/api/contacts/${ids[i % ids.length]}`, {
        token: refreshSession.token,
        okStatuses: [401, 409, 500, 502, 503],
      }).then((r) => r.status),
    ),
  );
  const wallRefresh = Date.now() - t0;
  const d = diff(await ghlStats(stack.emulatorUrl, refreshLoc), before);
  const okReads = reads.filter((s) => s === 200).length;
  table(
    'Foundation: token refresh under 50 concurrent reads with an expired access token',
    ['figure', 'value'],
    [
      ['access tokens expired at the emulator', expired.count],
      ['panel reads answered 200', `${okReads} / ${reads.length}`],
      ['oauth refreshes at GHL (goal 1)', d.oauth.refresh],
      ['invalid_grant answers (goal 0)', d.oauth.invalidGrant],
      ['GHL 401s (reads sent before the first 401 came back)', d.byStatus['401'] ?? 0],
      ['GHL calls answered 2xx', (d.byStatus['200'] ?? 0) + (d.byStatus['201'] ?? 0)],
      ['wall time', `${wallRefresh} ms`],
      ...((d.byStatus['401'] ?? 0) + okReads + 1 > 100
        ? [
            [
              'note',
              `${(d.byStatus['401'] ?? 0) + okReads + 1} calls in 10 s: the budget counts the 401s against 100/10 s (the emulator does not), so the last ones wait for the window`,
            ],
          ]
        : []),
    ],
  );
}

// ---- panel ---------------------------------------------------------------------------------------

/** Every JS file of the build, gzipped, and which of them the page loads before any click. */
function bundleSize() {
  const html = readFileSync(join(ASSETS, '..', 'index.html'), 'utf8');
  const initial = new Set([...html.matchAll(/(?:src|href)="[^"]*\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!));
  const files = readdirSync(ASSETS)
    .filter((f) => f.endsWith('.js'))
    .map((f) => {
      const bytes = readFileSync(join(ASSETS, f));
      return {
        file: f,
        raw: bytes.length,
        gz: gzipSync(bytes, { level: 9 }).length,
        initial: initial.has(f),
      };
    });
  const sum = (xs: typeof files) => xs.reduce((n, f) => n + f.gz, 0);
  return {
    files,
    gz: sum(files),
    initialGz: sum(files.filter((f) => f.initial)),
    builtAt: statSync(join(ASSETS, '..', 'index.html')).mtime,
  };
}

async function panel(env: Env): Promise<void> {
  const { files, gz, initialGz, builtAt } = bundleSize();
  const kb = (n: number) => `${fmt(n / 1024, 1)} KB`;
  const ofBudget = (n: number) =>
    `${kb(n)} / ${BUNDLE_BUDGET_BYTES / 1024} KB = ${fmt((100 * n) / BUNDLE_BUDGET_BYTES, 0)}%`;
  table(
    `Panel: JavaScript shipped to the browser (dist/ui/app/assets, built ${builtAt.toISOString()})`,
    ['file', 'loaded', 'raw', 'gzip (level 9)'],
    [
      ...files.map((f) => [f.file, f.initial ? 'at start' : 'on demand', kb(f.raw), kb(f.gz)]),
      ['loaded at start vs budget', '', '', ofBudget(initialGz)],
      ['all chunks vs budget', '', '', ofBudget(gz)],
    ],
  );

  const { stack } = env;
  const loc = env.locations[1]!;
  const session = env.sessions.get(loc)!;
  // Latency of the app, not of GHL's budget: 3 calls per cold view would hit 100/10 s after ~33 views.
  await postJson(`${stack.emulatorUrl}/_emulator/rate-limit`, {
    locationId: loc,
    max: 1000,
    intervalMs: 10_000,
  });
  const found = await getJson<{ contacts: { id: string }[] }>(
    `${stack.appUrl}/api/contacts?limit=100`,
    session.token,
  );
  const ids = found.contacts.map((c) => c.id);
  const view = async (id: string) => {
    const before = await ghlStats(stack.emulatorUrl, loc);
    const t = performance.now();
    const res = await getJson<{ items: unknown[]; freshness: { source: string; ghlCalls: number } }>(
      `${stack.appUrl}/api/contacts/${id}/timeline`,
      session.token,
    );
    const latency = performance.now() - t;
    const after = await ghlStats(stack.emulatorUrl, loc);
    return {
      latency,
      calls: after.total - before.total,
      items: res.items.length,
      source: res.freshness.source,
    };
  };
  const cold = [];
  for (const id of ids) cold.push(await view(id));
  const warm = [];
  for (let round = 0; round < 3; round++) for (const id of ids) warm.push(await view(id));
  const row = (name: string, xs: { latency: number; calls: number; source: string }[]) => {
    const lat = xs.map((x) => x.latency);
    return [
      name,
      xs.length,
      ms(percentile(lat, 50)),
      ms(percentile(lat, 95)),
      ms(Math.max(...lat)),
      fmt(xs.reduce((n, x) => n + x.calls, 0) / xs.length, 2),
      xs.filter((x) => x.source === 'cache').length,
    ];
  };
  const p = (xs: { latency: number }[], q: number) =>
    percentile(
      xs.map((x) => x.latency),
      q,
    );
  table(
    `Panel: timeline views of ${ids.length} contacts found by search (GET /api/contacts/:id/timeline, one at a time)`,
    ['views', 'n', 'p50', 'p95', 'max', 'GHL calls/view', 'from cache'],
    [row('cold (first view)', cold), row('warm (repeat views)', warm)],
  );
  table(
    'Panel: warm vs cold',
    ['figure', 'value'],
    [
      ['warm / cold p50', fmt(p(warm, 50) / p(cold, 50), 3)],
      ['warm / cold p95', fmt(p(warm, 95) / p(cold, 95), 3)],
      ['cold / warm p50 (speed-up)', `${fmt(p(cold, 50) / p(warm, 50), 1)}×`],
      [
        'timeline items per view (mean)',
        fmt(cold.reduce((n, x) => n + x.items, 0) / Math.max(1, cold.length), 2),
      ],
      ['note', 'GHL limit of this location raised to 1000/10 s so the budget does not queue the cold views'],
    ],
  );
  await postJson(`${stack.emulatorUrl}/_emulator/rate-limit`, {
    locationId: loc,
    max: 100,
    intervalMs: 10_000,
  });
}

// ---- sync ----------------------------------------------------------------------------------------

type ChangeResult = {
  kind: string;
  latency: number | null;
  ghlReads: number;
  ghlWrites: number;
  partnerWrites: number;
  partnerReads: number;
};

async function changes(env: Env, connectedAt: number): Promise<void> {
  const { stack } = env;
  const loc = env.locations[0]!;
  const partner = stack.partners.yourapp[0]!;
  const state = await ghlState(stack.emulatorUrl, loc);
  const contacts = (state.contacts as { id: string }[]).slice(0, E2E_CONTACTS).map((c) => c.id);
  const calendarId = env.company.locations.find((l) => l.id === loc)?.calendarId;
  // Engine caches of the connection list live 15 s; changes before that would find no connection.
  await sleep(Math.max(0, connectedAt + 16_000 - Date.now()));

  const partnerStats = () =>
    getJson<{ total: number; byRoute: Record<string, number> }>(`${partner.url}/_partner/stats`);
  const quiet = async () => {
    let last = '';
    let stableSince = Date.now();
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      const [g, p] = await Promise.all([ghlStats(stack.emulatorUrl, loc), partnerStats()]);
      const key = `${g.total}|${p.total}|${partner.feed.length}`;
      if (key !== last) {
        last = key;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= 400) return { g, p };
      await sleep(40);
    }
    return { g: await ghlStats(stack.emulatorUrl, loc), p: await partnerStats() };
  };

  const measure = async (
    kind: string,
    run: () => Promise<unknown>,
    arrived: (startFeed: number, startGhlWrites: number) => Promise<boolean>,
  ): Promise<ChangeResult> => {
    const base = await quiet();
    const feed0 = partner.feed.length;
    const writes0 = routeCount(base.g, isWrite);
    const t0 = performance.now();
    await run();
    let latency: number | null = null;
    while (performance.now() - t0 < 15_000) {
      if (await arrived(feed0, writes0)) {
        latency = performance.now() - t0;
        break;
      }
      await sleep(2);
    }
    const end = await quiet();
    const g = diff(end.g, base.g);
    const p = diff(end.p, base.p);
    return {
      kind,
      latency,
      ghlReads: routeCount(g, isRead),
      ghlWrites: routeCount(g, isWrite),
      partnerWrites: routeCount(p, (r) => r.startsWith('POST ')),
      partnerReads: routeCount(p, (r) => r.startsWith('GET ')),
    };
  };
  const toPartner = (kind: string, body: Json) =>
    measure(
      kind,
      () => act(stack.emulatorUrl, { locationId: loc, ...body }),
      async (feed0) => partner.feed.length > feed0,
    );

  const results: ChangeResult[] = [];
  let n = 0;
  for (const contactId of contacts) {
    n++;
    let noteId = '';
    let taskId = '';
    let apptId = '';
    results.push(
      await toPartner('contact.update', {
        action: 'contact.update',
        contactId,
        data: { companyName: `Bench Co ${n}` },
      }),
    );
    results.push(
      await toPartner('note.create', {
        action: 'note.create',
        contactId,
        data: { body: `bench note ${n}` },
      }).then((r) => r),
    );
    noteId = ((await ghlState(stack.emulatorUrl, loc)).notes as { id: string; body: string }[]).find(
      (x) => x.body === `bench note ${n}`,
    )!.id;
    results.push(
      await toPartner('note.update', {
        action: 'note.update',
        noteId,
        data: { body: `bench note ${n} (edited)` },
      }),
    );
    results.push(
      await toPartner('task.create', {
        action: 'task.create',
        contactId,
        data: {
          title: `bench task ${n}`,
          body: 'call back',
          dueDate: new Date(Date.now() + 3 * 86_400_000).toISOString(),
        },
      }),
    );
    taskId = ((await ghlState(stack.emulatorUrl, loc)).tasks as { id: string; title: string }[]).find(
      (x) => x.title === `bench task ${n}`,
    )!.id;
    results.push(await toPartner('task.complete', { action: 'task.complete', taskId }));
    results.push(await toPartner('tags.add', { action: 'tags.add', contactId, tags: [`bench-${n}`] }));
    results.push(await toPartner('tags.remove', { action: 'tags.remove', contactId, tags: [`bench-${n}`] }));
    if (calendarId) {
      const start = new Date(Date.now() + (5 + n) * 86_400_000);
      start.setUTCHours(16, 0, 0, 0);
      results.push(
        await toPartner('appointment.create', {
          action: 'appointment.create',
          contactId,
          data: { title: `bench visit ${n}`, startTime: start.toISOString(), calendarId },
        }),
      );
      apptId = (
        (await ghlState(stack.emulatorUrl, loc)).appointments as { id: string; title: string }[]
      ).find((x) => x.title === `bench visit ${n}`)!.id;
      results.push(
        await toPartner('appointment.update', {
          action: 'appointment.update',
          appointmentId: apptId,
          data: { title: `bench visit ${n} (moved)` },
        }),
      );
    }
    results.push(await toPartner('note.delete', { action: 'note.delete', noteId }));
  }

  // The other direction: partner changes to GHL (your-app control API, delivered signed at once).
  const fromPartner = (kind: string, type: string, data: Json) =>
    measure(
      kind,
      () => postJson(`${partner.url}/_partner/act`, { type, data }),
      async (_f, writes0) => routeCount(await ghlStats(stack.emulatorUrl, loc), isWrite) > writes0,
    );
  const back: ChangeResult[] = [];
  const partnerContacts = [...partner.objects.contact!.values()]
    .filter((c) => typeof c.email === 'string')
    .slice(0, E2E_CONTACTS);
  let m = 0;
  for (const pc of partnerContacts) {
    m++;
    const who = { id: pc.id, email: pc.email };
    back.push(
      await fromPartner('contact.updated', 'contact.updated', { ...pc, companyName: `Partner Co ${m}` }),
    );
    back.push(await fromPartner('note.created', 'note.created', { body: `partner note ${m}`, contact: who }));
    const note = [...partner.objects.note!.values()].find((x) => x.body === `partner note ${m}`)!;
    back.push(
      await fromPartner('note.updated', 'note.updated', {
        id: note.id,
        body: `partner note ${m} (edited)`,
        contact: who,
      }),
    );
    back.push(
      await fromPartner('task.created', 'task.created', {
        title: `partner task ${m}`,
        dueDate: new Date(Date.now() + 2 * 86_400_000).toISOString(),
        completed: false,
        contact: who,
      }),
    );
    back.push(
      await fromPartner('tag.added', 'tag.added', { id: pc.id, tags: [`partner-${m}`], contact: who }),
    );
  }

  const rows = (rs: ChangeResult[]) => {
    const kinds = [...new Set(rs.map((r) => r.kind))];
    const line = (name: string, xs: ChangeResult[]) => {
      const lat = xs.map((x) => x.latency).filter((x): x is number => x !== null);
      const per = (f: (x: ChangeResult) => number) => fmt(xs.reduce((a, x) => a + f(x), 0) / xs.length, 2);
      return [
        name,
        xs.length,
        `${xs.length - lat.length}`,
        ms(percentile(lat, 50)),
        ms(percentile(lat, 99)),
        per((x) => x.ghlReads),
        per((x) => x.ghlWrites),
        per((x) => x.partnerReads),
        per((x) => x.partnerWrites),
      ];
    };
    return [
      ...kinds.map((k) =>
        line(
          k,
          rs.filter((r) => r.kind === k),
        ),
      ),
      line('all changes', rs),
    ];
  };
  const header = [
    'change',
    'n',
    'not arrived',
    'p50',
    'p99',
    'GHL reads',
    'GHL writes',
    'partner reads',
    'partner writes',
  ];
  table(
    `Sync: GHL change (/_emulator/act) → write at "your app", one change at a time on ${loc}; calls are per change`,
    header,
    rows(results),
  );
  table(
    'Sync: "your app" change (signed webhook) → write in GHL, one change at a time; calls are per change',
    header,
    rows(back),
  );
}

async function intake(env: Env): Promise<void> {
  // Measured events go to the panel's location and the two extras; the burst location drains meanwhile.
  await intakeBench(
    {
      stack: env.stack,
      sessions: env.sessions,
      targets: env.locations.slice(1, 4),
      burst: env.locations[4]!,
    },
    env.stack.partners.yourapp[1]!,
    {
      events: Number(flags.events),
      concurrency: Number(flags.concurrency),
      rounds: Number(flags.rounds),
      burst: Number(flags.burst),
    },
  );
}

async function e2e(env: Env): Promise<void> {
  const loc = env.locations[0]!;
  const partner = env.stack.partners.yourapp[0]!;
  const conn = await connectYourApp(env.stack.appUrl, env.sessions.get(loc)!, partner, 'Bench partner');
  console.log(`\n(connection ${conn.id} from ${loc} to the your-app emulator at ${partner.url})`);
  await changes(env, Date.now());
}

// ---- main ----------------------------------------------------------------------------------------

function chosenSections(): readonly string[] {
  const unknown = positionals.filter((p) => !SECTIONS.includes(p as never) && !ALIASES[p]);
  if (unknown.length)
    throw new Error(
      `unknown section(s) ${unknown.join(', ')}: choose from ${[...SECTIONS, ...Object.keys(ALIASES)].join(', ')}`,
    );
  if (!positionals.length) return SECTIONS;
  const wanted = new Set(positionals.flatMap((p) => ALIASES[p] ?? [p]));
  return SECTIONS.filter((s) => wanted.has(s));
}

async function main(): Promise<number> {
  const runStarted = Date.now();
  const sections = chosenSections().filter((s) => s !== 'synclog');
  let failed = 0;
  if (chosenSections().includes('synclog')) {
    const t = Date.now();
    // On the log's own SQL alone: no worker to start.
    await syncLogBench().catch((err: unknown) => {
      failed++;
      console.error(
        `\n!! section synclog crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    });
    console.log(`\n(synclog: ${fmt((Date.now() - t) / 1000, 1)} s)`);
    if (!sections.length) return failed ? 1 : 0;
  }
  buildPanel({ ifMissing: true });
  const revision = workerRevision(ROOT);
  const stateDir = mkdtempSync(join(tmpdir(), 'contact-sync-bench-'));
  const stack = await startStack({
    stateDir,
    emulator: { seedDemo: true },
    partners: { yourapp: 2 },
    snapshot: true,
    benchProbes: true,
    verbose: flags.verbose,
  });
  try {
    const [demo] = await companies(stack.emulatorUrl);
    await postJson(`${stack.emulatorUrl}/_emulator/seed`, {
      companyId: demo!.id,
      locations: [
        { name: 'Bench Extra A', contacts: 20 },
        { name: 'Bench Extra B', contacts: 20 },
        { name: 'Bench Burst', contacts: 400 },
      ],
    });
    await installAgency(stack);
    const all = (await companies(stack.emulatorUrl)).find((c) => c.id === demo!.id)!;
    // The demo install leaves a sub-account out (the agency console's "not installed" row).
    const company = { ...all, locations: all.locations.filter((l) => !DEMO_NOT_INSTALLED.includes(l.name)) };
    const locations = company.locations.map((l) => l.id);
    const sessions = new Map<string, Session>();
    for (const loc of locations) sessions.set(loc, await openSession(stack, company, loc));
    const env: Env = { stack, company, locations, sessions };
    console.log(
      `Contact Sync benchmark: worker ${stack.appUrl} (wrangler dev, snapshot of ${revision}), GHL emulator ${stack.emulatorUrl}`,
    );
    console.log(
      `machine: ${cpus().length} CPU cores, Node ${process.version}; the emulators and this load generator share the machine with workerd`,
    );
    console.log(
      `${locations.length} locations installed: ${company.locations.map((l) => `${l.name} (${l.id})`).join(', ')}`,
    );
    const run = { foundation, panel, intake, e2e, automations } as const;
    for (const name of sections as (keyof typeof run)[]) {
      const section = run[name];
      const t = Date.now();
      try {
        await section(env);
      } catch (err) {
        failed++;
        console.error(
          `\n!! section ${name} crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
      }
      console.log(`\n(${name}: ${fmt((Date.now() - t) / 1000, 1)} s)`);
    }
  } finally {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
  console.log(`\nbench finished in ${fmt((Date.now() - runStarted) / 1000, 1)} s`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
