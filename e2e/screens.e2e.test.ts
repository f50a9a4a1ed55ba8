import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { seedHistory } from '../bench/seed';
import type { ListPartialPaymentsResult, ListPaymentsResult } from '../shared/api/results';
import type { Payment } from '../shared/types';
import { ARTIFACTS, goTo, launchBrowser, poll, screenshot } from './browser';
import { SHARED_PATHS, sendHeldParts } from './held-parts';
import { checkButtonsClickable, focusedName, horizontalOverflow, overlapping, pictureLabels, tabTo } from './screens';
import { buildRenderer, type Stack, startStack } from './stack';
import { getTestInvoice, partCount, paymentResult, waitForProposal } from './ui';

// The screens at a small and a large window, the picture of a 12-part payment over shared hops as its parts resolve,
// a notice for a payment that completes while the user is on History, the export of a filtered History read back
// by a CSV library, and a payment made with the keyboard alone. The harness runs in this process (e2e/stack.ts:
// simnet, the core, the built renderer over WebSocket) so that the test can hold HTLCs at bob and send parts itself.

const SIZES = [
  { width: 800, height: 600 },
  { width: 1280, height: 860 },
] as const;

const RUN = Date.now().toString(36);

let rendererDir: string;
let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function open(size: { width: number; height: number }, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const context = await browser.newContext({ viewport: size, colorScheme, acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(stack.url);
  await page.getByRole('navigation').waitFor({ state: 'visible' });
  onTestFailed(async () => {
    await screenshot(page, `failed-screens-${size.width}`).catch(() => {});
  });
  return page;
}

const call = <T>(method: string, params: unknown) => stack.core.call(method, params) as Promise<T>;

beforeAll(async () => {
  rendererDir = await buildRenderer();
  [stack, browser] = await Promise.all([startStack({ rendererDir }), launchBrowser()]);
}, 240_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await stack?.stop();
});

/**
 * 12 parts of one 155,000 sat invoice to bob, held at bob: ten of 10,000 sat over three paths that share hops, one
 * of 55,000 through cobalt→harbor, which fails at harbor (harbor→bob holds ~40,000 on harbor's side), and one of
 * 55,000 over atlas→fjord in its place.
 */
function sendTwelveParts(description: string) {
  return sendHeldParts(
    stack,
    [
      ...Array.from({ length: 10 }, (_, i) => ({
        hops: SHARED_PATHS[i % 3] as readonly string[],
        msatoshi: 10_000_000n,
      })),
      { hops: ['cobalt', 'harbor', 'bob'], msatoshi: 55_000_000n },
      { hops: ['atlas', 'fjord', 'bob'], msatoshi: 55_000_000n, afterFailure: true },
    ],
    description,
  );
}

describe('screens in Chromium (800×600 and 1280×860)', () => {
  it('Pay, History and Connect never scroll sideways; a 12-part plan’s buttons are all visible and clickable', async () => {
    for (const size of SIZES) {
      for (const scheme of ['light', 'dark'] as const) {
        if (scheme === 'dark' && size.width !== 800) continue;
        const page = await open(size, scheme);
        const tag = `${size.width}x${size.height}${scheme === 'dark' ? '-dark' : ''}`;
        await getTestInvoice(page, 120_000, `e2e screens ${RUN} ${tag}`);
        await waitForProposal(page);
        while ((await partCount(page)) < 12) await page.getByRole('button', { name: 'Add part', exact: true }).click();
        expect(await partCount(page)).toBe(12);
        expect(await horizontalOverflow(page), `Pay ${tag}`).toBeLessThanOrEqual(0);
        const pay = page.getByRole('main');
        const checked = await checkButtonsClickable(page, pay);
        expect(checked).toBeGreaterThanOrEqual(12);
        await page.evaluate(() => window.scrollTo(0, 0));
        await screenshot(page, `screens-pay-12-parts-${tag}`);
        for (const screen of ['History', 'Connect'] as const) {
          await goTo(page, screen);
          expect(await horizontalOverflow(page), `${screen} ${tag}`).toBeLessThanOrEqual(0);
          await checkButtonsClickable(page, page.getByRole('main'));
          await screenshot(page, `screens-${screen.toLowerCase()}-${tag}`);
        }
      }
    }
  }, 240_000);

  it('the picture of a 12-part payment over shared hops: legible, numbered, states change; a notice on History', async () => {
    const page = await open(SIZES[0]);
    // bob's name comes with a test invoice, as for a user.
    await getTestInvoice(page, 1_000, `e2e names ${RUN}`);
    await goTo(page, 'History');
    const { hash, release } = await sendTwelveParts(`e2e picture ${RUN}`);
    let released = false;
    try {
      const show = page.getByRole('button', { name: `Show parts of ${hash.slice(0, 10)}`, exact: true });
      await show.click();
      const name = `Paths of ${hash.slice(0, 10)}`;
      const picture = page.getByRole('img', { name, exact: true });
      await picture.waitFor({ state: 'visible' });
      // Eleven in flight (held at bob), the one through harbor failed there.
      const before = await poll(
        () => pictureLabels(page, name),
        (l) =>
          new Set(l.chips.map((c) => c.part)).size === 12 &&
          l.chips.filter((c) => c.part === 11).every((c) => c.state === 'failed') &&
          l.chips.filter((c) => c.part !== 11).every((c) => c.state === 'pending' || c.state === 'held'),
        { timeoutMs: 30_000, what: '12 parts drawn, part 11 failed' },
      );
      expect([...new Set(before.chips.map((c) => c.part))].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 12 }, (_, i) => i + 1),
      );
      // Legible: no label over another, by the layout's coordinates and as drawn; every text inside its box.
      expect(overlapping(before.layout)).toEqual([]);
      expect(overlapping(before.texts)).toEqual([]);
      expect(before.texts.filter((t) => !t.fits).map((t) => t.label)).toEqual([]);
      await expect
        .poll(async () => [...(await pictureLabels(page, name)).names].sort(), { timeout: 30_000 })
        .toEqual(['alice (you)', 'atlas', 'bob', 'bolt', 'cobalt', 'fjord', 'gale', 'harbor']);
      // Named, laid out again: still no label over another, every text inside its box.
      const named = await pictureLabels(page, name);
      expect(overlapping(named.layout)).toEqual([]);
      expect(overlapping(named.texts)).toEqual([]);
      expect(named.texts.filter((t) => !t.fits).map((t) => t.label)).toEqual([]);
      await expect.poll(() => page.locator('.failed-at[data-part="11"]').count()).toBe(1);
      const laneColour = () =>
        page
          .locator('.lane[data-part="1"]')
          .first()
          .evaluate((el) => getComputedStyle(el).stroke);
      const pendingColour = await laneColour();
      // Pointing at part 3's number highlights it in the table too. (The mouse is moved to the chip on every try, for up
      // to 20 s: on a loaded machine one hover can outlast expect.poll's default second, and while History refreshes
      // the page can move beneath a resting mouse, as it can for a user.)
      const chip3 = page.locator('.chip[data-part="3"]').first();
      await expect
        .poll(
          async () => {
            await chip3.hover();
            const row = await page.locator('table.history-parts tr.part--highlight th').first().textContent();
            if (row !== '3') {
              // What is under the chip's centre when the wrong part is highlighted (printed for a failed CI run).
              const box = await chip3.boundingBox();
              const under = await page.evaluate(
                ({ x, y }) => document.elementFromPoint(x, y)?.closest('[data-part], tr')?.outerHTML.slice(0, 160),
                { x: (box?.x ?? 0) + (box?.width ?? 0) / 2, y: (box?.y ?? 0) + (box?.height ?? 0) / 2 },
              );
              console.log(`highlight check: row ${row} highlighted; under part 3's chip: ${under}`);
            }
            return row;
          },
          { timeout: 20_000, interval: 250 },
        )
        .toBe('3');
      await screenshot(page, 'screens-picture-12-parts-in-flight');

      // Released: bob settles every part; the picture turns complete, and History shows a notice.
      release();
      released = true;
      const after = await poll(
        () => pictureLabels(page, name),
        (l) => l.chips.filter((c) => c.part !== 11).every((c) => c.state === 'complete'),
        { timeoutMs: 60_000, what: 'every part but 11 complete' },
      );
      expect(after.chips.filter((c) => c.part === 11).every((c) => c.state === 'failed')).toBe(true);
      expect(await laneColour()).not.toBe(pendingColour);
      const notices = page.getByRole('region', { name: 'Notices', exact: true });
      await expect
        .poll(async () => (await notices.count()) > 0 && ((await notices.textContent()) ?? ''))
        .toMatch(/complete/);
      await screenshot(page, 'screens-picture-12-parts-complete');
      // The notice leads back to the payment: History, found and opened.
      await page.getByRole('button', { name: `Show payment ${hash.slice(0, 10)}`, exact: true }).click();
      await expect.poll(() => show.getAttribute('aria-expanded')).toBe('true');
      expect(await page.getByRole('textbox', { name: 'Search' }).inputValue()).toBe(hash);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      const checked = await checkButtonsClickable(page, page.getByRole('table', { name: 'Payments', exact: true }));
      expect(checked).toBeGreaterThanOrEqual(1);
      await screenshot(page, 'screens-history-expanded-800');
    } finally {
      if (!released) release();
    }
  }, 180_000);

  it('exports a filtered History: CSV read by a CSV library, totals equal the ledger’s, ISO dates, no fee on a failed part', async () => {
    const page = await open(SIZES[1]);
    await goTo(page, 'History');
    const search = `e2e picture ${RUN}`;
    await page.getByRole('combobox', { name: 'Status' }).selectOption('complete');
    await page.getByRole('textbox', { name: 'Search' }).fill(search);
    await page.getByRole('button', { name: 'Export CSV', exact: true }).click();
    const status = page.getByRole('status', { name: 'Export result', exact: true });
    const text = await poll(
      async () => (await status.textContent()) ?? '',
      (t) => /Exported to /.test(t),
      { timeoutMs: 60_000, what: 'the export result' },
    );
    expect(text).toMatch(/1 payment \(as filtered\) and 12 parts written/);
    const path = (/Exported to (\S.*?\.csv):/.exec(text)?.[1] ?? '').trim();
    // (The in-process harness serves no downloads: the file is read where the core wrote it.)
    copyFileSync(path, join(ARTIFACTS, `screens-export-${RUN}.csv`));
    const rows = parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];

    // The ledger's own numbers, by the API, for the same filter.
    const { payments } = await call<ListPaymentsResult>('listpayments', {});
    const wanted = payments.filter((p: Payment) => p.status === 'complete' && p.description?.includes(search));
    expect(wanted).toHaveLength(1);
    let fees = 0n;
    let partAmounts = 0n;
    for (const p of wanted) {
      const { partialpayments } = await call<ListPartialPaymentsResult>('listpartialpayments', {
        payment_hash: p.payment_hash,
      });
      for (const part of partialpayments) {
        if (part.status === 'complete') {
          fees += part.msatoshi_sent - part.msatoshi;
          partAmounts += part.msatoshi;
        }
      }
    }
    const sum = (column: string, kind: string) =>
      rows.filter((r) => r.kind === kind).reduce((t, r) => t + BigInt(r[column] || '0'), 0n);
    expect(rows.filter((r) => r.kind === 'payment')).toHaveLength(1);
    expect(rows.filter((r) => r.kind === 'part')).toHaveLength(12);
    expect(sum('amount_msat', 'payment')).toBe(wanted.reduce((t, p) => t + p.msatoshi, 0n));
    expect(sum('amount_msat', 'part')).toBe(0n);
    expect(sum('fee_paid_msat', 'payment')).toBe(fees);
    expect(sum('part_fee_paid_msat', 'part')).toBe(fees);
    expect(fees).toBeGreaterThan(0n);
    const completeParts = rows.filter((r) => r.kind === 'part' && r.status === 'complete');
    expect(completeParts.reduce((t, r) => t + BigInt(r.part_amount_msat as string), 0n)).toBe(partAmounts);
    // sat columns say the same as msat ones.
    for (const r of rows) {
      for (const [s, m] of [
        ['amount_sat', 'amount_msat'],
        ['part_amount_sat', 'part_amount_msat'],
        ['fee_paid_sat', 'fee_paid_msat'],
        ['part_fee_paid_sat', 'part_fee_paid_msat'],
      ] as const) {
        if ((r[m] ?? '') !== '') expect(Math.round(Number(r[s]) * 1000)).toBe(Number(r[m]));
      }
    }
    const failed = rows.filter((r) => r.kind === 'part' && r.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed.every((r) => r.part_fee_paid_msat === '0')).toBe(true);
    expect(failed[0]?.failed_at_node).toBe('harbor');
    for (const r of rows) {
      for (const column of ['created_at', 'completed_at']) {
        const value = r[column] as string;
        if (value === '') continue;
        expect(value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        expect(Number.isNaN(Date.parse(value))).toBe(false);
      }
    }
    expect(rows.find((r) => r.kind === 'part')?.route).toMatch(/^(atlas|bolt|cobalt) → \w+ → bob$/);
    expect(rows[0]?.destination_alias).toBe('bob');
  }, 120_000);

  it('keyboard only: get a test invoice, pay it, read the result', async () => {
    const page = await open(SIZES[1]);
    await page.locator('body').focus();
    await tabTo(page, 'Test invoice amount (sat)');
    await page.keyboard.type('3000');
    await tabTo(page, 'Test invoice description');
    await page.keyboard.type(`e2e keyboard ${RUN}`);
    await tabTo(page, 'Get a test invoice');
    await page.keyboard.press('Enter');
    await poll(
      () => page.getByRole('textbox', { name: 'Invoice', exact: true }).inputValue(),
      (v) => /^ln/i.test(v.trim()),
      { what: 'the test invoice' },
    );
    await expect.poll(async () => (await partCount(page)) > 0, { timeout: 30_000 }).toBe(true);
    const send = page.getByRole('button', { name: 'Send', exact: true });
    await expect.poll(() => send.isEnabled(), { timeout: 30_000 }).toBe(true);
    // From the top of the page to Send by Tab alone, in the screen's order, top to bottom.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const tops: number[] = [];
    for (let i = 0; i < 80 && (await focusedName(page)) !== 'Send'; i++) {
      await page.keyboard.press('Tab');
      tops.push(await page.evaluate(() => (document.activeElement?.getBoundingClientRect().top ?? 0) + window.scrollY));
    }
    expect(await focusedName(page)).toBe('Send');
    for (let i = 1; i < tops.length; i++) expect(tops[i]).toBeGreaterThanOrEqual((tops[i - 1] as number) - 60);
    // What the live region says, every change of it.
    await page.evaluate(() => {
      const region = document.querySelector('[data-testid="announcer"]') as HTMLElement;
      const said: string[] = [];
      (window as unknown as { __said: string[] }).__said = said;
      new MutationObserver(() => said.push(region.textContent ?? '')).observe(region, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    // bob holds the parts until the status has been read.
    const release = stack.simnet.holdAt('bob');
    try {
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedName(page), { timeout: 10_000 }).toBe('Payment status');
      expect(await page.evaluate(() => document.activeElement?.textContent ?? '')).toMatch(/Paying/);
    } finally {
      release();
    }
    await paymentResult(page).waitFor({ state: 'visible', timeout: 60_000 });
    await expect.poll(() => focusedName(page), { timeout: 10_000 }).toBe('Payment result');
    const result = await page.evaluate(() => document.activeElement?.textContent ?? '');
    expect(result).toMatch(/Payment complete/);
    const announced = await page.getByTestId('announcer').textContent();
    expect(announced).toMatch(/complete/);
    // One announcement per payment change (sent, complete), however many parts: none of the parts is a live region.
    const said = await page.evaluate(() => (window as unknown as { __said: string[] }).__said);
    const parts = await partCount(page);
    expect(said.length, said.join(' | ')).toBeLessThanOrEqual(3);
    expect(said.every((t) => /^Payment of /.test(t))).toBe(true);
    expect(await page.locator('table.parts [role="status"]:not([aria-live="off"])').count()).toBe(0);
    expect(parts).toBeGreaterThan(0);
    await screenshot(page, 'screens-keyboard-paid');
  }, 120_000);
});

describe('a long export in the browser', () => {
  let seeded: Stack | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'braid-e2e-export-'));
  afterAll(async () => {
    await seeded?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows its progress and can be cancelled', async () => {
    seedHistory(dir, 60_000);
    seeded = await startStack({ rendererDir, dataDir: dir });
    const context = await browser.newContext({ viewport: SIZES[0] });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(seeded.url);
    await goTo(page, 'History');
    // The history read first: while 60,000 payments arrive and are parsed, the page's progress polls cannot run, and
    // an export started then may end before the page looks at it.
    await page.locator('p.count').getByText('60,000 payments', { exact: true }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Export JSON', exact: true }).click();
    const bar = page.getByRole('progressbar', { name: 'Export progress', exact: true });
    await expect
      .poll(async () => Number((await bar.count()) > 0 ? await bar.getAttribute('value') : 0), { timeout: 60_000 })
      .toBeGreaterThan(0);
    const status = page.getByRole('status', { name: 'Export result', exact: true });
    const during = (await status.textContent()) ?? '';
    await page.getByRole('button', { name: 'Cancel export', exact: true }).click({ timeout: 5_000 });
    expect(during).toMatch(/of 60,000 payments looked at/);
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/Export cancelled: no file was written/);
    expect(readdirSync(join(dir, 'exports')).filter((f) => f.endsWith('.json'))).toEqual([]);
    expect(await page.getByRole('button', { name: 'Export CSV', exact: true }).isEnabled()).toBe(true);
    // The viewport only: 60,000 rows make a page too tall for one picture.
    await page.screenshot({ path: join(ARTIFACTS, 'screens-export-cancelled-800.png') });
  }, 180_000);
});
