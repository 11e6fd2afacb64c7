/** Calls an emulator keeps in flight on a test's request (a `hold` fault), shared by the GHL and partner emulators. */
import type { Context, Hono } from 'hono';

export interface HeldRequest {
  id: number;
  method: string;
  path: string;
  /** Its connection was cut: the caller saw a network error; the request may still land on release. */
  cut: boolean;
  /** The GHL location it is about, when the emulator knows it. */
  locationId?: string;
}

/** Which held requests a release or cut is for: one by id, those of a location, or all. */
export interface HeldChoice {
  id?: number;
  locationId?: string;
}

const chosen = (h: HeldRequest, by: HeldChoice) =>
  (by.id === undefined || h.id === by.id) && (by.locationId === undefined || h.locationId === by.locationId);

/**
 * Requests held by a `hold` fault, each waiting for the control API: `release` lets it be handled
 * (late, if it was cut), `cut` drops its connection without an answer (the caller's call fails as
 * on a lost answer) and keeps it held, so it can still land afterwards.
 */
export class Holds {
  #held: (HeldRequest & { release(): void; cutOff(): void })[] = [];
  #next = 1;

  /** Waits until released; `onCut` runs when the connection is to be cut meanwhile. */
  wait(request: Omit<HeldRequest, 'id' | 'cut'>, onCut: () => void): Promise<void> {
    return new Promise<void>((resolve) => {
      const entry = {
        ...request,
        id: this.#next++,
        cut: false,
        release: () => {
          this.#held = this.#held.filter((h) => h !== entry);
          resolve();
        },
        cutOff: () => {
          entry.cut = true;
          onCut();
        },
      };
      this.#held.push(entry);
    });
  }

  list(): HeldRequest[] {
    return this.#held.map(({ release: _r, cutOff: _c, ...held }) => held);
  }

  /** Releases the chosen held requests (default: all); answers how many. */
  release(by: HeldChoice = {}): number {
    const picked = this.#held.filter((h) => chosen(h, by));
    for (const h of picked) h.release();
    return picked.length;
  }

  /** Cuts the connection of the chosen held requests not cut yet (default: all); answers how many. */
  cut(by: HeldChoice = {}): number {
    const picked = this.#held.filter((h) => !h.cut && chosen(h, by));
    for (const h of picked) h.cutOff();
    return picked.length;
  }
}

/**
 * Holds the request of `c` until the control API releases it. The body is read first (Hono keeps
 * it), so a request whose connection is cut meanwhile can still be handled afterwards.
 */
export async function holdRequest(holds: Holds, c: Context, locationId?: string): Promise<void> {
  await c.req.text();
  // @hono/node-server hands over the Node request; its socket is what a cut drops.
  const incoming = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming;
  await holds.wait({ method: c.req.method, path: c.req.path, locationId }, () => incoming?.socket?.destroy());
}

/** The control routes of `Holds`: `GET held[?locationId=]`, `POST held/release` and `POST held/cut` (`{ id?, locationId? }`). */
export function holdRoutes(app: Hono<any>, prefix: string, holds: Holds): void {
  const choice = async (c: Context): Promise<HeldChoice> => {
    const b = (await c.req.json().catch(() => null)) as { id?: unknown; locationId?: unknown } | null;
    return {
      id: typeof b?.id === 'number' ? b.id : undefined,
      locationId: typeof b?.locationId === 'string' ? b.locationId : undefined,
    };
  };
  app.get(`${prefix}/held`, (c) => {
    const locationId = c.req.query('locationId');
    return c.json({ held: holds.list().filter((h) => !locationId || h.locationId === locationId) });
  });
  app.post(`${prefix}/held/release`, async (c) => c.json({ released: holds.release(await choice(c)) }));
  app.post(`${prefix}/held/cut`, async (c) => c.json({ cut: holds.cut(await choice(c)) }));
}
