import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { build, mergeConfig } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_PREFERENCES } from '../electron/security';
import { forgeBuildConfigs, forgeRendererConfigs } from '../electron/test/forge-build';
import { goTo, ROOT } from './browser';

// The real Electron app, driven by playwright-core's Electron support: built as `electron-forge package` builds it
// (main, preload, planner worker, renderer into .vite/), started as `electron .` on the embedded simulated network
// with its own settings folder. Needs Electron's binary and a display: .github/workflows/electron.yml runs it under
// Xvfb where Electron downloads; elsewhere it is skipped, saying why.

/** Electron's binary as the electron package installed it, or undefined. */
function electronBinary(): string | undefined {
  const dir = join(ROOT, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

const BINARY = electronBinary();
const DISPLAY = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const SKIP_REASON = !BINARY
  ? "Electron's binary is not installed (node_modules/electron/dist); `node node_modules/electron/install.js` fetches it where Electron's downloads are reachable; CI: .github/workflows/electron.yml"
  : !DISPLAY
    ? 'no display: run it under xvfb-run'
    : undefined;

/** Chromium refuses to run as root with its sandbox; CI runs as a user. */
const SANDBOX_ARGS = process.getuid?.() === 0 ? ['--no-sandbox'] : [];

describe.skipIf(SKIP_REASON !== undefined)(`the Electron app${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  let app: ElectronApplication;
  let page: Page;
  let configHome: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    for (const config of [...(await forgeBuildConfigs(ROOT)), ...(await forgeRendererConfigs(ROOT))]) {
      await build(mergeConfig(config, { logLevel: 'warn' }));
    }
    // Electron keeps its settings under $XDG_CONFIG_HOME/Braid on Linux: a fresh one, so the app starts on the
    // embedded simulated network, and the single-instance lock is this test's own.
    configHome = mkdtempSync(join(tmpdir(), 'braid-electron-config-'));
    env = { ...process.env, XDG_CONFIG_HOME: configHome };
    app = await _electron.launch({
      executablePath: BINARY as string,
      args: [ROOT, ...SANDBOX_ARGS],
      cwd: ROOT,
      env: env as Record<string, string>,
      timeout: 60_000,
    });
    app.process().stderr?.on('data', (d) => process.stderr.write(`electron: ${d}`));
    page = await app.firstWindow();
    await page.getByRole('navigation').waitFor({ state: 'visible', timeout: 60_000 });
  }, 240_000);

  afterAll(async () => {
    await app?.close();
    if (configHome) rmSync(configHome, { recursive: true, force: true });
  });

  it('opens its window on the embedded simulated network', async () => {
    await page.getByText('Simulated network: no real money').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.title()).toBe('Braid');
  });

  it('runs the window with the web preferences electron/security.ts sets, and no Node in the page', async () => {
    // webContents.getLastWebPreferences(): what the window was created with, after Electron's defaults (kept,
    // undocumented, for Electron's own guests; absent from its typings).
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const contents = BrowserWindow.getAllWindows()[0]?.webContents as unknown as
        | { getLastWebPreferences?: () => Record<string, unknown> }
        | undefined;
      return contents?.getLastWebPreferences ? contents.getLastWebPreferences() : null;
    });
    if (prefs === null) {
      console.log('Electron gives no webPreferences getter here: checking their effect in the page only');
    } else {
      for (const [key, value] of Object.entries(WEB_PREFERENCES)) expect(prefs[key], key).toBe(value);
      expect(String(prefs.preload)).toMatch(/preload\.cjs$/);
    }
    // Their effect: no Node in the page (nodeIntegration off), only the bridge the isolated preload exposed, and
    // a file:// page under the strict CSP.
    const seen = await page.evaluate(() => {
      const g = globalThis as Record<string, unknown>;
      return {
        require: typeof g.require,
        process: typeof g.process,
        module: typeof g.module,
        braid: typeof g.braid,
        protocol: location.protocol,
        csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '',
      };
    });
    expect(seen).toMatchObject({
      require: 'undefined',
      process: 'undefined',
      module: 'undefined',
      braid: 'object',
      protocol: 'file:',
    });
    expect(seen.csp).toMatch(/script-src 'self'(;|$)/);
    // Every renderer is sandboxed: the app asked for it before any window (app.enableSandbox()).
    expect(await app.evaluate(({ app: electronApp }) => electronApp.commandLine.hasSwitch('enable-sandbox'))).toBe(
      true,
    );
  });

  it('answers a command over IPC', async () => {
    const info = await page.evaluate(() => window.braid?.call('getinfo', {}));
    expect(info).toMatchObject({ alias: 'alice', simulated: true });
  });

  it('pays an invoice, and the completion event arrives over IPC', async () => {
    const outcome = await page.evaluate(async () => {
      const braid = window.braid;
      if (!braid) throw new Error('no window.braid');
      const { bolt11 } = await braid.call('testinvoice', { msatoshi: 50_000_000, description: 'electron e2e' });
      const completed = new Promise<string>((resolve) => {
        const off = braid.subscribe(['payment'], (event) => {
          if (event.event === 'payment' && event.data.bolt11 === bolt11 && event.data.status === 'complete') {
            off();
            resolve(event.data.payment_hash);
          }
        });
      });
      const paid = await braid.call('pay', { bolt11 });
      return { status: paid.status, hash: paid.payment_hash, event: await completed };
    });
    expect(outcome.status).toBe('complete');
    expect(outcome.event).toBe(outcome.hash);
  });

  it('takes a lightning: link, given to a second launch as the OS would, to the Pay screen', async () => {
    const invoice = await page.evaluate(() => window.braid?.call('testinvoice', { msatoshi: 1_000_000 }));
    const bolt11 = invoice?.bolt11 as string;
    await goTo(page, 'History');
    // The second instance hands its argv to this one (single-instance lock) and exits.
    const second = spawn(BINARY as string, [ROOT, ...SANDBOX_ARGS, `lightning:${bolt11}`], { env, stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(code).toBe(0);
    await page.getByRole('heading', { name: 'Pay', exact: true }).waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.getByLabel('Invoice', { exact: true }).inputValue()).toBe(bolt11);
  }, 60_000);
});
