import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoicesHandlers } from './grpc/invoicesrpc';
import { lightningHandlers } from './grpc/lightning';
import { routerHandlers } from './grpc/router';
import { stateHandlers, versionerHandlers } from './grpc/state';
import type { Channel } from './model/types';
import { Simnet } from './simnet';
import { TestLnd } from './test/client';
import { addInvoice, alicePayment, buildShard, type PaymentMsg, sendShard } from './test/flows';
import { channelBetween as channelOf, sideOf } from './test/model';

const SAT = 1000n;

/** Calls any path on a node with an empty request, as a client built from other protos would. */
function rawCall(simnet: Simnet, path: string): Promise<{ code: number; details: string }> {
  const node = simnet.nodes.alice;
  const creds = grpc.credentials.combineChannelCredentials(
    grpc.credentials.createSsl(Buffer.from(node.cert)),
    grpc.credentials.createFromMetadataGenerator((_p, cb) => {
      const md = new grpc.Metadata();
      md.add('macaroon', node.macaroon);
      cb(null, md);
    }),
  );
  const client = new grpc.Client(node.grpc, creds);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (x: Buffer) => x,
      (x: Buffer) => x,
      Buffer.alloc(0),
      (error) => {
        client.close();
        resolve({ code: error?.code ?? 0, details: error?.details ?? '' });
      },
    );
  });
}

describe('simnet-only: what LND refuses, faults, and circular payments', () => {
  let simnet: Simnet;
  let alice: TestLnd;
  let bob: TestLnd;
  const key = (alias: string) => simnet.sim.net.nodeByAlias(alias)?.pubkey as string;
  const channelBetween = (a: string, b: string) => channelOf(simnet.sim.net, a, b);
  /** What `alias` holds on its side of the channel. */
  const held = (channel: Channel, alias: string) => channel.balance[sideOf(simnet.sim.net, channel, alias)];

  beforeAll(async () => {
    simnet = await Simnet.start({ seed: 5, blockIntervalMs: 0, mppTimeoutMs: 3000 });
    alice = new TestLnd(simnet.nodes.alice);
    bob = new TestLnd(simnet.nodes.bob);
  });
  afterAll(async () => {
    alice.close();
    bob.close();
    await simnet.stop();
  });

  it('serves exactly the RPCs the README lists', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('Served RPCs, by service'));
    const listed = new Map<string, string[]>();
    let service = '';
    for (const line of table.split('\n').slice(2)) {
      if (!line.startsWith('|')) break;
      const [, name = '', rpcs = ''] = line.split('|').map((cell) => cell.trim());
      if (name.startsWith('`')) service = name.replaceAll('`', '');
      if (!service || name.startsWith('-') || name === 'Service') continue;
      const names = rpcs
        .replace(/\(.*?\)/g, '')
        .split(',')
        .map((n) => n.trim());
      listed.set(service, [...(listed.get(service) ?? []), ...names.filter(Boolean)]);
    }
    const ctx = { sim: simnet.sim, lnd: simnet.sim.lndByAlias('alice') };
    const served: Record<string, object> = {
      'lnrpc.Lightning': lightningHandlers(ctx),
      'routerrpc.Router': routerHandlers(ctx),
      'invoicesrpc.Invoices': invoicesHandlers(ctx),
      'verrpc.Versioner': versionerHandlers(),
      'lnrpc.State': stateHandlers(),
    };
    expect([...listed.keys()].sort()).toEqual(Object.keys(served).sort());
    for (const [name, handlers] of Object.entries(served)) {
      expect(listed.get(name)?.sort(), name).toEqual(Object.keys(handlers).sort());
    }
  });

  it("answers what it does not serve with grpc-go's texts and codes", async () => {
    expect(await rawCall(simnet, '/walletrpc.WalletKit/ListUnspent')).toEqual({
      code: grpc.status.UNIMPLEMENTED,
      details: 'unknown service walletrpc.WalletKit',
    });
    expect(await rawCall(simnet, '/lnrpc.Lightning/LookupHtlcResolution')).toEqual({
      code: grpc.status.UNIMPLEMENTED,
      details: 'unknown method LookupHtlcResolution for service lnrpc.Lightning',
    });
    expect(await rawCall(simnet, '/routerrpc.Router/XImportMissionControl')).toEqual({
      code: grpc.status.UNIMPLEMENTED,
      details: 'unknown method XImportMissionControl for service routerrpc.Router',
    });
    expect(await rawCall(simnet, '/lnrpc.WalletUnlocker/GenSeed')).toEqual({
      code: grpc.status.UNKNOWN,
      details: 'wallet already unlocked, WalletUnlocker service is no longer available',
    });
  });

  it('reports channels inactive while their peer is offline, and active again', async () => {
    const channel = channelBetween('bob', 'carol');
    const events = bob.stream<{
      type: string;
      inactive_channel?: { funding_txid_bytes: Buffer; output_index: number };
    }>('Lightning', 'SubscribeChannelEvents');
    await new Promise((r) => setTimeout(r, 100));
    await simnet.setOnline('carol', false);
    await events.until(1);
    const [txid, index] = channel.chanPoint.split(':');
    expect(events.messages[0]?.type).toBe('INACTIVE_CHANNEL');
    expect(
      Buffer.from(events.messages[0]?.inactive_channel?.funding_txid_bytes ?? [])
        .reverse()
        .toString('hex'),
    ).toBe(txid);
    expect(events.messages[0]?.inactive_channel?.output_index).toBe(Number(index));
    const { channels } = await bob.call<{ channels: { chan_id: string; active: boolean }[] }>(
      'Lightning',
      'ListChannels',
    );
    expect(channels.find((c) => c.chan_id === channel.id.toString())?.active).toBe(false);
    await simnet.setOnline('carol', true);
    await events.until(2);
    expect(events.messages[1]?.type).toBe('ACTIVE_CHANNEL');
    events.cancel();
  });

  it('shows a held HTLC in pending_htlcs, unsettled_balance and the commitment weight', async () => {
    const preimage = randomBytes(32);
    const hash = createHash('sha256').update(preimage).digest();
    const { payment_request } = await bob.call<{ payment_request: string }>('Invoices', 'AddHoldInvoice', {
      hash,
      value: '25000',
    });
    const pay = alice.stream<PaymentMsg>('Router', 'SendPaymentV2', {
      payment_request,
      timeout_seconds: 30,
      fee_limit_sat: '1000',
    });
    const invoice = bob.stream<{ state: string }>('Invoices', 'SubscribeSingleInvoice', { r_hash: hash });
    while (!invoice.messages.some((m) => m.state === 'ACCEPTED')) await invoice.until(invoice.messages.length + 1);
    const payment = (await alicePayment(alice, hash)) as PaymentMsg;
    const route = payment.htlcs[0]?.route;
    const { channels } = await alice.call<{
      channels: {
        chan_id: string;
        unsettled_balance: string;
        commit_weight: string;
        pending_htlcs: { incoming: boolean; amount: string; hash_lock: Buffer }[];
      }[];
    }>('Lightning', 'ListChannels');
    const first = channels.find((c) => c.chan_id === route?.hops[0]?.chan_id);
    expect(first?.pending_htlcs).toHaveLength(1);
    expect(first?.pending_htlcs[0]?.incoming).toBe(false);
    expect(first?.pending_htlcs[0]?.hash_lock.equals(hash)).toBe(true);
    expect(BigInt(first?.pending_htlcs[0]?.amount ?? '0')).toBe(BigInt(route?.total_amt_msat ?? '0') / SAT);
    expect(first?.unsettled_balance).toBe(first?.pending_htlcs[0]?.amount);
    expect(first?.commit_weight).toBe(String(1124 + 172));
    await bob.call('Invoices', 'SettleInvoice', { preimage });
    await pay.done;
    expect(pay.messages.at(-1)?.status).toBe('SUCCEEDED');
    const after = await alice.call<{ channels: { chan_id: string; pending_htlcs: unknown[] }[] }>(
      'Lightning',
      'ListChannels',
    );
    expect(after.channels.find((c) => c.chan_id === route?.hops[0]?.chan_id)?.pending_htlcs).toEqual([]);
  });

  it('pays alice to alice in two parts over two cycles with SendToRouteV2, all at once', async () => {
    const total = 80_000n * SAT;
    const invoice = await addInvoice(alice, total, 'circular, two parts');
    const cycles = [
      ['atlas', 'gale', 'bolt', 'alice'],
      ['echo', 'iris', 'cobalt', 'alice'],
    ];
    const outs = [channelBetween('alice', 'atlas'), channelBetween('alice', 'echo')];
    const ins = [channelBetween('alice', 'bolt'), channelBetween('alice', 'cobalt')];
    const before = [...outs, ...ins].map((c) => held(c, 'alice'));
    const routes = await Promise.all(cycles.map((c) => buildShard(alice, c.map(key), total / 2n, invoice)));
    routes.forEach((route, i) => {
      expect(route.hops[0]?.chan_id).toBe(outs[i]?.id.toString());
      expect(route.hops.at(-1)?.chan_id).toBe(ins[i]?.id.toString());
    });
    const attempts = await Promise.all(routes.map((r) => sendShard(alice, invoice, r)));
    expect(attempts.map((a) => a.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);

    const settled = await alice.call<{ state: string; amt_paid_msat: string; htlcs: unknown[] }>(
      'Lightning',
      'LookupInvoice',
      { r_hash: invoice.hash },
    );
    expect(settled.state).toBe('SETTLED');
    expect(BigInt(settled.amt_paid_msat)).toBe(total);
    expect(settled.htlcs).toHaveLength(2);
    const payment = (await alicePayment(alice, invoice.hash)) as PaymentMsg;
    expect(payment.status).toBe('SUCCEEDED');
    routes.forEach((route, i) => {
      const sent = BigInt(route.total_amt_msat);
      expect(held(outs[i] as Channel, 'alice')).toBe((before[i] as bigint) - sent);
      expect(held(ins[i] as Channel, 'alice')).toBe((before[i + 2] as bigint) + total / 2n);
    });
  });

  it('pays alice to alice with SendPaymentV2: refused without allow_self_payment, split across outgoing channels with it', async () => {
    const total = 100_000n * SAT;
    const invoice = await addInvoice(alice, total, 'circular, SendPaymentV2');
    const refused = alice.stream<PaymentMsg>('Router', 'SendPaymentV2', {
      payment_request: invoice.request,
      timeout_seconds: 30,
      fee_limit_sat: '2000',
    });
    expect(await refused.done).toEqual({ code: 2, details: 'self-payments not allowed' });

    const outgoing = [channelBetween('alice', 'atlas'), channelBetween('alice', 'echo')].map((c) => c.id.toString());
    const back = channelBetween('alice', 'bolt');
    const backBefore = held(back, 'alice');
    const pay = alice.stream<PaymentMsg>('Router', 'SendPaymentV2', {
      payment_request: invoice.request,
      timeout_seconds: 30,
      fee_limit_sat: '2000',
      allow_self_payment: true,
      outgoing_chan_ids: outgoing,
      last_hop_pubkey: Buffer.from(key('bolt'), 'hex'),
      max_shard_size_msat: (40_000n * SAT).toString(),
    });
    expect(await pay.done).toEqual({ code: 0, details: '' });
    const last = pay.messages.at(-1) as PaymentMsg;
    expect(last.status).toBe('SUCCEEDED');
    const succeeded = last.htlcs.filter((h) => h.status === 'SUCCEEDED');
    expect(succeeded.length).toBeGreaterThanOrEqual(3);
    for (const h of succeeded) {
      expect(outgoing).toContain(h.route.hops[0]?.chan_id);
      expect(h.route.hops.at(-1)?.chan_id).toBe(back.id.toString());
      expect(h.route.hops.at(-1)?.pub_key).toBe(key('alice'));
    }
    expect(held(back, 'alice')).toBe(backBefore + total);
  });

  it('notifies a refused forward: a link failure at bob naming the HTLC it could not add, a forward failure at alice', async () => {
    const carol = new TestLnd(simnet.nodes.carol);
    const amt = (held(channelBetween('bob', 'carol'), 'bob') / SAT + 10_000n) * SAT;
    const invoice = await addInvoice(carol, amt, 'more than bob holds towards carol');
    type Event = {
      event_type: string;
      incoming_channel_id: string;
      outgoing_channel_id: string;
      outgoing_htlc_id: string;
      forward_event?: object | null;
      forward_fail_event?: object | null;
      final_htlc_event?: { settled: boolean } | null;
      link_fail_event?: {
        wire_failure: string;
        failure_detail: string;
        failure_string: string;
        info: { incoming_amt_msat: string; outgoing_amt_msat: string };
      } | null;
    };
    const atBob = bob.stream<Event>('Router', 'SubscribeHtlcEvents');
    const atAlice = alice.stream<Event>('Router', 'SubscribeHtlcEvents');
    await Promise.all([atBob.until(1), atAlice.until(1)]);
    const route = await buildShard(alice, ['atlas', 'fjord', 'bob', 'carol'].map(key), amt, invoice);
    const attempt = await sendShard(alice, invoice, route, false);
    expect(attempt.failure?.code).toBe('TEMPORARY_CHANNEL_FAILURE');
    expect(attempt.failure?.failure_source_index).toBe(3);

    await atBob.until(3);
    const linkFail = atBob.messages.find((m) => m.link_fail_event);
    expect(linkFail).toMatchObject({
      event_type: 'FORWARD',
      incoming_channel_id: route.hops[2]?.chan_id,
      outgoing_channel_id: route.hops[3]?.chan_id,
      link_fail_event: {
        wire_failure: 'TEMPORARY_CHANNEL_FAILURE',
        failure_detail: 'INSUFFICIENT_BALANCE',
        failure_string: 'TemporaryChannelFailure',
        info: {
          incoming_amt_msat: route.hops[1]?.amt_to_forward_msat,
          outgoing_amt_msat: route.hops[2]?.amt_to_forward_msat,
        },
      },
    });
    expect(atBob.messages.some((m) => m.final_htlc_event?.settled === false)).toBe(true);
    expect(atBob.messages.some((m) => m.forward_event)).toBe(false);

    await atAlice.until(3);
    const [sent, failed] = atAlice.messages.slice(1);
    expect(sent).toMatchObject({ event_type: 'SEND', outgoing_channel_id: route.hops[0]?.chan_id });
    expect(sent?.forward_event).toBeTruthy();
    expect(failed).toMatchObject({ event_type: 'SEND', outgoing_htlc_id: sent?.outgoing_htlc_id });
    expect(failed?.forward_fail_event).toBeTruthy();
    atBob.cancel();
    atAlice.cancel();
    carol.close();
    expect((await alicePayment(alice, invoice.hash))?.status).toBe('FAILED');
  });

  it('DeleteAllPayments with all_payments clears what is settled or failed', async () => {
    const invoice = await addInvoice(bob, 5_000n * SAT, 'to be deleted');
    const pay = alice.stream<PaymentMsg>('Router', 'SendPaymentV2', {
      payment_request: invoice.request,
      timeout_seconds: 30,
      fee_limit_sat: '1000',
    });
    await pay.done;
    expect((await alicePayment(alice, invoice.hash))?.status).toBe('SUCCEEDED');
    await expect(
      alice.call('Lightning', 'DeleteAllPayments', { all_payments: true, failed_payments_only: true }),
    ).rejects.toMatchObject({ code: 2, details: expect.stringContaining('all_payments cannot be set to true') });
    const res = await alice.call<{ status: string }>('Lightning', 'DeleteAllPayments', { all_payments: true });
    expect(res.status).toMatch(/^\d+ payments deleted, failed_htlcs_only=false$/);
    const { payments } = await alice.call<{ payments: unknown[] }>('Lightning', 'ListPayments', {
      include_incomplete: true,
    });
    expect(payments).toEqual([]);
  });
});
