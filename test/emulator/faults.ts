import { Holds } from '../support/holds.ts';
import { newId } from './ids.ts';

export interface FaultRuleInput {
  locationId?: string;
  pathPrefix?: string;
  method?: string;
  status?: number;
  count?: number;
  probability?: number;
  delayMs?: number;
  /** Carry the request out first, then answer `status` instead (a write that landed, its answer lost). */
  afterWrite?: boolean;
  /** Keep the request unanswered until the control API releases it (`holds`). */
  hold?: boolean;
  /** Answer the status and headers with the first part of the body, and hold the rest until released. */
  holdBody?: boolean;
}

interface FaultRule extends FaultRuleInput {
  id: string;
  remaining: number;
}

export interface FaultHit {
  status?: number;
  delayMs?: number;
  afterWrite?: boolean;
  hold?: boolean;
  holdBody?: boolean;
}

export interface RequestFacts {
  method: string;
  path: string;
  locationId?: string;
}

/** Injected failures for API requests: a status, a delay, a hold, or some of these, for the next N (or all) matching requests. */
export class FaultInjector {
  #rules: FaultRule[] = [];
  /** Requests a `hold` rule keeps in flight. */
  readonly holds = new Holds();

  add(input: FaultRuleInput): string {
    const id = newId();
    this.#rules.push({ ...input, id, remaining: input.count ?? Number.POSITIVE_INFINITY });
    return id;
  }

  clear(locationId?: string): number {
    const before = this.#rules.length;
    this.#rules = locationId ? this.#rules.filter((r) => r.locationId !== locationId) : [];
    return before - this.#rules.length;
  }

  list(): FaultRuleInput[] {
    return this.#rules.map(({ remaining, ...rule }) => ({
      ...rule,
      remaining: Number.isFinite(remaining) ? remaining : null,
    }));
  }

  /** The first rule that matches consumes one of its `count`; `probability` then decides whether it fires. */
  match(req: RequestFacts, random: () => number = Math.random): FaultHit | undefined {
    const rule = this.#rules.find(
      (r) =>
        (!r.locationId || r.locationId === req.locationId) &&
        (!r.pathPrefix || req.path.startsWith(r.pathPrefix)) &&
        (!r.method || r.method.toUpperCase() === req.method.toUpperCase()),
    );
    if (!rule) return undefined;
    rule.remaining--;
    if (rule.remaining <= 0) this.#rules = this.#rules.filter((r) => r !== rule);
    if (rule.probability !== undefined && random() >= rule.probability) return undefined;
    return {
      status: rule.status,
      delayMs: rule.delayMs,
      afterWrite: rule.afterWrite === true,
      hold: rule.hold,
      holdBody: rule.holdBody,
    };
  }
}
