import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { circles, importGraph, sourceFiles, type Edge } from './import-graph.ts';

/**
 * The worker's layers: routes → durable → {sync, connectors, ghl, tenants, timeline, sync-log,
 * settings, …}. Only index.ts, routes/ and durable/ reach Durable Objects, and only through the
 * stub getters in durable/stubs.ts.
 *
 * Type-only imports (`import type`, `export type`) are erased before the worker runs, so they can
 * neither close a run-time circle nor reach an object; they are allowed across layers. A lower
 * layer should still prefer a small interface of its own to naming a DO class.
 */
const WORKER = join(import.meta.dirname, '../../worker');
const graph = importGraph(WORKER);
const runTime = graph.filter((e) => !e.typeOnly);

const mayReachObjects = (file: string) =>
  file === 'index.ts' || file.startsWith('routes/') || file.startsWith('durable/');
const mayImportRoutes = (file: string) =>
  file === 'index.ts' || file === 'app.ts' || file.startsWith('routes/');
const STUBS = 'durable/stubs.ts';

const named = (edges: Edge[]) => edges.map((e) => `${e.from} -> ${e.to}`).sort();

const text = (file: string) => readFileSync(join(WORKER, file), 'utf8');
const inSync = (file: string) => file.startsWith('sync/');
/** Every file `from` loads at run time, directly or through others. */
function loadedBy(from: string[]): string[] {
  const seen = new Set(from);
  for (const file of seen) for (const e of runTime) if (e.from === file) seen.add(e.to);
  return [...seen].sort();
}

describe('worker import graph', () => {
  it('is read from the source: it finds the modules and their imports', () => {
    expect(named(runTime)).toContain('index.ts -> app.ts');
    expect(named(runTime)).toContain(`routes/api/scope.ts -> ${STUBS}`);
    expect(graph.find((e) => e.from === STUBS && e.to === 'durable/location.ts')?.typeOnly).toBe(true);
  });

  it('has no import circle at run time', () => {
    expect(circles(runTime)).toEqual([]);
  });

  it('lets only index.ts, routes/ and durable/ import durable/ (beyond types)', () => {
    const reaching = runTime.filter((e) => !mayReachObjects(e.from) && e.to.startsWith('durable/'));
    expect(named(reaching)).toEqual([]);
  });

  it('imports routes/ only from the app and the routes themselves', () => {
    expect(named(graph.filter((e) => !mayImportRoutes(e.from) && e.to.startsWith('routes/')))).toEqual([]);
  });

  it('keeps the stub getters a leaf: they import DO classes as types only', () => {
    expect(named(runTime.filter((e) => e.from === STUBS))).toEqual([]);
  });

  it('gets namespaces (env.LOCATION, env.CONTACT) only in the stub getters', () => {
    const using = sourceFiles(WORKER)
      .filter((path) => /\benv\.(LOCATION|CONTACT)\b/.test(readFileSync(path, 'utf8')))
      .map((path) => relative(WORKER, path))
      .filter((file) => file !== STUBS);
    expect(using).toEqual([]);
  });
});

describe('the engine rules in worker/sync/', () => {
  const syncFiles = sourceFiles(join(WORKER, 'sync')).map((path) => relative(WORKER, path));

  it('are plain functions of data: no storage, no environment, no waiting on I/O', () => {
    expect(syncFiles.length).toBeGreaterThan(10);
    const io = syncFiles.filter((file) => /\b(await|async|Promise|SqlStorage|Env)\b/.test(text(file)));
    expect(io).toEqual([]);
  });

  it('never import the objects, routes or storage, not even their types', () => {
    const below = ['durable/', 'routes/', 'auth/', 'automations/', 'timeline/'];
    const up = graph.filter((e) => inSync(e.from) && below.some((dir) => e.to.startsWith(dir)));
    expect(named(up)).toEqual([]);
  });

  it('load at run time only modules that do no I/O themselves', () => {
    const loaded = loadedBy(syncFiles).filter((file) => !inSync(file));
    expect(loaded.length).toBeGreaterThan(0);
    const io = loaded.filter((file) => /\b(await|SqlStorage|fetch)\b|\benv\./.test(text(file)));
    expect(io).toEqual([]);
  });
});

describe('import graph reader', () => {
  it('tells type-only statements from run-time ones and finds the circle they close', () => {
    const dir = mkdtempSync(join(tmpdir(), 'import-graph-'));
    mkdirSync(join(dir, 'low'));
    writeFileSync(
      join(dir, 'top.ts'),
      "import { low } from './low/a.ts';\nexport type { T } from './low/b.ts';\n",
    );
    writeFileSync(
      join(dir, 'low/a.ts'),
      "import { type Top } from '../top.ts';\nimport 'node:fs';\nexport const low = 1;\n",
    );
    writeFileSync(join(dir, 'low/b.ts'), "import type { Top } from '../top.ts';\nexport type T = Top;\n");
    const edges = importGraph(dir);
    expect(edges.map((e) => `${e.from} -> ${e.to}${e.typeOnly ? ' (type)' : ''}`).sort()).toEqual([
      'low/a.ts -> top.ts',
      'low/b.ts -> top.ts (type)',
      'top.ts -> low/a.ts',
      'top.ts -> low/b.ts (type)',
    ]);
    // `import { type Top }` still loads top.ts under verbatimModuleSyntax: a run-time circle.
    expect(circles(edges.filter((e) => !e.typeOnly))).toEqual([['low/a.ts', 'top.ts']]);
    expect(circles(edges)).toEqual([['low/a.ts', 'low/b.ts', 'top.ts']]);
  });
});
