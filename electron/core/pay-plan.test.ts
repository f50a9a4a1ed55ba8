// pay with a first plan, in manual mode, stopped by stoppay, and refused for good: through JSON-RPC, over the
// simulated network (small topology, seed 21: harbor→bob holds ~40k sat on harbor's side, so parts through harbor to
// bob fail for lack of liquidity). Each scenario has its own network, so that the parts one leaves held at bob do not
// take the liquidity of the next.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PayEvent } from '../../shared/api/events';
import type { SplitPayResult, StopPayResult } from '../../shared/api/results';
import { feeBudget } from '../../shared/policy';
import type { PartialPayment, Payment, Route } from '../../shared/types';
import { type Harness, startHarness } from '../test/harness';
import { invoice, partsOf, paymentOf, routeVia, rpcError, SAT, snapshot } from './rpc-test-helpers';

const fee = (route: Route) => (route[0]?.msatoshi ?? 0n) - (route.at(-1)?.msatoshi ?? 0n);
/** The part went out on exactly this route: the same nodes, channels and amounts. */
const hops = (route: Route) => route.map((hop) => `${hop.id}/${hop.channel}/${hop.msatoshi}`).join(' ');
const sameRoute = (part: PartialPayment, route: Route) => hops(part.route) === hops(route);

async function until(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('pay with a first plan (auto mode)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ mppTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('sends the plan’s parts first, in order, then plans only what is missing; never more than the amount', async () => {
    const inv = await invoice(h.rpc, 400_000n * SAT, 'first plan');
    const a = await routeVia(h, ['atlas', 'fjord', 'bob'], 150_000n * SAT);
    const b = await routeVia(h, ['bolt', 'gale', 'bob'], 100_000n * SAT);
    const payment = await h.rpc.call<Payment>('pay', { bolt11: inv.bolt11, plan: [{ route: a }, { route: b }] });
    expect(payment).toMatchObject({ status: 'complete', msatoshi: inv.msatoshi });
    for (const part of await partsOf(h.rpc, inv.payment_hash)) await h.rpc.call('waitpartialpay', [part.id, 20]);
    const parts = await partsOf(h.rpc, inv.payment_hash);
    // What went out, in order: the plan's two parts first (the lowest ids), as given.
    expect(sameRoute(parts[0] as PartialPayment, a)).toBe(true);
    expect(sameRoute(parts[1] as PartialPayment, b)).toBe(true);
    // Then the rest, planned by the core: 150k sat, not the whole amount again.
    const rest = parts.slice(2);
    expect(rest.length).toBeGreaterThanOrEqual(1);
    expect(rest.filter((p) => p.status !== 'failed').reduce((s, p) => s + p.msatoshi, 0n)).toBe(150_000n * SAT);
    const complete = parts.filter((p) => p.status === 'complete');
    expect(complete.reduce((s, p) => s + p.msatoshi, 0n)).toBe(inv.msatoshi);
    // Nothing over the intended amount was ever out at once: parts in order, failed ones released.
    const fees = complete.reduce((s, p) => s + (p.msatoshi_sent - p.msatoshi), 0n);
    expect(fees).toBeLessThanOrEqual(feeBudget(inv.msatoshi, 0.5, 5000n));
  });

  it('refuses with -32602 a plan that overpays, breaks the fee limit or max_parts; nothing is sent', async () => {
    const inv = await invoice(h.rpc, 100_000n * SAT, 'bad plans');
    const a = await routeVia(h, ['atlas', 'fjord', 'bob'], 60_000n * SAT);
    const b = await routeVia(h, ['bolt', 'gale', 'bob'], 60_000n * SAT);
    const c = await routeVia(h, ['atlas', 'fjord', 'bob'], 40_000n * SAT);
    const toGale = await routeVia(h, ['atlas', 'gale'], 10_000n * SAT);
    const before = await snapshot(h.rpc);
    const cases: { params: Record<string, unknown>; message: RegExp }[] = [
      { params: { plan: [{ route: a }, { route: b }] }, message: /^plan: the parts deliver 120000000 msat/ },
      {
        params: { plan: [{ route: a }], maxfeepercent: 0, exemptfee: (fee(a) - 1n).toString() },
        message: new RegExp(
          `^plan: the parts' fees \\(${fee(a)} msat\\).* exceed the fee limit of ${fee(a) - 1n} msat`,
        ),
      },
      { params: { plan: [{ route: c }, { route: c }], max_parts: 1 }, message: /^plan: 2 parts .* exceed max_parts 1/ },
      { params: { plan: [{ route: toGale }] }, message: /^plan\[0\]\.route: must end at the invoice's destination/ },
      { params: { mode: 'manual' }, message: /^plan: required in manual mode/ },
      { params: { plan: [], mode: 'manual' }, message: /^plan: must list at least one part/ },
      { params: { plan: [{ route: a }], mode: 'fast' }, message: /^mode: must be 'auto' or 'manual'/ },
    ];
    for (const c of cases) {
      const error = await rpcError(h.rpc.call('pay', { bolt11: inv.bolt11, ...c.params }));
      expect(
        error.code,
        JSON.stringify(c.params, (_k, v) => (typeof v === 'bigint' ? `${v}` : v)),
      ).toBe(-32602);
      expect(error.message).toMatch(c.message);
    }
    expect(await snapshot(h.rpc)).toEqual(before);
  });

  it('counts the first plan’s fees in the fee limit: what is left for the rest is the limit less them', async () => {
    const inv = await invoice(h.rpc, 200_000n * SAT, 'fees over all parts');
    const a = await routeVia(h, ['atlas', 'fjord', 'bob'], 100_000n * SAT);
    // The limit is the plan's fee and 1 msat: the other 100k sat must then go for at most 1 msat, which no route does.
    const error = await rpcError(
      h.rpc.call('pay', {
        bolt11: inv.bolt11,
        plan: [{ route: a }],
        maxfeepercent: 0,
        exemptfee: (fee(a) + 1n).toString(),
        retry_for: 3,
      }),
    );
    expect(error.code).toBe(210);
    expect(error.message).toMatch(/fees of at most 1 msat/);
    const parts = await partsOf(h.rpc, inv.payment_hash);
    expect(parts).toHaveLength(1);
    expect(sameRoute(parts[0] as PartialPayment, a)).toBe(true);
    // The payment stays open with the plan's part held by bob.
    expect((error.data as Payment).status).toBe('pending');
  });
});

describe('pay in manual mode', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ mppTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('sends exactly three parts by hand; the one through harbor fails, 210 leaves the payment open; the missing amount re-planned and sent by hand completes it', async () => {
    const inv = await invoice(h.rpc, 300_000n * SAT, 'manual');
    const plan = [
      await routeVia(h, ['atlas', 'fjord', 'bob'], 120_000n * SAT),
      await routeVia(h, ['bolt', 'gale', 'bob'], 100_000n * SAT),
      await routeVia(h, ['cobalt', 'harbor', 'bob'], 80_000n * SAT),
    ];
    const error = await rpcError(
      h.rpc.call('pay', { bolt11: inv.bolt11, plan: plan.map((route) => ({ route })), mode: 'manual' }),
    );
    expect(error.code).toBe(210);
    expect(error.message).toMatch(/^pay: 80000000 msat of 300000000 msat is missing \(a part failed: .*harbor|hop 2/);
    expect(error.message).toContain('splitpay with missing_msatoshi');
    expect((error.data as Payment).status).toBe('pending');
    const parts = await partsOf(h.rpc, inv.payment_hash);
    // Exactly the three parts, in order: nothing re-planned.
    expect(parts).toHaveLength(3);
    for (const [i, route] of plan.entries()) expect(sameRoute(parts[i] as PartialPayment, route)).toBe(true);
    expect(parts.map((p) => p.status)).toEqual(['pending', 'pending', 'failed']);
    expect(parts[2]?.failure?.code).toBe('TEMPORARY_CHANNEL_FAILURE');

    // Re-plan the missing amount by hand, and send exactly that.
    const missing = await h.rpc.call<SplitPayResult>('splitpay', {
      bolt11: inv.bolt11,
      missing_msatoshi: 80_000n * SAT,
    });
    expect(missing.parts.reduce((s, p) => s + p.msatoshi, 0n)).toBe(80_000n * SAT);
    // The planner learned from the failure: the rest does not go through harbor→bob again.
    const harbor = parts[2]?.route[1]?.id;
    for (const p of missing.parts) expect(p.route.at(-2)?.id).not.toBe(harbor);
    const paid = await h.rpc.call<Payment>('pay', {
      bolt11: inv.bolt11,
      plan: missing.parts.map((p) => ({ route: p.route })),
      mode: 'manual',
    });
    expect(paid).toMatchObject({ status: 'complete', msatoshi: inv.msatoshi });
    const all = await partsOf(h.rpc, inv.payment_hash);
    expect(all).toHaveLength(3 + missing.parts.length);
  });
});

describe('stoppay, and a refusal for good', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ mppTimeoutMs: 60_000 });
    await h.rpc.call('subscribe', ['pay']);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('stoppay in the middle of a payment: 212, no part leaves after it, parts in flight resolve as the network decides', async () => {
    const inv = await invoice(h.rpc, 150_000n * SAT, 'stop');
    // The part through harbor waits at harbor (and then fails there): without the stop, its failure would be
    // re-planned.
    const release = h.simnet.holdAt('harbor');
    const plan = [
      await routeVia(h, ['atlas', 'fjord', 'bob'], 100_000n * SAT),
      await routeVia(h, ['cobalt', 'harbor', 'bob'], 50_000n * SAT),
    ];
    const paying = h.rpc.call('pay', { bolt11: inv.bolt11, plan: plan.map((route) => ({ route })) }).then(
      () => undefined,
      (e: { code: number; message: string; data?: unknown }) => e,
    );
    await until(
      async () => (await partsOf(h.rpc, inv.payment_hash)).filter((p) => p.status === 'pending').length === 2,
      'two parts in flight',
    );
    const other = await h.connect();
    // One pay loop per payment: a second pay of the same invoice is refused while the first runs.
    const twice = await rpcError(other.call('pay', [inv.bolt11]));
    expect(twice.code).toBe(200);
    expect(twice.message).toMatch(/already running/);
    const stopped = await other.call<StopPayResult>('stoppay', [inv.payment_hash]);
    expect(stopped).toEqual({ payment_hash: inv.payment_hash, stopped: true, pending_parts: 2 });
    const error = await paying;
    expect(error?.code).toBe(212);
    expect((error?.data as Payment | undefined)?.status).toBe('pending');
    // Nothing runs any more: a second stop finds nothing.
    expect(await other.call<StopPayResult>('stoppay', { payment_hash: inv.payment_hash })).toMatchObject({
      stopped: false,
      pending_parts: 2,
    });
    release();
    await until(
      async () => (await partsOf(h.rpc, inv.payment_hash)).some((p) => p.status === 'failed'),
      'the part at harbor failing',
    );
    // Time for a re-plan, had the loop still run.
    await new Promise((r) => setTimeout(r, 1500));
    const parts = await partsOf(h.rpc, inv.payment_hash);
    expect(parts).toHaveLength(2);
    expect(parts.map((p) => p.status)).toEqual(['pending', 'failed']);
    const events = h.rpc.notifications
      .filter((n) => n.method === 'pay' && (n.params as PayEvent).payment_hash === inv.payment_hash)
      .map((n) => n.params as PayEvent);
    expect(events.map((e) => e.state)).toEqual(['running', 'stopped']);
    expect(events[1]?.code).toBe(212);
  });

  it('a receiver that refuses for good (bob cancelled the invoice): 203 at once, no re-route', async () => {
    const inv = await invoice(h.rpc, 20_000n * SAT, 'refused');
    const bob = h.simnet.sim.lndByAlias('bob').invoices.lookup(Buffer.from(inv.payment_hash, 'hex'));
    if (!bob) throw new Error('bob has no such invoice');
    // As LND's CancelInvoice leaves it: every HTLC of that hash is refused with INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS.
    bob.state = 'CANCELED';
    const started = Date.now();
    const error = await rpcError(h.rpc.call('pay', { bolt11: inv.bolt11, retry_for: 30 }));
    expect(error.code).toBe(203);
    expect(error.message).toMatch(
      /^pay: the receiver refused the payment for good \(INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS\)/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    const parts = await partsOf(h.rpc, inv.payment_hash);
    expect(parts).toHaveLength(1);
    expect(parts[0]?.failure?.code).toBe('INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS');
    expect((await paymentOf(h.rpc, inv.payment_hash))?.status).toBe('failed');
    const events = h.rpc.notifications
      .filter((n) => n.method === 'pay' && (n.params as PayEvent).payment_hash === inv.payment_hash)
      .map((n) => n.params as PayEvent);
    expect(events.map((e) => [e.state, e.code])).toEqual([
      ['running', undefined],
      ['refused', 203],
    ]);
  });
});
