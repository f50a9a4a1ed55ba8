// splitpay and pay through JSON-RPC, over the simulated network (small topology, seed 21). Paying bob more than
// ~630k sat needs a split: alice→atlas→fjord→bob is the widest path.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SplitPayResult } from '../../shared/api/results';
import type { Payment } from '../../shared/types';
import { type Harness, startHarness } from '../test/harness';
import { invoice, partsOf, paymentOf, rpcError, SAT, snapshot } from './rpc-test-helpers';

describe('splitpay and pay', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ mppTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('splitpay proposes parts that add up to the amount, each with a route, a fee and a probability; sends nothing', async () => {
    const inv = await invoice(h.rpc, 900_000n * SAT, 'split');
    const before = await snapshot(h.rpc);
    const plan = await h.rpc.call<SplitPayResult>('splitpay', [inv.bolt11]);
    expect(plan.parts.length).toBeGreaterThanOrEqual(2);
    expect(plan.parts.reduce((s, p) => s + p.msatoshi, 0n)).toBe(inv.msatoshi);
    for (const part of plan.parts) {
      expect(part.route.length).toBeGreaterThan(0);
      expect(part.route.at(-1)?.id).toBe(inv.destination);
      expect(part.route.at(-1)?.msatoshi).toBe(part.msatoshi);
      expect(part.fee_msatoshi).toBe((part.route[0]?.msatoshi ?? 0n) - part.msatoshi);
      expect(part.fee_msatoshi).toBeGreaterThanOrEqual(0n);
      expect(part.probability).toBeGreaterThan(0);
      expect(part.probability).toBeLessThanOrEqual(1);
    }
    expect(plan.fee_msatoshi).toBe(plan.parts.reduce((s, p) => s + p.fee_msatoshi, 0n));
    expect(plan.probability).toBeGreaterThan(0);
    expect(plan.probability).toBeLessThanOrEqual(1);
    expect(await snapshot(h.rpc)).toEqual(before);
  });

  it('pay completes a 900k-sat invoice in parts, re-planning what fails', async () => {
    const inv = await invoice(h.rpc, 900_000n * SAT, 'pay');
    const payment = await h.rpc.call<Payment>('pay', { bolt11: inv.bolt11, retry_for: 20 });
    expect(payment).toMatchObject({
      payment_hash: inv.payment_hash,
      status: 'complete',
      msatoshi: inv.msatoshi,
      destination: inv.destination,
      bolt11: inv.bolt11,
    });
    expect(payment.payment_preimage).toMatch(/^[0-9a-f]{64}$/);
    // Every part resolved (the payment completes with the first completed part, the rest just after).
    for (const part of await partsOf(h.rpc, inv.payment_hash)) await h.rpc.call('waitpartialpay', [part.id, 20]);
    const parts = await partsOf(h.rpc, inv.payment_hash);
    const complete = parts.filter((p) => p.status === 'complete');
    expect(complete.length).toBeGreaterThanOrEqual(2);
    expect(parts.some((p) => p.status === 'pending')).toBe(false);
    expect(complete.reduce((s, p) => s + p.msatoshi, 0n)).toBe(inv.msatoshi);
    const settled = (await paymentOf(h.rpc, inv.payment_hash)) as Payment;
    expect(settled.msatoshi_sent).toBe(complete.reduce((s, p) => s + p.msatoshi_sent, 0n));
    // Within the default fee limit: 0.5% of the amount.
    expect(settled.msatoshi_sent - inv.msatoshi).toBeLessThanOrEqual(inv.msatoshi / 200n);
    // Paying again returns the payment at once.
    expect(await h.rpc.call<Payment>('pay', [inv.bolt11])).toMatchObject({ status: 'complete' });
    expect(await partsOf(h.rpc, inv.payment_hash)).toEqual(parts);
  });

  it('pay of an amount the wallet cannot send gives up with 210 after retry_for, nothing left pending', async () => {
    const inv = await invoice(h.rpc, 5_000_000n * SAT, 'too much');
    const started = Date.now();
    const error = await rpcError(h.rpc.call('pay', { bolt11: inv.bolt11, retry_for: 3 }));
    const elapsed = Date.now() - started;
    expect(error.code).toBe(210);
    expect(error.message).toMatch(
      /^pay: gave up after 3 s: msatoshi: 5000000000 msat is more than our active channels/,
    );
    expect(elapsed).toBeGreaterThanOrEqual(3000);
    expect(elapsed).toBeLessThan(10_000);
    expect((await partsOf(h.rpc, inv.payment_hash)).filter((p) => p.status === 'pending')).toEqual([]);
    expect((await paymentOf(h.rpc, inv.payment_hash))?.status ?? 'failed').toBe('failed');
  });

  it('pay with a fee limit no route meets gives up with 210, saying so', async () => {
    const inv = await invoice(h.rpc, 100_000n * SAT, 'cheap');
    const error = await rpcError(
      h.rpc.call('pay', { bolt11: inv.bolt11, maxfeepercent: 0.0001, exemptfee: 0, retry_for: 2 }),
    );
    expect(error.code).toBe(210);
    // The budget: 0.0001% of 100k sat is 100 msat, and every route to bob costs more.
    expect(error.message).toMatch(/^pay: gave up after 2 s: .*fees of at most 100 msat/);
    expect((await partsOf(h.rpc, inv.payment_hash)).filter((p) => p.status === 'pending')).toEqual([]);
  });
});
