/**
 * `startStack` and the port its worker gets. A free port picked for `wrangler dev` can be taken
 * before wrangler binds it (two chaos or bench runs started at once): the stack must then not
 * take the other run's worker for its own, and must start on another port where it may.
 * These start real `wrangler dev` processes; the port is held by a stand-in for the other run.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PortTaken } from '../../scripts/lib/worker-ready.ts';
import { startStack, type Stack } from '../../scripts/stack.ts';

const holders: Server[] = [];
const stacks: Stack[] = [];

const sockets = new Set<Socket>();

afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.stop()));
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(holders.splice(0).map((h) => new Promise((r) => h.close(r))));
});

function listen(server: Server): Promise<number> {
  holders.push(server);
  server.on('connection', (socket: Socket) => sockets.add(socket));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

/** Another run's worker: healthy, and it sends installs to that run's own GHL emulator. */
const otherRunsWorker = () =>
  listen(
    createHttpServer((req, res) => {
      if (req.url === '/healthz')
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      else if (req.url === '/oauth/install')
        res.writeHead(302, { location: 'http://127.0.0.1:1/v2/oauth/chooselocation' }).end();
      else res.writeHead(404).end();
    }),
  );

/** A process on the port that is no worker at all. */
const somethingElse = () =>
  listen(createTcpServer((socket) => socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n')));

async function startFailure(options: Parameters<typeof startStack>[0]): Promise<unknown> {
  try {
    stacks.push(await startStack(options));
    return null;
  } catch (err) {
    return err;
  }
}

describe('the worker port of a stack', () => {
  it("a port another run's worker holds fails the start as taken, instead of using that worker", async () => {
    const port = await otherRunsWorker();
    const err = await startFailure({ port });
    expect(err).toBeInstanceOf(PortTaken);
    expect(String(err)).toContain(`port ${port} is taken`);
  }, 120_000);

  it('a port held by something else: wrangler cannot bind it, and the start fails as taken', async () => {
    const port = await somethingElse();
    const err = await startFailure({ port });
    expect(err).toBeInstanceOf(PortTaken);
    expect(String(err)).toContain('could not bind');
  }, 120_000);

  it('a preferred port that is taken: the stack starts on another, with its own worker', async () => {
    const taken = await otherRunsWorker();
    const stack = await startStack({ preferredPort: taken });
    stacks.push(stack);
    expect(new URL(stack.appUrl).port).not.toBe(String(taken));
    const install = await fetch(`${stack.appUrl}/oauth/install`, { redirect: 'manual' });
    expect(install.headers.get('location')).toMatch(new RegExp(`^${stack.emulatorUrl}/`));
  }, 180_000);
});
