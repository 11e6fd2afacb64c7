/**
 * fetch with a deadline whose timer ends with the call. `AbortSignal.timeout` leaves its timer
 * pending for the whole timeout after the answer has arrived, and a pending timer keeps a Durable
 * Object from being evicted (and its memory held) that long after every call.
 */

/** Timers armed by `timedFetch` and not cleared yet, in this isolate (read by tests). */
let armed = 0;

export function armedFetchTimers(): number {
  return armed;
}

/**
 * Sends the request and runs `read` on its answer, both within `timeoutMs`: a body that is still
 * arriving when the time is up is cut off like a call with no answer. The timer is cleared as soon
 * as `read` finishes or anything fails. When the time ran out, it rejects with a DOMException named
 * `TimeoutError`, however the runtime reported the abort; any other failure rejects unchanged.
 * A `signal` in `init` is replaced by the timeout's.
 */
export async function timedFetch<T>(
  url: string,
  init: RequestInit,
  timeoutMs: number,
  read: (res: Response) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  armed++;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`No answer within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  try {
    return await read(await fetch(url, { ...init, signal: controller.signal }));
  } catch (err) {
    if (timedOut) throw new DOMException(`No answer within ${timeoutMs} ms`, 'TimeoutError');
    throw err;
  } finally {
    clearTimeout(timer);
    armed--;
  }
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * The answer with its body read into memory, for callers that read the body after `timedFetch`
 * has returned: reading it here keeps the read under the deadline and lets the timer go.
 */
export async function buffered(res: Response): Promise<Response> {
  const body = NULL_BODY_STATUSES.has(res.status) ? null : await res.arrayBuffer();
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}
