/**
 * Late reports: a share of the reports of a change, from either side, is held back until a newer
 * edit of the same object made on the other side has been applied on both sides (at least 5 s,
 * at most 30 s), then delivered once or twice. GHL's are the deliveries the emulator's `drop`
 * fault kept from the worker (signed again here); the partner's are held before they are sent.
 * Each report carries its side's whole record as it was when it was made, so it repeats values
 * that are older than the edit that overtook it.
 */
import { call, postJson, sleep } from './harness.ts';
import type { Side, World } from './chaos-world.ts';

const MIN_HOLD_MS = 5_000;
const MAX_HOLD_MS = 30_000;

interface Held {
  world: World;
  key: string;
  side: Side;
  since: number;
  deliver: () => Promise<void>;
}

export class LateReports {
  held = 0;
  delivered = 0;
  copies = 0;
  readonly byKind = new Map<string, number>();
  private readonly waiting = new Set<Held>();
  private readonly seen = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private readonly opts: {
    emulatorUrl: string;
    appUrl: string;
    clientId: string;
    share: number;
    random: () => number;
    worlds: () => World[];
  };

  constructor(opts: {
    emulatorUrl: string;
    appUrl: string;
    clientId: string;
    share: number;
    random: () => number;
    worlds: () => World[];
  }) {
    this.opts = opts;
  }

  /** The emulator's share of GHL deliveries to drop (and so to hold here). */
  get ghlShare(): number {
    return this.opts.share;
  }

  /** A partner event: held back (true) or left to the caller to send now (false). */
  holdPartner(world: World, key: string, send: () => void): boolean {
    if (this.opts.random() >= this.opts.share) return false;
    this.hold(world, key, 'partner', async () => send());
    return true;
  }

  start(everyMs = 500): void {
    const tick = async () => {
      await this.pickUpGhl();
      for (const h of [...this.waiting]) if (this.due(h)) this.release(h);
    };
    const loop = () => {
      this.timer = setTimeout(
        () =>
          void tick()
            .catch((err) => console.error('late reports:', String(err)))
            .then(loop),
        everyMs,
      );
    };
    loop();
  }

  /** Delivers everything still held (the run is over) and waits for the deliveries. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.pickUpGhl().catch(() => undefined);
    for (const h of [...this.waiting]) this.release(h);
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /** Anything held or on its way. */
  get pending(): number {
    return this.waiting.size + this.inflight.size;
  }

  private hold(world: World, key: string, side: Side, deliver: () => Promise<void>) {
    this.held++;
    this.byKind.set(side, (this.byKind.get(side) ?? 0) + 1);
    const other: Side = side === 'ghl' ? 'partner' : 'ghl';
    // A newer edit of the same object, made on the other side while this report waits.
    const fields = key.startsWith('[') ? undefined : world.randomFields();
    world.wanted.push({ key, side: other, fields });
    this.waiting.add({ world, key, side, since: Date.now(), deliver });
  }

  private due(h: Held): boolean {
    const waited = Date.now() - h.since;
    if (waited < MIN_HOLD_MS) return false;
    if (waited >= MAX_HOLD_MS) return true;
    const edited = !h.world.wanted.some((w) => w.key === h.key) && !h.world.busy.has(h.key);
    return edited && h.world.applied(h.key, h.world.partnerSide());
  }

  private release(h: Held) {
    this.waiting.delete(h);
    h.world.wanted.splice(0, h.world.wanted.length, ...h.world.wanted.filter((w) => w.key !== h.key));
    const copies = this.opts.random() < 0.7 ? 1 : 2;
    this.copies += copies - 1;
    for (let i = 0; i < copies; i++) {
      const p = sleep(i * 1000 * this.opts.random())
        .then(h.deliver)
        .then(() => void this.delivered++)
        .catch((err) => console.error('late report:', String(err)))
        .finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }
  }

  /** GHL deliveries the emulator dropped: held from now on. */
  private async pickUpGhl() {
    const url = `${this.opts.emulatorUrl}/_emulator/webhooks?clientId=${encodeURIComponent(this.opts.clientId)}`;
    const { deliveries } = (
      await call<{
        deliveries: { webhookId: string; body: string; outcome: string; type: string; locationId?: string }[];
      }>('GET', url)
    ).data;
    for (const d of deliveries) {
      if (d.outcome !== 'dropped' || this.seen.has(d.webhookId)) continue;
      this.seen.add(d.webhookId);
      const found = this.find(d.body);
      const send = async () => {
        const { headers } = await postJson<{ headers: Record<string, string> }>(
          `${this.opts.emulatorUrl}/_emulator/webhooks/sign`,
          { body: d.body },
        );
        const res = await fetch(`${this.opts.appUrl}/webhooks/ghl`, {
          method: 'POST',
          headers,
          body: d.body,
        });
        await res.arrayBuffer();
      };
      if (found) this.hold(found.world, found.key, 'ghl', send);
      else {
        // Not an object of the run (INSTALL, an object not known yet): late by a few seconds only.
        this.held++;
        this.waiting.add({
          world: this.opts.worlds()[0]!,
          key: '',
          side: 'ghl',
          since: Date.now() - MAX_HOLD_MS + MIN_HOLD_MS,
          deliver: send,
        });
      }
    }
  }

  /** The object of the run a GHL webhook body is about. */
  private find(body: string): { world: World; key: string } | undefined {
    const event = JSON.parse(body) as { type?: string; id?: string; locationId?: string; contactId?: string };
    const world = this.opts.worlds().find((w) => w.loc === event.locationId);
    if (!world || !event.id || !event.type) return undefined;
    const list = event.type.startsWith('Contact')
      ? world.contacts
      : event.type.startsWith('Note')
        ? world.notes
        : event.type.startsWith('Task')
          ? world.tasks
          : [];
    const x = (list as { key: string; ghlId?: string; deleted: boolean }[]).find((o) => o.ghlId === event.id);
    return x && !x.deleted ? { world, key: x.key } : undefined;
  }
}
