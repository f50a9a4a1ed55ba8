import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFee } from '../renderer/format';
import type { ListRebalancesResult, Rebalance, RebalanceResult } from '../shared/api/rebalance';
import { formatScid } from '../shared/scid';
import type { Payment } from '../shared/types';
import { type App, goTo, poll, screenshot, screenshotOnFailure } from './browser';
import { closeRebalanceApp, openRebalanceApp, ownBalances, type RebalanceApp } from './rebalance-app';
import { horizontalOverflow } from './screens';
import type { Stack } from './stack';

// History in headless Chromium shows a rebalance as a payment marked "Rebalance" (no receiver), and opened: its
// sources and targets by peer alias, the fee paid in sat and ppm, and what each channel moved, as the core's ledger
// and the network say. The rebalance is sent by the core while History is open (the row comes by events), then the
// page is loaded again (the row comes from listrebalances). Simnet's small network with alice's two nearly empty
// channels (simnet/topology/rebalance.ts).

let opened: RebalanceApp | undefined;
let stack: Stack;
let app: App;
let page: Page;

beforeAll(async () => {
  opened = await openRebalanceApp();
  ({ stack, app, page } = opened);
}, 240_000);

afterAll(() => closeRebalanceApp(opened), 60_000);

const call = <T>(method: string, params: unknown) => stack.core.call(method, params) as Promise<T>;

/** Alice's side of each of her channels, msat, by short channel id, as the network holds it. */
const ownBalancesByScid = (): Map<string, bigint> =>
  new Map([...ownBalances(stack)].map(([id, msat]) => [formatScid(id), msat]));

/** The alias of the peer at the other end of one of alice's channels, as the network names it. */
function peerAlias(channel: string): string {
  const net = stack.simnet.sim.net;
  const alice = net.nodeByAlias('alice')?.index;
  const c = net.channels.find((x) => formatScid(x.id) === channel);
  if (!c) throw new Error(`no channel ${channel}`);
  return net.nodes[c.node1 === alice ? c.node2 : c.node1]?.alias ?? '';
}

const names = (channels: readonly string[]) => channels.map(peerAlias).join(', ');

/** The rebalance's row in History, by the short hash its parts button names. */
const rowOf = (hash: string) =>
  page
    .getByRole('table', { name: 'Payments' })
    .getByRole('row')
    .filter({ has: page.getByRole('button', { name: `Show parts of ${hash.slice(0, 10)}` }) });

async function checkShown(r: Rebalance): Promise<void> {
  const prefix = r.payment_hash.slice(0, 10);
  const row = rowOf(r.payment_hash);
  await poll(
    () => row.getAttribute('data-kind'),
    (kind) => kind === 'rebalance',
    { what: 'the rebalance marked in History' },
  );
  // Marked where other payments name their receiver, and read out with its sources and targets.
  const to = row.getByRole('cell', { name: `Rebalance from ${names(r.sources)} to ${names(r.targets)}`, exact: true });
  expect(await to.count()).toBe(1);
  expect(await to.locator('.kind').textContent()).toBe('Rebalance');
  const toggle = row.getByRole('button', { name: `Show parts of ${prefix}` });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  const details = page.getByRole('region', { name: `Rebalance ${prefix}` });
  await details.waitFor();
  expect(await details.getByTestId('rebalance-sources').textContent()).toBe(names(r.sources));
  expect(await details.getByTestId('rebalance-targets').textContent()).toBe(names(r.targets));
  // The fee in sat (to the msat) and ppm, as the ledger has it once the last part's event has been heard (the row
  // may show first as the rebalance was when it started).
  await poll(
    () => details.getByTestId('rebalance-fee').textContent(),
    (text) => text === `${formatFee(r.fee_msatoshi)} (${r.fee_ppm} ppm)`,
    { what: `the fee ${formatFee(r.fee_msatoshi)} (${r.fee_ppm} ppm)` },
  );
  // What each channel moved: one row per channel, its peer by alias and its amount signed.
  const moved = details.getByRole('table', { name: `Moved per channel of ${prefix}` });
  const rows = await moved.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({
      channel: tr.getAttribute('data-channel') ?? '',
      peer: tr.querySelector('th')?.textContent ?? '',
      msat: tr.querySelector('[data-msat]')?.getAttribute('data-msat') ?? '',
      text: tr.querySelector('[data-msat]')?.textContent ?? '',
    })),
  );
  expect(rows.map((x) => x.channel).sort()).toEqual(r.channels.map((c) => c.channel).sort());
  for (const c of r.channels) {
    const shown = rows.find((x) => x.channel === c.channel);
    expect(shown?.peer, c.channel).toBe(peerAlias(c.channel));
    expect(shown?.msat, c.channel).toBe(`${c.moved_msatoshi}`);
    if (c.moved_msatoshi > 0n) expect(shown?.text, c.channel).toMatch(/^\+[\d,.]+ sat$/);
    if (c.moved_msatoshi < 0n) expect(shown?.text, c.channel).toMatch(/^-[\d,.]+ sat$/);
  }
}

describe('History shows a rebalance', () => {
  it('marked, with its sources and targets, the fee paid in sat and ppm and what each channel moved', async () => {
    screenshotOnFailure(() => page, 'rebalance-history');
    // A payment to someone else: it keeps its receiver.
    const { bolt11 } = await call<{ bolt11: string }>('testinvoice', { msatoshi: 20_000_000n, description: 'tea' });
    const tea = await call<Payment>('pay', { bolt11 });
    await goTo(page, 'History');

    const before = ownBalancesByScid();
    const result = await call<RebalanceResult>('rebalance', { msatoshi: 300_000_000n, maxfeeppm: 3000 });
    expect(result.status).toBe('complete');
    const after = ownBalancesByScid();
    const [r] = (await call<ListRebalancesResult>('listrebalances', { payment_hash: result.payment_hash })).rebalances;
    if (!r) throw new Error('the rebalance is not in the ledger');
    // What the ledger says each channel moved is what the network moved (the part that arrived at the target, the
    // part and its fees out of the sources).
    for (const c of r.channels) {
      expect((after.get(c.channel) ?? 0n) - (before.get(c.channel) ?? 0n), c.channel).toBe(c.moved_msatoshi);
    }
    expect(r.channels.some((c) => c.moved_msatoshi > 0n)).toBe(true);
    expect(r.fee_msatoshi).toBeGreaterThan(0n);

    // Live: the row came by events while History was open.
    await checkShown(r);
    const teaRow = rowOf(tea.payment_hash);
    expect(await teaRow.getAttribute('data-kind')).toBe('payment');
    expect(await teaRow.getByRole('cell', { name: 'bob', exact: true }).count()).toBe(1);
    await screenshot(page, 'history-rebalance');

    // After a reload: from listrebalances.
    await page.reload();
    await page.getByRole('navigation').waitFor();
    await goTo(page, 'History');
    await checkShown(r);
    // At the smallest window the details fit: nothing scrolls sideways.
    await page.setViewportSize({ width: 800, height: 600 });
    await poll(
      () => horizontalOverflow(page),
      (px) => px <= 0,
      { what: 'History at 800×600 without sideways scrolling' },
    );
    await screenshot(page, 'history-rebalance-800');
    expect(app.errors).toEqual([]);
  }, 120_000);
});
