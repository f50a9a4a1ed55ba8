// splitpay and pay through JSON-RPC, over the simulated network (small topology, seed 21). Paying bob more than
// ~630k sat needs a split: alice→atlas→fjord→bob is the widest path.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SplitPayResult } from '../../shared/api/results';
import type { PartialPayment, Payment, Route } from '../../shared/types';
import { type Harness, startHarness } from '../test/harness';
import { invoice, partsOf, paymentOf, routeVia, rpcError, SAT, snapshot } from './rpc-test-helpers';

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

  it('pay with a fee limit no route meets gives up with 210 at once, saying so', async () => {
    const inv = await invoice(h.rpc, 100_000n * SAT, 'cheap');
    const started = Date.now();
    const error = await rpcError(
      h.rpc.call('pay', { bolt11: inv.bolt11, maxfeepercent: 0.0001, exemptfee: 0, retry_for: 20 }),
    );
    expect(error.code).toBe(210);
    // The budget: 0.0001% of 100k sat is 100 msat, and every route to bob costs more. Nothing was sent and nothing
    // will change: no reason to wait out retry_for.
    expect(error.message).toMatch(/^pay: no plan: .*fees of at most 100 msat/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await partsOf(h.rpc, inv.payment_hash)).filter((p) => p.status === 'pending')).toEqual([]);
  });
});

/** Measured: 5 rounds of planning on this topology (the last one splits); the bound leaves room for a change. */
const MAX_ROUNDS = 8;

// Its own network: bob could not take another 900k sat after the payments above.
describe('splitpay of what is still missing (missing_msatoshi)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ mppTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('plans exactly what is missing around the parts bob holds; re-planned after each failure, it completes', async () => {
    const inv = await invoice(h.rpc, 900_000n * SAT, 'remainder');
    const send = (route: Route) =>
      h.rpc.call<PartialPayment>('sendpartialpay', {
        route,
        payment_hash: inv.payment_hash,
        intended_msatoshi: inv.msatoshi,
        bolt11: inv.bolt11,
      });
    // 300k sat held by bob on fjord→bob (~630k): the rest cannot all go that way too.
    const held = await send(await routeVia(h, ['atlas', 'fjord', 'bob'], 300_000n * SAT));
    expect(held.status).toBe('pending');
    let missing = inv.msatoshi - held.msatoshi;
    const rounds: string[] = [];
    // Knowing nothing yet, the planner tries single parts bob's channels no longer carry (harbor→bob holds ~40k on
    // harbor's side; fjord→bob and gale→bob are mostly taken by the parts in flight): what failed is planned again.
    for (let round = 1; missing > 0n; round++) {
      expect(round, `still ${missing} msat missing after ${rounds.join('; ')}`).toBeLessThanOrEqual(MAX_ROUNDS);
      const before = await snapshot(h.rpc);
      const pending = before.partialpayments.filter((p) => p.status === 'pending').length;
      // By position: bolt11, msatoshi, parts, maxfeepercent, exemptfee, missing_msatoshi.
      const plan = await h.rpc.call<SplitPayResult>('splitpay', [
        inv.bolt11,
        null,
        8 - pending,
        null,
        null,
        missing.toString(),
      ]);
      expect(await snapshot(h.rpc)).toEqual(before);
      expect(plan.parts.reduce((s, p) => s + p.msatoshi, 0n)).toBe(missing);
      expect(plan.parts.length).toBeLessThanOrEqual(8 - pending);
      // The default fee limit, over the missing amount: 0.5% of it.
      expect(plan.fee_msatoshi).toBeLessThanOrEqual(missing / 200n);
      const sent = await Promise.all(plan.parts.map((part) => send(part.route)));
      // Each part fails, or is held by bob until the set is whole (error 200 on the wait).
      const outcomes = await Promise.all(
        sent.map((part) =>
          h.rpc.call<PartialPayment>('waitpartialpay', [part.id, 2]).catch((error: { code: number }) => {
            expect(error.code).toBe(200);
            return part;
          }),
        ),
      );
      rounds.push(`${missing} msat in ${plan.parts.length} parts, ${outcomes.map((p) => p.status).join(', ')}`);
      missing -= outcomes.filter((p) => p.status !== 'failed').reduce((s, p) => s + p.msatoshi, 0n);
    }
    console.log(`splitpay of what is missing: ${rounds.join('; ')}`);
    expect(await h.rpc.call<Payment>('waitsendpay', [inv.payment_hash, 20])).toMatchObject({
      status: 'complete',
      msatoshi: inv.msatoshi,
    });
  });

  it('refuses more than the payment’s amount, or nothing, with -32602 naming missing_msatoshi and the value', async () => {
    const inv = await invoice(h.rpc, 50_000n * SAT, 'too much missing');
    const amountless = await invoice(h.rpc, 0n, 'amountless');
    const before = await snapshot(h.rpc);
    const cases = [
      {
        params: { bolt11: inv.bolt11, missing_msatoshi: inv.msatoshi + 1n },
        message: `missing_msatoshi: ${inv.msatoshi + 1n} exceeds the invoice's amount ${inv.msatoshi}`,
      },
      {
        params: [inv.bolt11, null, null, null, null, 0],
        message: 'missing_msatoshi: must be positive (got 0)',
      },
      {
        params: { bolt11: amountless.bolt11, msatoshi: 40_000_000, missing_msatoshi: 40_000_001 },
        message: 'missing_msatoshi: 40000001 exceeds msatoshi, the amount paid, 40000000',
      },
    ];
    for (const c of cases) {
      const error = await rpcError(h.rpc.call('splitpay', c.params));
      expect({ code: error.code, message: error.message }).toEqual({ code: -32602, message: c.message });
    }
    expect(await snapshot(h.rpc)).toEqual(before);
    // Exactly the amount is what is missing before anything was sent.
    const whole = await h.rpc.call<SplitPayResult>('splitpay', { bolt11: inv.bolt11, missing_msatoshi: inv.msatoshi });
    expect(whole.parts.reduce((s, p) => s + p.msatoshi, 0n)).toBe(inv.msatoshi);
  });
});
