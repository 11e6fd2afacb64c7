export type OauthEvent = 'authorizationCode' | 'refresh' | 'locationToken' | 'invalidGrant';
export type WebhookEvent = 'sent' | 'retried' | 'failed' | 'dropped' | 'duplicated';

interface Counters {
  total: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  throttled: number;
  oauth: Record<OauthEvent, number>;
  webhooks: Record<WebhookEvent, number>;
}

function empty(): Counters {
  return {
    total: 0,
    byRoute: {},
    byStatus: {},
    throttled: 0,
    oauth: { authorizationCode: 0, refresh: 0, locationToken: 0, invalidGrant: 0 },
    webhooks: { sent: 0, retried: 0, failed: 0, dropped: 0, duplicated: 0 },
  };
}

/** Request, OAuth and webhook counters, overall and per location. */
export class Stats {
  #all = empty();
  #byLocation = new Map<string, Counters>();

  #targets(locationId?: string): Counters[] {
    if (!locationId) return [this.#all];
    let counters = this.#byLocation.get(locationId);
    if (!counters) {
      counters = empty();
      this.#byLocation.set(locationId, counters);
    }
    return [this.#all, counters];
  }

  request(route: string, status: number, locationId?: string): void {
    for (const c of this.#targets(locationId)) {
      c.total++;
      c.byRoute[route] = (c.byRoute[route] ?? 0) + 1;
      c.byStatus[String(status)] = (c.byStatus[String(status)] ?? 0) + 1;
      if (status === 429) c.throttled++;
    }
  }

  oauth(event: OauthEvent, locationId?: string): void {
    for (const c of this.#targets(locationId)) c.oauth[event]++;
  }

  webhook(event: WebhookEvent, locationId?: string): void {
    for (const c of this.#targets(locationId)) c.webhooks[event]++;
  }

  snapshot(locationId?: string): Counters {
    const source = locationId ? (this.#byLocation.get(locationId) ?? empty()) : this.#all;
    return structuredClone(source);
  }

  reset(): void {
    this.#all = empty();
    this.#byLocation.clear();
  }
}
