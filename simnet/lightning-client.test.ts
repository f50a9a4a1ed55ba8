import { createHash, randomBytes } from 'node:crypto';
import {
  authenticatedLndGrpc,
  createHodlInvoice,
  createInvoice,
  getChainBalance,
  getChannels,
  getClosedChannels,
  getFailedPayments,
  getFeeRates,
  getForwardingReputations,
  getForwards,
  getNetworkInfo,
  getNode,
  getPayment,
  getPeers,
  getPendingChannels,
  getRouteThroughHops,
  getSettlementStatus,
  getWalletInfo,
  getWalletVersion,
  payViaPaymentRequest,
  payViaRoutes,
  probeForRoute,
  settleHodlInvoice,
  subscribeToChannels,
  subscribeToForwards,
  subscribeToInvoice,
  updateRoutingFees,
} from 'lightning';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onChainBalanceSat } from './grpc/wallet';
import type { Channel } from './model/types';
import { type NodeName, Simnet } from './simnet';
import { channelBetween as channelOf, sideOf as sideIn } from './test/model';

type Lnd = ReturnType<typeof authenticatedLndGrpc>['lnd'];

/** An LND client that is not Braid's: npm `lightning` (behind ln-service, BalanceOfSatoshis, ThunderHub). */
function connect(simnet: Simnet, name: NodeName): Lnd {
  const node = simnet.nodes[name];
  return authenticatedLndGrpc({
    cert: Buffer.from(node.cert).toString('base64'),
    macaroon: node.macaroon,
    socket: node.grpc,
  }).lnd;
}

/** Waits until `check` holds, polling; fails after `ms`. */
async function eventually(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('simnet through npm lightning', () => {
  let simnet: Simnet;
  let alice: Lnd;
  let bob: Lnd;
  let carol: Lnd;
  const pubkey = (alias: string) => simnet.sim.net.nodeByAlias(alias)?.pubkey as string;
  const channelBetween = (a: string, b: string) => channelOf(simnet.sim.net, a, b);
  const sideOf = (channel: Channel, alias: string) => sideIn(simnet.sim.net, channel, alias);

  beforeAll(async () => {
    simnet = await Simnet.start({ seed: 11, blockIntervalMs: 0, mppTimeoutMs: 2000 });
    alice = connect(simnet, 'alice');
    bob = connect(simnet, 'bob');
    carol = connect(simnet, 'carol');
  });
  afterAll(async () => {
    await simnet.stop();
  });

  it('getChannels: every field a real LND fills, duplicated fields agreeing', async () => {
    const { channels } = await getChannels({ lnd: alice });
    const own = [...simnet.sim.net.channelsOf(simnet.sim.net.nodeByAlias('alice')?.index as number)];
    expect(channels).toHaveLength(own.length);
    for (const channel of channels) {
      const model = own.find(
        ({ channel: c }) => c.chanPoint === `${channel.transaction_id}:${channel.transaction_vout}`,
      );
      expect(model, channel.id).toBeDefined();
      if (!model) continue;
      expect(channel.capacity).toBe(Number(model.channel.capacitySat));
      expect(channel.local_balance).toBe(Number(model.channel.balance[model.dir] / 1000n));
      expect(channel.local_reserve).toBe(Number(model.channel.capacitySat / 100n));
      expect(channel.remote_reserve).toBe(channel.local_reserve);
      expect(channel.local_csv).toBe(144);
      expect(channel.remote_csv).toBe(144);
      expect(channel.commit_transaction_fee).toBeGreaterThan(0);
      expect(channel.commit_transaction_weight).toBe(1124);
      expect(channel.type).toBe('anchor');
      expect(channel.is_active).toBe(true);
    }
  });

  it('getWalletVersion: a 40-hex commit the library knows, and only the build tags of what is served', async () => {
    const version = await getWalletVersion({ lnd: alice });
    expect(version.commit_hash).toMatch(/^[0-9a-f]{40}$/);
    expect(version.version).toBe('0.21.0-beta');
    expect(version.build_tags).toEqual(['invoicesrpc']);
    expect(version.is_invoicesrpc_enabled).toBe(true);
    expect(version.is_walletrpc_enabled).toBe(false);
  });

  it('getChainBalance, getPendingChannels, getClosedChannels, getNetworkInfo', async () => {
    const { chain_balance } = await getChainBalance({ lnd: alice });
    expect(chain_balance).toBe(Number(onChainBalanceSat(simnet.nodes.alice.pubkey)));
    expect(chain_balance).toBeGreaterThanOrEqual(1_000_000);
    const { chain_balance: bobs } = await getChainBalance({ lnd: bob });
    expect(bobs).not.toBe(chain_balance);
    expect((await getPendingChannels({ lnd: alice })).pending_channels).toEqual([]);
    expect((await getClosedChannels({ lnd: alice })).channels).toEqual([]);

    const info = await getNetworkInfo({ lnd: alice });
    const net = simnet.sim.net;
    expect(info.channel_count).toBe(net.channels.length);
    expect(info.node_count).toBe(net.nodes.length);
    const capacity = net.channels.reduce((sum, c) => sum + c.capacitySat, 0n);
    expect(info.total_capacity).toBe(Number(capacity));
    expect(info.max_channel_size).toBe(Math.max(...net.channels.map((c) => Number(c.capacitySat))));
    expect(info.min_channel_size).toBe(Math.min(...net.channels.map((c) => Number(c.capacitySat))));
  });

  it('getPeers: one peer per channel counterparty, with an address', async () => {
    const { peers } = await getPeers({ lnd: alice });
    const expected = new Set(['atlas', 'bolt', 'cobalt', 'echo'].map(pubkey));
    expect(new Set(peers.map((p) => p.public_key))).toEqual(expected);
    // A peer's address is the one its node announcement (the graph) and its own GetInfo give.
    for (const peer of peers) {
      const node = await getNode({ lnd: alice, public_key: peer.public_key, is_omitting_channels: true });
      expect(node.sockets.map((s) => s.socket)).toEqual([peer.socket]);
    }
    const { uris } = await getWalletInfo({ lnd: alice });
    const aliceNode = await getNode({ lnd: bob, public_key: pubkey('alice'), is_omitting_channels: true });
    expect(uris).toEqual([`${pubkey('alice')}@${aliceNode.sockets[0]?.socket}`]);
  });

  it('getFeeRates and updateRoutingFees: the new policy is what the network routes by', async () => {
    const before = await getFeeRates({ lnd: bob });
    const channel = channelBetween('bob', 'carol');
    const bobSide = sideOf(channel, 'bob');
    const listed = before.channels.find((c) => c.id === toStandard(channel.id));
    expect(listed?.fee_rate).toBe(Number(channel.policy[bobSide].feePpm));

    const [txid = '', vout] = channel.chanPoint.split(':');
    await updateRoutingFees({
      lnd: bob,
      transaction_id: txid,
      transaction_vout: Number(vout),
      base_fee_mtokens: '1234',
      fee_rate: 777,
      cltv_delta: 42,
    });
    expect(channel.policy[bobSide].feePpm).toBe(777n);
    expect(channel.policy[bobSide].baseFeeMsat).toBe(1234n);
    expect(channel.policy[bobSide].cltvDelta).toBe(42);
    const after = await getFeeRates({ lnd: bob });
    expect(after.channels.find((c) => c.id === toStandard(channel.id))).toMatchObject({
      base_fee_mtokens: '1234',
      fee_rate: 777,
    });
    // A route built now through bob to carol pays bob (hop 2) his new fee for the bob-carol channel (hop 3).
    const { route } = await getRouteThroughHops({
      lnd: alice,
      public_keys: ['atlas', 'fjord', 'bob', 'carol'].map(pubkey),
      tokens: 10_000,
    });
    expect(route.hops[3]?.channel).toBe(toStandard(channel.id));
    expect(route.hops[2]?.fee_mtokens).toBe(String(1234 + Math.floor((10_000_000 * 777) / 1e6)));
  });

  it('getForwards and subscribeToForwards after a payment forwarded by bob', async () => {
    const events: { is_send: boolean; is_receive: boolean; fee_mtokens?: string; is_confirmed: boolean }[] = [];
    const sub = subscribeToForwards({ lnd: bob });
    sub.on('forward', (e) => events.push(e));
    sub.on('error', () => {});
    await new Promise((r) => setTimeout(r, 200));

    const invoice = await createInvoice({ lnd: carol, tokens: 20_000 });
    const { route } = await getRouteThroughHops({
      lnd: alice,
      public_keys: ['atlas', 'fjord', 'bob', 'carol'].map(pubkey),
      tokens: 20_000,
      payment: invoice.payment,
      total_mtokens: '20000000',
    });
    const paid = await payViaRoutes({ lnd: alice, id: invoice.id, routes: [route] });
    expect(paid.secret).toBe(invoice.secret);

    const { forwards } = await getForwards({ lnd: bob });
    expect(forwards).toHaveLength(1);
    const forward = forwards[0] as (typeof forwards)[number];
    expect(forward.incoming_channel).toBe(route.hops[2]?.channel);
    expect(forward.outgoing_channel).toBe(route.hops[3]?.channel);
    expect(forward.tokens).toBe(20_000);
    expect(Number(forward.fee_mtokens)).toBe(Number(route.hops[2]?.fee_mtokens));
    expect((await getForwards({ lnd: carol })).forwards).toEqual([]);

    await eventually(() => events.some((e) => e.is_confirmed));
    sub.removeAllListeners();
    const forwarded = events.find((e) => !e.is_send && !e.is_receive && !e.is_confirmed);
    expect(forwarded?.fee_mtokens).toBe(forward.fee_mtokens);
  });

  it('probeForRoute, then getFailedPayments: the probe cleaned itself up', async () => {
    const { route } = await probeForRoute({ lnd: alice, destination: pubkey('dave'), tokens: 5_000 });
    expect(route?.hops.at(-1)?.public_key).toBe(pubkey('dave'));
    const { payments } = await getFailedPayments({ lnd: alice });
    expect(payments).toEqual([]);
    // The probe reached dave (who knew no such payment), so mission control learned that every pair passed it.
    const { nodes } = await getForwardingReputations({ lnd: alice });
    const lastHop = route?.hops.at(-2)?.public_key;
    const last = nodes.find((n) => n.public_key === lastHop);
    const toDave = last?.peers.find((p) => p.to_public_key === pubkey('dave'));
    expect(toDave?.forwarded_tokens).toBe(5_000);
    expect(toDave?.last_forward_at).toBeDefined();
  });

  it('subscribeToInvoice and hold invoices: accepted, then settled with the secret', async () => {
    const secret = randomBytes(32);
    const id = createHash('sha256').update(secret).digest('hex');
    const invoice = await createHodlInvoice({ lnd: bob, id, tokens: 15_000 });
    const states: { is_held?: boolean; is_confirmed: boolean; is_canceled?: boolean }[] = [];
    const sub = subscribeToInvoice({ lnd: bob, id });
    sub.on('invoice_updated', (i) => states.push(i));
    await eventually(() => states.length >= 1);

    const paying = payViaPaymentRequest({ lnd: alice, request: invoice.request, max_fee: 100 });
    await eventually(() => states.some((s) => s.is_held));
    const held = await getPayment({ lnd: alice, id });
    expect(held.is_pending).toBe(true);

    await settleHodlInvoice({ lnd: bob, secret: secret.toString('hex') });
    const paid = await paying;
    expect(paid.secret).toBe(secret.toString('hex'));
    await eventually(() => states.some((s) => s.is_confirmed));
    expect(states.map((s) => (s.is_confirmed ? 'SETTLED' : s.is_held ? 'ACCEPTED' : 'OPEN'))).toEqual([
      'OPEN',
      'ACCEPTED',
      'SETTLED',
    ]);
    await expect(settleHodlInvoice({ lnd: bob, secret: randomBytes(32).toString('hex') })).rejects.toEqual([
      404,
      'SecretDoesNotMatchAnyExistingHodlInvoice',
    ]);
  });

  it('pays alice to alice out on one channel and back on another, moving both balances by the amount', async () => {
    const out = channelBetween('alice', 'atlas');
    const back = channelBetween('alice', 'bolt');
    const outBefore = out.balance[sideOf(out, 'alice')];
    const backBefore = back.balance[sideOf(back, 'alice')];
    const tokens = 30_000;
    const invoice = await createInvoice({ lnd: alice, tokens });
    const paid = await payViaPaymentRequest({
      lnd: alice,
      request: invoice.request,
      // Not `outgoing_channel`: the library sends it as outgoing_chan_id, which LND 0.21 no longer reads.
      outgoing_channels: [toStandard(out.id)],
      incoming_peer: pubkey('bolt'),
      max_fee: 1_000,
    });
    expect(paid.hops[0]?.channel).toBe(toStandard(out.id));
    expect(paid.hops.at(-1)?.channel).toBe(toStandard(back.id));
    expect(paid.hops.at(-1)?.public_key).toBe(pubkey('alice'));
    const fee = BigInt(paid.fee_mtokens);
    expect(out.balance[sideOf(out, 'alice')]).toBe(outBefore - BigInt(tokens) * 1000n - fee);
    expect(back.balance[sideOf(back, 'alice')]).toBe(backBefore + BigInt(tokens) * 1000n);
    const { channels } = await getChannels({ lnd: alice });
    expect(channels.find((c) => c.id === toStandard(back.id))?.local_balance).toBe(
      Number((backBefore + BigInt(tokens) * 1000n) / 1000n),
    );
  });

  it('getClosedChannels after a cooperative close: gone from getChannels and the graph, its balance on chain', async () => {
    const channel = channelBetween('carol', 'iris');
    const carolSide = sideOf(channel, 'carol');
    const carolHeld = channel.balance[carolSide] / 1000n;
    const chainBefore = (await getChainBalance({ lnd: carol })).chain_balance;
    const events: { type: string }[] = [];
    const sub = subscribeToChannels({ lnd: carol });
    sub.on('channel_closed', (e) => events.push({ type: 'closed', ...e }));
    sub.on('error', () => {});
    await new Promise((r) => setTimeout(r, 200));
    simnet.closeChannel(channel.id, 'carol');

    const { channels } = await getClosedChannels({ lnd: carol });
    expect(channels).toHaveLength(1);
    const closed = channels[0] as (typeof channels)[number];
    expect(closed.id).toBe(toStandard(channel.id));
    expect(closed.partner_public_key).toBe(pubkey('iris'));
    expect(closed.is_cooperative_close).toBe(true);
    // The opener (node1) pays the closing fee: 253 sat/kW for 672 weight units.
    const fee = carolSide === 0 ? 170 : 0;
    expect(closed.final_local_balance).toBe(Number(carolHeld) - fee);
    expect((await getChainBalance({ lnd: carol })).chain_balance).toBe(chainBefore + closed.final_local_balance);
    expect((await getChannels({ lnd: carol })).channels.map((c) => c.id)).not.toContain(toStandard(channel.id));
    const info = await getNetworkInfo({ lnd: carol });
    expect(info.channel_count).toBe(simnet.sim.net.channels.length - 1);
    await eventually(() => events.length === 1);
    sub.removeAllListeners();
  });

  it('answers an unserved RPC as LND does, so the library reports it unsupported (501)', async () => {
    await expect(
      getSettlementStatus({ lnd: alice, channel: toStandard(simnet.sim.net.channels[0]?.id ?? 0n), payment: 0 }),
    ).rejects.toEqual([501, 'LookupHtlcResolutionMethodUnsupported']);
  });
});

/** LND's standard channel id format: block x tx x output. */
function toStandard(id: bigint): string {
  return `${id >> 40n}x${(id >> 16n) & 0xffffffn}x${id & 0xffffn}`;
}
