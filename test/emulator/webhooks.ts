import { randomUUID } from 'node:crypto';
import { nowIso } from './ids.ts';
import type { Signer } from './signing.ts';
import type { Stats } from './stats.ts';
import type { Client, State } from './state.ts';

export interface WebhookFaults {
  duplicate: number;
  reorder: number;
  drop: number;
}

export interface DeliveryOptions {
  retryDelayMs: number;
  maxRetries: number;
  timeoutMs?: number;
}

export interface DeliveryRecord {
  webhookId: string;
  clientId: string;
  type: string;
  locationId?: string;
  url: string;
  body: string;
  attempts: { status: number | null; at: string }[];
  outcome: 'pending' | 'delivered' | 'failed' | 'dropped';
  duplicate: boolean;
}

interface QueueItem {
  record: DeliveryRecord;
  reordered: boolean;
  /** Resolves after the first attempt (used to send INSTALL before handing out a code). */
  firstAttempt: () => void;
}

const MAX_LOG = 2000;
const REORDER_WAIT_MS = 250;

/**
 * Delivers events like GHL: after the API answer, one at a time per app, signed over the exact bytes,
 * retried only when the receiver answers 429. Faults can duplicate, reorder or drop deliveries.
 */
export class WebhookDispatcher {
  readonly log: DeliveryRecord[] = [];
  readonly #state: State;
  readonly #signer: Signer;
  readonly #stats: Stats;
  readonly #options: DeliveryOptions;
  readonly #faults = new Map<string, WebhookFaults>();
  readonly #queues = new Map<string, QueueItem[]>();
  readonly #pumping = new Set<string>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #arrivals = new Map<string, () => void>();
  #pending = 0;
  #idleWaiters: (() => void)[] = [];
  #closed = false;

  constructor(state: State, signer: Signer, stats: Stats, options: DeliveryOptions) {
    this.#state = state;
    this.#signer = signer;
    this.#stats = stats;
    this.#options = options;
  }

  setFaults(clientId: string, faults: Partial<WebhookFaults>): WebhookFaults {
    const next = { duplicate: 0, reorder: 0, drop: 0, ...this.#faults.get(clientId), ...faults };
    this.#faults.set(clientId, next);
    return next;
  }

  /** A complete event body as GHL sends it: event fields plus appId, versionId, timestamp and webhookId. */
  buildEvent(client: Client, type: string, fields: Record<string, unknown>): Record<string, unknown> {
    return {
      type,
      ...fields,
      appId: client.appId,
      versionId: client.versionId,
      timestamp: nowIso(),
      webhookId: randomUUID(),
    };
  }

  /** A change in a location: sent to every app installed there that has a webhook URL. */
  emitLocationEvent(locationId: string, type: string, fields: Record<string, unknown>): void {
    for (const client of this.#state.subscribers(locationId)) {
      void this.emitToApp(client, type, { locationId, ...fields });
    }
  }

  /** Queues one event for one app; resolves once its first delivery attempt is over. */
  emitToApp(client: Client, type: string, fields: Record<string, unknown>): Promise<void> {
    if (!client.webhookUrl || this.#closed) return Promise.resolve();
    const event = this.buildEvent(client, type, fields);
    const record: DeliveryRecord = {
      webhookId: String(event.webhookId),
      clientId: client.clientId,
      type,
      locationId: typeof fields.locationId === 'string' ? fields.locationId : undefined,
      url: client.webhookUrl,
      body: JSON.stringify(event),
      attempts: [],
      outcome: 'pending',
      duplicate: false,
    };
    this.#remember(record);
    return new Promise<void>((resolve) => {
      this.#enqueue(client.clientId, { record, reordered: false, firstAttempt: resolve });
    });
  }

  #remember(record: DeliveryRecord): void {
    this.log.push(record);
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
  }

  #enqueue(clientId: string, item: QueueItem): void {
    this.#pending++;
    const queue = this.#queues.get(clientId) ?? [];
    queue.push(item);
    this.#queues.set(clientId, queue);
    this.#arrivals.get(clientId)?.();
    // Deliver after the API call that caused the event has been answered.
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#pump(clientId);
    }, 0);
    this.#timers.add(timer);
  }

  async #pump(clientId: string): Promise<void> {
    if (this.#pumping.has(clientId)) return;
    this.#pumping.add(clientId);
    try {
      const queue = this.#queues.get(clientId) ?? [];
      while (queue.length > 0 && !this.#closed) {
        const item = queue.shift()!;
        const faults = this.#faults.get(clientId);
        if (faults && !item.reordered && Math.random() < faults.reorder) {
          item.reordered = true;
          if (queue.length === 0) await this.#waitForArrival(clientId);
          if (queue.length > 0) {
            // The event it lets pass goes straight out, so a swap is not undone by the next draw.
            queue[0]!.reordered = true;
            queue.splice(1, 0, item);
            continue;
          }
        }
        if (faults && Math.random() < faults.drop) {
          item.record.outcome = 'dropped';
          this.#stats.webhook('dropped', item.record.locationId);
          item.firstAttempt();
          this.#done();
          continue;
        }
        await this.#attempt(item.record, 0);
        item.firstAttempt();
        if (faults && Math.random() < faults.duplicate) {
          const copy: DeliveryRecord = { ...item.record, attempts: [], outcome: 'pending', duplicate: true };
          this.#remember(copy);
          this.#stats.webhook('duplicated', copy.locationId);
          this.#pending++;
          await this.#attempt(copy, 0);
          this.#done();
        }
        this.#done();
      }
    } finally {
      this.#pumping.delete(clientId);
    }
  }

  #waitForArrival(clientId: string): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(finish, REORDER_WAIT_MS);
      this.#timers.add(timer);
      const self = this;
      function finish() {
        clearTimeout(timer);
        self.#timers.delete(timer);
        self.#arrivals.delete(clientId);
        resolve();
      }
      this.#arrivals.set(clientId, finish);
    });
  }

  /** One HTTP attempt; a 429 schedules a retry outside the queue (GHL retries much later). */
  async #attempt(record: DeliveryRecord, retry: number): Promise<void> {
    const status = await this.#post(record);
    record.attempts.push({ status, at: new Date().toISOString() });
    this.#stats.webhook('sent', record.locationId);
    if (status !== null && status >= 200 && status < 300) {
      record.outcome = 'delivered';
      return;
    }
    if (status === 429 && retry < this.#options.maxRetries && !this.#closed) {
      this.#pending++;
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#stats.webhook('retried', record.locationId);
        void this.#attempt(record, retry + 1).finally(() => this.#done());
      }, this.#options.retryDelayMs);
      this.#timers.add(timer);
      return;
    }
    record.outcome = 'failed';
    this.#stats.webhook('failed', record.locationId);
  }

  async #post(record: DeliveryRecord): Promise<number | null> {
    try {
      const response = await fetch(record.url, {
        method: 'POST',
        headers: this.#signer.headers(record.body),
        body: record.body,
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.status;
    } catch {
      return null;
    }
  }

  #done(): void {
    this.#pending--;
    if (this.#pending <= 0) {
      this.#pending = 0;
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  get pending(): number {
    return this.#pending;
  }

  /** Resolves when nothing is queued, in flight or waiting for a retry (or after `timeoutMs`). */
  drain(timeoutMs = 10_000): Promise<boolean> {
    if (this.#pending === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const w of this.#idleWaiters) w();
    this.#idleWaiters = [];
  }
}
