/**
 * Polls `read` until `ok` holds for what it returned, and answers that value: the one bounded
 * wait for asynchronous effects (alarms, webhooks, GHL and partner writes) in every test layer.
 * A `read` that throws is tried again; on timeout the error names `what` and the last value or
 * error seen.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  { timeoutMs = 10_000, everyMs = 50, what }: { timeoutMs?: number; everyMs?: number; what: string },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await read();
      if (ok(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) {
      const seen = !last
        ? 'nothing'
        : 'error' in last
          ? String(last.error)
          : JSON.stringify(last.value)?.slice(0, 500);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** For reads that answer something falsy until they are done: `eventually(read, truthy, …)`. */
export const truthy = <T>(value: T): value is Exclude<T, null | undefined | false | '' | 0> => Boolean(value);
