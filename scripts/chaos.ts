/**
 * `npm run chaos`: mixed changes on both sides of several locations, each with a "your app"
 * connection, while webhooks arrive duplicated and out of order and a share of GHL and partner
 * API calls fail; then waits for the two sides to agree and prints what it took and what was
 * lost. Prints figures; asserts nothing. Exits non-zero only when something crashes.
 *
 * Flags: --changes N (1000), --locations N (3), --rate N changes/s (8), --concurrency N (6),
 * --fault-rate P (0.2), --late P (0.1: share of reports held back until the other side's newer
 * edit of the object has been applied, see chaos-late.ts; 0 turns it off), --timeout-min N (10,
 * for convergence), --seed N (1), --dump FILE (final state of both sides and the sync log of
 * every contact with a difference, as JSON), --verbose.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { installAgency, ROOT, startStack, type Stack } from './stack.ts';
import { compare, DEFINITION, type Comparison } from './lib/chaos-check.ts';
import {
  FaultRotation,
  GHL_FAULTS,
  GhlReplayer,
  PARTNER_FAULTS,
  PartnerDelivery,
} from './lib/chaos-faults.ts';
import { LateReports } from './lib/chaos-late.ts';
import { rng, World, type MContact, type MNote, type MTask, type Side } from './lib/chaos-world.ts';
import {
  companies,
  connectYourApp,
  diff,
  fmt,
  getJson,
  ghlStats,
  openSession,
  postJson,
  routeCount,
  sleep,
  table,
  tally,
  workerRevision,
  type Session,
} from './lib/harness.ts';

const { values: flags } = parseArgs({
  options: {
    changes: { type: 'string', default: '1000' },
    locations: { type: 'string', default: '3' },
    rate: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '6' },
    'fault-rate': { type: 'string', default: '0.2' },
    late: { type: 'string', default: '0.1' },
    'timeout-min': { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    dump: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const CHANGES = Number(flags.changes);
const LOCATIONS = Number(flags.locations);
const RATE = Number(flags.rate);
const CONCURRENCY = Number(flags.concurrency);
const FAULT_RATE = Number(flags['fault-rate']);
const LATE_SHARE = Number(flags.late);
const TIMEOUT_MS = Number(flags['timeout-min']) * 60_000;
const SEED = Number(flags.seed);
const GHL_WEBHOOK_FAULTS = { duplicate: 0.3, reorder: 0.3, drop: LATE_SHARE };
const GHL_THIRD_COPY_SHARE = 0.25;
/** Give up early when nothing is in flight anywhere and the differences stay the same this long. */
const STALL_MS = 120_000;

interface Plan {
  label: string;
  side: Side | 'both';
  count: number;
  run: () => Promise<void>;
}

/** The change mix: weights of each kind of change. */
const MIX: [string, number][] = [
  ['contact.create', 10],
  ['contact.update', 14],
  ['tag.add', 8],
  ['tag.remove', 5],
  ['note.create', 18],
  ['note.update', 12],
  ['note.delete', 5],
  ['task.create', 12],
  ['task.update', 8],
  ['task.delete', 4],
  ['conflict', 4],
];

/** Picks the next change for a location and reserves the object it touches (synchronously). */
function plan(w: World): Plan {
  const overtaking = planWanted(w);
  if (overtaking) return overtaking;
  // A kind of change with nothing to change yet (no notes to edit, no tags to remove) draws again.
  for (let attempt = 0; attempt < 6; attempt++) {
    const p = tryPlan(w, attempt === 5);
    if (p) return p;
  }
  throw new Error('unreachable: the last attempt always plans a contact');
}

function tryPlan(w: World, last: boolean): Plan | undefined {
  const r = w.random;
  const want = (): Side => (r() < 0.5 ? 'ghl' : 'partner');
  const free = <T extends { key: string; deleted: boolean }>(xs: T[]) =>
    xs.filter((x) => !x.deleted && !w.busy.has(x.key));
  const reserve = (
    key: string,
    label: string,
    side: Side | 'both',
    run: () => Promise<void>,
    count = 1,
  ): Plan => {
    w.busy.add(key);
    return { label, side, count, run: () => run().finally(() => w.busy.delete(key)) };
  };
  const total = MIX.reduce((n, [, k]) => n + k, 0);
  let roll = r() * total;
  let op = MIX.find(([, k]) => (roll -= k) < 0)![0];
  const contacts = free(w.contacts);
  if (contacts.length < 3 || last) op = 'contact.create';
  for (const c of contacts) w.resolve(c, 'contact');

  switch (op) {
    case 'contact.update':
    case 'tag.add':
    case 'tag.remove': {
      const pool =
        op === 'tag.remove'
          ? contacts.filter((c) => c.tags.size)
          : op === 'tag.add'
            ? contacts.filter((c) => c.tags.size < 8)
            : contacts;
      const c = w.pick(pool);
      if (!c) return undefined;
      const side = w.sideFor(c, want());
      if (op === 'contact.update' && r() < 0.5) {
        const fields = w.randomFields();
        return reserve(c.key, op, side, () => w.editFields(c, side, fields), fields.length);
      }
      return reserve(c.key, op, side, () =>
        op === 'contact.update' ? w.updateContact(c, side) : w.tag(c, side, op === 'tag.add'),
      );
    }
    case 'note.create':
    case 'task.create': {
      const c = w.pick(contacts)!;
      const side = w.sideFor(c, want());
      return reserve(`${c.key}#new`, op, side, () =>
        op === 'note.create' ? w.createNote(c, side) : w.createTask(c, side),
      );
    }
    case 'note.update':
    case 'note.delete': {
      const n = w.pick(free(w.notes));
      if (!n) return undefined;
      w.resolve(n, 'note');
      const side = w.sideFor(n, want());
      return reserve(n.key, op, side, () =>
        op === 'note.update' ? w.updateNote(n, side) : w.deleteNote(n, side),
      );
    }
    case 'task.update':
    case 'task.delete': {
      const t = w.pick(free(w.tasks));
      if (!t) return undefined;
      w.resolve(t, 'task');
      let side = w.sideFor(t, want());
      // In GHL a task edit is only a completion (GHL sends no event for other edits).
      if (op === 'task.update' && side === 'ghl' && t.completed) side = 'partner';
      if (side === 'partner' && !t.partnerId) return undefined;
      return reserve(t.key, op, side, () =>
        op === 'task.update' ? w.updateTask(t, side) : w.deleteTask(t, side),
      );
    }
    case 'conflict': {
      // Both sides change the same object within ~40 ms: the later change should win (newest_wins).
      for (const n of free(w.notes)) w.resolve(n, 'note');
      const both = [
        ...contacts.filter((c) => c.ghlId && c.partnerId),
        ...free(w.notes).filter((n) => n.ghlId && n.partnerId),
      ];
      const x = w.pick(both);
      if (!x) return undefined;
      const first: Side = r() < 0.5 ? 'ghl' : 'partner';
      const second: Side = first === 'ghl' ? 'partner' : 'ghl';
      const one = (side: Side) =>
        'email' in x ? w.updateContact(x as MContact, side) : w.updateNote(x as MNote, side);
      x.conflicted = true;
      return reserve(
        x.key,
        'conflict (both sides)',
        'both',
        async () => {
          await one(first);
          await sleep(40);
          await one(second);
        },
        2,
      );
    }
  }
  if (op !== 'contact.create') return undefined;
  const side = want();
  return reserve(`new-contact-${w.contacts.length}`, 'contact.create', side, () => w.createContact(side));
}

/**
 * The edit a held report waits for (chaos-late.ts): the same object, changed on the other side.
 * Entries whose object cannot take that edit now stay; the report is let go after 30 s anyway.
 */
function planWanted(w: World): Plan | undefined {
  for (const [i, want] of w.wanted.entries()) {
    const x = [...w.contacts, ...w.notes, ...w.tasks].find((o) => o.key === want.key);
    if (!x || x.deleted || w.busy.has(x.key)) continue;
    w.resolve(x, 'email' in x ? 'contact' : 'body' in x && !('title' in x) ? 'note' : 'task');
    if (!(want.side === 'ghl' ? x.ghlId : x.partnerId)) continue;
    if ('title' in x && want.side === 'ghl' && (x as MTask).completed) continue;
    w.wanted.splice(i, 1);
    w.busy.add(x.key);
    const side = want.side;
    const done = () => void w.busy.delete(x.key);
    if ('email' in x) {
      const fields = want.fields ?? w.randomFields();
      return {
        label: 'contact.update',
        side,
        count: fields.length,
        run: () => w.editFields(x as MContact, side, fields).finally(done),
      };
    }
    if ('title' in x)
      return {
        label: 'task.update',
        side,
        count: 1,
        run: () => w.updateTask(x as MTask, side).finally(done),
      };
    return { label: 'note.update', side, count: 1, run: () => w.updateNote(x as MNote, side).finally(done) };
  }
  return undefined;
}

async function conflictsLogged(stack: Stack, session: Session): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const page: { entries: unknown[]; nextCursor: string | null } = await getJson(
      `${stack.appUrl}/api/sync-log?status=conflict&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      session.token,
    );
    n += page.entries.length;
    cursor = page.nextCursor;
  } while (cursor);
  return n;
}

async function syncHealth(stack: Stack, session: Session) {
  const res = await getJson<{
    health: { inboxBacklog: number; connections: { backlog: number; failed: number }[] };
  }>(`${stack.appUrl}/api/sync-log?limit=1`, session.token);
  return {
    inbox: res.health.inboxBacklog,
    backlog: res.health.connections.reduce((n, c) => n + c.backlog, 0),
    failed: res.health.connections.reduce((n, c) => n + c.failed, 0),
  };
}

/** Writes what is needed to investigate a difference: both sides and the affected contacts' sync logs. */
async function dump(
  file: string,
  stack: Stack,
  worlds: World[],
  sessions: Session[],
  results: Comparison[],
  lost: { loc: string; key: string }[],
) {
  const out = [];
  for (const [i, w] of worlds.entries()) {
    const keys = new Set(
      [...results[i]!.mismatches, ...results[i]!.duplicates]
        .map((m) => m.key)
        .concat(lost.filter((l) => l.loc === w.loc).map((l) => l.key)),
    );
    const model = [...w.contacts, ...w.notes, ...w.tasks].filter((x) => keys.has(x.key));
    const contactIds = new Set(
      model.map((x) => ('contact' in x ? x.contact.ghlId : x.ghlId)).filter((id): id is string => !!id),
    );
    const logs: Record<string, unknown> = {};
    for (const id of contactIds)
      logs[id] = (
        await getJson<{ entries: unknown[] }>(
          `${stack.appUrl}/api/sync-log?contactId=${id}&limit=200`,
          sessions[i]!.token,
        )
      ).entries;
    out.push({
      loc: w.loc,
      differences: results[i],
      model: model.map((x) => ({
        ...x,
        contact: 'contact' in x ? x.contact.key : undefined,
        tags: 'tags' in x ? [...x.tags] : undefined,
      })),
      ghl: w.ghl,
      partner: w.partnerSide(),
      syncLog: logs,
    });
  }
  writeFileSync(file, JSON.stringify(out, null, 1));
  console.log(`\n(state and sync logs of the differing objects written to ${file})`);
}

async function main(): Promise<number> {
  const random = rng(SEED);
  const revision = workerRevision(ROOT);
  const stateDir = mkdtempSync(join(tmpdir(), 'contact-sync-chaos-'));
  const stack = await startStack({
    stateDir,
    partners: { yourapp: LOCATIONS },
    snapshot: true,
    verbose: flags.verbose,
    emulator: { webhookRetryDelayMs: 5000 },
  });
  const rotation = new FaultRotation(random, FAULT_RATE);
  const delivery = new PartnerDelivery(random);
  const replayer = new GhlReplayer({
    emulatorUrl: stack.emulatorUrl,
    appUrl: stack.appUrl,
    clientId: stack.client.clientId,
    share: GHL_THIRD_COPY_SHARE,
    random,
  });
  const worlds: World[] = [];
  const late = new LateReports({
    emulatorUrl: stack.emulatorUrl,
    appUrl: stack.appUrl,
    clientId: stack.client.clientId,
    share: LATE_SHARE,
    random,
    worlds: () => worlds,
  });
  try {
    const seeded = await postJson<{ companyId: string }>(`${stack.emulatorUrl}/_emulator/seed`, {
      companyName: 'Chaos Agency',
      locations: Array.from({ length: LOCATIONS }, (_, i) => ({ name: `Chaos ${i + 1}`, contacts: 0 })),
    });
    await installAgency(stack);
    const company = (await companies(stack.emulatorUrl)).find((c) => c.id === seeded.companyId)!;
    const sessions: Session[] = [];
    for (const [i, l] of company.locations.entries()) {
      const session = await openSession(stack, company, l.id);
      const partner = stack.partners.yourapp[i]!;
      const conn = await connectYourApp(stack.appUrl, session, partner, `Chaos partner ${i + 1}`);
      sessions.push(session);
      const world: World = new World({
        loc: l.id,
        index: i + 1,
        emulatorUrl: stack.emulatorUrl,
        partner,
        random,
        send: (id, body, key) => {
          const send = () => delivery.send(partner.url, conn.inboundUrl, id, body);
          if (!late.holdPartner(world, key, send)) send();
        },
      });
      worlds.push(world);
    }
    console.log(
      `Contact Sync chaos run: worker ${stack.appUrl} (wrangler dev, snapshot of ${revision}), seed ${SEED}, ${cpus().length} CPU cores, Node ${process.version}`,
    );
    table(
      'Chaos: setup',
      ['item', 'value'],
      [
        [
          'locations (each with a "your app" connection, settings: both ways, newest_wins)',
          worlds.map((w) => w.loc).join(', '),
        ],
        [
          'changes',
          `${CHANGES} at ~${RATE}/s, up to ${CONCURRENCY} in flight, ~half in GHL (/_emulator/act), half in "your app" (/_partner/act)`,
        ],
        [
          'GHL webhooks',
          `duplicate ${GHL_WEBHOOK_FAULTS.duplicate}, reorder ${GHL_WEBHOOK_FAULTS.reorder} (/_emulator/webhook-faults), plus a third copy of ${GHL_THIRD_COPY_SHARE * 100}% replayed 1-5 s later`,
        ],
        [
          'partner webhooks',
          'each event 1× (40%), 2× (35%) or 3× (25%), every copy 0-2 s late (reordered), retried on 429/5xx',
        ],
        [
          'late reports (both sides)',
          `${LATE_SHARE * 100}% of GHL webhooks and of partner events held back until a newer edit of the ` +
            'same object made on the other side has been applied (5-30 s), then delivered 1× (70%) or 2×; ' +
            "contact edits change 1-3 fields, each report carries the side's whole record",
        ],
        [
          'GHL API faults',
          `${FAULT_RATE * 100}% of calls per location, kind rotating every 1.5 s: ${GHL_FAULTS.map((f) => f.label).join(', ')}`,
        ],
        [
          'partner API faults',
          `${FAULT_RATE * 100}% of calls, kind rotating every 1.5 s: ${PARTNER_FAULTS.map((f) => f.label).join(', ')}`,
        ],
      ],
    );
    console.log(`\nDefinitions:\n${DEFINITION.map((l) => `  ${l}`).join('\n')}`);

    const ghlBefore = await ghlStats(stack.emulatorUrl);
    await postJson(`${stack.emulatorUrl}/_emulator/webhook-faults`, {
      clientId: stack.client.clientId,
      ...GHL_WEBHOOK_FAULTS,
    });
    for (const w of worlds) rotation.ghl(stack.emulatorUrl, w.loc).partner(w.partner.url);
    rotation.start();
    replayer.start();
    late.start();
    let refreshing = true;
    const refresher = (async () => {
      while (refreshing) {
        await Promise.all(worlds.map((w) => w.refreshGhl())).catch(() => undefined);
        await sleep(1000);
      }
    })();

    // ---- the changes -------------------------------------------------------------------------
    const applied = new Map<string, number>();
    const errors: string[] = [];
    const inflight = new Set<Promise<void>>();
    const started = Date.now();
    let issued = 0;
    let lastReport = started;
    for (let i = 0; issued < CHANGES; i++) {
      await sleep(Math.max(0, started + (issued * 1000) / RATE - Date.now()));
      while (inflight.size >= CONCURRENCY) await Promise.race(inflight);
      const w = worlds[i % worlds.length]!;
      const p = plan(w);
      issued += p.count;
      const key = `${p.label}|${p.side}`;
      const job = p
        .run()
        .then(
          () => void applied.set(key, (applied.get(key) ?? 0) + p.count),
          (err) =>
            void errors.push(
              `${p.label} (${p.side}) in ${w.loc}: ${err instanceof Error ? err.message : String(err)}`,
            ),
        )
        .finally(() => inflight.delete(job));
      inflight.add(job);
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        console.log(`  … ${issued} changes issued in ${fmt((Date.now() - started) / 1000, 0)} s`);
      }
    }
    await Promise.all(inflight);
    const lastChangeAt = Date.now();
    console.log(
      `  all ${issued} changes issued in ${fmt((lastChangeAt - started) / 1000, 1)} s; waiting for convergence (timeout ${TIMEOUT_MS / 60_000} min)`,
    );

    // ---- convergence ---------------------------------------------------------------------------
    let agreedSince: number | null = null;
    let converged = false;
    let stalled = false;
    let results: Comparison[] = [];
    let lastProgress = Date.now();
    let lastSignature = '';
    let idleSince: number | null = null;
    while (Date.now() - lastChangeAt < TIMEOUT_MS) {
      try {
        await Promise.all(worlds.map((w) => w.refreshGhl()));
        results = worlds.map((w) => compare(w.ghl, w.partnerSide()));
        const health = await Promise.all(sessions.map((s) => syncHealth(stack, s)));
        // A report still held back, or work still waiting (a retry), may yet undo the agreement.
        const agree =
          results.every((r) => !r.mismatches.length && !r.duplicates.length) &&
          late.pending === 0 &&
          health.every((h) => h.inbox === 0 && h.backlog === 0);
        if (agree && agreedSince === null) agreedSince = Date.now();
        if (!agree) agreedSince = null;
        if (agree && Date.now() - agreedSince! >= 3000) {
          converged = true;
          break;
        }
        // Nothing left anywhere that could still change a side: waiting longer cannot help.
        const { pending } = await postJson<{ pending: number }>(
          `${stack.emulatorUrl}/_emulator/webhooks/drain`,
          { timeoutMs: 1 },
        );
        const signature = JSON.stringify(results.map((r) => [r.mismatches, r.duplicates]));
        const idle =
          !agree &&
          pending === 0 &&
          delivery.pending === 0 &&
          late.pending === 0 &&
          health.every((h) => h.inbox === 0 && h.backlog === 0) &&
          signature === lastSignature;
        lastSignature = signature;
        idleSince = idle ? (idleSince ?? Date.now()) : null;
        if (idleSince !== null && Date.now() - idleSince >= STALL_MS) {
          stalled = true;
          break;
        }
        if (Date.now() - lastProgress > 15_000) {
          lastProgress = Date.now();
          const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((n, x) => n + f(x), 0);
          const off = sum(results, (r) => r.mismatches.length + r.duplicates.length);
          console.log(
            `  … ${fmt((Date.now() - lastChangeAt) / 1000, 0)} s: ${off} objects differ or are doubled, ` +
              `inbox ${sum(health, (h) => h.inbox)}, sync backlog ${sum(health, (h) => h.backlog)}, ` +
              `GHL webhooks pending ${pending}, partner deliveries pending ${delivery.pending}`,
          );
        }
        await sleep(agree ? 3000 : 1000);
      } catch (err) {
        console.error(`  (poll failed, trying again: ${err instanceof Error ? err.message : String(err)})`);
        await sleep(1000);
      }
    }
    const convergedAt = converged ? agreedSince! : null;
    refreshing = false;
    await refresher;
    await rotation.stop();
    await replayer.stop();
    await late.stop();
    await postJson(`${stack.emulatorUrl}/_emulator/webhook-faults`, {
      clientId: stack.client.clientId,
      duplicate: 0,
      reorder: 0,
      drop: 0,
    });

    // ---- figures -------------------------------------------------------------------------------
    await Promise.all(worlds.map((w) => w.refreshGhl()));
    results = worlds.map((w) => compare(w.ghl, w.partnerSide()));
    const lost = worlds.flatMap((w) => w.lost(w.partnerSide()).map((l) => ({ ...l, loc: w.loc })));
    const lostKeys = new Set(lost.map((l) => `${l.loc}|${l.key}`));
    const lostBy = (pick: (l: (typeof lost)[number]) => boolean) =>
      new Set(lost.filter(pick).map((l) => `${l.loc}|${l.key}`)).size;
    const duplicates = results.flatMap((r) => r.duplicates);
    const mismatches = results.flatMap((r) => r.mismatches);
    const conflicts = (await Promise.all(sessions.map((s) => conflictsLogged(stack, s)))).reduce(
      (a, b) => a + b,
      0,
    );
    const health = await Promise.all(sessions.map((s) => syncHealth(stack, s)));
    const ghl = diff(await ghlStats(stack.emulatorUrl), ghlBefore);
    const partnerStats = await Promise.all(
      worlds.map((w) =>
        getJson<{ total: number; byRoute: Record<string, number>; byStatus: Record<string, number> }>(
          `${w.partner.url}/_partner/stats`,
        ),
      ),
    );
    const changesApplied = [...applied.values()].reduce((a, b) => a + b, 0);

    const ops = [...new Set([...applied.keys()].map((k) => k.split('|')[0]!))].sort();
    table(
      'Chaos: changes applied at their source',
      ['change', 'in GHL', 'in your app', 'both sides', 'total'],
      [
        ...ops.map((op) => {
          const get = (side: string) => applied.get(`${op}|${side}`) ?? 0;
          return [op, get('ghl'), get('partner'), get('both'), get('ghl') + get('partner') + get('both')];
        }),
        ['total', '', '', '', changesApplied],
      ],
    );
    const faultHits = routeCount(ghl, (r) => r.endsWith(' fault'));
    const partnerTotal = partnerStats.reduce((n, s) => n + s.total, 0);
    const partnerFailed = partnerStats.reduce(
      (n, s) =>
        n +
        Object.entries(s.byStatus)
          .filter(([k]) => k !== '200')
          .reduce((a, [, v]) => a + v, 0),
      0,
    );
    table(
      'Chaos: weather',
      ['figure', 'value'],
      [
        [
          'GHL webhook deliveries (attempts) / duplicated / retried after 429',
          `${ghl.webhooks.sent} / ${ghl.webhooks.duplicated} / ${ghl.webhooks.retried}`,
        ],
        // GHL retries only after a 429: any other failed delivery is an event the worker never got.
        [
          'GHL webhook deliveries failed (not retried) / dropped',
          `${ghl.webhooks.failed} / ${ghl.webhooks.dropped}`,
        ],
        [
          'reports held back (GHL / partner) / delivered late / extra copies',
          `${late.byKind.get('ghl') ?? 0} / ${late.byKind.get('partner') ?? 0} / ${late.delivered} / ${late.copies}`,
        ],
        [
          'GHL webhooks replayed a third time (answers)',
          `${replayer.replayed} (${tally([...replayer.byStatus].flatMap(([k, v]) => Array(v).fill(k)))})`,
        ],
        [
          'partner events / extra copies / POSTs / retried / given up',
          `${delivery.counts.events} / ${delivery.counts.copies} / ${delivery.counts.posts} / ${delivery.counts.retried} / ${delivery.counts.gaveUp}`,
        ],
        [
          'partner webhook answers from the worker',
          tally([...delivery.counts.byStatus].flatMap(([k, v]) => Array(v).fill(k))),
        ],
        [
          'GHL API calls / injected faults',
          `${ghl.total} / ${faultHits} (${fmt((100 * faultHits) / Math.max(1, ghl.total), 1)}%; ${tally(
            Object.entries(ghl.byRoute)
              .filter(([r]) => r.endsWith(' fault'))
              .flatMap(([r, v]) => Array(v).fill(r.split(' ')[0])),
          )})`,
        ],
        ['GHL answers by status', tally(Object.entries(ghl.byStatus).flatMap(([k, v]) => Array(v).fill(k)))],
        [
          'partner API calls / non-200 answers',
          `${partnerTotal} / ${partnerFailed} (${fmt((100 * partnerFailed) / Math.max(1, partnerTotal), 1)}%)`,
        ],
        ['fault kinds applied (rotations)', [...rotation.applied].map(([k, v]) => `${k}×${v}`).join(', ')],
      ],
    );
    table(
      'Chaos: outcome',
      ['figure', 'value'],
      [
        [
          'converged (see definition)',
          converged
            ? 'yes'
            : stalled
              ? `NO: stalled (nothing in flight for ${STALL_MS / 1000} s, same differences)`
              : `NO within ${TIMEOUT_MS / 60_000} min`,
        ],
        [
          'time to converge after the last change',
          convergedAt ? `${fmt((convergedAt - lastChangeAt) / 1000, 1)} s` : 'n/a',
        ],
        ['changes applied', changesApplied],
        ['changes that failed at their source (harness errors)', errors.length],
        ['duplicates created (goal 0)', duplicates.length],
        ['changes lost (goal 0)', lostKeys.size],
        [
          '  of which a value older than the last change',
          lostBy((l) => !l.why.includes('missing') && !l.why.includes('still there')),
        ],
        ['  of which a deleted object back or still there', lostBy((l) => l.why.includes('still there'))],
        ['  of which a created object missing', lostBy((l) => l.why.includes('missing'))],
        ['  of which objects edited on both sides within 40 ms', lostBy((l) => l.conflicted)],
        ['objects that differ between the sides at the end', mismatches.length],
        ['conflicts logged (/api/sync-log?status=conflict)', conflicts],
        ['sync work failed for good (sync log "failed")', health.reduce((n, h) => n + h.failed, 0)],
        [
          'backlog at the end (inbox / sync queue)',
          `${health.reduce((n, h) => n + h.inbox, 0)} / ${health.reduce((n, h) => n + h.backlog, 0)}`,
        ],
        ['objects compared (pairs)', results.reduce((n, r) => n + r.pairs, 0)],
        [
          'GHL API calls per change (faults excluded)',
          fmt((ghl.total - faultHits) / Math.max(1, changesApplied), 2),
        ],
        ['partner API calls per change', fmt(partnerTotal / Math.max(1, changesApplied), 2)],
        ['wall time', `${fmt((Date.now() - started) / 1000, 0)} s`],
      ],
    );
    const samples = (title: string, rows: string[]) => {
      if (!rows.length) return;
      console.log(`\n${title} (first ${Math.min(12, rows.length)} of ${rows.length}):`);
      for (const r of rows.slice(0, 12)) console.log(`  ${r}`);
    };
    samples(
      'Duplicates',
      duplicates.map((d) => `${d.kind} ${d.key}: ${d.why}`),
    );
    samples(
      'Lost changes',
      lost.map(
        (l) => `${l.loc} ${l.key} (${l.side}${l.conflicted ? ', edited on both sides' : ''}): ${l.why}`,
      ),
    );
    samples(
      'Differences between the sides',
      mismatches.map((m) => `${m.kind} ${m.key}: ${m.why}`),
    );
    samples('Harness errors', errors);
    if (flags.dump) await dump(flags.dump, stack, worlds, sessions, results, lost);
    return 0;
  } finally {
    await rotation.stop().catch(() => undefined);
    await replayer.stop().catch(() => undefined);
    await late.stop().catch(() => undefined);
    await delivery.flush();
    await stack.stop();
    // The worker's local state (D1, Durable Objects) is kept only when asked for a dump.
    if (flags.dump) console.log(`(worker state kept in ${stateDir})`);
    else rmSync(stateDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
