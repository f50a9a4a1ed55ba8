import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simnet } from './simnet';
import { TestLnd } from './test/client';
import { addInvoice, buildShard, type PaymentMsg, sendShard } from './test/flows';

interface Edge {
  channel_id: string;
  node1_pub: string;
  node2_pub: string;
  capacity: string;
  node1_policy: { fee_base_msat: string; fee_rate_milli_msat: string; disabled: boolean };
}

describe('graph, invoice and payment-list RPCs', () => {
  let simnet: Simnet;
  let alice: TestLnd;
  let bob: TestLnd;
  beforeAll(async () => {
    simnet = await Simnet.start({ seed: 9, blockIntervalMs: 0, mppTimeoutMs: 1000 });
    alice = new TestLnd(simnet.nodes.alice);
    bob = new TestLnd(simnet.nodes.bob);
  });
  afterAll(async () => {
    alice.close();
    bob.close();
    await simnet.stop();
  });

  it('refuses a call without the macaroon, or with another node’s, and serves State without one', async () => {
    const stranger = new TestLnd({ ...simnet.nodes.alice, macaroon: simnet.nodes.bob.macaroon });
    await expect(stranger.call('Lightning', 'GetInfo')).rejects.toMatchObject({
      code: grpc.status.UNKNOWN,
      details: expect.stringContaining('verification failed'),
    });
    await expect(stranger.call('State', 'GetState')).resolves.toEqual({ state: 'SERVER_ACTIVE' });
    stranger.close();
    const version = await alice.call<{ version: string; app_minor: number }>('Versioner', 'GetVersion');
    expect(version.app_minor).toBeGreaterThanOrEqual(18);
  });

  it('describes the graph as the model holds it, policies and 64-bit ids exact', async () => {
    const graph = await alice.call<{ nodes: { pub_key: string; alias: string }[]; edges: Edge[] }>(
      'Lightning',
      'DescribeGraph',
    );
    const net = simnet.sim.net;
    expect(graph.nodes).toHaveLength(net.nodes.length);
    expect(graph.edges).toHaveLength(net.channels.length);
    for (const edge of graph.edges) {
      const channel = net.channel(BigInt(edge.channel_id));
      expect(channel, edge.channel_id).toBeDefined();
      if (!channel) continue;
      expect(edge.node1_pub).toBe(net.node(channel.node1).pubkey);
      expect(BigInt(edge.capacity)).toBe(channel.capacitySat);
      expect(BigInt(edge.node1_policy.fee_rate_milli_msat)).toBe(channel.policy[0].feePpm);
      expect(edge.node1_policy.disabled).toBe(channel.policy[0].disabled);
    }
    const edge = graph.edges[0] as Edge;
    const info = await alice.call<Edge>('Lightning', 'GetChanInfo', { chan_id: edge.channel_id });
    expect(info.channel_id).toBe(edge.channel_id);
    const node = await alice.call<{ node: { alias: string }; num_channels: number }>('Lightning', 'GetNodeInfo', {
      pub_key: simnet.nodes.bob.pubkey,
    });
    expect(node.node.alias).toBe('bob');
    expect(node.num_channels).toBeGreaterThan(0);
  });

  it('lists invoices, streams their additions and settlements, and lists payments by index', async () => {
    const sub = bob.stream<{ state: string; r_hash: Buffer; amt_paid_msat: string }>('Lightning', 'SubscribeInvoices');
    const all = alice.stream<PaymentMsg>('Router', 'TrackPayments');
    await new Promise((r) => setTimeout(r, 100));
    const invoice = await addInvoice(bob, 70_000_000n, 'listed');
    await sub.until(1);
    const key = (alias: string) => simnet.sim.net.nodeByAlias(alias)?.pubkey as string;
    const route = await buildShard(alice, [key('atlas'), key('fjord'), key('bob')], 70_000_000n, invoice);
    expect((await sendShard(alice, invoice, route)).status).toBe('SUCCEEDED');
    await sub.until(2);
    expect(sub.messages.map((m) => m.state)).toEqual(['OPEN', 'SETTLED']);
    expect(sub.messages[1]?.amt_paid_msat).toBe('70000000');
    // One message per write: InitPayment, RegisterAttempt, SettleAttempt.
    await all.until(3);
    expect(all.messages.map((m) => `${m.status}:${m.htlcs.length}`)).toEqual([
      'IN_FLIGHT:0',
      'IN_FLIGHT:1',
      'SUCCEEDED:1',
    ]);
    sub.cancel();
    all.cancel();

    const { invoices } = await bob.call<{ invoices: { memo: string; state: string }[] }>('Lightning', 'ListInvoices');
    expect(invoices.find((i) => i.memo === 'listed')?.state).toBe('SETTLED');
    const pending = await bob.call<{ invoices: unknown[] }>('Lightning', 'ListInvoices', { pending_only: true });
    expect(pending.invoices).toHaveLength(0);

    for (let i = 0; i < 3; i++) {
      const inv = await addInvoice(bob, 1_000_000n, `more ${i}`);
      await sendShard(alice, inv, await buildShard(alice, [key('atlas'), key('fjord'), key('bob')], 1_000_000n, inv));
    }
    const page1 = await alice.call<{ payments: PaymentMsg[]; last_index_offset: string; total_num_payments: string }>(
      'Lightning',
      'ListPayments',
      { max_payments: '2', count_total_payments: true },
    );
    expect(page1.payments.map((p) => p.payment_index)).toEqual(['1', '2']);
    expect(page1.total_num_payments).toBe('4');
    const page2 = await alice.call<{ payments: PaymentMsg[] }>('Lightning', 'ListPayments', {
      index_offset: page1.last_index_offset,
      max_payments: '2',
    });
    expect(page2.payments.map((p) => p.payment_index)).toEqual(['3', '4']);
    const newest = await alice.call<{ payments: PaymentMsg[] }>('Lightning', 'ListPayments', {
      reversed: true,
      max_payments: '1',
    });
    expect(newest.payments.map((p) => p.payment_index)).toEqual(['4']);
  });
});
