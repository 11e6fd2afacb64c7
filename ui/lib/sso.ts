/**
 * GHL's user-context handshake for custom pages: ask the parent frame with
 * `REQUEST_USER_DATA`, receive an encrypted string in `REQUEST_USER_DATA_RESPONSE`. Only the
 * worker can decrypt it, so the panel just forwards it to `POST /api/session`.
 */

export const SSO_TIMEOUT_MS = 8000;

/** The panel is not inside HighLevel, or HighLevel did not answer. */
export class SsoError extends Error {
  override name = 'SsoError';
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
export function ssoPayloadFrom(
  ev: MessageLike,
  parent: unknown,
  expectedOrigin: string | null,
): string | null {
  if (ev.source !== parent || parent == null) return null;
  if (expectedOrigin !== null && ev.origin !== expectedOrigin) return null;
  const data = ev.data as { message?: unknown; payload?: unknown } | null;
  if (!data || typeof data !== 'object' || data.message !== 'REQUEST_USER_DATA_RESPONSE') return null;
  return typeof data.payload === 'string' && data.payload.length > 0 ? data.payload : null;
}

/** Asks the parent frame for the SSO payload; rejects with `SsoError` when not framed or on timeout. */
export function requestSsoPayload(win: Window = window, timeoutMs = SSO_TIMEOUT_MS): Promise<string> {
  if (win.parent === win) return Promise.reject(new SsoError('The panel is not inside HighLevel.'));
  const expected = expectedParentOrigin(win.location, win.document.referrer);
  return new Promise((resolve, reject) => {
    const ask = () => win.parent.postMessage({ message: 'REQUEST_USER_DATA' }, '*');
    // The host page may attach its listener after our first ask; asking again is harmless.
    const timers = [
      win.setTimeout(ask, 1000),
      win.setTimeout(ask, 3000),
      win.setTimeout(() => finish(new SsoError('HighLevel did not answer.')), timeoutMs),
    ];
    const onMessage = (ev: MessageEvent) => {
      const payload = ssoPayloadFrom(ev, win.parent, expected);
      if (payload !== null) finish(payload);
    };
    const finish = (outcome: string | SsoError) => {
      win.removeEventListener('message', onMessage);
      timers.forEach((t) => win.clearTimeout(t));
      if (typeof outcome === 'string') resolve(outcome);
      else reject(outcome);
    };
    win.addEventListener('message', onMessage);
    ask();
  });
}
