/**
 * Runs the whole app locally: the GHL emulator (in this process) and the worker under
 * `wrangler dev` (a child process) wired to it, with local D1 migrations applied.
 * Used by `npm start`, the browser tests, the benchmarks and the chaos run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEMO_NOT_INSTALLED } from '../test/emulator/demo-data.ts';
import { startEmulator, type EmulatorOptions } from '../test/emulator/server.ts';
import { workerConfig } from '../test/emulator/worker-config.ts';
import { startCalcomEmulator, type CalcomEmulator } from '../test/partners/calcom.ts';
import { startYourAppEmulator, type YourAppEmulator } from '../test/partners/yourapp.ts';
import { PortTaken, waitForOurWorker } from './lib/worker-ready.ts';

export const ROOT = resolve(import.meta.dirname, '..');
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler');

export interface StackOptions {
  /**
   * Port of the worker; 0 picks a free one, and another when a run started at the same moment
   * takes it first. A port given here that is taken fails the start.
   */
  port?: number;
  /** Without `port`: the worker's port to try first (`npm start`'s 8787); taken, a free one instead. */
  preferredPort?: number;
  emulatorPort?: number;
  /** Directory for local D1 and Durable Object state; a fresh temp dir by default. */
  stateDir?: string;
  emulator?: Omit<EmulatorOptions, 'port' | 'clients' | 'appBaseUrl'>;
  /** Print wrangler's output. */
  verbose?: boolean;
  /**
   * Partner emulators to run in this process beside the GHL emulator (none by default):
   * `yourapp` how many "your app" emulators (one per connection: each has one secret and one
   * target), `calcom` whether to start a Cal.com emulator. Their targets are set when a
   * connection is made (`POST /_partner/target`, `POST /_partner/webhook`).
   */
  partners?: { yourapp?: number; calcom?: boolean };
  /**
   * Run a copy of `worker/` taken at start instead of the working tree. `wrangler dev` reloads on
   * every save under `worker/`, which restarts the worker (503s, Durable Objects lose their memory)
   * in the middle of a long bench or chaos run while someone edits the code.
   */
  snapshot?: boolean;
  /**
   * Sets `BENCH_PROBES=1` for the worker: the signature-only floor route and Server-Timing on
   * webhook intake (worker/lib/bench-probes.ts). Only `npm run bench` asks for it.
   */
  benchProbes?: boolean;
}

export interface StackPartners {
  yourapp: YourAppEmulator[];
  calcom: CalcomEmulator | null;
}

export interface Stack {
  appUrl: string;
  emulatorUrl: string;
  client: { clientId: string; clientSecret: string; sharedSecret: string };
  /** The partner emulators asked for in `options.partners` (empty by default). */
  partners: StackPartners;
  stop(): Promise<void>;
}

const PANEL_ASSETS = join(ROOT, 'dist', 'ui', 'app', 'assets');

/**
 * Builds the panel (`vite build` into dist/ui), which the worker serves as static assets and
 * `wrangler dev` refuses to start without. `ifMissing` keeps a build that is already there.
 */
export function buildPanel(options: { ifMissing?: boolean } = {}): void {
  if (
    options.ifMissing &&
    existsSync(PANEL_ASSETS) &&
    readdirSync(PANEL_ASSETS).some((f) => f.endsWith('.js'))
  )
    return;
  console.log('> vite build (the panel, into dist/ui)');
  const build = spawnSync(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('vite build failed');
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

/**
 * Copies `worker/` and a wrangler config that points at the copy into `.wrangler/snapshot-*`
 * (inside the repository, so bare imports still resolve from its node_modules). Returns the
 * config path and the directory to remove afterwards.
 */
function snapshotWorker(): { config: string; dir: string } {
  mkdirSync(join(ROOT, '.wrangler'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.wrangler', 'snapshot-'));
  cpSync(join(ROOT, 'worker'), join(dir, 'worker'), { recursive: true });
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')
    .replace(/^(directory\s*=\s*)"\.?\/?dist\/ui"/m, `$1"${join(ROOT, 'dist', 'ui')}"`)
    .replace(/^(migrations_dir\s*=\s*)"migrations"/m, `$1"${join(ROOT, 'migrations')}"`);
  const config = join(dir, 'wrangler.toml');
  writeFileSync(config, toml);
  return { config, dir };
}

/** Writes the env file `wrangler dev` reads: secrets and vars pointing at the emulator. */
function writeEnvFile(dir: string, values: Record<string, string>): string {
  const path = join(dir, 'stack.env');
  const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  writeFileSync(
    path,
    Object.entries(values)
      .map(([k, v]) => `${k}=${quote(v)}`)
      .join('\n') + '\n',
  );
  return path;
}

function quietEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_HIDE_BANNER: 'true',
    CI: process.env.CI ?? 'true',
    NO_COLOR: '1',
  };
}

/** Ports tried in all when the one picked is taken before wrangler binds it. */
const PORT_ATTEMPTS = 5;

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  buildPanel({ ifMissing: true });
  for (let attempt = 1; ; attempt++) {
    const port = options.port || (attempt === 1 && options.preferredPort) || (await freePort());
    try {
      return await startStackOn(port, options);
    } catch (err) {
      // A port we picked was taken by another run first: pick again. A port the caller chose: its error.
      if (!(err instanceof PortTaken) || options.port || attempt >= PORT_ATTEMPTS) throw err;
      console.warn(`> ${err.message}; starting again on another port`);
    }
  }
}

async function startStackOn(port: number, options: StackOptions): Promise<Stack> {
  const appUrl = `http://127.0.0.1:${port}`;
  const client = {
    clientId: '6578278e879ad2646715ba9c-local001',
    clientSecret: randomBytes(18).toString('base64url'),
    sharedSecret: randomBytes(18).toString('base64url'),
  };
  const emulator = await startEmulator({
    ...options.emulator,
    port: options.emulatorPort ?? 0,
    clients: [{ ...client, webhookUrl: `${appUrl}/webhooks/ghl` }],
    appBaseUrl: appUrl,
  });
  const partners: StackPartners = { yourapp: [], calcom: null };
  for (let i = 0; i < (options.partners?.yourapp ?? 0); i++)
    partners.yourapp.push(await startYourAppEmulator());
  if (options.partners?.calcom) partners.calcom = await startCalcomEmulator();
  const ownStateDir = !options.stateDir;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'contact-sync-'));
  // With a Cal.com emulator, the worker gets an OAuth client there: "Sign in with Cal.com" works.
  const calcomSignIn = partners.calcom
    ? partners.calcom.oauth.addClient({ clientId: 'contact-sync-local' })
    : null;
  const envFile = writeEnvFile(stateDir, {
    ...workerConfig(emulator, client, appUrl),
    ...(options.benchProbes ? { BENCH_PROBES: '1' } : {}),
    ...(calcomSignIn && partners.calcom
      ? {
          CALCOM_OAUTH_CLIENT_ID: calcomSignIn.clientId,
          CALCOM_OAUTH_CLIENT_SECRET: calcomSignIn.clientSecret ?? '',
          CALCOM_OAUTH_AUTHORIZE_URL: `${partners.calcom.url}/auth/oauth2/authorize`,
          CALCOM_API_BASE: partners.calcom.url,
        }
      : {}),
  });
  const migrate = spawnSync(
    WRANGLER,
    ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', stateDir],
    {
      cwd: ROOT,
      env: quietEnv(),
      encoding: 'utf8',
    },
  );
  if (migrate.status !== 0) {
    await emulator.close();
    await closePartners(partners);
    throw new Error(`local D1 migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
  }
  const snapshot = options.snapshot ? snapshotWorker() : null;
  const child = spawn(
    WRANGLER,
    [
      'dev',
      ...(snapshot ? ['--config', snapshot.config] : []),
      '--port',
      String(port),
      '--ip',
      '127.0.0.1',
      '--persist-to',
      stateDir,
      '--env-file',
      envFile,
      '--show-interactive-dev-session=false',
      '--log-level',
      options.verbose ? 'info' : 'warn',
    ],
    {
      cwd: ROOT,
      env: quietEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let output = '';
  child.stdout?.on('data', (d) => {
    output = (output + d).slice(-20_000);
    if (options.verbose) process.stdout.write(d);
  });
  child.stderr?.on('data', (d) => {
    output = (output + d).slice(-20_000);
    if (options.verbose) process.stderr.write(d);
  });
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    await emulator.close();
    await closePartners(partners);
    if (snapshot) rmSync(snapshot.dir, { recursive: true, force: true });
    if (ownStateDir) rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    await waitForOurWorker({ appUrl, port, emulatorUrl: emulator.url, child, output: () => output });
  } catch (err) {
    await stop();
    if (err instanceof PortTaken) throw err;
    throw new Error(`${String(err)}\n--- wrangler output ---\n${output}`);
  }
  return { appUrl, emulatorUrl: emulator.url, client, partners, stop };
}

async function closePartners(partners: StackPartners): Promise<void> {
  await Promise.allSettled([...partners.yourapp.map((p) => p.close()), partners.calcom?.close()]);
}

/**
 * Installs the app as an agency through the real OAuth redirect dance, on every sub-account of
 * the company but the demo's `DEMO_NOT_INSTALLED` ones (the agency console shows those as not
 * installed).
 */
export async function installAgency(stack: Stack, select = 'company'): Promise<string> {
  const chosen = select === 'company' ? await demoInstallTargets(stack.emulatorUrl) : null;
  let url = `${stack.appUrl}/oauth/install`;
  for (let hop = 0; hop < 5; hop++) {
    const target = new URL(url);
    if (target.pathname.endsWith('/chooselocation')) {
      target.searchParams.set('_select', select);
      if (chosen) target.searchParams.set('_locations', chosen);
    }
    const res = await fetch(target, { redirect: 'manual' });
    const next = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && next) {
      url = new URL(next, target).toString();
      continue;
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`install failed at ${target}: ${res.status} ${text.slice(0, 300)}`);
    return text;
  }
  throw new Error('install redirect loop');
}

/** The first company's sub-accounts to install, comma-separated; null to let the emulator take all. */
async function demoInstallTargets(emulatorUrl: string): Promise<string | null> {
  const res = await fetch(`${emulatorUrl}/_emulator/companies`);
  const { companies } = (await res.json()) as { companies: { locations: { id: string; name: string }[] }[] };
  const locations = companies[0]?.locations ?? [];
  const kept = locations.filter((l) => !DEMO_NOT_INSTALLED.includes(l.name));
  return kept.length && kept.length < locations.length ? kept.map((l) => l.id).join(',') : null;
}
