/**
 * The weather of the chaos run: API faults on both sides (rotating between 429, 5xx, slow answers
 * and, at the partner, answers slower than the worker waits), GHL webhooks duplicated, reordered
 * and replayed a third time, and partner webhooks delivered 1 to 3 times out of order.
 */
import { call, postJson, sleep } from './harness.ts';

export interface FaultKind {
  label: string;
  status?: number;
  delayMs?: number;
}

/** GHL: the emulator answers before the route runs, so a fault never applies a change. */
export const GHL_FAULTS: FaultKind[] = [
  { label: '429', status: 429 },
  { label: '500', status: 500 },
  { label: '502', status: 502 },
  { label: '503', status: 503 },
  { label: 'slow 2.5 s', delayMs: 2500 },
  { label: 'slow 1.5 s then 504', delayMs: 1500, status: 504 },
];

/** Partner: the last one outlasts the worker's 15 s timeout, and the partner still applies it. */
export const PARTNER_FAULTS: FaultKind[] = [
  { label: '429', status: 429 },
  { label: '500', status: 500 },
  { label: '503', status: 503 },
  { label: 'slow 2.5 s', delayMs: 2500 },
  { label: 'timeout (16 s, applied late)', delayMs: 16_000 },
];

/**
 * Every `everyMs` each target gets a new rule of a random kind for `probability` of its calls
 * (the emulators apply the first matching rule only, so the mix comes from rotating rules).
 */
export class FaultRotation {
  private timer: NodeJS.Timeout | null = null;
  private running = Promise.resolve();
  readonly applied = new Map<string, number>();
  private readonly targets: {
    set: (kind: FaultKind) => Promise<void>;
    clear: () => Promise<void>;
    kinds: FaultKind[];
    name: string;
  }[] = [];
  private readonly random: () => number;
  private readonly probability: number;

  constructor(random: () => number, probability: number) {
    this.random = random;
    this.probability = probability;
  }

  ghl(emulatorUrl: string, locationId: string): this {
    this.targets.push({
      name: `GHL ${locationId}`,
      kinds: GHL_FAULTS,
      clear: async () =>
        void (await call('DELETE', `${emulatorUrl}/_emulator/faults?locationId=${locationId}`)),
      set: async (k) =>
        void (await postJson(`${emulatorUrl}/_emulator/faults`, {
          locationId,
          probability: this.probability,
          status: k.status,
          delayMs: k.delayMs,
        })),
    });
    return this;
  }

  partner(partnerUrl: string): this {
    this.targets.push({
      name: `partner ${partnerUrl}`,
      kinds: PARTNER_FAULTS,
      clear: async () => void (await call('DELETE', `${partnerUrl}/_partner/faults`)),
      set: async (k) =>
        void (await postJson(`${partnerUrl}/_partner/faults`, {
          probability: this.probability,
          status: k.status,
          delayMs: k.delayMs,
        })),
    });
    return this;
  }

  start(everyMs = 1500): void {
    const tick = async () => {
      for (const t of this.targets) {
        const kind = t.kinds[Math.floor(this.random() * t.kinds.length)]!;
        await t.clear();
        await t.set(kind);
        const label = `${t.name.startsWith('GHL') ? 'GHL' : 'partner'} ${kind.label}`;
        this.applied.set(label, (this.applied.get(label) ?? 0) + 1);
      }
    };
    const loop = () => {
      this.running = tick().catch((err) => console.error('fault rotation:', String(err)));
      this.timer = setTimeout(() => void this.running.then(loop), everyMs);
    };
    loop();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    for (const t of this.targets) await t.clear();
  }
}

export interface DeliveryCounts {
  events: number;
  posts: number;
  copies: number;
  retried: number;
  gaveUp: number;
  byStatus: Map<string, number>;
}

/**
 * Delivers partner events the way a flaky partner does: each event 1, 2 or 3 times, each copy
 * after a random delay (so later events often overtake earlier ones), re-signed per attempt,
 * retried on 429/5xx/network errors as Standard Webhooks senders do.
 */
export class PartnerDelivery {
  readonly counts: DeliveryCounts = {
    events: 0,
    posts: 0,
    copies: 0,
    retried: 0,
    gaveUp: 0,
    byStatus: new Map(),
  };
  private readonly inflight = new Set<Promise<void>>();
  private readonly random: () => number;
  private readonly maxDelayMs: number;

  constructor(random: () => number, maxDelayMs = 2000) {
    this.random = random;
    this.maxDelayMs = maxDelayMs;
  }

  send(partnerUrl: string, targetUrl: string, eventId: string, body: string): void {
    this.counts.events++;
    const r = this.random();
    const copies = r < 0.4 ? 1 : r < 0.75 ? 2 : 3;
    this.counts.copies += copies - 1;
    for (let i = 0; i < copies; i++) {
      const p = this.deliver(
        partnerUrl,
        targetUrl,
        eventId,
        body,
        Math.floor(this.random() * this.maxDelayMs),
      ).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }
  }

  private async deliver(
    partnerUrl: string,
    targetUrl: string,
    eventId: string,
    body: string,
    delayMs: number,
  ): Promise<void> {
    await sleep(delayMs);
    for (let attempt = 0; attempt < 8; attempt++) {
      let status = 'network';
      try {
        const signed = await postJson<{ headers: Record<string, string> }>(`${partnerUrl}/_partner/sign`, {
          body,
          id: eventId,
        });
        const res = await fetch(targetUrl, {
          method: 'POST',
          headers: signed.headers,
          body,
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer();
        status = String(res.status);
      } catch {
        // counted as a network failure below
      }
      this.counts.posts++;
      this.counts.byStatus.set(status, (this.counts.byStatus.get(status) ?? 0) + 1);
      if (status.startsWith('2') || (status !== 'network' && status !== '429' && !status.startsWith('5')))
        return;
      this.counts.retried++;
      await sleep(Math.min(8000, 250 * 2 ** attempt) * (0.5 + this.random()));
    }
    this.counts.gaveUp++;
  }

  /** Deliveries not finished yet (waiting to go, or retrying). */
  get pending(): number {
    return this.inflight.size;
  }

  async flush(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }
}

/**
 * A third delivery of GHL webhooks (the emulator's duplicate fault makes the second): every
 * `everyMs`, a share of the deliveries made since the last look is signed again and sent later,
 * behind newer events. The worker must treat them as the duplicates they are.
 */
export class GhlReplayer {
  private timer: NodeJS.Timeout | null = null;
  private readonly seen = new Set<string>();
  private readonly pending = new Set<Promise<void>>();
  replayed = 0;
  readonly byStatus = new Map<string, number>();
  private readonly opts: {
    emulatorUrl: string;
    appUrl: string;
    clientId: string;
    share: number;
    random: () => number;
  };

  constructor(opts: {
    emulatorUrl: string;
    appUrl: string;
    clientId: string;
    share: number;
    random: () => number;
  }) {
    this.opts = opts;
  }

  start(everyMs = 2000): void {
    const tick = async () => {
      const url = `${this.opts.emulatorUrl}/_emulator/webhooks?clientId=${encodeURIComponent(this.opts.clientId)}`;
      const { deliveries } = (
        await call<{ deliveries: { webhookId: string; body: string; outcome: string; type: string }[] }>(
          'GET',
          url,
        )
      ).data;
      for (const d of deliveries) {
        if (
          this.seen.has(d.webhookId) ||
          d.outcome !== 'delivered' ||
          d.type === 'INSTALL' ||
          d.type === 'UNINSTALL'
        )
          continue;
        this.seen.add(d.webhookId);
        if (this.opts.random() >= this.opts.share) continue;
        const p = this.replay(d.body, 1000 + Math.floor(this.opts.random() * 4000)).finally(() =>
          this.pending.delete(p),
        );
        this.pending.add(p);
      }
    };
    const loop = () => {
      this.timer = setTimeout(
        () =>
          void tick()
            .catch((err) => console.error('ghl replay:', String(err)))
            .then(loop),
        everyMs,
      );
    };
    loop();
  }

  private async replay(body: string, delayMs: number): Promise<void> {
    await sleep(delayMs);
    const { headers } = await postJson<{ headers: Record<string, string> }>(
      `${this.opts.emulatorUrl}/_emulator/webhooks/sign`,
      { body },
    );
    const res = await fetch(`${this.opts.appUrl}/webhooks/ghl`, { method: 'POST', headers, body }).catch(
      () => null,
    );
    await res?.arrayBuffer();
    this.replayed++;
    const key = res ? String(res.status) : 'network';
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}
