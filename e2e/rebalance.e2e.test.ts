import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { type App, navEntry, poll, screenshot } from './browser';
import { closeRebalanceApp, openRebalanceApp, ownBalances, type RebalanceApp } from './rebalance-app';
import type { Stack } from './stack';
import { getTestInvoice, waitForProposal } from './ui';

// The Rebalance screen in headless Chromium against the in-process browser harness (simnet's small network with
// alice's two nearly empty channels of simnet/topology/rebalance.ts): pick for me, send, watch the parts, see each
// channel's balance before and after.

let opened: RebalanceApp | undefined;
let stack: Stack | undefined;
let app: App;
let page: Page;

beforeAll(async () => {
  opened = await openRebalanceApp();
  ({ stack, app, page } = opened);
}, 240_000);

afterAll(() => closeRebalanceApp(opened), 60_000);

describe('Rebalance screen', () => {
  it('picks channels, sends, shows the parts travel and each channel before and after', async () => {
    onTestFailed(async () => {
      if (page) await screenshot(page, 'failed-rebalance').catch(() => {});
    });
    const s = stack as Stack;
    const before = ownBalances(s);
    await navEntry(page, 'Rebalance').click();
    await page.getByRole('heading', { name: 'Rebalance', exact: true }).waitFor();
    // Our six channels with their bars (four of the small topology, the two nearly empty ones).
    const bars = page.getByRole('table', { name: 'Our channels' }).getByRole('img');
    await poll(
      () => bars.count(),
      (n) => n === 6,
      { what: 'six channel bars' },
    );
    await page.getByLabel('Amount (sat)').fill('300000');
    await page.getByLabel('Fee limit (ppm)').fill('3000');
    await page.getByRole('button', { name: 'Pick for me' }).click();
    await page.getByTestId('proposal-summary').waitFor();
    expect(await page.getByTestId('proposal-summary').textContent()).toMatch(/^\d+ parts?, fee /);
    const parts = page.getByRole('table', { name: 'Parts' }).locator('tbody tr');
    expect(await parts.count()).toBeGreaterThan(0);
    // The picks are shown as roles: at least one source and one target.
    const roles = await page
      .locator('table.channel-bars tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-role')));
    expect(roles).toContain('source');
    expect(roles).toContain('target');
    await expect(page.locator('svg[aria-label="Payment paths"] path').count()).resolves.toBeGreaterThan(0);

    // Every node but ours holds the HTLCs that reach it until released: the parts are seen travelling.
    const net = s.simnet.sim.net;
    const releases = net.nodes.filter((n) => n.alias !== 'alice').map((n) => net.holdAt(n.index));
    await page.getByRole('button', { name: 'Send' }).click();
    await poll(
      () => parts.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status'))),
      (statuses) => statuses.length > 0 && statuses.every((x) => x === 'pending'),
      { what: 'the parts pending on the screen' },
    );
    expect(await page.getByRole('button', { name: 'Sending…' }).isDisabled()).toBe(true);
    await screenshot(page, 'rebalance-pending');
    for (const release of releases) release();
    // Watch the parts: each row's status as the events bring it, until the result shows.
    const seen = new Set<string>(['pending']);
    await poll(
      async () => {
        for (const status of await parts.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status') ?? ''))) {
          seen.add(status);
        }
        return page.getByRole('heading', { name: /^Rebalanced/ }).count();
      },
      (n) => n === 1,
      { timeoutMs: 60_000, intervalMs: 20, what: 'the rebalance to complete' },
    );
    expect(seen.has('complete')).toBe(true);
    expect(await page.getByTestId('rebalance-fee').textContent()).toMatch(
      /^Fee paid: [\d.,]+ sat \(\d+ ppm\) in \d+ parts?$/,
    );
    // Before and after, per channel, as the network now holds them.
    const rows = await page
      .locator('table.before-after tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent ?? '')));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const after = ownBalances(s);
    const moved = [...after].filter(([id, msat]) => before.get(id) !== msat);
    expect(moved.length).toBeGreaterThanOrEqual(2);
    expect(rows.some((r) => r[1] === 'target')).toBe(true);
    expect(rows.some((r) => r[1] === 'source')).toBe(true);
    for (const r of rows) expect(r[3], r.join(' | ')).not.toBe('—');
    const target = rows.find((r) => r[1] === 'target');
    expect(target?.[4]).toMatch(/^[\d,]+(\.\d+)? sat$/);
    // Listed among the past rebalances, with its fee and what moved.
    const past = page.getByRole('table', { name: 'Past rebalances' }).locator('tbody tr');
    await poll(
      () => past.count(),
      (n) => n === 1,
      { what: 'one past rebalance' },
    );
    expect(await past.first().getAttribute('data-status')).toBe('complete');
    expect(await past.first().textContent()).toMatch(/ppm\).*\+[\d,.]+ sat/);
    await screenshot(page, 'rebalance-done');
    expect(app.errors).toEqual([]);
  }, 120_000);

  it('Check routes on Pay marks each planned part as would get through or would fail, and pays nothing', async () => {
    onTestFailed(async () => {
      if (page) await screenshot(page, 'failed-check-routes').catch(() => {});
    });
    const s = stack as Stack;
    await getTestInvoice(page, 900_000, 'check routes');
    const parts = await waitForProposal(page);
    const before = ownBalances(s);
    await page.getByRole('button', { name: 'Check routes', exact: true }).click();
    const results = page.getByRole('region', { name: 'Check routes' }).getByRole('listitem');
    await poll(
      () => results.count(),
      (n) => n === parts,
      { what: 'one probe result per planned part' },
    );
    for (const text of await results.allTextContents()) {
      expect(text).toMatch(/^Part \d+: (would get through|would fail: .+)$/);
    }
    expect(ownBalances(s)).toEqual(before);
    expect(app.errors).toEqual([]);
  }, 90_000);
});
