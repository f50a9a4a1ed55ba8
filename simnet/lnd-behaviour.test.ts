import { createHash, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Backend, lndBackend, realLnd, simnetBackend } from './test/backend';
import type { TestLnd } from './test/client';
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

/** Pays `request` from `node` with SendPaymentV2 and resolves with the last Payment (or the stream's error). */
async function payRequest(node: TestLnd, request: string) {
  const stream = node.stream<PaymentMsg>('Router', 'SendPaymentV2', {
    payment_request: request,
    timeout_seconds: 30,
    fee_limit_sat: '1000',
  });
  return { stream, done: stream.done.then((end) => ({ end, last: stream.messages.at(-1) })) };
}

interface ChannelMsg {
  chan_id: string;
  channel_point: string;
  remote_pubkey: string;
  capacity: string;
  active: boolean;
  csv_delay: number;
  commit_fee: string;
  commit_weight: string;
  fee_per_kw: string;
  local_chan_reserve_sat: string;
  remote_chan_reserve_sat: string;
  local_constraints: { csv_delay: number; chan_reserve_sat: string } | null;
  remote_constraints: { csv_delay: number; chan_reserve_sat: string } | null;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();

for (const [name, make, available] of backends) {
  describe.skipIf(!available)(
    `LND's dashboard, invoices and router RPCs on ${name}${available ? '' : ' (skipped: BRAID_LND_ALICE and BRAID_LND_BOB are not set; README: Checking simnet against a real LND)'}`,
    () => {
      let backend: Backend;
      beforeAll(async () => {
        backend = (await make()) as Backend;
      });
      afterAll(async () => {
        await backend?.stop();
      });

      it('reports a 40-hex commit in GetVersion and GetInfo', async () => {
        const version = await backend.alice.call<{ commit_hash: string; app_minor: number; build_tags: string[] }>(
          'Versioner',
          'GetVersion',
        );
        expect(version.commit_hash).toMatch(/^[0-9a-f]{40}$/);
        expect(version.app_minor).toBeGreaterThanOrEqual(18);
        const info = await backend.alice.call<{ commit_hash: string }>('Lightning', 'GetInfo');
        expect(info.commit_hash).toBe(version.commit_hash);
        if (backend.kind === 'simnet') expect(version.build_tags).toEqual(['invoicesrpc']);
      });

      it('answers WalletBalance, PendingChannels, ClosedChannels, ListPeers, FeeReport and GetNetworkInfo consistently', async () => {
        const { alice } = backend;
        const wallet = await alice.call<{
          total_balance: string;
          confirmed_balance: string;
          unconfirmed_balance: string;
          account_balance: Record<string, { confirmed_balance: string }>;
        }>('Lightning', 'WalletBalance');
        expect(BigInt(wallet.total_balance)).toBe(
          BigInt(wallet.confirmed_balance) + BigInt(wallet.unconfirmed_balance),
        );
        expect(wallet.account_balance.default?.confirmed_balance).toBe(wallet.confirmed_balance);

        const pending = await alice.call<Record<string, unknown>>('Lightning', 'PendingChannels');
        for (const key of ['pending_open_channels', 'pending_force_closing_channels', 'waiting_close_channels']) {
          expect(Array.isArray(pending[key]), key).toBe(true);
        }
        const closed = await alice.call<{ channels: unknown[] }>('Lightning', 'ClosedChannels');
        expect(Array.isArray(closed.channels)).toBe(true);
        if (backend.kind === 'simnet') expect(closed.channels).toEqual([]);

        const { channels } = await alice.call<{ channels: ChannelMsg[] }>('Lightning', 'ListChannels');
        expect(channels.length).toBeGreaterThan(0);
        for (const c of channels) {
          expect(c.remote_constraints, c.chan_id).not.toBeNull();
          expect(c.csv_delay).toBe(c.local_constraints?.csv_delay);
          expect(c.local_chan_reserve_sat).toBe(c.local_constraints?.chan_reserve_sat);
          expect(c.remote_chan_reserve_sat).toBe(c.remote_constraints?.chan_reserve_sat);
          expect(BigInt(c.fee_per_kw)).toBeGreaterThan(0n);
          expect(BigInt(c.commit_fee)).toBeGreaterThan(0n);
          expect(BigInt(c.commit_weight)).toBeGreaterThan(0n);
        }

        const { peers } = await alice.call<{ peers: { pub_key: string; address: string }[] }>('Lightning', 'ListPeers');
        for (const c of channels.filter((c) => c.active)) {
          expect(peers.map((p) => p.pub_key)).toContain(c.remote_pubkey);
        }
        for (const p of peers) expect(p.address).toMatch(/:\d+$/);

        const report = await alice.call<{
          channel_fees: { chan_id: string; channel_point: string; base_fee_msat: string; fee_per_mil: string }[];
        }>('Lightning', 'FeeReport');
        expect(report.channel_fees.map((f) => f.channel_point).sort()).toEqual(
          channels.map((c) => c.channel_point).sort(),
        );
        const aliceKey = (await alice.call<{ identity_pubkey: string }>('Lightning', 'GetInfo')).identity_pubkey;
        const first = report.channel_fees[0] as (typeof report.channel_fees)[number];
        const edge = await alice.call<{
          node1_pub: string;
          node1_policy: { fee_base_msat: string; fee_rate_milli_msat: string };
          node2_policy: { fee_base_msat: string; fee_rate_milli_msat: string };
        }>('Lightning', 'GetChanInfo', { chan_id: first.chan_id });
        const own = edge.node1_pub === aliceKey ? edge.node1_policy : edge.node2_policy;
        expect(own.fee_base_msat).toBe(first.base_fee_msat);
        expect(own.fee_rate_milli_msat).toBe(first.fee_per_mil);

        const network = await alice.call<{ num_channels: number; num_nodes: number; max_channel_size: string }>(
          'Lightning',
          'GetNetworkInfo',
        );
        expect(network.num_channels).toBeGreaterThanOrEqual(channels.length);
        expect(network.num_nodes).toBeGreaterThanOrEqual(2);
        for (const c of channels) expect(BigInt(network.max_channel_size)).toBeGreaterThanOrEqual(BigInt(c.capacity));
      });

      it('UpdateChannelPolicy changes one channel in the graph, and refuses a time lock delta below 18', async () => {
        const { alice } = backend;
        const { channels } = await alice.call<{ channels: ChannelMsg[] }>('Lightning', 'ListChannels');
        const channel = channels[0] as ChannelMsg;
        const [txid, index] = channel.channel_point.split(':');
        const chanPoint = { funding_txid_str: txid, output_index: Number(index) };
        const aliceKey = (await alice.call<{ identity_pubkey: string }>('Lightning', 'GetInfo')).identity_pubkey;
        const ownPolicy = async () => {
          const edge = await alice.call<{
            node1_pub: string;
            node1_policy: { fee_base_msat: string; fee_rate_milli_msat: string; time_lock_delta: number };
            node2_policy: { fee_base_msat: string; fee_rate_milli_msat: string; time_lock_delta: number };
          }>('Lightning', 'GetChanInfo', { chan_id: channel.chan_id });
          return edge.node1_pub === aliceKey ? edge.node1_policy : edge.node2_policy;
        };
        const before = await ownPolicy();
        const result = await alice.call<{ failed_updates: unknown[] }>('Lightning', 'UpdateChannelPolicy', {
          chan_point: chanPoint,
          base_fee_msat: '1001',
          fee_rate_ppm: 333,
          time_lock_delta: 50,
        });
        expect(result.failed_updates).toEqual([]);
        expect(await ownPolicy()).toMatchObject({
          fee_base_msat: '1001',
          fee_rate_milli_msat: '333',
          time_lock_delta: 50,
        });
        await expectRpcError(
          alice.call('Lightning', 'UpdateChannelPolicy', { chan_point: chanPoint, time_lock_delta: 5 }),
          2,
          'time lock delta of 5 is too small, minimum supported is 18',
        );
        await alice.call('Lightning', 'UpdateChannelPolicy', {
          chan_point: chanPoint,
          base_fee_msat: before.fee_base_msat,
          fee_rate_ppm: Number(before.fee_rate_milli_msat),
          time_lock_delta: before.time_lock_delta,
        });
      });

      it('holds an invoice: ACCEPTED while held, SETTLED by SettleInvoice, and the payer succeeds', async () => {
        const { alice, bob } = backend;
        const preimage = randomBytes(32);
        const hash = sha256(preimage);
        const { payment_request } = await bob.call<{ payment_request: string }>('Invoices', 'AddHoldInvoice', {
          hash,
          value: '12000',
          memo: 'hold',
        });
        const updates = bob.stream<{ state: string }>('Invoices', 'SubscribeSingleInvoice', { r_hash: hash });
        await updates.until(1);
        const payment = await payRequest(alice, payment_request);
        await updates.until(2);
        expect(updates.messages.map((m) => m.state)).toEqual(['OPEN', 'ACCEPTED']);
        expect((await alicePayment(alice, hash))?.status).toBe('IN_FLIGHT');
        await expectRpcError(
          bob.call('Invoices', 'SettleInvoice', { preimage: randomBytes(32) }),
          5,
          'unable to locate invoice',
        );
        await bob.call('Invoices', 'SettleInvoice', { preimage });
        const { last } = await payment.done;
        expect(last?.status).toBe('SUCCEEDED');
        expect(last?.payment_preimage).toBe(preimage.toString('hex'));
        expect(await updates.done).toEqual({ code: 0, details: '' });
        expect(updates.messages.map((m) => m.state)).toEqual(['OPEN', 'ACCEPTED', 'SETTLED']);
      });

      it('cancels a held invoice: the payer fails with INCORRECT_PAYMENT_DETAILS; DeletePayment refuses it in flight and removes it failed', async () => {
        const { alice, bob } = backend;
        const hash = sha256(randomBytes(32));
        const { payment_request } = await bob.call<{ payment_request: string }>('Invoices', 'AddHoldInvoice', {
          hash,
          value: '11000',
        });
        const payment = await payRequest(alice, payment_request);
        const held = bob.stream<{ state: string }>('Invoices', 'SubscribeSingleInvoice', { r_hash: hash });
        while (!held.messages.some((m) => m.state === 'ACCEPTED')) await held.until(held.messages.length + 1);
        // The sentinel's text: LND's SQL payments store (0.21+) may word the wrapping differently.
        await expectRpcError(
          alice.call('Lightning', 'DeletePayment', { payment_hash: hash }),
          2,
          'payment is in transition',
        );
        await bob.call('Invoices', 'CancelInvoice', { payment_hash: hash });
        const { last } = await payment.done;
        expect(last?.status).toBe('FAILED');
        expect(last?.failure_reason).toBe('FAILURE_REASON_INCORRECT_PAYMENT_DETAILS');
        held.cancel();
        await alice.call('Lightning', 'DeletePayment', { payment_hash: hash });
        expect(await alicePayment(alice, hash)).toBeUndefined();
        // Before 0.19 an empty DeleteAllPayments deleted every payment: only ask a node that refuses it.
        const { app_minor } = await alice.call<{ app_minor: number }>('Versioner', 'GetVersion');
        if (app_minor >= 19) {
          await expectRpcError(
            alice.call('Lightning', 'DeleteAllPayments', {}),
            2,
            'at least one of the options all_payments, failed_payments_only, or failed_htlcs_only must be set to true',
          );
        }
      });

      it('streams HTLC events: subscribed first, then the send and its settle', async () => {
        const { alice, bob } = backend;
        const events = alice.stream<{
          event_type: string;
          outgoing_htlc_id: string;
          outgoing_channel_id: string;
          subscribed_event?: object | null;
          forward_event?: object | null;
          settle_event?: { preimage: Buffer } | null;
        }>('Router', 'SubscribeHtlcEvents');
        await events.until(1);
        expect(events.messages[0]?.subscribed_event).toBeTruthy();
        const invoice = await addInvoice(bob, 9_000n * SAT, 'htlc events');
        const { last } = await (await payRequest(alice, invoice.request)).done;
        expect(last?.status).toBe('SUCCEEDED');
        const isSettle = (m: (typeof events.messages)[number]) => m.event_type === 'SEND' && !!m.settle_event;
        while (!events.messages.some(isSettle)) await events.until(events.messages.length + 1);
        const sent = events.messages.find((m) => m.event_type === 'SEND' && !!m.forward_event);
        const settled = events.messages.find(isSettle);
        expect(sent?.outgoing_channel_id).toBe(settled?.outgoing_channel_id);
        expect(sent?.outgoing_htlc_id).toBe(settled?.outgoing_htlc_id);
        expect(settled?.settle_event?.preimage.toString('hex')).toBe(last?.payment_preimage);
        events.cancel();
      });

      it('QueryMissionControl shows what a payment taught; ResetMissionControl forgets it', async () => {
        const { alice, bob } = backend;
        const invoice = await addInvoice(bob, 8_000n * SAT, 'mission control');
        const { last } = await (await payRequest(alice, invoice.request)).done;
        expect(last?.status).toBe('SUCCEEDED');
        const route = last?.htlcs.find((h) => h.status === 'SUCCEEDED')?.route;
        const bobKey = route?.hops.at(-1)?.pub_key as string;
        const before = await alice.call<{
          pairs: { node_from: Buffer; node_to: Buffer; history: { success_amt_msat: string; success_time: string } }[];
        }>('Router', 'QueryMissionControl');
        const last_pair = before.pairs.find((p) => p.node_to.toString('hex') === bobKey);
        expect(BigInt(last_pair?.history.success_amt_msat ?? '0')).toBeGreaterThanOrEqual(8_000n * SAT);
        expect(Number(last_pair?.history.success_time)).toBeGreaterThan(0);
        await alice.call('Router', 'ResetMissionControl');
        expect((await alice.call<{ pairs: unknown[] }>('Router', 'QueryMissionControl')).pairs).toEqual([]);
      });

      it("writes LND's texts for an expired invoice and a malformed one", async () => {
        const { alice, bob } = backend;
        const { payment_request } = await bob.call<{ payment_request: string }>('Lightning', 'AddInvoice', {
          value: '1000',
          expiry: '1',
        });
        await new Promise((r) => setTimeout(r, 2100));
        const { end } = await (await payRequest(alice, payment_request)).done;
        expect(end.code).toBe(2);
        expect(end.details).toMatch(/^invoice expired\. Valid until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \w+$/);
        if (backend.kind === 'simnet') expect(end.details).toMatch(/\+0000 UTC$/);
        await expectRpcError(
          alice.call('Lightning', 'DecodePayReq', { pay_req: 'lnbcrt10u1pabcdbio' }),
          2,
          'failed converting data to bytes: invalid character not part of charset: 98',
        );
      });
    },
  );
}
