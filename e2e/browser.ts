// The end-to-end tests' harness: `npm run dev:web` (the headless core on the embedded simulated network and the built
// renderer, electron/dev-web.ts) in its own process group, headless Chromium driven by playwright-core (Debian's
// /usr/bin/chromium, or $BRAID_CHROMIUM; `npx playwright install` cannot run here), and small helpers.
// Tests reach the UI only by the accessible names of the UI contract (roles, labels, texts).

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { onTestFailed } from 'vitest';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Screenshots and other test artefacts (gitignored). */
export const ARTIFACTS = join(ROOT, 'e2e', 'artifacts');

export const CHROMIUM = process.env.BRAID_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Chromium's flags on these machines: as root it needs --no-sandbox; with no network outside loopback the
 * background services (sync, component updates, QUIC probes) only fail, many at a time. Playwright gives every
 * launch a fresh temporary profile (its --user-data-dir), removed when the browser closes.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export async function launchBrowser(): Promise<Browser> {
  if (!chromiumAvailable()) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: apt-get install -y --no-install-recommends chromium (or set BRAID_CHROMIUM)`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export interface DevWeb {
  /** The page's URL, with its token and WebSocket port. */
  url: string;
  /** The core's data directory (ours: exports land under it). */
  dataDir: string;
  child: ChildProcess;
  /** What dev:web wrote to stderr so far. */
  stderr(): string;
  /** Ends dev:web's whole process group (SIGTERM, then SIGKILL after a grace period) and removes the data dir. */
  stop(): Promise<void>;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/**
 * Starts `electron/dev-web.ts` (what `npm run dev:web` runs) in its own process group, on a data directory of ours,
 * and resolves with the URL it prints once ready. It builds the renderer first: a change in renderer/ needs a new
 * start.
 */
export function startDevWeb(
  options: {
    args?: string[];
    timeoutMs?: number;
    dataDir?: string;
    /** Another way to start it (e.g. `./braid start`), which then chooses its own data directory. */
    command?: { file: string; args: string[]; env?: NodeJS.ProcessEnv };
  } = {},
): Promise<DevWeb> {
  const ownDataDir = options.dataDir === undefined && options.command === undefined;
  const dataDir = options.dataDir ?? (options.command ? '' : mkdtempSync(join(tmpdir(), 'braid-e2e-data-')));
  const [file, args] = options.command
    ? [options.command.file, options.command.args]
    : [process.execPath, ['--import', 'tsx', 'electron/dev-web.ts', '--data-dir', dataDir, ...(options.args ?? [])]];
  const child = spawn(file, args, {
    cwd: ROOT,
    env: options.command?.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid as number;
  let err = '';
  child.stderr?.on('data', (d) => {
    err += String(d);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const stop = async () => {
    if (groupAlive(pid)) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {}
      if (!(await until(() => !groupAlive(pid), 10_000))) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {}
        await until(() => !groupAlive(pid), 5_000);
      }
    }
    await until(() => exited, 2_000);
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop().then(() => reject(new Error(`dev:web not ready after ${options.timeoutMs ?? 180_000} ms: ${err}`)));
    }, options.timeoutMs ?? 180_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      clearTimeout(timer);
      try {
        const { url } = JSON.parse(line) as { url: string };
        resolve({ url, dataDir, child, stderr: () => err, stop });
      } catch (error) {
        void stop().then(() => reject(new Error(`not dev:web's ready line: ${line} (${error})`)));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`dev:web exited (${code ?? signal}) before it was ready: ${err}`));
    });
  });
}

export interface App {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors seen so far. */
  errors: string[];
}

/** Opens the harness's URL in a fresh context (its own storage), at a desktop size, and waits for the shell. */
export async function openApp(
  browser: Browser,
  url: string,
  options: { acceptDownloads?: boolean; defaultTimeoutMs?: number } = {},
) {
  const context = await browser.newContext({
    viewport: { width: 1400, height: 1000 },
    acceptDownloads: options.acceptDownloads ?? true,
    // Clipboard for "Copy preimage"; harmless elsewhere.
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  if (options.defaultTimeoutMs !== undefined) page.setDefaultTimeout(options.defaultTimeoutMs);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  await page.getByRole('navigation').waitFor({ state: 'visible', timeout: 30_000 });
  return { context, page, errors } satisfies App;
}

/** Closes what a suite opened: its page's context, then the browser (either may be missing after a failed start). */
export async function closeBrowser(app: App | undefined, browser: Browser | undefined): Promise<void> {
  await app?.context.close().catch(() => {});
  await browser?.close().catch(() => {});
}

/** What serves the app to a suite: dev:web's process (startDevWeb) or the in-process harness (e2e/stack.ts). */
export interface Harness {
  url: string;
  stop(): Promise<void>;
}

/** A suite's harness, its Chromium and the app's page in it. */
export interface Suite<H extends Harness> {
  harness: H;
  browser: Browser;
  app: App;
  page: Page;
}

/**
 * Starts a suite (its beforeAll): the harness and Chromium side by side, then the app on the harness's URL, 30 s for
 * each step on the page. Should any of it fail, what did start is closed again and the error thrown.
 */
export async function openSuite<H extends Harness>(harness: Promise<H>): Promise<Suite<H>> {
  const [served, launched] = await Promise.allSettled([harness, launchBrowser()]);
  try {
    if (served.status === 'rejected') throw served.reason;
    if (launched.status === 'rejected') throw launched.reason;
    const app = await openApp(launched.value, served.value.url, { defaultTimeoutMs: 30_000 });
    return { harness: served.value, browser: launched.value, app, page: app.page };
  } catch (error) {
    if (launched.status === 'fulfilled') await launched.value.close().catch(() => {});
    if (served.status === 'fulfilled') await served.value.stop().catch(() => {});
    throw error;
  }
}

/** Ends a suite (its afterAll): the page and Chromium, then the harness; nothing when openSuite failed. */
export async function closeSuite(suite: Suite<Harness> | undefined): Promise<void> {
  if (!suite) return;
  await closeBrowser(suite.app, suite.browser);
  await suite.harness.stop();
}

/** On the running test's failure, a screenshot of `page()` as e2e/artifacts/failed-NAME.png. */
export function screenshotOnFailure(page: () => Page | undefined, name: string): void {
  onTestFailed(async () => {
    const p = page();
    if (p) await screenshot(p, `failed-${name}`).catch(() => {});
  });
}

/** Saves a full-page screenshot as e2e/artifacts/NAME.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The navigation's entry NAME ("Pay", "History", "Connect"): a button or a tab, whichever the UI uses. */
export function navEntry(page: Page, name: string): Locator {
  const nav = page.getByRole('navigation');
  return nav
    .getByRole('button', { name, exact: true })
    .or(nav.getByRole('tab', { name, exact: true }))
    .first();
}

/** Goes to a screen by the navigation and waits for its heading. */
export async function goTo(page: Page, name: 'Pay' | 'History' | 'Connect'): Promise<void> {
  await navEntry(page, name).click();
  await page.getByRole('heading', { name, exact: true }).waitFor({ state: 'visible' });
}

/** Polls `read` until `check` holds (or throws with the last value seen). */
export async function poll<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (check(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
  throw new Error(
    `timed out waiting for ${options.what ?? 'a condition'}; last: ${JSON.stringify(last)}${lastError ? ` (${lastError})` : ''}`,
  );
}

/** "12,345 sat" / "12 345 sat" / "12345" → 12345. */
export function satOf(text: string): number {
  const digits = text.replace(/[^\d]/g, '');
  return digits === '' ? Number.NaN : Number(digits);
}
