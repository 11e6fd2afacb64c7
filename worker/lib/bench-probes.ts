/**
 * Probes for `npm run bench` only: the signature-only floor route and Server-Timing on webhook
 * intake. They exist only when the `BENCH_PROBES` var is exactly "1", which the bench's own stack
 * sets (scripts/stack.ts) and no wrangler.toml or deploy does; any other value leaves them off.
 */
export function benchProbesOn(env: object): boolean {
  return (env as { BENCH_PROBES?: unknown }).BENCH_PROBES === '1';
}

/** Phase durations in milliseconds by name, in the order they happened. */
export type Phases = Record<string, number>;

/** Times consecutive phases of one request: each `lap` closes the phase that ran since the last. */
export class PhaseClock {
  readonly phases: Phases = {};
  private last = performance.now();

  lap(name: string): void {
    const now = performance.now();
    this.phases[name] = (this.phases[name] ?? 0) + now - this.last;
    this.last = now;
  }
}

/** A clock when the probes are on, else null (so production pays one comparison). */
export const benchClock = (env: object): PhaseClock | null => (benchProbesOn(env) ? new PhaseClock() : null);

/** Phases as a Server-Timing header value, e.g. `verify;dur=1.20, parse;dur=0.05`. */
export const serverTiming = (phases: Phases): string =>
  Object.entries(phases)
    .map(([name, ms]) => `${name};dur=${ms.toFixed(2)}`)
    .join(', ');
