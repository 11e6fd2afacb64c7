/**
 * GHL's user-context handshake for custom pages (GHL-FACTS.md §8.1): ask the parent frame with
 * `REQUEST_USER_DATA`, receive an encrypted string in `REQUEST_USER_DATA_RESPONSE`. Only the
 * worker can decrypt it, so the panel just forwards it to `POST /api/session`.
 */

export const SSO_TIMEOUT_MS = 8000;

export type SsoFailure = 'not_framed' | 'timeout';

export class SsoError extends Error {
  readonly reason: SsoFailure;
  constructor(reason: SsoFailure) {
    super(reason === 'not_framed' ? 'The panel is not inside HighLevel.' : 'HighLevel did not answer.');
    this.name = 'SsoError';
    this.reason = reason;
  }
}

interface LocationLike {
  ancestorOrigins?: ArrayLike<string> | null;
  origin?: string;
}

/**
 * The parent's origin when the browser tells it (`ancestorOrigins`, Chromium and WebKit; else the
 * referrer's origin), or `null` when it cannot be known. A referrer of our own origin says nothing
 * about the parent: it appears after the frame navigated itself.
 */
export function expectedParentOrigin(loc: LocationLike, referrer: string): string | null {
  const ancestor = loc.ancestorOrigins?.[0];
  if (ancestor && ancestor !== 'null') return ancestor;
  if (!referrer) return null;
  try {
    const origin = new URL(referrer).origin;
    if (origin === 'null' || origin === loc.origin) return null;
    return origin;
  } catch {
    return null;
  }
}

interface MessageLike {
  data: unknown;
  origin: string;
  source: unknown;
}

/** The encrypted payload when `ev` is the parent's SSO answer, else `null`. */
export function ssoPayloadFrom(ev: MessageLike, parent: unknown, expectedOrigin: string | null): string | null {
  if (ev.source !== parent || parent == null) return null;
  if (expectedOrigin !== null && ev.origin !== expectedOrigin) return null;
  const data = ev.data as { message?: unknown; payload?: unknown } | null;
  if (!data || typeof data !== 'object' || data.message !== 'REQUEST_USER_DATA_RESPONSE') return null;
  return typeof data.payload === 'string' && data.payload.length > 0 ? data.payload : null;
}

/** Asks the parent frame for the SSO payload; rejects with `SsoError` when not framed or on timeout. */
export function requestSsoPayload(win: Window = window, timeoutMs = SSO_TIMEOUT_MS): Promise<string> {
  if (win.parent === win) return Promise.reject(new SsoError('not_framed'));
  const expected = expectedParentOrigin(win.location, win.document.referrer);
  return new Promise((resolve, reject) => {
    const timers: number[] = [];
    const done = () => {
      win.removeEventListener('message', onMessage);
      timers.forEach((t) => win.clearTimeout(t));
    };
    const onMessage = (ev: MessageEvent) => {
      const payload = ssoPayloadFrom(ev, win.parent, expected);
      if (payload === null) return;
      done();
      resolve(payload);
    };
    const ask = () => win.parent.postMessage({ message: 'REQUEST_USER_DATA' }, '*');
    win.addEventListener('message', onMessage);
    ask();
    // The host page may attach its listener after our first ask; asking again is harmless.
    timers.push(win.setTimeout(ask, 1000), win.setTimeout(ask, 3000));
    timers.push(
      win.setTimeout(() => {
        done();
        reject(new SsoError('timeout'));
      }, timeoutMs),
    );
  });
}
