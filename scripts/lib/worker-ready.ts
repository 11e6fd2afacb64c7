/**
 * Whether the `wrangler dev` a stack started is the worker answering on its port. A port picked
 * free can be taken before wrangler binds it (two runs started at once picked the same one): the
 * wrangler that loses exits with "Address already in use", and until it does, its port answers
 * with the other run's worker. So a worker counts as ours only when it sends installs to our own
 * GHL emulator, whose port no other run can hold.
 */
import type { ChildProcess } from 'node:child_process';

/** Our wrangler could not have the port: another process holds it. Worth a new port. */
export class PortTaken extends Error {
  constructor(port: number, why: string) {
    super(`port ${port} is taken (${why})`);
    this.name = 'PortTaken';
  }
}

const IN_USE = /address already in use|EADDRINUSE/i;

export interface WorkerUnderTest {
  appUrl: string;
  port: number;
  emulatorUrl: string;
  child: ChildProcess;
  /** wrangler's output so far. */
  output(): string;
}

/**
 * Resolves once our worker answers `/healthz` on its port; throws PortTaken when the port is
 * another process's, and a plain error when wrangler exits for another reason or never answers.
 */
export async function waitForOurWorker(w: WorkerUnderTest, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (w.child.exitCode !== null) {
      if (IN_USE.test(w.output())) throw new PortTaken(w.port, 'wrangler dev could not bind it');
      throw new Error(`wrangler dev exited with code ${w.child.exitCode}`);
    }
    if (await healthy(w.appUrl)) {
      const sendsInstallsTo = await installTarget(w.appUrl);
      if (sendsInstallsTo.startsWith(`${w.emulatorUrl}/`)) return;
      if (sendsInstallsTo)
        throw new PortTaken(w.port, `another worker answers there, wired to ${originOf(sendsInstallsTo)}`);
      throw new Error(`the worker on ${w.appUrl} answers /healthz but does not redirect /oauth/install`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not answer ${w.appUrl}/healthz within ${timeoutMs} ms`);
}

async function healthy(appUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${appUrl}/healthz`);
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false; // not listening yet
  }
}

/** Where the worker sends an agency admin to install: GHL's location chooser, our emulator's. */
async function installTarget(appUrl: string): Promise<string> {
  try {
    const res = await fetch(`${appUrl}/oauth/install`, { redirect: 'manual' });
    await res.body?.cancel();
    return res.status >= 300 && res.status < 400 ? (res.headers.get('location') ?? '') : '';
  } catch {
    return '';
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url.slice(0, 100);
  }
}
