import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type App,
  ARTIFACTS,
  closeSuite,
  type DevWeb,
  goTo,
  screenshotOnFailure as onFailure,
  openSuite,
  poll,
  type Suite,
  screenshot,
  startDevWeb,
} from './browser';
import {
  chooseChannel,
  chooseRoute,
  getTestInvoice,
  hashOfPreimage,
  invoiceDetails,
  leftToAssign,
  partAmount,
  partCount,
  partFailure,
  partStatuses,
  partsTable,
  paymentResult,
  paymentsList,
  preimage,
  waitForComplete,
  waitForPartStatus,
  waitForProposal,
} from './ui';

// Braid in headless Chromium against `npm run dev:web` (the headless core on the embedded simulated network, the
// built renderer), driven only through the UI contract's accessible names. The flows run in order on one wallet:
// (a) an automatic split, (b) a split by hand with a part that fails for liquidity, which the core's payer sends
// around, (c) the CSV export, (d) History. Screenshots go to e2e/artifacts/.

let suite: Suite<DevWeb> | undefined;
let app: App;
let page: Page;

/** What the flows paid, for the export and History checks. */
const paid: { name: string; hash: string; description: string; parts: string[] }[] = [];

const RUN = Date.now().toString(36);

function screenshotOnFailure(name: string): void {
  onFailure(() => page, `${name}`);
}

beforeAll(async () => {
  // This run's screenshots only (pay-core.e2e.test.ts, which may run beside this file, keeps its own: core-*).
  for (const name of existsSync(ARTIFACTS) ? readdirSync(ARTIFACTS) : []) {
    if (!name.includes('core-')) rmSync(join(ARTIFACTS, name), { recursive: true, force: true });
  }
  suite = await openSuite(startDevWeb());
  ({ app, page } = suite);
}, 240_000);

afterAll(async () => {
  await closeSuite(suite);
}, 60_000);

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

  it('(b) a split by hand: the part through harbor fails for liquidity, in words; the core sends the rest around it', async () => {
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
    const route1 = await chooseRoute(page, 1, (name) => /^Route via atlas → (fjord|gale) → bob$/.test(name));
    // Every node by its alias (listnodes): harbor is the one node between cobalt and bob.
    const route2 = await chooseRoute(page, 2, (name) => /^Route via cobalt → harbor → bob$/.test(name));
    expect(route1).toMatch(/^Route via atlas → (fjord|gale) → bob$/);
    expect(route2).toBe('Route via cobalt → harbor → bob');
    expect(await leftToAssign(page)).toBe(0);
    expect(await partStatuses(page)).toEqual(['planned', 'planned']);
    await screenshot(page, 'pay-b-planned');

    const send = page.getByRole('button', { name: 'Send', exact: true });
    await expect.poll(() => send.isEnabled(), { timeout: 30_000 }).toBe(true);
    await send.click();

    await waitForPartStatus(page, 2, 'failed');
    const failure = (await partFailure(page, 2).textContent()) ?? '';
    // In words, with aliases: harbor could not pass the part on to bob; the code stays in the details.
    expect(failure).toMatch(/liquidity/i);
    expect(failure).toMatch(/harbor could not pass/);
    expect(failure).toContain('TEMPORARY_CHANNEL_FAILURE');
    await screenshot(page, 'pay-b-part-failed');
    // The core sends the missing amount around harbor by itself: no click.
    await waitForComplete(page);
    const statuses = await partStatuses(page);
    console.info(`(b) parts ${statuses.join(', ')}`);
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
    const details = invoiceDetails(page);
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
    await expect.poll(() => send.isEnabled(), { timeout: 30_000 }).toBe(true);
    await send.click();
    await waitForComplete(page);
    const statuses = await partStatuses(page);
    console.info(`(a) ${parts} parts proposed; parts ${statuses.join(', ')}`);
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
    const grid = paymentsList(page);
    await grid.waitFor({ state: 'visible' });
    for (const payment of paid) {
      const show = page.getByRole('button', { name: `Show parts of ${payment.hash.slice(0, 10)}`, exact: true });
      await show.waitFor({ state: 'visible', timeout: 30_000 });
      const before = (await grid.textContent()) ?? '';
      await show.click();
      const failedParts = payment.parts.filter((s) => s === 'failed').length;
      const completeParts = payment.parts.filter((s) => s === 'complete').length;
      await expect
        .poll(async () => count((await grid.textContent()) ?? '', 'complete') - count(before, 'complete'))
        .toBeGreaterThanOrEqual(completeParts);
      if (failedParts > 0) {
        await expect
          .poll(async () => count((await grid.textContent()) ?? '', 'failed') - count(before, 'failed'))
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
