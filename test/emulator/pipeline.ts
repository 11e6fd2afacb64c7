import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { holdRequest } from '../support/holds.ts';
import { bearer } from './auth.ts';
import type { AppEnv, Emu } from './context.ts';
import { faultBody } from './errors.ts';

const UNCOUNTED = ['/_emulator', '/v2/oauth/chooselocation', '/oauth/chooselocation'];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The location a request is about, for fault rules and per-location stats. */
function requestLocation(emu: Emu, token: string | undefined, url: URL): string | undefined {
  const fromToken = token ? emu.state.accessTokens.get(token)?.locationId : undefined;
  return (
    fromToken ??
    url.searchParams.get('locationId') ??
    /^\/locations\/([^/]+)/.exec(url.pathname)?.[1] ??
    undefined
  );
}

/** Counts every API request and applies injected faults before anything else answers. */
export function requestPipeline(emu: Emu): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    if (UNCOUNTED.some((prefix) => url.pathname.startsWith(prefix))) return next();
    const locationId = requestLocation(emu, bearer(c), url);
    const hit = emu.faults.match({ method: c.req.method, path: url.pathname, locationId });
    if (hit?.hold) await holdRequest(emu.faults.holds, c, locationId);
    if (hit?.delayMs) await sleep(hit.delayMs);
    if (hit?.status && !hit.afterWrite) {
      emu.stats.request(`${c.req.method} fault`, hit.status, locationId);
      return c.json(faultBody(hit.status), hit.status as 400);
    }
    await next();
    if (hit?.status) {
      // The request was carried out (its webhooks too); the caller gets the fault instead.
      emu.stats.request(`${c.req.method} fault`, hit.status, locationId);
      c.res = undefined;
      c.res = c.json(faultBody(hit.status), hit.status as 400);
      return;
    }
    if (hit?.holdBody) {
      const answer = c.res;
      c.res = undefined;
      c.res = withHeldBody(answer, emu, { method: c.req.method, path: url.pathname, locationId });
    }
    const route = routePath(c, -1);
    emu.stats.request(
      `${c.req.method} ${route === '/*' || route === '*' ? 'unmatched' : route}`,
      c.res.status,
      locationId,
    );
  };
}

/**
 * The answer's status, headers and first bytes go out at once; the rest waits until the test
 * releases it (a body still arriving, for the caller's timeout to cover). A cut ends the body with
 * an error instead.
 */
function withHeldBody(
  answer: Response,
  emu: Emu,
  request: { method: string; path: string; locationId?: string },
): Response {
  const headers = new Headers(answer.headers);
  headers.delete('content-length');
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const bytes = new Uint8Array(await answer.arrayBuffer());
      const half = Math.max(1, Math.floor(bytes.length / 2));
      controller.enqueue(bytes.slice(0, half));
      let cut = false;
      await emu.faults.holds.wait(request, () => {
        cut = true;
        quietly(() => controller.error(new Error('cut')));
      });
      // The caller may have given up (cancelled the body) meanwhile.
      if (!cut) quietly(() => (controller.enqueue(bytes.slice(half)), controller.close()));
    },
  });
  return new Response(body, { status: answer.status, headers });
}

function quietly(act: () => void): void {
  try {
    act();
  } catch {
    // the stream is already closed
  }
}
