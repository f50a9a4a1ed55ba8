import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { type DevWeb, launchBrowser, openApp, poll, ROOT, startDevWeb } from './browser';

// The README's first Quick start line, `./braid start`, where no desktop window can be shown (no display; here
// also no Electron binary): it serves the interface to the browser, prints the URL in words, and that URL answers
// with the Pay screen. Run only where ./braid installed node_modules (its stamp matches), so that the test never
// reinstalls the packages under the suite's feet.

const STAMP = join(ROOT, 'node_modules', '.braid-install-stamp');
const lockHash = createHash('sha256')
  .update(readFileSync(join(ROOT, 'package-lock.json')))
  .digest('hex');
const current =
  existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === `${lockHash} node-abi-${process.versions.modules}`;
const SKIP = current
  ? ''
  : ' (skipped: node_modules was not installed by ./braid, which would reinstall it: run ./braid test)';

describe.skipIf(!current)(`./braid start without a display${SKIP}`, () => {
  let started: DevWeb | undefined;
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
    await started?.stop();
  });

  it('prints the URL plainly, says why it is the browser, and the URL shows the Pay screen', async () => {
    const env = { ...process.env };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    [started, browser] = await Promise.all([
      // startDevWeb reads the JSON line dev:web prints on stdout; ./braid adds its words on stderr.
      startDevWeb({ command: { file: './braid', args: ['start'], env } }),
      launchBrowser(),
    ]);
    const words = await poll(
      async () => started?.stderr() ?? '',
      (text) => text.includes('Ctrl-C stops Braid'),
      { what: "./braid start's words" },
    );
    expect(words).toContain('braid: no desktop window here');
    expect(words).toContain('Braid is running on the embedded simulated network');
    const printed = /^ {4}(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(words)?.[1];
    expect(printed).toBe(started.url);
    expect(words).not.toContain('Opening it in your default browser');

    const app = await openApp(browser, printed as string);
    await app.page.getByRole('heading', { name: 'Pay', exact: true }).waitFor({ state: 'visible', timeout: 30_000 });
    await app.page.getByText('Simulated network: no real money').waitFor({ state: 'visible', timeout: 30_000 });
    expect(app.errors).toEqual([]);
  }, 240_000);
});
