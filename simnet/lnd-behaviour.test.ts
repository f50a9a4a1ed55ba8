import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Backend, lndBackend, realLnd, simnetBackend } from './test/backend';
import {
  type AttemptMsg,
  addInvoice,
  alicePayment,
  buildShard,
  expectRpcError,
  type Invoice,
  type PaymentMsg,
  pathsToBob,
  type RouteMsg,
  sendShard,
} from './test/flows';

const SAT = 1000n;
const MPP_TIMEOUT_MS = 1500;

const backends: [string, () => Promise<Backend | undefined>, boolean][] = [
  ['simnet', () => simnetBackend(MPP_TIMEOUT_MS), true],
  ['a real LND pair (BRAID_LND_ALICE, BRAID_LND_BOB)', async () => lndBackend(), realLnd() !== undefined],
];

/** A shard that cannot pass for lack of liquidity, and the failure_source_index it must fail at. */
async function starvedShard(
  backend: Backend,
  invoice: Invoice,
  amt: bigint,
): Promise<{ route: RouteMsg; index: number }> {
  const { simnet } = backend;
  if (simnet) {
    const net = simnet.sim.net;
    const aliases = ['bolt', 'harbor', 'bob'];
    const route = await buildShard(
      backend.alice,
      aliases.map((a) => net.nodeByAlias(a)?.pubkey as string),
      amt,
      invoice,
    );
    // The model knows where the liquidity runs out: the first hop whose sender side cannot carry its amount.
    let index = -1;
    let from = net.nodeByAlias('alice')?.index as number;
    let carried = BigInt(route.total_amt_msat);
    route.hops.forEach((hop, k) => {
      const channel = net.channel(BigInt(hop.chan_id));
      if (!channel) throw new Error('route over an unknown channel');
      const dir = channel.node1 === from ? 0 : 1;
      if (index < 0 && net.available(channel, dir) < carried) index = k;
      from = dir === 0 ? channel.node2 : channel.node1;
      carried = BigInt(hop.amt_to_forward_msat);
    });
    expect(index).toBeGreaterThan(0);
    return { route, index };
  }
  // On a real node the model is hidden: ask for more than alice's first channel holds, which fails at alice (0).
  const [path] = await pathsToBob(backend, amt, 1);
  const route = await buildShard(backend.alice, path as string[], amt, invoice);
  const { channels } = await backend.alice.call<{ channels: { chan_id: string; local_balance: string }[] }>(
    'Lightning',
    'ListChannels',
  );
  const first = channels.find((c) => c.chan_id === route.hops[0]?.chan_id);
  const extra = BigInt(first?.local_balance ?? '0') * SAT + SAT;
  route.total_amt_msat = (BigInt(route.total_amt_msat) + extra).toString();
  for (const hop of route.hops) hop.amt_to_forward_msat = (BigInt(hop.amt_to_forward_msat) + extra).toString();
  return { route, index: 0 };
}

for (const [name, make, available] of backends) {
  describe.skipIf(!available)(
    `LND behaviour on ${name}${available ? '' : ' (skipped: BRAID_LND_ALICE and BRAID_LND_BOB are not set; README: Checking simnet against a real LND)'}`,
    () => {
      let backend: Backend;
      // A fresh network per test on simnet, so that one test's payments do not drain another's paths.
      beforeEach(async () => {
        backend = (await make()) as Backend;
      });
      afterEach(async () => {
        await backend?.stop();
      });

      it('pays one invoice with two shards over two paths, in parallel, with one preimage', async () => {
        const { alice, bob } = backend;
        const total = 800_000n * SAT;
        const invoice = await addInvoice(bob, total, 'two shards');
        const decoded = await alice.call<{ num_msat: string; payment_addr: Buffer; destination: string }>(
          'Lightning',
          'DecodePayReq',
          { pay_req: invoice.request },
        );
        expect(BigInt(decoded.num_msat)).toBe(total);
        expect(decoded.payment_addr.equals(invoice.addr)).toBe(true);
        const bobInfo = await bob.call<{ identity_pubkey: string }>('Lightning', 'GetInfo');
        expect(decoded.destination).toBe(bobInfo.identity_pubkey);

        const before = await alice.call<{ local_balance: { msat: string } }>('Lightning', 'ChannelBalance');
        const [p1, p2] = await pathsToBob(backend, 400_000n * SAT, 2);
        const r1 = await buildShard(alice, p1 as string[], 500_000n * SAT, invoice);
        const r2 = await buildShard(alice, p2 as string[], 300_000n * SAT, invoice);
        if (backend.kind === 'simnet') expect(r1.hops[0]?.chan_id).not.toBe(r2.hops[0]?.chan_id);
        expect(r1.hops.at(-1)?.mpp_record?.total_amt_msat).toBe(total.toString());

        const [a1, a2] = await Promise.all([sendShard(alice, invoice, r1), sendShard(alice, invoice, r2)]);
        expect(a1.status).toBe('SUCCEEDED');
        expect(a2.status).toBe('SUCCEEDED');
        expect(a1.preimage.equals(a2.preimage)).toBe(true);

        const settled = await bob.call<{ state: string; amt_paid_msat: string; htlcs: unknown[] }>(
          'Lightning',
          'LookupInvoice',
          { r_hash: invoice.hash },
        );
        expect(settled.state).toBe('SETTLED');
        expect(BigInt(settled.amt_paid_msat)).toBe(total);
        expect(settled.htlcs).toHaveLength(2);

        const fees = BigInt(r1.total_fees_msat) + BigInt(r2.total_fees_msat);
        const after = await alice.call<{ local_balance: { msat: string } }>('Lightning', 'ChannelBalance');
        expect(BigInt(before.local_balance.msat) - BigInt(after.local_balance.msat)).toBe(total + fees);

        const payment = (await alicePayment(alice, invoice.hash)) as PaymentMsg;
        expect(payment.status).toBe('SUCCEEDED');
        expect(payment.htlcs).toHaveLength(2);
        expect(BigInt(payment.value_msat)).toBe(total);
        expect(BigInt(payment.fee_msat)).toBe(fees);
        expect(payment.payment_preimage).toBe(a1.preimage.toString('hex'));
        const { payments } = await alice.call<{ payments: PaymentMsg[] }>('Lightning', 'ListPayments', {});
        expect(payments.filter((p) => p.payment_hash === payment.payment_hash)).toHaveLength(1);
      });

      it('fails a starved shard with TEMPORARY_CHANNEL_FAILURE where the liquidity ends; skip_temp_err keeps the payment open for a replacement', async () => {
        const { alice, bob } = backend;
        const invoice = await addInvoice(bob, 100_000n * SAT, 'starved then replaced');
        const { route, index } = await starvedShard(backend, invoice, 100_000n * SAT);
        const failed = await sendShard(alice, invoice, route, true);
        expect(failed.status).toBe('FAILED');
        expect(failed.failure?.code).toBe('TEMPORARY_CHANNEL_FAILURE');
        expect(failed.failure?.failure_source_index).toBe(index);

        const open = (await alicePayment(alice, invoice.hash)) as PaymentMsg;
        expect(open.status).toBe('IN_FLIGHT');
        expect(open.failure_reason).toBe('FAILURE_REASON_NONE');

        const [path] = await pathsToBob(backend, 100_000n * SAT, 1);
        const replacement = await sendShard(
          alice,
          invoice,
          await buildShard(alice, path as string[], 100_000n * SAT, invoice),
        );
        expect(replacement.status).toBe('SUCCEEDED');
        const done = (await alicePayment(alice, invoice.hash)) as PaymentMsg;
        expect(done.status).toBe('SUCCEEDED');
        expect(done.htlcs.map((h) => h.status)).toEqual(['FAILED', 'SUCCEEDED']);
      });

      it('without skip_temp_err a temporary failure gives the payment a reason, refuses the next shard, then fails it', async () => {
        const { alice, bob } = backend;
        const invoice = await addInvoice(bob, 100_000n * SAT, 'no skip');
        const [path] = await pathsToBob(backend, 50_000n * SAT, 1);
        const held = sendShard(
          alice,
          invoice,
          await buildShard(alice, path as string[], 50_000n * SAT, invoice),
          false,
        );
        const { route, index } = await starvedShard(backend, invoice, 50_000n * SAT);
        const failed = await sendShard(alice, invoice, route, false);
        expect(failed.failure?.failure_source_index).toBe(index);

        const pending = (await alicePayment(alice, invoice.hash)) as PaymentMsg;
        expect(pending.status).toBe('IN_FLIGHT');
        expect(pending.failure_reason).toBe('FAILURE_REASON_ERROR');
        const next = await buildShard(alice, path as string[], 50_000n * SAT, invoice);
        await expectRpcError(sendShard(alice, invoice, next, false), 2, 'payment has failure reason');

        const timedOut = await held;
        expect(timedOut.status).toBe('FAILED');
        expect(timedOut.failure?.code).toBe('MPP_TIMEOUT');
        const final = (await alicePayment(alice, invoice.hash)) as PaymentMsg;
        expect(final.status).toBe('FAILED');
        expect(final.failure_reason).toBe('FAILURE_REASON_ERROR');
      }, 150_000);

      it('fails a lone shard of half the total with MPP_TIMEOUT from the receiver after the hold time', async () => {
        const { alice, bob } = backend;
        const invoice = await addInvoice(bob, 60_000n * SAT, 'lone shard');
        const [path] = await pathsToBob(backend, 30_000n * SAT, 1);
        const route = await buildShard(alice, path as string[], 30_000n * SAT, invoice);
        const started = Date.now();
        const attempt = await sendShard(alice, invoice, route);
        const waited = Date.now() - started;
        expect(attempt.status).toBe('FAILED');
        expect(attempt.failure?.code).toBe('MPP_TIMEOUT');
        expect(attempt.failure?.failure_source_index).toBe(route.hops.length);
        if (backend.kind === 'simnet') expect(waited).toBeGreaterThanOrEqual(MPP_TIMEOUT_MS - 50);
        const payment = (await alicePayment(alice, invoice.hash)) as PaymentMsg;
        // MPP_TIMEOUT is not terminal: the payment waits for replacements.
        expect(payment.status).toBe('IN_FLIGHT');
        expect(payment.failure_reason).toBe('FAILURE_REASON_NONE');
      }, 150_000);

      it('refuses overpaying shards and a differing total with LND texts, while a shard is held', async () => {
        const { alice, bob } = backend;
        const total = 100_000n * SAT;
        const invoice = await addInvoice(bob, total, 'refusals');
        const [path] = await pathsToBob(backend, 60_000n * SAT, 1);
        const held = sendShard(alice, invoice, await buildShard(alice, path as string[], 60_000n * SAT, invoice));
        await new Promise((r) => setTimeout(r, 100));

        const over = await buildShard(alice, path as string[], 60_000n * SAT, invoice);
        await expectRpcError(
          sendShard(alice, invoice, over),
          2,
          `attempted value exceeds payment amount: attempted=${120_000n * SAT} mSAT, payment amount=${total} mSAT`,
        );
        const differing = await buildShard(alice, path as string[], 40_000n * SAT, invoice, 120_000n * SAT);
        await expectRpcError(sendShard(alice, invoice, differing), 2, 'mp payment total amount mismatch');
        const wrongAddr = await buildShard(alice, path as string[], 40_000n * SAT, {
          ...invoice,
          addr: randomBytes(32),
        });
        await expectRpcError(sendShard(alice, invoice, wrongAddr), 2, 'payment address mismatch');

        // The missing 40k completes the set.
        const rest = await sendShard(alice, invoice, await buildShard(alice, path as string[], 40_000n * SAT, invoice));
        expect(rest.status).toBe('SUCCEEDED');
        expect((await held).status).toBe('SUCCEEDED');

        await expectRpcError(
          sendShard(alice, invoice, await buildShard(alice, path as string[], 40_000n * SAT, invoice)),
          6,
          'invoice is already paid',
        );
      });

      it('answers a wrong payment_addr at the receiver with a terminal INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS', async () => {
        const { alice, bob } = backend;
        const invoice = await addInvoice(bob, 20_000n * SAT, 'wrong addr');
        const [path] = await pathsToBob(backend, 20_000n * SAT, 1);
        const route = await buildShard(alice, path as string[], 20_000n * SAT, { ...invoice, addr: randomBytes(32) });
        const attempt = await sendShard(alice, invoice, route, true);
        expect(attempt.failure?.code).toBe('INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS');
        expect(attempt.failure?.failure_source_index).toBe(route.hops.length);
        const payment = (await alicePayment(alice, invoice.hash)) as PaymentMsg;
        expect(payment.status).toBe('FAILED');
        expect(payment.failure_reason).toBe('FAILURE_REASON_INCORRECT_PAYMENT_DETAILS');
      });

      it('answers TrackPaymentV2 for an unknown hash with NOT_FOUND', async () => {
        const stream = backend.alice.stream('Router', 'TrackPaymentV2', { payment_hash: randomBytes(32) });
        expect(await stream.done).toEqual({ code: 5, details: expect.stringContaining("payment isn't initiated") });
      });

      it('streams one full Payment per change for three shards with one temporary failure, then closes', async () => {
        const { alice, bob } = backend;
        const invoice = await addInvoice(bob, 150_000n * SAT, 'tracked');
        const [path] = await pathsToBob(backend, 50_000n * SAT, 1);
        const shard = () => buildShard(alice, path as string[], 50_000n * SAT, invoice);
        const a = sendShard(alice, invoice, await shard());
        await new Promise((r) => setTimeout(r, 100));
        const track = alice.stream<PaymentMsg>('Router', 'TrackPaymentV2', { payment_hash: invoice.hash });
        await track.until(1);
        const starved = await starvedShard(backend, invoice, 50_000n * SAT);
        const b = await sendShard(alice, invoice, starved.route);
        expect(b.status).toBe('FAILED');
        const c = sendShard(alice, invoice, await shard());
        await track.until(4);
        const d = sendShard(alice, invoice, await shard());
        const results = await Promise.all([a, c, d]);
        expect(results.map((r: AttemptMsg) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
        expect(await track.done).toEqual({ code: 0, details: '' });

        const shape = track.messages.map((m) => `${m.status}:${m.htlcs.map((h) => h.status[0]).join('')}`);
        expect(shape.slice(0, 5)).toEqual([
          'IN_FLIGHT:I',
          'IN_FLIGHT:II',
          'IN_FLIGHT:IF',
          'IN_FLIGHT:IFI',
          'IN_FLIGHT:IFII',
        ]);
        // The receiver settles the three together; each settle is one write, the last one makes it SUCCEEDED.
        expect(shape.slice(5)).toHaveLength(3);
        expect(shape.slice(5, 7).every((s) => s.startsWith('IN_FLIGHT:'))).toBe(true);
        expect(shape[7]).toBe('SUCCEEDED:SFSS');
        const last = track.messages[7] as PaymentMsg;
        expect(last.payment_preimage).not.toBe('0'.repeat(64));
        expect(BigInt(last.fee_msat)).toBeGreaterThanOrEqual(0n);
      });
    },
  );
}
