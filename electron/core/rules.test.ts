// The proposal's rules (docs/commands.md, the first six commands), one test
// each, through JSON-RPC only, over the simulated network (small topology, seed 21). Routes are built with
// buildroute over chosen nodes: atlas→fjord→bob, bolt→gale→bob and atlas→gale→bob have room; bolt→harbor→bob fails
// at hop 2 (harbor→bob) for more than ~40k sat. A part for less than the whole amount is held by bob until the rest
// arrives (or the MPP timeout).

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartialPayment, Payment, Route } from '../../shared/types';
import { type Harness, startHarness } from '../test/harness';
import type { RpcClient } from '../test/rpc-client';
import { invoice, nodeId, partsOf, paymentOf, routeVia, rpcError, SAT, snapshot } from './rpc-test-helpers';

const sha256 = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

/** A part of `hash` over `route`, the payment `intended` in all. */
/**
 * The payment once every one of its parts has resolved too: the payment completes with its first completed part,
 * the others' outcomes come in just after.
 */
async function settled(rpc: RpcClient, hash: string): Promise<Payment> {
  for (const part of await partsOf(rpc, hash)) await rpc.call('waitpartialpay', [part.id, 20]);
  return (await paymentOf(rpc, hash)) as Payment;
}

function sendPart(
  rpc: RpcClient,
  route: Route,
  hash: string,
  intended: bigint,
  extra: Record<string, unknown> = {},
): Promise<PartialPayment> {
  return rpc.call<PartialPayment>('sendpartialpay', {
    route,
    payment_hash: hash,
    intended_msatoshi: intended,
    ...extra,
  });
}

describe('sendpartialpay and its rules (held parts wait for the rest)', () => {
  let h: Harness;
  let second: RpcClient;
  beforeAll(async () => {
    h = await startHarness({ mppTimeoutMs: 60_000 });
    second = await h.connect();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('rule 1: the first part creates the payment, pending, with msatoshi = intended_msatoshi', async () => {
    const inv = await invoice(h.rpc, 40_000n * SAT, 'rule 1');
    expect(await paymentOf(h.rpc, inv.payment_hash)).toBeUndefined();
    const half = 20_000n * SAT;
    const part = await sendPart(
      h.rpc,
      await routeVia(h, ['atlas', 'fjord', 'bob'], half),
      inv.payment_hash,
      inv.msatoshi,
      {
        bolt11: inv.bolt11,
      },
    );
    expect(part).toMatchObject({ payment_hash: inv.payment_hash, status: 'pending', msatoshi: half });
    expect(part.id).toBeGreaterThan(0);
    expect(await paymentOf(h.rpc, inv.payment_hash)).toMatchObject({
      payment_hash: inv.payment_hash,
      status: 'pending',
      msatoshi: inv.msatoshi,
      destination: inv.destination,
      bolt11: inv.bolt11,
      description: 'rule 1',
      parts: { pending: 1, complete: 0, failed: 0 },
    });
    // The rest, without the invoice: later parts may leave the secret out.
    await sendPart(h.rpc, await routeVia(h, ['bolt', 'gale', 'bob'], half), inv.payment_hash, inv.msatoshi);
    expect(await h.rpc.call<Payment>('waitsendpay', [inv.payment_hash, 20])).toMatchObject({ status: 'complete' });
    expect(await settled(h.rpc, inv.payment_hash)).toMatchObject({
      status: 'complete',
      msatoshi: inv.msatoshi,
      parts: { pending: 0, complete: 2, failed: 0 },
    });
  });

  it('rule 2.1: a different intended_msatoshi fails with -32602 naming the field and both values, and changes nothing', async () => {
    const inv = await invoice(h.rpc, 40_000n * SAT, 'rule 2.1');
    const half = 20_000n * SAT;
    const route = await routeVia(h, ['atlas', 'fjord', 'bob'], half);
    await sendPart(h.rpc, route, inv.payment_hash, inv.msatoshi, { bolt11: inv.bolt11 });
    const before = await snapshot(h.rpc);
    for (const wrong of [inv.msatoshi + 1n, half]) {
      const error = await rpcError(sendPart(h.rpc, route, inv.payment_hash, wrong));
      expect(error.code).toBe(-32602);
      expect(error.message).toMatch(/^intended_msatoshi:/);
      expect(error.message).toContain(String(wrong));
      expect(error.message).toContain(String(inv.msatoshi));
    }
    expect(await snapshot(h.rpc)).toEqual(before);
    await sendPart(h.rpc, await routeVia(h, ['bolt', 'gale', 'bob'], half), inv.payment_hash, inv.msatoshi);
    expect(await h.rpc.call<Payment>('waitsendpay', [inv.payment_hash, 20])).toMatchObject({ status: 'complete' });
  });

  it('rule 2.2: a part for a complete payment returns the payment (complete, with its preimage) and creates nothing', async () => {
    const inv = await invoice(h.rpc, 20_000n * SAT, 'rule 2.2');
    const route = await routeVia(h, ['atlas', 'fjord', 'bob'], inv.msatoshi);
    const part = await sendPart(h.rpc, route, inv.payment_hash, inv.msatoshi, { bolt11: inv.bolt11 });
    const done = await h.rpc.call<PartialPayment>('waitpartialpay', [part.id, 20]);
    expect(done.status).toBe('complete');
    expect(sha256(done.payment_preimage as string)).toBe(inv.payment_hash);

    const before = await snapshot(h.rpc);
    const again = await h.rpc.call<Payment & { id?: number }>('sendpartialpay', {
      route,
      payment_hash: inv.payment_hash,
      intended_msatoshi: inv.msatoshi,
    });
    expect(again).toMatchObject({
      payment_hash: inv.payment_hash,
      status: 'complete',
      msatoshi: inv.msatoshi,
      payment_preimage: done.payment_preimage,
      parts: { pending: 0, complete: 1, failed: 0 },
    });
    expect(again.id).toBeUndefined();
    expect(await snapshot(h.rpc)).toEqual(before);
  });

  it('rule 2.3: a part for a failed payment sets it pending again, and can complete it', async () => {
    const inv = await invoice(h.rpc, 60_000n * SAT, 'rule 2.3');
    // The whole amount over harbor→bob, which holds ~40k sat on harbor's side.
    const starved = await routeVia(h, ['bolt', 'harbor', 'bob'], inv.msatoshi);
    const first = await sendPart(h.rpc, starved, inv.payment_hash, inv.msatoshi, { bolt11: inv.bolt11 });
    const failed = await h.rpc.call<PartialPayment>('waitpartialpay', [first.id, 20]);
    expect(failed.status).toBe('failed');
    expect(failed.failure).toMatchObject({
      code: 'TEMPORARY_CHANNEL_FAILURE',
      erring_index: 2,
      erring_node: nodeId(h, 'harbor'),
      erring_channel: starved[2]?.channel,
    });
    expect(await h.rpc.call<Payment>('waitsendpay', [inv.payment_hash, 20])).toMatchObject({
      status: 'failed',
      msatoshi_sent: 0n,
      parts: { pending: 0, complete: 0, failed: 1 },
    });

    // Held at fjord, so that the payment is seen pending before the part resolves.
    const release = h.simnet.holdAt('fjord');
    let replacement: PartialPayment;
    try {
      replacement = await sendPart(
        h.rpc,
        await routeVia(h, ['atlas', 'fjord', 'bob'], inv.msatoshi),
        inv.payment_hash,
        inv.msatoshi,
      );
      const reopened = await paymentOf(h.rpc, inv.payment_hash);
      expect(reopened).toMatchObject({ status: 'pending', parts: { pending: 1, complete: 0, failed: 1 } });
      expect(reopened?.completed_at).toBeUndefined();
    } finally {
      release();
    }
    expect(await h.rpc.call<PartialPayment>('waitpartialpay', [replacement.id, 20])).toMatchObject({
      status: 'complete',
    });
    const done = await h.rpc.call<Payment>('waitsendpay', [inv.payment_hash, 20]);
    expect(done).toMatchObject({ status: 'complete', parts: { pending: 0, complete: 1, failed: 1 } });
    expect(sha256(done.payment_preimage as string)).toBe(inv.payment_hash);
  });

  it('resolution 2: a completed part completes the payment and wakes a waitsendpay that was already waiting', async () => {
    const inv = await invoice(h.rpc, 40_000n * SAT, 'resolution 2');
    const half = 20_000n * SAT;
    await sendPart(h.rpc, await routeVia(h, ['atlas', 'fjord', 'bob'], half), inv.payment_hash, inv.msatoshi, {
      bolt11: inv.bolt11,
    });
    let woke = false;
    const waiting = second.call<Payment>('waitsendpay', [inv.payment_hash]).then((p) => {
      woke = true;
      return p;
    });
    // Requests on one connection are taken in order: once this answer is back, the wait above has begun.
    expect((await second.call<{ payments: Payment[] }>('listpayments', [inv.payment_hash])).payments[0]?.status).toBe(
      'pending',
    );
    expect(woke).toBe(false);
    const last = await sendPart(
      h.rpc,
      await routeVia(h, ['bolt', 'gale', 'bob'], half),
      inv.payment_hash,
      inv.msatoshi,
    );
    const payment = await waiting;
    expect(payment).toMatchObject({ status: 'complete', msatoshi: inv.msatoshi });
    expect(payment.parts.complete).toBeGreaterThanOrEqual(1);
    expect(sha256(payment.payment_preimage as string)).toBe(inv.payment_hash);
    expect(await settled(h.rpc, inv.payment_hash)).toMatchObject({ parts: { pending: 0, complete: 2, failed: 0 } });
    const parts = await partsOf(h.rpc, inv.payment_hash);
    expect(parts.map((p) => p.status)).toEqual(['complete', 'complete']);
    expect(parts.at(-1)?.id).toBe(last.id);
  });

  it('resolution 4: waitpartialpay wakes when its part resolves', async () => {
    const inv = await invoice(h.rpc, 40_000n * SAT, 'resolution 4');
    const half = 20_000n * SAT;
    const first = await sendPart(
      h.rpc,
      await routeVia(h, ['atlas', 'fjord', 'bob'], half),
      inv.payment_hash,
      inv.msatoshi,
      {
        bolt11: inv.bolt11,
      },
    );
    const waiting = second.call<PartialPayment>('waitpartialpay', [first.id]);
    expect(
      (await second.call<{ partialpayments: PartialPayment[] }>('listpartialpayments', [first.id])).partialpayments[0]
        ?.status,
    ).toBe('pending');
    await sendPart(h.rpc, await routeVia(h, ['bolt', 'gale', 'bob'], half), inv.payment_hash, inv.msatoshi);
    const done = await waiting;
    expect(done).toMatchObject({ id: first.id, status: 'complete', msatoshi: half });
    expect(sha256(done.payment_preimage as string)).toBe(inv.payment_hash);
    expect(done.completed_at).toBeGreaterThanOrEqual(done.created_at);
  });

  it('waitpartialpay on a held part with a timeout: error 200 with the current object in data', async () => {
    const inv = await invoice(h.rpc, 40_000n * SAT, 'timeout');
    const half = 20_000n * SAT;
    const first = await sendPart(
      h.rpc,
      await routeVia(h, ['atlas', 'fjord', 'bob'], half),
      inv.payment_hash,
      inv.msatoshi,
      {
        bolt11: inv.bolt11,
      },
    );
    const error = await rpcError(h.rpc.call('waitpartialpay', [first.id, 0.2]));
    expect(error.code).toBe(200);
    expect(error.message).toContain(`partial payment ${first.id}`);
    expect(error.data).toMatchObject({
      id: first.id,
      payment_hash: inv.payment_hash,
      status: 'pending',
      msatoshi: half,
    });
    const waitErr = await rpcError(h.rpc.call('waitsendpay', { payment_hash: inv.payment_hash, timeout: 0 }));
    expect(waitErr.code).toBe(200);
    expect(waitErr.data).toMatchObject({ payment_hash: inv.payment_hash, status: 'pending', parts: { pending: 1 } });
    await sendPart(h.rpc, await routeVia(h, ['bolt', 'gale', 'bob'], half), inv.payment_hash, inv.msatoshi);
    expect(await h.rpc.call('waitpartialpay', { id: first.id, timeout: 20 })).toMatchObject({ status: 'complete' });
  });

  it('unknown ids: waitpartialpay and waitsendpay answer 208; the lists are empty', async () => {
    const before = await snapshot(h.rpc);
    const error = await rpcError(h.rpc.call('waitpartialpay', [999_999]));
    expect(error.code).toBe(208);
    expect(error.message).toContain('999999');
    const hash = 'ab'.repeat(32);
    const noPayment = await rpcError(h.rpc.call('waitsendpay', [hash, 1]));
    expect(noPayment.code).toBe(208);
    expect(noPayment.message).toContain(hash);
    expect(await h.rpc.call('listpartialpayments', [999_999])).toEqual({ partialpayments: [] });
    expect(await h.rpc.call('listpayments', [hash])).toEqual({ payments: [] });
    expect(await snapshot(h.rpc)).toEqual(before);
  });

  it('sendpay: pending → 200 and nothing changes; complete → returned at once, nothing sent', async () => {
    const inv = await invoice(h.rpc, 30_000n * SAT, 'sendpay');
    const route = await routeVia(h, ['atlas', 'fjord', 'bob'], inv.msatoshi);
    const release = h.simnet.holdAt('fjord');
    try {
      const sent = await h.rpc.call<Payment>('sendpay', [route, inv.payment_hash, null, null, null, inv.bolt11]);
      expect(sent).toMatchObject({ payment_hash: inv.payment_hash, status: 'pending', msatoshi: inv.msatoshi });
      const before = await snapshot(h.rpc);
      const error = await rpcError(h.rpc.call('sendpay', { route, payment_hash: inv.payment_hash }));
      expect(error.code).toBe(200);
      expect(error.message).toContain(inv.payment_hash);
      expect(await snapshot(h.rpc)).toEqual(before);
    } finally {
      release();
    }
    const done = await h.rpc.call<Payment>('waitsendpay', [inv.payment_hash, 20]);
    expect(done).toMatchObject({ status: 'complete', parts: { pending: 0, complete: 1, failed: 0 } });
    const before = await snapshot(h.rpc);
    const again = await h.rpc.call<Payment>('sendpay', { route, payment_hash: inv.payment_hash });
    expect(again).toEqual(done);
    expect(await snapshot(h.rpc)).toEqual(before);
  });

  it('sendpay: failed → pending again, and sends', async () => {
    const inv = await invoice(h.rpc, 60_000n * SAT, 'sendpay again');
    await h.rpc.call('sendpay', {
      route: await routeVia(h, ['bolt', 'harbor', 'bob'], inv.msatoshi),
      payment_hash: inv.payment_hash,
      bolt11: inv.bolt11,
    });
    expect(await h.rpc.call<Payment>('waitsendpay', [inv.payment_hash, 20])).toMatchObject({
      status: 'failed',
      parts: { failed: 1 },
    });
    const retried = await h.rpc.call<Payment>('sendpay', {
      route: await routeVia(h, ['atlas', 'fjord', 'bob'], inv.msatoshi),
      payment_hash: inv.payment_hash,
      msatoshi: inv.msatoshi,
    });
    expect(retried).toMatchObject({ status: 'pending', parts: { pending: 1, failed: 1 } });
    expect(retried.completed_at).toBeUndefined();
    const done = await h.rpc.call<Payment>('waitsendpay', [inv.payment_hash, 20]);
    expect(done).toMatchObject({ status: 'complete', parts: { pending: 0, complete: 1, failed: 1 } });
    expect((await partsOf(h.rpc, inv.payment_hash)).map((p) => p.status)).toEqual(['failed', 'complete']);
  });

  it('three parts, one fails for liquidity, a replacement completes the payment', async () => {
    const inv = await invoice(h.rpc, 150_000n * SAT, 'three parts');
    const third = 50_000n * SAT;
    const send = async (via: string[], extra: Record<string, unknown> = {}) =>
      sendPart(h.rpc, await routeVia(h, via, third), inv.payment_hash, inv.msatoshi, extra);
    const a = await send(['atlas', 'fjord', 'bob'], { bolt11: inv.bolt11 });
    const b = await send(['bolt', 'harbor', 'bob']);
    const c = await send(['atlas', 'gale', 'bob']);
    const failed = await h.rpc.call<PartialPayment>('waitpartialpay', [b.id, 20]);
    expect(failed.failure).toMatchObject({ code: 'TEMPORARY_CHANNEL_FAILURE', erring_index: 2 });
    // The others are held by bob: the payment is still pending, and the failed part's amount may go again.
    expect(await paymentOf(h.rpc, inv.payment_hash)).toMatchObject({
      status: 'pending',
      parts: { pending: 2, complete: 0, failed: 1 },
    });
    const d = await send(['bolt', 'gale', 'bob']);
    expect(await h.rpc.call<Payment>('waitsendpay', [inv.payment_hash, 20])).toMatchObject({ status: 'complete' });
    const done = await settled(h.rpc, inv.payment_hash);
    expect(done).toMatchObject({ status: 'complete', parts: { pending: 0, complete: 3, failed: 1 } });
    const parts = await partsOf(h.rpc, inv.payment_hash);
    expect(parts.map((p) => [p.id, p.status])).toEqual([
      [a.id, 'complete'],
      [b.id, 'failed'],
      [c.id, 'complete'],
      [d.id, 'complete'],
    ]);
    const complete = parts.filter((p) => p.status === 'complete');
    expect(complete.reduce((s, p) => s + p.msatoshi, 0n)).toBe(inv.msatoshi);
    expect(done.msatoshi_sent).toBe(complete.reduce((s, p) => s + p.msatoshi_sent, 0n));
    for (const p of complete) expect(p.payment_preimage).toBe(done.payment_preimage);
  });

  it('twenty concurrent sendpartialpay calls on one hash, over four connections, never overpay', async () => {
    const inv = await invoice(h.rpc, 100_000n * SAT, 'concurrent');
    const tenth = inv.msatoshi / 10n;
    const route = await routeVia(h, ['atlas', 'fjord', 'bob'], tenth);
    const clients = [h.rpc, ...(await Promise.all([h.connect(), h.connect(), h.connect()]))];
    // Held at bob so that no part resolves (and frees room) while the calls race.
    const release = h.simnet.holdAt('bob');
    let results: PromiseSettledResult<PartialPayment>[];
    try {
      results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          sendPart(clients[i % clients.length] as RpcClient, route, inv.payment_hash, inv.msatoshi, {
            bolt11: inv.bolt11,
          }),
        ),
      );
      const accepted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const refused = results.flatMap((r) =>
        r.status === 'rejected' ? [r.reason as { code: number; message: string }] : [],
      );
      expect(accepted).toHaveLength(10);
      expect(new Set(accepted.map((p) => p.id)).size).toBe(10);
      for (const p of accepted) expect(p).toMatchObject({ status: 'pending', msatoshi: tenth });
      expect(refused).toHaveLength(10);
      for (const e of refused) {
        expect(e.code).toBe(200);
        expect(e.message).toContain(`intended_msatoshi ${inv.msatoshi}`);
      }
      const parts = await partsOf(h.rpc, inv.payment_hash);
      expect(parts).toHaveLength(10);
      expect(parts.reduce((s, p) => s + p.msatoshi, 0n)).toBe(inv.msatoshi);
    } finally {
      release();
    }
    expect(await h.rpc.call<Payment>('waitsendpay', [inv.payment_hash, 20])).toMatchObject({ status: 'complete' });
    expect(await settled(h.rpc, inv.payment_hash)).toMatchObject({
      status: 'complete',
      msatoshi_sent: results
        .flatMap((r) => (r.status === 'fulfilled' ? [r.value.msatoshi_sent] : []))
        .reduce((a, b) => a + b, 0n),
      parts: { pending: 0, complete: 10, failed: 0 },
    });
    const parts = await partsOf(h.rpc, inv.payment_hash);
    expect(parts.filter((p) => p.status !== 'failed').reduce((s, p) => s + p.msatoshi, 0n)).toBe(inv.msatoshi);
  });
});

describe('failures and the MPP timeout (bob holds an incomplete set for 1.5 s)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ mppTimeoutMs: 1500 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('resolution 3: the payment fails only when every part has failed', async () => {
    const inv = await invoice(h.rpc, 100_000n * SAT, 'all parts fail');
    const half = 50_000n * SAT;
    // The good part waits at fjord until the other has failed and the payment is seen still pending.
    const release = h.simnet.holdAt('fjord');
    let good: PartialPayment;
    try {
      good = await sendPart(h.rpc, await routeVia(h, ['atlas', 'fjord', 'bob'], half), inv.payment_hash, inv.msatoshi, {
        bolt11: inv.bolt11,
      });
      const bad = await sendPart(
        h.rpc,
        await routeVia(h, ['bolt', 'harbor', 'bob'], half),
        inv.payment_hash,
        inv.msatoshi,
      );
      expect(await h.rpc.call('waitpartialpay', [bad.id, 20])).toMatchObject({
        status: 'failed',
        failure: { code: 'TEMPORARY_CHANNEL_FAILURE', erring_index: 2 },
      });
      const payment = await paymentOf(h.rpc, inv.payment_hash);
      expect(payment).toMatchObject({ status: 'pending', parts: { pending: 1, complete: 0, failed: 1 } });
      expect(payment?.completed_at).toBeUndefined();
    } finally {
      release();
    }
    // Alone at bob, the good part times out.
    const timedOut = await h.rpc.call<PartialPayment>('waitpartialpay', [good.id, 20]);
    expect(timedOut.failure).toMatchObject({ code: 'MPP_TIMEOUT', erring_index: 3 });
    expect(await h.rpc.call<Payment>('waitsendpay', [inv.payment_hash, 20])).toMatchObject({
      status: 'failed',
      msatoshi_sent: 0n,
      parts: { pending: 0, complete: 0, failed: 2 },
    });
  });

  it('a lone part for half the amount times out with MPP_TIMEOUT at the receiver', async () => {
    const inv = await invoice(h.rpc, 40_000n * SAT, 'lone part');
    const route = await routeVia(h, ['atlas', 'fjord', 'bob'], inv.msatoshi / 2n);
    const part = await sendPart(h.rpc, route, inv.payment_hash, inv.msatoshi, { bolt11: inv.bolt11 });
    const done = await h.rpc.call<PartialPayment>('waitpartialpay', [part.id, 20]);
    expect(done.status).toBe('failed');
    expect(done.failure).toMatchObject({
      code: 'MPP_TIMEOUT',
      erring_index: route.length,
      erring_node: inv.destination,
    });
    expect(done.payment_preimage).toBeUndefined();
    expect(await h.rpc.call<Payment>('waitsendpay', [inv.payment_hash, 20])).toMatchObject({
      status: 'failed',
      parts: { failed: 1 },
    });
  });
});
