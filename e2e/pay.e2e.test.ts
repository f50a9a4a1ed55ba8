import { readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  type App,
  ARTIFACTS,
  type DevWeb,
  goTo,
  launchBrowser,
  openApp,
  poll,
  screenshot,
  startDevWeb,
} from './browser';
import {
  chooseChannel,
  chooseRoute,
  getTestInvoice,
  hashOfPreimage,
  leftToAssign,
  partAmount,
  partCount,
  partFailure,
  partStatus,
  partStatuses,
  partsTable,
  paymentResult,
  preimage,
  waitForPartStatus,
  waitForProposal,
} from './ui';

// Braid in headless Chromium against `npm run dev:web` (the headless core on the embedded simulated network, the
// built renderer), driven only through the UI contract's accessible names. The flows run in order on one wallet:
// (a) an automatic split, (b) a split by hand with a part that fails for liquidity and is re-routed, (c) the CSV
// export, (d) History. Screenshots go to e2e/artifacts/.

let devWeb: DevWeb | undefined;
let browser: Browser | undefined;
let app: App;
let page: Page;

/** What the flows paid, for the export and History checks. */
const paid: { name: string; hash: string; description: string; parts: string[] }[] = [];

const RUN = Date.now().toString(36);

function screenshotOnFailure(name: string): void {
  onTestFailed(async () => {
    if (page) await screenshot(page, `failed-${name}`).catch(() => {});
  });
}

beforeAll(async () => {
  // This run's screenshots only.
  rmSync(ARTIFACTS, { recursive: true, force: true });
  [devWeb, browser] = await Promise.all([startDevWeb(), launchBrowser()]);
  app = await openApp(browser, devWeb.url);
  page = app.page;
  page.setDefaultTimeout(30_000);
}, 240_000);

afterAll(async () => {
  await app?.context.close().catch(() => {});
  await browser?.close().catch(() => {});
  await devWeb?.stop();
}, 60_000);

/**
 * After a Send, until "Payment complete" and every part settled: each new failed part is answered with
 * "Re-route the missing amount" (manual); or (auto) the first one with "Re-route automatically", after which the UI
 * re-routes further failures itself, and by hand again should it stop trying. Screenshots the first moment a part
 * is pending ("-during") and each new failure.
 */
async function sendUntilComplete(
  name: string,
  mode: 'auto' | 'manual',
  options: { handledFailures?: number; timeoutMs?: number } = {},
): Promise<{ statuses: string[]; autoReroutes: number; manualReroutes: number }> {
  let handled = options.handledFailures ?? 0;
  let autoReroutes = 0;
  let manualReroutes = 0;
  let duringShot = false;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const result = paymentResult(page);
  const auto = page.getByRole('button', { name: 'Re-route automatically', exact: true });
  const missing = page.getByRole('button', { name: 'Re-route the missing amount', exact: true });
  while (Date.now() < deadline) {
    const statuses = await partStatuses(page);
    const complete = (await result.count()) > 0 && /Payment complete/.test((await result.textContent()) ?? '');
    // The payment is complete with the first preimage; the other parts' outcomes follow.
    if (complete && statuses.every((x) => x === 'complete' || x === 'failed')) {
      return { statuses, autoReroutes, manualReroutes };
    }
    if (!duringShot && statuses.includes('pending')) {
      await screenshot(page, `${name}-during`);
      duringShot = true;
    }
    const failed = statuses.filter((x) => x === 'failed').length;
    if (!complete && failed > handled) {
      const autoOn = (await auto.count()) > 0 && (await auto.getAttribute('aria-pressed')) === 'true';
      if (mode === 'auto' && autoReroutes === 0 && (await auto.count()) > 0) {
        await screenshot(page, `${name}-failed-${failed}`);
        await auto.click();
        autoReroutes += 1;
        handled = failed;
      } else if (!autoOn && (await missing.count()) > 0 && (await missing.isEnabled())) {
        await screenshot(page, `${name}-failed-${failed}`);
        if (manualReroutes >= 10)
          throw new Error(`${name}: still short after ${manualReroutes} re-routes: ${statuses}`);
        await missing.click();
        manualReroutes += 1;
        handled = failed;
      }
    }
    await page.waitForTimeout(50);
  }
  throw new Error(`${name}: no "Payment complete" in time; parts: ${await partStatuses(page)}`);
}

describe('Braid in Chromium over dev:web (embedded simnet)', () => {
  it('loads: the shell, the simulated-network banner, navigation between screens', async () => {
    screenshotOnFailure('smoke');
    const banner = page.getByRole('banner');
    await expect
      .poll(async () => banner.getByText('Simulated network: no real money', { exact: true }).count(), {
        timeout: 30_000,
      })
      .toBe(1);
    // The node's alias and state are shown in the header.
    await expect.poll(async () => (await banner.textContent()) ?? '', { timeout: 30_000 }).toMatch(/alice/);
    await goTo(page, 'History');
    await page.getByRole('heading', { name: 'History', exact: true }).waitFor();
    await goTo(page, 'Connect');
    await goTo(page, 'Pay');
    await page.getByRole('main').getByRole('heading', { name: 'Pay', exact: true }).waitFor();
    await screenshot(page, 'smoke-pay');
    expect(app.errors).toEqual([]);
  }, 90_000);

  // Bob can take ~1.17M sat in all (fjord→bob ~630k, gale→bob ~400k, carol→bob ~100k, harbor→bob ~40k), so the two
  // payments together stay under that. The hand split runs first: once a part has failed through harbor, the
  // node's path finding (like LND's mission control) stops offering harbor→bob as a candidate.

  it('(b) a split by hand: the part through harbor fails for liquidity, the missing amount is re-routed', async () => {
    screenshotOnFailure('pay-b');
    const description = `e2e hand split ${RUN}`;
    await getTestInvoice(page, 250_000, description);
    await waitForProposal(page);
    // Exactly two parts.
    for (let n = await partCount(page); n > 2; n--) {
      await page.getByRole('button', { name: `Remove part ${n}`, exact: true }).click();
    }
    while ((await partCount(page)) < 2) await page.getByRole('button', { name: 'Add part', exact: true }).click();
    expect(await partCount(page)).toBe(2);

    // Part 1: 150,000 sat over the channel to atlas (on through fjord or gale, both wide enough).
    await chooseChannel(page, 1, 'atlas');
    await partAmount(page, 1).fill('150000');
    // Part 2: 100,000 sat over the channel to cobalt, through harbor, whose channel to bob holds ~40k on its side.
    await chooseChannel(page, 2, 'cobalt');
    await partAmount(page, 2).fill('100000');
    await partAmount(page, 2).press('Tab');
    await expect.poll(() => leftToAssign(page), { timeout: 10_000 }).toBe(0);
    const route1 = await chooseRoute(page, 1, (name) => /^Route via atlas → [^→]+ → bob$/.test(name));
    // Nodes other than our peers and the merchants show as short ids (the API has no node aliases): harbor is the
    // one node between cobalt and bob.
    const route2 = await chooseRoute(
      page,
      2,
      (name) => /^Route via cobalt → harbor → bob$/.test(name) || /^Route via cobalt → [^→]+ → bob$/.test(name),
    );
    expect(route1).toMatch(/^Route via atlas → /);
    expect(route2).toMatch(/^Route via cobalt → [^→]+ → bob$/);
    expect(await leftToAssign(page)).toBe(0);
    expect(await partStatuses(page)).toEqual(['planned', 'planned']);
    await screenshot(page, 'pay-b-planned');

    const send = page.getByRole('button', { name: 'Send', exact: true });
    await expect.poll(() => send.isEnabled()).toBe(true);
    await send.click();

    await waitForPartStatus(page, 2, 'failed');
    const failure = (await partFailure(page, 2).textContent()) ?? '';
    expect(failure).toMatch(/liquidity/i);
    expect(failure).toContain('TEMPORARY_CHANNEL_FAILURE');
    // Part 1 arrived and bob holds it, waiting for the rest.
    expect(await partStatus(page, 1).textContent()).toBe('pending');
    await expect.poll(async () => page.getByText(/Receiver waits/).count()).toBeGreaterThan(0);
    await screenshot(page, 'pay-b-part-failed');

    await page.getByRole('button', { name: 'Re-route the missing amount', exact: true }).click();
    const { statuses, manualReroutes } = await sendUntilComplete('pay-b', 'manual', { handledFailures: 1 });
    console.info(`(b) parts ${statuses.join(', ')}; ${manualReroutes} further re-routes by hand`);
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    expect(statuses.slice(0, 2)).toEqual(['complete', 'failed']);
    expect(statuses.slice(2)).toContain('complete');
    expect(await paymentResult(page).textContent()).toMatch(/Payment complete/);
    const pre = await preimage(page);
    expect(pre).toMatch(/^[0-9a-f]{64}$/);
    await screenshot(page, 'pay-b-after');
    paid.push({ name: 'b', hash: hashOfPreimage(pre), description, parts: statuses });
  }, 180_000);

  it('(a) pays 700,000 sat (more than one path carries) over the proposed split', async () => {
    screenshotOnFailure('pay-a');
    const description = `e2e auto split ${RUN}`;
    await getTestInvoice(page, 700_000, description);
    const details = page.getByRole('region', { name: 'Invoice details', exact: true });
    await expect.poll(async () => (await details.textContent()) ?? '').toMatch(/bob/);
    await expect.poll(async () => (await details.textContent()) ?? '').toContain(description);
    expect(await details.textContent()).toMatch(/Expires in /);
    expect(await details.textContent()).toMatch(/700,000/);

    const parts = await waitForProposal(page);
    await partsTable(page).waitFor({ state: 'visible' });
    // More than any one path carries (~630k through fjord): the proposal splits.
    expect(parts).toBeGreaterThanOrEqual(2);
    expect(await partStatuses(page)).toEqual(Array(parts).fill('planned'));
    const main = (await page.getByRole('main').textContent()) ?? '';
    expect(main).toMatch(/Total fee/);
    expect(main).toMatch(/Probability/);
    await screenshot(page, 'pay-a-planned');

    const send = page.getByRole('button', { name: 'Send', exact: true });
    await expect.poll(() => send.isEnabled()).toBe(true);
    await send.click();
    const { statuses, autoReroutes, manualReroutes } = await sendUntilComplete('pay-a', 'auto');
    console.info(
      `(a) ${parts} parts proposed; parts ${statuses.join(', ')}; automatic re-routing ${autoReroutes ? 'on' : 'not needed'}, ${manualReroutes} re-routes by hand`,
    );
    // Every part the payment still counts completed; a part that failed was replaced by a re-routed one.
    if (statuses.includes('failed')) expect(autoReroutes + manualReroutes).toBeGreaterThan(0);
    else expect(statuses).toEqual(Array(parts).fill('complete'));
    expect(statuses).toContain('complete');
    const result = (await paymentResult(page).textContent()) ?? '';
    expect(result).toMatch(/Payment complete/);
    expect(result).toMatch(/Total fee/);
    expect(result).toMatch(/Time taken/);
    const pre = await preimage(page);
    expect(pre).toMatch(/^[0-9a-f]{64}$/);
    // The paths picture marks each part's path with its status.
    const picture = page.getByRole('img', { name: 'Payment paths', exact: true });
    await expect.poll(() => picture.count()).toBe(1);
    const completeParts = await picture
      .locator('.chip[data-state="complete"]')
      .evaluateAll((els) => new Set(els.map((el) => el.getAttribute('data-part'))).size);
    expect(completeParts).toBeGreaterThanOrEqual(statuses.filter((x) => x === 'complete').length);
    // Copy preimage puts it on the clipboard.
    await page.getByRole('button', { name: 'Copy preimage', exact: true }).click();
    await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe(pre);
    await screenshot(page, 'pay-a-after');
    paid.push({ name: 'a', hash: hashOfPreimage(pre), description, parts: statuses });
  }, 180_000);

  it('(c) Export CSV from History: the file lists both payments and their parts', async () => {
    screenshotOnFailure('export');
    expect(paid.map((p) => p.name).sort()).toEqual(['a', 'b']);
    await goTo(page, 'History');
    // The browser harness writes the file on the core's side and says where ("Exported to PATH" in the "Export
    // result" status), and the page downloads it (dev:web's /exports/NAME?token=…).
    const download = page.waitForEvent('download', { timeout: 30_000 });
    await page.getByRole('button', { name: 'Export CSV', exact: true }).click();
    const status = page.getByRole('status', { name: 'Export result', exact: true });
    const text = await poll(
      async () => ((await status.count()) > 0 ? ((await status.textContent()) ?? '') : ''),
      (t) => /Exported to /.test(t),
      { timeoutMs: 30_000, what: '"Exported to PATH" in the Export result' },
    );
    const path = (/Exported to (\S.*?\.csv)/.exec(text)?.[1] ?? '').trim();
    expect(path, text).not.toBe('');
    const downloaded = await download;
    expect(downloaded.suggestedFilename()).toBe(basename(path));
    const saved = join(ARTIFACTS, `export-${RUN}.csv`);
    await downloaded.saveAs(saved);
    expect(readFileSync(saved, 'utf8')).toBe(readFileSync(path, 'utf8'));
    await screenshot(page, 'history-exported');
    const rows = parseCsv(readFileSync(path, 'utf8'));
    const header = rows.shift() ?? [];
    const col = (name: string) => header.indexOf(name);
    for (const name of ['kind', 'payment_hash', 'status', 'part_id', 'failure_code', 'description', 'amount_msat']) {
      expect(col(name), name).toBeGreaterThanOrEqual(0);
    }
    for (const payment of paid) {
      const mine = rows.filter((r) => r[col('payment_hash')] === payment.hash);
      const [head, ...parts] = mine;
      // A payment row, then one row per part, as many as the planner showed.
      expect(head?.[col('kind')], payment.name).toBe('payment');
      expect(head?.[col('status')]).toBe('complete');
      expect(head?.[col('description')]).toBe(payment.description);
      expect(parts.map((r) => r[col('kind')])).toEqual(parts.map(() => 'part'));
      expect(parts.length, payment.name).toBe(payment.parts.length);
      expect(parts.map((r) => r[col('status')]).sort()).toEqual([...payment.parts].sort());
      // A part row never repeats the payment's amount.
      expect(parts.every((r) => r[col('amount_msat')] === '')).toBe(true);
    }
    const b = rows.filter((r) => r[col('payment_hash')] === paid.find((p) => p.name === 'b')?.hash);
    expect(b.filter((r) => r[col('status')] === 'failed').map((r) => r[col('failure_code')])).toContain(
      'TEMPORARY_CHANNEL_FAILURE',
    );
    // The harness's own way: the UI says where the file went.
    expect(text).toMatch(/Exported to /);
  }, 90_000);

  it('(d) History lists both payments; each row expands to its parts', async () => {
    screenshotOnFailure('history');
    await goTo(page, 'History');
    const grid = page
      .getByRole('grid', { name: 'Payments', exact: true })
      .or(page.getByRole('table', { name: 'Payments', exact: true }));
    await grid.first().waitFor({ state: 'visible' });
    for (const payment of paid) {
      const show = page.getByRole('button', { name: `Show parts of ${payment.hash.slice(0, 10)}`, exact: true });
      await show.waitFor({ state: 'visible', timeout: 30_000 });
      const before = (await grid.first().textContent()) ?? '';
      await show.click();
      const failedParts = payment.parts.filter((s) => s === 'failed').length;
      const completeParts = payment.parts.filter((s) => s === 'complete').length;
      await expect
        .poll(async () => count((await grid.first().textContent()) ?? '', 'complete') - count(before, 'complete'))
        .toBeGreaterThanOrEqual(completeParts);
      if (failedParts > 0) {
        await expect
          .poll(async () => count((await grid.first().textContent()) ?? '', 'failed') - count(before, 'failed'))
          .toBeGreaterThanOrEqual(failedParts);
      }
      await screenshot(page, `history-parts-${payment.name}`);
    }
    // Search narrows the list to one payment.
    const a = paid.find((p) => p.name === 'a') as (typeof paid)[0];
    const b = paid.find((p) => p.name === 'b') as (typeof paid)[0];
    await page.getByRole('textbox', { name: 'Search', exact: true }).fill(b.description);
    await expect
      .poll(() => page.getByRole('button', { name: `Show parts of ${a.hash.slice(0, 10)}`, exact: true }).count())
      .toBe(0);
    await expect
      .poll(() => page.getByRole('button', { name: `Show parts of ${b.hash.slice(0, 10)}`, exact: true }).count())
      .toBe(1);
    await page.getByRole('textbox', { name: 'Search', exact: true }).fill('');
    expect(app.errors).toEqual([]);
  }, 90_000);

  it('(e) History filters and Export JSON', async () => {
    screenshotOnFailure('history-filters');
    await goTo(page, 'History');
    const shows = () => page.getByRole('button', { name: /^Show parts of / }).count();
    const status = page.getByRole('combobox', { name: 'Status', exact: true });
    await expect.poll(shows).toBe(2);
    // Both payments completed: none is failed.
    await status.selectOption({ label: 'Failed' });
    await expect.poll(shows).toBe(0);
    await status.selectOption({ label: 'Complete' });
    await expect.poll(shows).toBe(2);
    await status.selectOption({ label: 'All' });
    // A date range that ends before today leaves nothing.
    await page.getByRole('textbox', { name: 'To', exact: true }).fill('2001-01-01');
    await expect.poll(shows).toBe(0);
    await page.getByRole('textbox', { name: 'To', exact: true }).fill('');
    await page.getByRole('textbox', { name: 'From', exact: true }).fill('2001-01-01');
    await expect.poll(shows).toBe(2);
    await page.getByRole('textbox', { name: 'From', exact: true }).fill('');

    await page.getByRole('button', { name: 'Export JSON', exact: true }).click();
    const result = page.getByRole('status', { name: 'Export result', exact: true });
    const text = await poll(
      async () => ((await result.count()) > 0 ? ((await result.textContent()) ?? '') : ''),
      (t) => /Exported to \S+\.json/.test(t),
      { timeoutMs: 30_000, what: '"Exported to PATH.json"' },
    );
    const path = /Exported to (\S+\.json)/.exec(text)?.[1] as string;
    const exported = JSON.parse(readFileSync(path, 'utf8')) as {
      payments: { payment_hash: string; partialpayments: { status: string }[] }[];
    };
    for (const payment of paid) {
      const found = exported.payments.find((p) => p.payment_hash === payment.hash);
      expect(found?.partialpayments.map((q) => q.status).sort(), payment.name).toEqual([...payment.parts].sort());
    }
  }, 60_000);

  it('(f) a malformed invoice is refused; the Connect screen has its fields', async () => {
    screenshotOnFailure('refusals');
    await goTo(page, 'Pay');
    await page.getByRole('textbox', { name: 'Invoice', exact: true }).fill('lnbc1notaninvoice');
    await expect
      .poll(async () => (await page.getByRole('alert').allTextContents()).join(' '), { timeout: 10_000 })
      .toMatch(/not a valid invoice/);
    // Nothing can be sent. (The contract asks for a disabled Send; the UI shows no planner at all until an
    // invoice decodes.)
    const send = page.getByRole('button', { name: 'Send', exact: true });
    expect((await send.count()) === 0 || (await send.isDisabled())).toBe(true);
    await screenshot(page, 'pay-malformed');
    await page.getByRole('textbox', { name: 'Invoice', exact: true }).fill('');

    await goTo(page, 'Connect');
    const main = page.getByRole('main');
    await main.getByRole('heading', { name: 'Connect', exact: true }).waitFor();
    for (const name of ['lndconnect URI', 'Host']) {
      expect(await main.getByRole('textbox', { name, exact: true }).count(), name).toBe(1);
    }
    for (const name of ['TLS certificate', 'Macaroon']) {
      expect(await main.getByLabel(name, { exact: true }).evaluate((el) => (el as HTMLInputElement).type), name).toBe(
        'file',
      );
    }
    // A URI that is not one is refused in an alert, and the wallet stays on its node.
    await main.getByRole('textbox', { name: 'lndconnect URI', exact: true }).fill('not-an-lndconnect-uri');
    await main.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect.poll(async () => main.getByRole('alert').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await screenshot(page, 'connect-refused');
    expect(await page.getByRole('banner').textContent()).toMatch(/alice/);
    expect(app.errors).toEqual([]);
  }, 60_000);
});

function count(text: string, word: string): number {
  return text.split(word).length - 1;
}

/** RFC 4180: quoted fields with doubled quotes, CRLF or LF line ends. */
function parseCsv(text: string): string[][] {
  return parse(text, { record_delimiter: '\r\n' }) as string[][];
}
