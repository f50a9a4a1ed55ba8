import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Backend, simnetBackend } from './test/backend';
import { addInvoice, alicePayment, buildShard, type PaymentMsg, sendShard } from './test/flows';

const SAT = 1000n;

describe('simnet faults and forwarding checks', () => {
  let backend: Backend;
  let key: (alias: string) => string;
  beforeEach(async () => {
    backend = await simnetBackend(1000);
    key = (alias) => backend.simnet?.sim.net.nodeByAlias(alias)?.pubkey as string;
  });
  afterEach(async () => {
    await backend.stop();
  });
  const simnet = () => backend.simnet as NonNullable<Backend['simnet']>;
  const viaFjord = () => [key('atlas'), key('fjord'), key('bob')];

  it('a node offline: the hop before it answers UNKNOWN_NEXT_PEER', async () => {
    const invoice = await addInvoice(backend.bob, 50_000n * SAT);
    const route = await buildShard(backend.alice, viaFjord(), 50_000n * SAT, invoice);
    await simnet().setOnline('fjord', false);
    const attempt = await sendShard(backend.alice, invoice, route);
    expect(attempt.failure?.code).toBe('UNKNOWN_NEXT_PEER');
    expect(attempt.failure?.failure_source_index).toBe(1);
  });

  it('a channel disabled: CHANNEL_DISABLED with the channel update and its disabled flag', async () => {
    const invoice = await addInvoice(backend.bob, 50_000n * SAT);
    const route = await buildShard(backend.alice, viaFjord(), 50_000n * SAT, invoice);
    const chanId = BigInt(route.hops[1]?.chan_id as string);
    const channel = simnet().sim.net.channel(chanId);
    const atlas = simnet().sim.net.nodeByAlias('atlas')?.index;
    const dir = channel?.node1 === atlas ? 0 : 1;
    simnet().setChannelDisabled(chanId, true, dir);
    const attempt = await sendShard(backend.alice, invoice, route);
    expect(attempt.failure?.code).toBe('CHANNEL_DISABLED');
    expect(attempt.failure?.failure_source_index).toBe(1);
    const update = attempt.failure?.channel_update as { chan_id: string; channel_flags: number };
    expect(update.chan_id).toBe(chanId.toString());
    expect(update.channel_flags).toBe(dir | 2);
  });

  it('an HTLC held at a hop stays in flight until released, then settles', async () => {
    const invoice = await addInvoice(backend.bob, 50_000n * SAT);
    const route = await buildShard(backend.alice, viaFjord(), 50_000n * SAT, invoice);
    const release = simnet().holdAt('fjord');
    let done = false;
    const sending = sendShard(backend.alice, invoice, route).then((a) => {
      done = true;
      return a;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    expect(((await alicePayment(backend.alice, invoice.hash)) as PaymentMsg).status).toBe('IN_FLIGHT');
    release();
    expect((await sending).status).toBe('SUCCEEDED');
  });

  it('extra latency at a node is paid on the way there and back', async () => {
    const invoice = await addInvoice(backend.bob, 50_000n * SAT);
    const route = await buildShard(backend.alice, viaFjord(), 50_000n * SAT, invoice);
    simnet().setExtraLatency('atlas', 150);
    const started = Date.now();
    expect((await sendShard(backend.alice, invoice, route)).status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('a restart drops the streams, keeps the port, and fails a payment with an amount left as NO_ROUTE', async () => {
    const invoice = await addInvoice(backend.bob, 100_000n * SAT);
    const route = await buildShard(backend.alice, viaFjord(), 40_000n * SAT, invoice);
    // The restart cuts this call; its HTLC lives on in the node.
    const held = sendShard(backend.alice, invoice, route).catch((error: { code: number }) => error.code);
    await new Promise((r) => setTimeout(r, 100));
    const track = backend.alice.stream('Router', 'TrackPaymentV2', { payment_hash: invoice.hash });
    await track.until(1);
    await simnet().restart('alice');
    expect((await track.done).code).not.toBe(0);
    const payment = (await alicePayment(backend.alice, invoice.hash)) as PaymentMsg;
    expect(payment.failure_reason).toBe('FAILURE_REASON_NO_ROUTE');
    expect(payment.status).toBe('IN_FLIGHT');
    // The shard still held at bob ends by MPP_TIMEOUT; the payment is then FAILED.
    expect(await held).toBe(14);
    await new Promise((r) => setTimeout(r, 1200));
    expect(((await alicePayment(backend.alice, invoice.hash)) as PaymentMsg).status).toBe('FAILED');
  });

  it('checks fees and CLTV at every hop against the block height', async () => {
    const invoice = await addInvoice(backend.bob, 50_000n * SAT);
    const route = await buildShard(backend.alice, viaFjord(), 50_000n * SAT, invoice);
    const cheap = structuredClone(route);
    cheap.total_amt_msat = (BigInt(cheap.total_amt_msat) - 1n).toString();
    const underpaid = await sendShard(backend.alice, invoice, cheap);
    expect(underpaid.failure?.code).toBe('FEE_INSUFFICIENT');
    expect(underpaid.failure?.failure_source_index).toBe(1);
    expect(underpaid.failure?.channel_update).not.toBeNull();

    const invoice2 = await addInvoice(backend.bob, 50_000n * SAT);
    const stale = await buildShard(backend.alice, viaFjord(), 50_000n * SAT, invoice2);
    const before = await backend.alice.call<{ block_height: number }>('Lightning', 'GetInfo');
    simnet().mineBlocks(500);
    const after = await backend.alice.call<{ block_height: number }>('Lightning', 'GetInfo');
    expect(after.block_height).toBe(before.block_height + 500);
    const late = await sendShard(backend.alice, invoice2, stale);
    expect(late.failure?.code).toBe('EXPIRY_TOO_SOON');
    expect(late.failure?.failure_source_index).toBe(1);
  });
});
