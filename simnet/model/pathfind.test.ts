import { afterEach, describe, expect, it } from 'vitest';
import { buildSmall } from '../topology/small';
import { interpretResult } from './mission';
import { type FoundRoute, findRoute, isNoRoute } from './pathfind';
import { paymentStatus } from './payments';
import { forwardingFee, policyFrom } from './route';
import { type Payer, sendPayment } from './sendpayment';
import { Sim } from './sim';
import type { Route } from './types';

const SAT = 1000n;

let sims: Sim[] = [];
afterEach(() => {
  for (const sim of sims) sim.stop();
  sims = [];
});

function setup(options: { mppTimeoutMs?: number } = {}) {
  const sim = new Sim({ seed: 1, ...options });
  sims.push(sim);
  buildSmall(sim, 1);
  const idx = (alias: string) => {
    const node = sim.net.nodeByAlias(alias);
    if (!node) throw new Error(alias);
    return node.index;
  };
  return { sim, net: sim.net, idx };
}

/** SimLnd's exit handler is private; this is what Sim gives it. */
function payer(sim: Sim, alias: string): Payer {
  const lnd = sim.lndByAlias(alias);
  return {
    net: sim.net,
    node: lnd.node,
    payments: lnd.payments,
    mission: lnd.mission,
    exit: (index, htlc) => sim.lnd(index).invoices.accept(htlc),
  };
}

function mustFind(result: ReturnType<typeof findRoute>): FoundRoute {
  if (isNoRoute(result)) throw new Error(result.error);
  return result;
}

/** Node indices along the route, the sender first. */
function routeNodes(sim: Sim, source: number, route: Route): number[] {
  return [source, ...route.hops.map((h) => sim.net.nodeByPubkey(h.pubkey)?.index ?? -1)];
}

function localBalance(sim: Sim, node: number): bigint {
  let sum = 0n;
  for (const { channel, dir } of sim.net.channelsOf(node)) sum += channel.balance[dir];
  return sum;
}

describe('findRoute', () => {
  it('finds a route alice→bob whose fees add up hop by hop', () => {
    const { sim, net, idx } = setup();
    const alice = idx('alice');
    const amt = 100_000n * SAT;
    const { route, probability } = mustFind(
      findRoute(net, sim.lnd(alice).mission, alice, { target: idx('bob'), amtMsat: amt, finalCltvDelta: 40 }),
    );
    expect(probability).toBeGreaterThan(0);
    expect(probability).toBeLessThanOrEqual(1);
    const nodes = routeNodes(sim, alice, route);
    expect(nodes.at(-1)).toBe(idx('bob'));
    expect(new Set(nodes).size).toBe(nodes.length);
    const last = route.hops.at(-1);
    expect(last?.amtToForwardMsat).toBe(amt);
    const fees = route.hops.reduce((sum, h) => sum + h.feeMsat, 0n);
    expect(route.totalFeesMsat).toBe(fees);
    expect(route.totalAmtMsat).toBe(amt + fees);
    expect(route.hops.at(-1)?.feeMsat).toBe(0n);
    expect(route.hops.at(-1)?.expiry).toBe(net.height + 40);
    for (let k = 0; k < route.hops.length; k++) {
      const hop = route.hops[k] as Route['hops'][number];
      // Each hop's channel connects the previous node to this one.
      const channel = net.channel(hop.chanId);
      expect([channel?.node1, channel?.node2].sort()).toEqual([nodes[k], nodes[k + 1]].sort());
      if (k === 0) continue;
      // As forwardHtlc checks it: what node k-1 of the hops receives pays its policy on the channel it sends over.
      const prev = route.hops[k - 1] as Route['hops'][number];
      const amtIn = k === 1 ? route.totalAmtMsat : (route.hops[k - 2]?.amtToForwardMsat as bigint);
      const expiryIn = k === 1 ? route.totalTimeLock : (route.hops[k - 2]?.expiry as number);
      const policy = policyFrom(net, hop.chanId, nodes[k] as number);
      expect(prev.feeMsat).toBe(forwardingFee(policy, prev.amtToForwardMsat));
      expect(amtIn - prev.amtToForwardMsat).toBe(prev.feeMsat);
      expect(expiryIn - prev.expiry).toBe(policy.cltvDelta);
    }
  });

  it('avoids an ignored pair and an ignored node', () => {
    const { sim, net, idx } = setup();
    const alice = idx('alice');
    const mission = sim.lnd(alice).mission;
    const request = { target: idx('bob'), amtMsat: 100_000n * SAT, finalCltvDelta: 40 };
    const first = mustFind(findRoute(net, mission, alice, request));
    const nodes = routeNodes(sim, alice, first.route);
    const pair = { from: nodes[1] as number, to: nodes[2] as number };
    const second = mustFind(findRoute(net, mission, alice, { ...request, ignoredPairs: [pair] }));
    const nodes2 = routeNodes(sim, alice, second.route);
    for (let i = 0; i + 1 < nodes2.length; i++) {
      expect(nodes2[i] === pair.from && nodes2[i + 1] === pair.to).toBe(false);
    }
    const third = mustFind(findRoute(net, mission, alice, { ...request, ignoredNodes: [pair.from] }));
    expect(routeNodes(sim, alice, third.route)).not.toContain(pair.from);
  });

  it('honours the first-hop restriction, the last hop and the fee limit', () => {
    const { sim, net, idx } = setup();
    const alice = idx('alice');
    const mission = sim.lnd(alice).mission;
    const request = { target: idx('bob'), amtMsat: 50_000n * SAT, finalCltvDelta: 40 };
    const viaBolt = [...net.channelsOf(alice)].find((c) => c.peer === idx('bolt'))?.channel.id as bigint;
    const r1 = mustFind(findRoute(net, mission, alice, { ...request, outgoingChanIds: [viaBolt] }));
    expect(r1.route.hops[0]?.chanId).toBe(viaBolt);
    const r2 = mustFind(findRoute(net, mission, alice, { ...request, lastHop: idx('gale') }));
    expect(routeNodes(sim, alice, r2.route).at(-2)).toBe(idx('gale'));
    const cheapest = mustFind(findRoute(net, mission, alice, request));
    const limited = findRoute(net, mission, alice, { ...request, feeLimitMsat: 0n });
    if (cheapest.route.totalFeesMsat > 0n && !isNoRoute(limited)) {
      expect(limited.route.totalFeesMsat).toBe(0n);
    }
  });

  it('reports no path above every path capacity, and insufficient balance above the local balance', () => {
    const { sim, net, idx } = setup();
    const alice = idx('alice');
    const mission = sim.lnd(alice).mission;
    // bob's widest channel is 700k sat: no single path can carry 1M sat, though alice has it.
    const tooWide = findRoute(net, mission, alice, {
      target: idx('bob'),
      amtMsat: 1_000_000n * SAT,
      finalCltvDelta: 40,
    });
    expect(isNoRoute(tooWide) && tooWide.error).toBe('unable to find a path to destination');
    const tooMuch = findRoute(net, mission, alice, {
      target: idx('bob'),
      amtMsat: 10_000_000n * SAT,
      finalCltvDelta: 40,
    });
    expect(isNoRoute(tooMuch) && tooMuch.error).toBe('insufficient local balance');
  });
});

describe('mission control', () => {
  it('penalises the failed pair for the amount and above after a TEMPORARY_CHANNEL_FAILURE', () => {
    const { sim, net, idx } = setup();
    const alice = idx('alice');
    const mission = sim.lnd(alice).mission;
    const amt = 100_000n * SAT;
    const { route } = mustFind(
      findRoute(net, mission, alice, { target: idx('bob'), amtMsat: amt, finalCltvDelta: 40 }),
    );
    expect(route.hops.length).toBeGreaterThanOrEqual(2);
    const nodes = routeNodes(sim, alice, route);
    const from = nodes[1] as number;
    const to = nodes[2] as number;
    const pairAmt = route.hops[0]?.amtToForwardMsat as bigint;
    const capacity = (net.channel(route.hops[1]?.chanId as bigint)?.capacitySat as bigint) * SAT;
    const now = Date.now();
    const before = mission.pairProbability(from, to, pairAmt, capacity, now);
    expect(before).toBeGreaterThan(0.5);

    mission.reportAttempt(alice, route, { code: 'TEMPORARY_CHANNEL_FAILURE', sourceIndex: 1 }, now);
    expect(mission.pairProbability(from, to, pairAmt, capacity, now)).toBe(0);
    expect(mission.pairProbability(from, to, pairAmt * 2n, capacity, now)).toBe(0);
    expect(mission.pairProbability(from, to, pairAmt / 10n, capacity, now)).toBeGreaterThan(0.3);
    // The pair before the failure forwarded the amount: a success.
    expect(mission.localPairProbability(alice, from, now)).toBe(0.95);
    // An hour later the failure has lost half its weight.
    const later = mission.pairProbability(from, to, pairAmt, capacity, now + 3_600_000);
    expect(later).toBeGreaterThan(0.15);
    expect(later).toBeLessThan(before);

    // Path finding now avoids the pair for that amount.
    const again = findRoute(net, mission, alice, { target: idx('bob'), amtMsat: amt, finalCltvDelta: 40, now });
    if (!isNoRoute(again)) {
      const nodes2 = routeNodes(sim, alice, again.route);
      for (let i = 0; i + 1 < nodes2.length; i++) expect(nodes2[i] === from && nodes2[i + 1] === to).toBe(false);
    }
    mission.reset();
    expect(mission.pairProbability(from, to, pairAmt, capacity, now)).toBeCloseTo(before);
  });

  it('interprets failures as LND does', () => {
    const { sim, net, idx } = setup();
    const alice = idx('alice');
    const { route } = mustFind(
      findRoute(net, sim.lnd(alice).mission, alice, {
        target: idx('carol'),
        amtMsat: 50_000n * SAT,
        finalCltvDelta: 40,
      }),
    );
    const n = route.hops.length;
    expect(n).toBeGreaterThanOrEqual(2);
    const nodes = routeNodes(sim, alice, route);
    const fee = interpretResult(net, alice, route, { code: 'FEE_INSUFFICIENT', sourceIndex: 1 });
    // Incoming pair of node 1 is alice→node1: reportIncoming at index 1 fails the node.
    expect(fee?.nodeFailure).toBe(nodes[1]);
    expect(fee?.policyFailure).toEqual({ from: nodes[1], to: nodes[2] });
    const timeout = interpretResult(net, alice, route, { code: 'MPP_TIMEOUT', sourceIndex: n });
    expect(timeout?.pairs.every((p) => p.success)).toBe(true);
    expect(timeout?.pairs.length).toBe(n);
    const disabled = interpretResult(net, alice, route, { code: 'CHANNEL_DISABLED', sourceIndex: 1 });
    expect(disabled?.pairs).toContainEqual({ from: nodes[1], to: nodes[2], success: false, amt: 0 });
    expect(disabled?.pairs).toContainEqual({ from: nodes[2], to: nodes[1], success: false, amt: 0 });
    expect(disabled?.pairs).toContainEqual({
      from: alice,
      to: nodes[1],
      success: true,
      amt: Number(route.totalAmtMsat),
    });
  });
});

describe('sendPayment (LND SendPaymentV2)', () => {
  it('pays 1,000,000 sat from alice to bob in several shards', async () => {
    const { sim, idx } = setup();
    const alice = idx('alice');
    const bob = idx('bob');
    const amt = 1_000_000n * SAT;
    const invoice = sim.lndByAlias('bob').invoices.add({
      valueMsat: amt,
      memo: '',
      expiry: 3600,
      cltvExpiry: 40,
      encode: () => 'lnbcrt-test',
    });
    const aliceBefore = localBalance(sim, alice);
    const bobBefore = localBalance(sim, bob);
    const p = payer(sim, 'alice');
    const seen: string[] = [];
    const unsubscribe = p.payments.subscribe(invoice.hash, (payment) => seen.push(paymentStatus(payment)));
    const started = Date.now();
    await sendPayment(p, {
      dest: bob,
      amtMsat: amt,
      paymentHash: invoice.hash,
      paymentAddr: invoice.paymentAddr,
      finalCltvDelta: 40,
      feeLimitMsat: 10_000n * SAT,
      maxParts: 16,
      maxShardSizeMsat: 0n,
      timeoutSeconds: 60,
      outgoingChanIds: [],
      cltvLimit: 0,
      mpp: true,
    });
    unsubscribe();
    const payment = p.payments.get(invoice.hash);
    expect(payment && paymentStatus(payment)).toBe('SUCCEEDED');
    const settled = payment?.htlcs.filter((h) => h.status === 'SUCCEEDED') ?? [];
    expect(settled.length).toBeGreaterThan(1);
    expect(settled.reduce((s, h) => s + (h.route.hops.at(-1)?.amtToForwardMsat ?? 0n), 0n)).toBe(amt);
    const fees = settled.reduce((s, h) => s + h.route.totalFeesMsat, 0n);
    expect(fees).toBeLessThanOrEqual(10_000n * SAT);
    expect(sim.lndByAlias('bob').invoices.lookup(invoice.hash)?.state).toBe('SETTLED');
    expect(localBalance(sim, alice)).toBe(aliceBefore - amt - fees);
    expect(localBalance(sim, bob)).toBe(bobBefore + amt);
    expect(seen.at(-1)).toBe('SUCCEEDED');
    expect(sim.net.channels.every((c) => c.inFlight[0] === 0n && c.inFlight[1] === 0n)).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails a payment too big for the network with NO_ROUTE and leaves no HTLC in flight', async () => {
    const { sim, idx } = setup({ mppTimeoutMs: 300 });
    const alice = idx('alice');
    const bob = idx('bob');
    const amt = 2_000_000n * SAT;
    const invoice = sim.lndByAlias('bob').invoices.add({
      valueMsat: amt,
      memo: '',
      expiry: 3600,
      cltvExpiry: 40,
      encode: () => 'lnbcrt-test',
    });
    const aliceBefore = localBalance(sim, alice);
    const p = payer(sim, 'alice');
    await sendPayment(p, {
      dest: bob,
      amtMsat: amt,
      paymentHash: invoice.hash,
      paymentAddr: invoice.paymentAddr,
      finalCltvDelta: 40,
      feeLimitMsat: 20_000n * SAT,
      maxParts: 16,
      maxShardSizeMsat: 0n,
      timeoutSeconds: 60,
      outgoingChanIds: [],
      cltvLimit: 0,
      mpp: true,
    });
    const payment = p.payments.get(invoice.hash);
    expect(payment && paymentStatus(payment)).toBe('FAILED');
    expect(['FAILURE_REASON_NO_ROUTE', 'FAILURE_REASON_INSUFFICIENT_BALANCE']).toContain(payment?.failureReason);
    expect(payment?.htlcs.some((h) => h.status === 'IN_FLIGHT')).toBe(false);
    expect(sim.net.channels.every((c) => c.inFlight[0] === 0n && c.inFlight[1] === 0n)).toBe(true);
    expect(localBalance(sim, alice)).toBe(aliceBefore);
    expect(sim.lndByAlias('bob').invoices.lookup(invoice.hash)?.state).toBe('OPEN');
  });

  it('refuses what LND refuses up front', async () => {
    const { sim, idx } = setup();
    const p = payer(sim, 'alice');
    const base = {
      dest: idx('bob'),
      amtMsat: 1_000_000n * SAT,
      paymentHash: Buffer.alloc(32, 1),
      finalCltvDelta: 40,
      feeLimitMsat: 0n,
      maxParts: 4,
      maxShardSizeMsat: 100_000n * SAT,
      timeoutSeconds: 60,
      outgoingChanIds: [],
      cltvLimit: 0,
      mpp: true,
    };
    await expect(sendPayment(p, base)).rejects.toThrow(
      'payment amount 1000000000 mSAT exceeds maximum possible amount 400000000 mSAT with max_parts=4 and max_shard_size_msat=100000000 mSAT',
    );
    await expect(sendPayment(p, { ...base, maxShardSizeMsat: 0n, paymentHash: Buffer.alloc(31) })).rejects.toThrow(
      'invalid hash length of 31, want 32',
    );
    await expect(sendPayment(p, { ...base, maxShardSizeMsat: 0n, cltvLimit: 40 })).rejects.toThrow(
      'cltv limit 40 should be greater than 43',
    );
  });
});
