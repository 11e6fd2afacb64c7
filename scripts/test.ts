/**
 * `npm test`: every test layer, in order of speed. Type checks, builds the panel (the worker
 * serves it and the browser tests open it), then runs the Vitest projects: pure units and the
 * emulators, the worker in workerd, and the black-box browser tests in Debian's Chromium.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPanel, ROOT } from './stack.ts';

const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
const run = (cmd: string, args: string[]) => {
  console.log(`\n> ${[cmd.replace(ROOT + '/', ''), ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

/** The browser tests need Debian's Chromium; install it on a fresh machine when we may. */
function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() !== 0) {
    console.error(
      'Browser tests need Debian Chromium at /usr/bin/chromium: run `sudo apt-get install -y chromium`.',
    );
    process.exit(1);
  }
  console.log('\n> apt-get install -y chromium (first run on this machine)');
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const only = process.argv.slice(2);
// One format for every file, so reviews read changes, not layout (`npm run format` fixes it).
run(bin('prettier'), ['--check', '--log-level', 'warn', '.']);
run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.node.json']);
run(bin('tsc'), ['--noEmit', '-p', 'ui/tsconfig.json']);
buildPanel();
if (!only.length || only.includes('e2e')) ensureChromium();
// The JSON report gives the totals for one plain closing line, whatever the projects printed.
const report = join(mkdtempSync(join(tmpdir(), 'contact-sync-test-')), 'vitest.json');
console.log(`\n> vitest run ${only.map((p) => `--project ${p}`).join(' ')}`);
const tests = spawnSync(
  bin('vitest'),
  [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...only.flatMap((p) => ['--project', p]),
  ],
  { cwd: ROOT, stdio: 'inherit' },
);
if (existsSync(report)) {
  const totals = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
  };
  console.log(
    `\n${totals.numPassedTests} passed, ${totals.numFailedTests} failed, ${totals.numPendingTests} skipped`,
  );
}
process.exit(tests.status ?? 1);
