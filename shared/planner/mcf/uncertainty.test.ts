import { describe, expect, it } from 'vitest';
import { buildGraph, type ChannelGraph, edgeOf, type Policy } from './graph.ts';
import { UncertaintyNetwork } from './uncertainty.ts';

const policy: Policy = { feeBaseMsat: 0n, feePpm: 0n, cltvDelta: 40, htlcMinMsat: 1n };

/** x — y — z, two channels of 1,000,000 msat. */
function line(): { g: ChannelGraph; xy: number; yz: number } {
  const g = buildGraph({
    nodes: ['x', 'y', 'z'],
    channels: [
      { scid: '1x1x1', node1: 0, node2: 1, capacityMsat: 1_000_000n, policies: [policy, policy] },
      { scid: '2x1x1', node1: 1, node2: 2, capacityMsat: 1_000_000n, policies: [policy, policy] },
    ],
  });
  return { g, xy: edgeOf(g, 0, 0), yz: edgeOf(g, 1, 0) };
}

describe('graph', () => {
  it('builds CSR adjacency with reverse edges', () => {
    const { g, xy, yz } = line();
    expect(g.nodeCount).toBe(3);
    expect(g.edgeCount).toBe(4);
    expect(Array.from(g.offsets)).toEqual([0, 1, 3, 4]);
    expect(g.from[xy]).toBe(0);
    expect(g.to[xy]).toBe(1);
    expect(g.to[g.reverse[xy] as number]).toBe(0);
    expect(g.from[yz]).toBe(1);
    expect(g.capacityMsat[yz]).toBe(1_000_000);
    expect(g.htlcMaxMsat[yz]).toBe(1_000_000);
  });

  it('marks a direction without a policy as disabled', () => {
    const g = buildGraph({
      nodes: ['a', 'b'],
      channels: [{ scid: 7n, node1: 0, node2: 1, capacityMsat: 10n, policies: [policy, undefined] }],
    });
    expect(g.disabled[edgeOf(g, 0, 0)]).toBe(0);
    expect(g.disabled[edgeOf(g, 0, 1)]).toBe(1);
    expect(g.scids[0]).toBe('7');
  });
});

describe('uncertainty network', () => {
  it('uniform prior: P = (c + 1 − a)/(c + 1)', () => {
    const { g, xy } = line();
    const net = new UncertaintyNetwork(g);
    expect(net.successProbability(xy, 0)).toBe(1);
    expect(net.successProbability(xy, 250_000)).toBeCloseTo(750_001 / 1_000_001, 15);
    expect(net.successProbability(xy, 1_000_000)).toBeCloseTo(1 / 1_000_001, 15);
    expect(net.successProbability(xy, 1_000_001)).toBe(0);
  });

  it('success raises the minimum; reverse direction mirrors it', () => {
    const { g, xy } = line();
    const net = new UncertaintyNetwork(g);
    net.onSuccess([xy], 400_000);
    expect(net.minLiq[xy]).toBe(400_000);
    expect(net.successProbability(xy, 300_000)).toBe(1);
    // (b + 1 − x)/(b + 1 − a) = (1,000,001 − 700,000)/(1,000,001 − 400,000)
    expect(net.successProbability(xy, 700_000)).toBeCloseTo(300_001 / 600_001, 15);
    const r = g.reverse[xy] as number;
    expect(net.minLiq[r]).toBe(0);
    expect(net.maxLiq[r]).toBe(600_000);
  });

  it('learns from what each hop forwarded when given per hop (fees of later hops included)', () => {
    const { g, xy, yz } = line();
    const net = new UncertaintyNetwork(g);
    // 500,000 delivered over y→z, 500,050 over x→y (y's fee): y→z failed.
    net.onFailure([xy, yz], 1, [500_050, 500_000]);
    expect(net.minLiq[xy]).toBe(500_050);
    expect(net.maxLiq[yz]).toBe(499_999);
    net.reserve([xy, yz], [200_010, 200_000]);
    expect([net.inFlight[xy], net.inFlight[yz]]).toEqual([200_010, 200_000]);
    net.release([xy, yz], [200_010, 200_000]);
    expect([net.inFlight[xy], net.inFlight[yz]]).toEqual([0, 0]);
  });

  it('settlement moves the amount to the other side of every hop', () => {
    const { g, xy, yz } = line();
    const net = new UncertaintyNetwork(g);
    net.onFailure([xy], 0, 900_001); // x→y holds at most 900,000
    net.onSuccess([xy, yz], 300_000);
    net.onSettled([xy, yz], 300_000);
    // x→y: [300,000, 900,000] before the move, [0, 600,000] after; y→x mirrors it: [400,000, 1,000,000].
    expect([net.minLiq[xy], net.maxLiq[xy]]).toEqual([0, 600_000]);
    const r = g.reverse[xy] as number;
    expect([net.minLiq[r], net.maxLiq[r]]).toEqual([400_000, 1_000_000]);
    expect([net.minLiq[yz], net.maxLiq[yz]]).toEqual([0, 700_000]);
    // Our own channels are the node's to tell.
    net.setOwnBalance(xy, 500_000);
    net.onSettled([xy], 100_000);
    expect([net.minLiq[xy], net.maxLiq[xy]]).toEqual([500_000, 500_000]);
  });

  it('failure lowers the failing hop maximum and raises the minimums before it', () => {
    const { g, xy, yz } = line();
    const net = new UncertaintyNetwork(g);
    net.onFailure([xy, yz], 1, 500_000);
    expect(net.minLiq[xy]).toBe(500_000);
    expect(net.maxLiq[xy]).toBe(1_000_000);
    expect(net.minLiq[yz]).toBe(0);
    expect(net.maxLiq[yz]).toBe(499_999);
    // (499,999 + 1 − 250,000)/(499,999 + 1 − 0) = 250,000/500,000
    expect(net.successProbability(yz, 250_000)).toBe(0.5);
    expect(net.successProbability(yz, 500_000)).toBe(0);
    const r = g.reverse[yz] as number;
    expect(net.minLiq[r]).toBe(500_001);
    expect(net.maxLiq[r]).toBe(1_000_000);
  });

  it('conditions on amounts in flight', () => {
    const { g, xy } = line();
    const net = new UncertaintyNetwork(g);
    net.reserve([xy], 100_000);
    expect(net.successProbability(xy, 250_000)).toBeCloseTo(650_001 / 1_000_001, 15);
    net.onSuccess([xy], 250_000); // had at least 100,000 + 250,000
    expect(net.minLiq[xy]).toBe(350_000);
    net.release([xy], 100_000);
    expect(net.inFlight[xy]).toBe(0);
  });

  it('own channels are exact', () => {
    const { g, xy } = line();
    const net = new UncertaintyNetwork(g);
    net.setOwnBalance(xy, 300_000);
    expect(net.successProbability(xy, 300_000)).toBe(1);
    expect(net.successProbability(xy, 300_001)).toBe(0);
    expect(net.successProbability(g.reverse[xy] as number, 700_000)).toBe(1);
    net.decay(1e9, 1);
    expect(net.maxLiq[xy]).toBe(300_000);
  });

  it('decays toward [0, cap] with a half-life', () => {
    const { g, xy, yz } = line();
    const net = new UncertaintyNetwork(g);
    net.onFailure([xy, yz], 1, 500_000);
    net.decay(3600, 3600);
    expect(net.minLiq[xy]).toBe(250_000);
    // 1,000,000 − (1,000,000 − 499,999) · 0.5
    expect(net.maxLiq[yz]).toBe(749_999.5);
  });

  it('bimodal option: density ∝ (t − ½)²', () => {
    const { g, xy } = line();
    const net = new UncertaintyNetwork(g, { model: 'bimodal' });
    // (G(1) − G(t)) / (G(1) − G(0)), G(t) = (t − ½)³, G(1) − G(0) = 0.25
    expect(net.successProbability(xy, 500_000)).toBeCloseTo(0.5, 12);
    expect(net.successProbability(xy, 750_000)).toBeCloseTo(0.109375 / 0.25, 12); // 0.4375
    expect(net.successProbability(xy, 250_000)).toBeCloseTo(0.140625 / 0.25, 12); // 0.5625
  });

  it('snapshot and restore round-trip through JSON', () => {
    const { g, xy, yz } = line();
    const net = new UncertaintyNetwork(g);
    net.onFailure([xy, yz], 1, 500_000);
    net.setOwnBalance(edgeOf(g, 0, 1), 123_000);
    const snap = JSON.parse(JSON.stringify(net.snapshot()));
    const other = new UncertaintyNetwork(g);
    other.restore(snap);
    expect(Array.from(other.minLiq)).toEqual(Array.from(net.minLiq));
    expect(Array.from(other.maxLiq)).toEqual(Array.from(net.maxLiq));
    expect(Array.from(other.exact)).toEqual(Array.from(net.exact));
    expect(new UncertaintyNetwork(g).snapshot().edges).toEqual([]);
  });

  it('restore decays each entry by its age, exact entries excepted', () => {
    const { g, xy, yz } = line();
    const net = new UncertaintyNetwork(g);
    net.restore(
      {
        version: 1,
        edges: [
          { scid: '1x1x1', direction: 0, minMsat: 400_000, maxMsat: 600_000, exact: false, ageSeconds: 3600 },
          { scid: '2x1x1', direction: 0, minMsat: 300_000, maxMsat: 300_000, exact: true, ageSeconds: 3600 },
        ],
      },
      3600,
    );
    // One half-life: half of what was learned remains, [200,000, 1,000,000 − 200,000].
    expect([net.minLiq[xy], net.maxLiq[xy]]).toEqual([200_000, 800_000]);
    expect([net.minLiq[yz], net.maxLiq[yz]]).toEqual([300_000, 300_000]);
  });
});
