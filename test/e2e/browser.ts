/**
 * Browser helpers: Debian's Chromium through playwright-core, the GHL host page of the emulator
 * with our panel in its iframe, and screenshots at desktop and phone widths.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Frame,
  type FrameLocator,
  type Locator,
  type Page,
} from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { ROOT } from '../../scripts/stack.ts';
import type { Demo, Emulator } from './harness.ts';

export const ARTIFACTS = join(ROOT, 'test', 'artifacts');
export const WIDE = { width: 1280, height: 800 };
export const NARROW = { width: 390, height: 844 };
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource: string | null = null;

/**
 * axe-core's findings in the panel's frame as it is now, one line per rule and element (every
 * rule axe runs by default: WCAG 2.x A and AA, and its best practices).
 */
export async function axeViolations(g: Shootable): Promise<string[]> {
  const frame = await g.frame();
  // The panel's CSP (script-src 'self') refuses a script tag; evaluated through the DevTools
  // protocol, the library defines window.axe all the same.
  if (!(await frame.evaluate(() => 'axe' in window)))
    await frame.evaluate((axeSource ??= readFileSync(AXE_PATH, 'utf8')));
  const violations = await frame.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: Document,
            opts: object,
          ) => Promise<{ violations: { id: string; help: string; nodes: { target: unknown[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      help: v.help,
      targets: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
  return violations.flatMap((v) => v.targets.map((t) => `${v.id} (${v.help}): ${t}`));
}

/** Never downloads a browser: Debian's package, with the flags ENGINEERING.md names. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const GATES = ['gate-connecting', 'gate-outside', 'gate-error', 'reconnect-needed'] as const;

/**
 * Runs in every frame before its scripts: inside the panel it records each gate screen that is
 * ever rendered, so a test can tell that the "outside HighLevel" gate never showed, even briefly.
 */
function recordGates(gates: readonly string[]): void {
  if (window.top === window || !location.pathname.startsWith('/app')) return;
  const w = window as unknown as { __gatesSeen: string[] };
  w.__gatesSeen = [];
  const look = () => {
    for (const g of gates)
      if (!w.__gatesSeen.includes(g) && document.querySelector(`[data-testid="${g}"]`)) w.__gatesSeen.push(g);
  };
  new MutationObserver(look).observe(document, { childList: true, subtree: true });
}

export interface GhlPage {
  context: BrowserContext;
  page: Page;
  /** The panel inside GHL's iframe; locators wait for their elements. */
  panel: FrameLocator;
  /** Problems the page reported: console errors, uncaught exceptions, failed `/api` calls. */
  problems: string[];
  /** Every `/api/*` request the panel made, as `METHOD path?query`. */
  apiCalls: string[];
  /** The panel's frame (for evaluate). */
  frame: () => Promise<Frame>;
  /** Gate screens the panel has rendered since it loaded. */
  gatesSeen: () => Promise<string[]>;
  close: () => Promise<void>;
}

export interface OpenOptions {
  /** The sub-account to open; left out with `view: 'agency'`. */
  locationId?: string;
  /** GHL's agency view: the SSO payload names the agency and no sub-account. */
  view?: 'agency';
  userId?: string;
  role?: 'admin' | 'user';
  viewport?: { width: number; height: number };
  /** `foreign`: the SSO payload is sealed with another app's Shared Secret. */
  sso?: 'foreign';
}

/** Opens the emulator's GHL page (left nav, top bar, our panel in an iframe, the SSO handshake). */
export async function openGhl(
  browser: Browser,
  emulatorUrl: string,
  appUrl: string,
  opts: OpenOptions,
): Promise<GhlPage> {
  const context = await browser.newContext({ viewport: opts.viewport ?? WIDE, reducedMotion: 'reduce' });
  context.setDefaultTimeout(20_000);
  await context.addInitScript(recordGates, GATES);
  const page = await context.newPage();
  const problems: string[] = [];
  const apiCalls: string[] = [];
  page.on('console', (m) => {
    // The emulator's GHL page has no favicon; Chromium's request for it is not the panel's.
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico'))
      problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin === appUrl && url.pathname.startsWith('/api/'))
      apiCalls.push(`${r.method()} ${url.pathname}${url.search}`);
  });
  page.on('response', (r) => {
    const url = new URL(r.url());
    if (url.origin === appUrl && url.pathname.startsWith('/api/') && r.status() >= 400)
      problems.push(`api ${r.status()} ${r.request().method()} ${url.pathname}`);
  });
  const query = new URLSearchParams(opts.locationId ? { locationId: opts.locationId } : {});
  if (opts.view) query.set('view', opts.view);
  if (opts.userId) query.set('userId', opts.userId);
  if (opts.role) query.set('role', opts.role);
  if (opts.sso) query.set('sso', opts.sso);
  await page.goto(`${emulatorUrl}/_emulator/ghl?${query}`);
  const panel = page.frameLocator('iframe#app');
  const frame = async () => {
    const handle = await page.locator('iframe#app').elementHandle();
    const f = await handle?.contentFrame();
    if (!f) throw new Error('the GHL page has no panel iframe');
    return f;
  };
  return {
    context,
    page,
    panel,
    problems,
    apiCalls,
    frame,
    gatesSeen: async () =>
      (await frame()).evaluate(() => (window as unknown as { __gatesSeen?: string[] }).__gatesSeen ?? []),
    close: () => context.close(),
  };
}

/** Waits for the panel to be signed in: the shell with the current user in the top bar. */
export async function waitSignedIn(ghl: GhlPage, name: string): Promise<void> {
  await ghl.panel.locator('[data-testid="current-user"]', { hasText: name }).waitFor();
}

/** What a screenshot needs: the page, and the frame the panel renders in (the page itself outside GHL). */
export type Shootable = Pick<GhlPage, 'page' | 'frame'>;

/**
 * Saves `test/artifacts/{1280,390}-<name>.png`: the whole GHL page (nav, top bar, panel) at the
 * desktop width and at a phone width, then restores the desktop viewport. `focus` is scrolled
 * into view at each width so the screen shows what it is named after. Fails when the panel is
 * wider than its iframe at either width (content cut off, sideways scrolling on a phone), or
 * when axe-core finds any violation in the panel at either width.
 */
export async function shoot(g: Shootable, name: string, focus?: Locator): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const original = g.page.viewportSize() ?? WIDE;
  const overflow: string[] = [];
  for (const size of [WIDE, NARROW]) {
    await g.page.setViewportSize(size);
    if (focus) await focus.scrollIntoViewIfNeeded();
    await g.page.screenshot({ path: join(ARTIFACTS, `${size.width}-${name}.png`), animations: 'disabled' });
    const extra = await (
      await g.frame()
    ).evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (extra > 0) overflow.push(`${size.width} px: the panel is ${extra} px wider than its frame`);
    for (const v of await axeViolations(g)) overflow.push(`${size.width} px: axe ${v}`);
  }
  await g.page.setViewportSize(original);
  if (focus) await focus.scrollIntoViewIfNeeded();
  if (overflow.length) throw new Error(`${name}: ${overflow.join('; ')}`);
}

/**
 * The hooks every browser test file shares: one browser and the demo agency for the file, the
 * pages a test opened (pushed onto `open`) closed after it, the browser closed at the end.
 */
export function browserSuite(
  emu: Emulator,
  open: GhlPage[],
  ready: (browser: Browser, demo: Demo) => void,
): void {
  let browser: Browser | undefined;
  beforeAll(async () => {
    const [launched, demo] = await Promise.all([launchBrowser(), emu.demo()]);
    browser = launched;
    ready(launched, demo);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close().catch(() => {})));
  });
  afterAll(async () => {
    await browser?.close();
  });
}
