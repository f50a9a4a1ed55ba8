import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartialPayment } from '../shared/types';
import {
  type App,
  closeSuite,
  goTo,
  screenshotOnFailure as onFailure,
  openSuite,
  poll,
  type Suite,
  screenshot,
} from './browser';
import { buildRenderer, type Stack, startStack } from './stack';
import {
  chooseChannel,
  getTestInvoice,
  invoiceDetails,
  leftToAssign,
  partAmount,
  partCount,
  partFailure,
  partRow,
  partStatuses,
  paymentResult,
  paymentStatus,
  paymentsList,
  waitForComplete,
  waitForPartStatus,
  waitForProposal,
} from './ui';

// The Pay screen over the core's one payer (issue 10), in headless Chromium against the browser harness in this
// process (e2e/stack.ts: simnet's small network with the wallet on alice, the core, the built renderer, the
// WebSocket API), so that the simulated network is at hand: bob can cancel an invoice and hold HTLCs. The flows run
// in order on one fresh network. Bob can take ~1.17M sat in all (fjord→bob ~630k, gale→bob ~400k, carol→bob ~100k,
// harbor→bob ~40k): 900k first, then small payments.

const ROUTERS = ['atlas', 'bolt', 'cobalt', 'echo', 'fjord', 'gale', 'harbor', 'iris', 'juno', 'kite', 'lumen'];

let rendererDir: string | undefined;
let suite: Suite<Stack> | undefined;
let stack: Stack | undefined;
let app: App;
let page: Page;
/** Every part the core created, in order, as its events said. */
const created: PartialPayment[] = [];
/** Each part's latest state, as the core's events said. */
const latest = new Map<number, PartialPayment>();

function screenshotOnFailure(name: string): void {
  onFailure(() => page, `core-${name}`);
}

beforeAll(async () => {
  rendererDir = await buildRenderer();
  suite = await openSuite(startStack({ rendererDir }));
  ({ harness: stack, app, page } = suite);
  stack.core.events.on('partialpayment', (part) => {
    if (!created.some((p) => p.id === part.id)) created.push(part);
    latest.set(part.id, part);
  });
}, 240_000);

afterAll(async () => {
  await closeSuite(suite);
  if (rendererDir) rmSync(rendererDir, { recursive: true, force: true });
}, 60_000);

const send = () => page.getByRole('button', { name: 'Send', exact: true });

/** Parts 1..n's paths as the table shows them ("atlas → fjord → bob"). */
async function paths(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 1; i <= n; i++) out.push(((await partRow(page, i).locator('.path').first().textContent()) ?? '').trim());
  return out;
}

/** The main element's text. */
const mainText = async () => (await page.getByRole('main').textContent()) ?? '';

describe('Pay over the core’s payer (fresh simulated network)', () => {
  it('pays a 900,000 sat test invoice with one click on Send after the proposal; routers show by alias', async () => {
    screenshotOnFailure('900k');
    await getTestInvoice(page, 900_000, 'e2e 900k');
    const details = invoiceDetails(page);
    await expect.poll(async () => (await details.textContent()) ?? '').toMatch(/bob/);
    const parts = await waitForProposal(page);
    expect(parts).toBeGreaterThanOrEqual(2);
    // The core's probability for the plan as a whole, and per part.
    await expect.poll(mainText, { timeout: 15_000 }).toMatch(/Probability: (\d+\.\d%|>99\.9%|100%)/);
    const beforeSend = created.length;
    await expect.poll(() => send().isEnabled(), { timeout: 30_000 }).toBe(true);
    const planned = await paths(parts);
    await screenshot(page, 'core-900k-planned');
    await send().click();
    // No other click: the core sends the plan and re-plans what fails.
    await waitForComplete(page, 120_000);
    const statuses = await partStatuses(page);
    console.info(`900k: ${parts} parts proposed; parts ${statuses.join(', ')}`);
    expect(statuses).toContain('complete');
    expect(created.length - beforeSend).toBe(statuses.length);
    // The proposal's parts went first, in order.
    expect(await paths(parts)).toEqual(planned);
    const text = await mainText();
    // Every router on the screen is named by alias, none by a bare id.
    const shown = ROUTERS.filter((r) => text.includes(r));
    expect(shown.length).toBeGreaterThanOrEqual(2);
    expect(text).not.toMatch(/0[23][0-9a-f]{8}…/);
    // A name's id is one hover away.
    const name = page.locator('.path .node-name').first();
    expect(await name.getAttribute('title')).toMatch(/^0[23][0-9a-f]{64} /);
    // A part that failed says why in words, with the code in its details.
    for (let n = 1; n <= statuses.length; n++) {
      if (statuses[n - 1] !== 'failed') continue;
      const failure = (await partFailure(page, n).textContent()) ?? '';
      expect(failure).toMatch(/could not|refused|gave this part back|switched off|trouble/);
      expect(failure).toMatch(/Details/);
    }
    await screenshot(page, 'core-900k-after');
  }, 180_000);

  it('manual mode: three parts by hand, one through harbor (starved) fails, the payment waits, re-plan completes it', async () => {
    screenshotOnFailure('manual');
    await getTestInvoice(page, 120_000, 'e2e manual');
    await waitForProposal(page);
    await page.getByRole('checkbox', { name: 'Manual mode', exact: true }).check();
    for (let n = await partCount(page); n > 0; n--) {
      await page.getByRole('button', { name: `Remove part ${n}`, exact: true }).click();
    }
    for (let n = 1; n <= 3; n++) await page.getByRole('button', { name: 'Add part', exact: true }).click();
    expect(await partCount(page)).toBe(3);
    // The channel picker names the peer, the short channel id, local and remote balance.
    const options = await page
      .getByRole('combobox', { name: 'Part 1 channel', exact: true })
      .locator('option')
      .allTextContents();
    expect(options.find((o) => o.startsWith('atlas'))).toMatch(
      /^atlas · \d+x\d+x\d+ · [\d,.]+ sat local · [\d,.]+ sat remote$/,
    );
    await chooseChannel(page, 1, 'atlas');
    await partAmount(page, 1).fill('40000');
    await chooseChannel(page, 2, 'bolt');
    await partAmount(page, 2).fill('30000');
    await chooseChannel(page, 3, 'cobalt');
    await partAmount(page, 3).fill('50000');
    await partAmount(page, 3).press('Tab');
    await expect.poll(() => leftToAssign(page), { timeout: 10_000 }).toBe(0);
    // Part 3 by hand, through harbor, given by its alias (harbor is no peer of ours: the core's graph names it).
    await page.getByRole('button', { name: 'Part 3 choose route', exact: true }).click();
    await page.getByRole('textbox', { name: 'Part 3 hops', exact: true }).fill('harbor');
    await page.getByRole('button', { name: 'Part 3 build route', exact: true }).click();
    await expect
      .poll(async () => (await partRow(page, 3).textContent()) ?? '', { timeout: 15_000 })
      .toMatch(/cobalt → harbor → bob/);
    await page.getByRole('button', { name: 'Close routes for part 3', exact: true }).click();
    await expect.poll(() => send().isEnabled(), { timeout: 30_000 }).toBe(true);
    await screenshot(page, 'core-manual-planned');
    const before = created.length;
    await send().click();
    await waitForPartStatus(page, 3, 'failed', 60_000);
    const failure = (await partFailure(page, 3).textContent()) ?? '';
    expect(failure).toMatch(/harbor could not pass 50,000 sat on to bob/);
    expect(failure).toContain('TEMPORARY_CHANNEL_FAILURE');
    // The payment waits for the user: nothing re-planned by itself.
    const replan = page.getByRole('button', { name: 'Re-plan the missing amount', exact: true });
    await replan.waitFor({ state: 'visible', timeout: 30_000 });
    const waiting = await paymentStatus(page);
    expect(waiting).toMatch(/the payment waits for you/);
    expect(waiting).toMatch(/\b[\d,]+ sat missing/);
    expect(created.length - before).toBe(3);
    await page.waitForTimeout(1_000);
    expect(created.length - before).toBe(3);
    await screenshot(page, 'core-manual-waiting');
    await replan.click();
    await waitForComplete(page, 60_000);
    expect(created.length - before).toBeGreaterThanOrEqual(4);
    expect(await paymentResult(page).textContent()).toMatch(/Payment complete/);
    await screenshot(page, 'core-manual-after');
  }, 180_000);

  it('a payment the receiver refuses for good ends with a plain message and no re-route offer', async () => {
    screenshotOnFailure('refused');
    const bolt11 = await getTestInvoice(page, 10_000, 'e2e refused');
    await waitForProposal(page);
    await page.getByRole('checkbox', { name: 'Manual mode', exact: true }).uncheck();
    // bob cancels the invoice (as LND's CancelInvoice): every part is refused with INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS.
    if (!stack) throw new Error('no stack');
    const { payment_hash } = (await stack.core.call('decodepay', { bolt11 })) as { payment_hash: string };
    const invoice = stack.simnet.sim.lndByAlias('bob').invoices.lookup(Buffer.from(payment_hash, 'hex'));
    if (!invoice) throw new Error('bob has no such invoice');
    invoice.state = 'CANCELED';
    await expect.poll(() => send().isEnabled(), { timeout: 30_000 }).toBe(true);
    await send().click();
    const status = await poll(
      () => paymentStatus(page),
      (t) => /refused this payment for good/.test(t) && /code 203/.test(t),
      { timeoutMs: 60_000, what: 'the refusal (203) in the payment status' },
    );
    expect(status).toMatch(/Ask the receiver for a new invoice/);
    expect(status).toMatch(/code 203/);
    expect(await page.getByRole('button', { name: 'Re-plan the missing amount', exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Plan the missing amount by hand', exact: true }).count()).toBe(0);
    await screenshot(page, 'core-refused');
  }, 120_000);

  it('Stop in the middle: no new part leaves after it, and the parts still in flight are listed', async () => {
    screenshotOnFailure('stop');
    await getTestInvoice(page, 30_000, 'e2e stop');
    await waitForProposal(page);
    expect(await page.getByRole('checkbox', { name: 'Manual mode', exact: true }).isChecked()).toBe(false);
    const release = stack?.simnet.holdAt('bob');
    try {
      await expect.poll(() => send().isEnabled(), { timeout: 30_000 }).toBe(true);
      const before = created.length;
      await send().click();
      const stop = page.getByRole('button', { name: 'Stop', exact: true });
      await stop.waitFor({ state: 'visible' });
      await expect.poll(async () => (await partStatuses(page)).includes('pending'), { timeout: 30_000 }).toBe(true);
      await stop.click();
      const status = await poll(
        () => paymentStatus(page),
        (t) => /Stopped: no new parts will leave/.test(t),
        { timeoutMs: 30_000, what: 'the stopped notice' },
      );
      const atStop = created.length;
      expect(atStop).toBeGreaterThan(before);
      expect(status).toMatch(/still in flight/);
      const list = page.getByRole('list', { name: 'Parts still in flight', exact: true });
      await expect.poll(() => list.getByRole('listitem').count()).toBeGreaterThan(0);
      expect((await list.textContent()) ?? '').toMatch(
        /sat on your channel to \w+ \(\d+x\d+x\d+\), via .*resolves in up to/,
      );
      await screenshot(page, 'core-stopped');
      const stoppedHash = created[created.length - 1]?.payment_hash;
      const held = created.filter((p) => p.payment_hash === stoppedHash).map((p) => p.id);
      // The next payment's screen shows the liquidity they hold: amount, channel, time to resolve.
      await getTestInvoice(page, 5_000, 'e2e after stop');
      const earlier = page.getByRole('list', { name: 'Earlier parts in flight', exact: true });
      await expect.poll(() => earlier.getByRole('listitem').count(), { timeout: 15_000 }).toBeGreaterThan(0);
      expect((await earlier.textContent()) ?? '').toMatch(
        /sat on your channel to \w+ \(\d+x\d+x\d+\), via .*resolves in up to \d+ (min|s)/,
      );
      const options = await page
        .getByRole('combobox', { name: 'Part 1 channel', exact: true })
        .locator('option')
        .allTextContents();
      expect(options.some((o) => /more held by parts in flight/.test(o))).toBe(true);
      await screenshot(page, 'core-held-elsewhere');
      release?.();
      await expect.poll(() => held.every((id) => latest.get(id)?.status !== 'pending'), { timeout: 60_000 }).toBe(true);
      await page.waitForTimeout(1_000);
      // Nothing of the stopped payment left after Stop.
      expect(created.filter((p) => p.payment_hash === stoppedHash).length).toBe(held.length);
      expect(created.length).toBe(atStop);
      await expect.poll(() => earlier.count(), { timeout: 15_000 }).toBe(0);
    } finally {
      release?.();
    }
  }, 120_000);

  it('after a reload, History names the receiver by alias (from the core’s graph)', async () => {
    screenshotOnFailure('history');
    await page.reload();
    await page.getByRole('navigation').waitFor({ state: 'visible' });
    await goTo(page, 'History');
    const grid = paymentsList(page);
    await grid.waitFor({ state: 'visible' });
    await expect.poll(async () => (await grid.textContent()) ?? '', { timeout: 15_000 }).toMatch(/bob/);
    expect((await grid.textContent()) ?? '').not.toMatch(/0[23][0-9a-f]{8}…/);
    expect(app.errors).toEqual([]);
  }, 60_000);
});
