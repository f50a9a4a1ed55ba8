import { describe, expect, it } from 'vitest';
import { circularGraph, planCircular } from './circular.ts';
import { buildGraph, type ChannelGraph, findEdge, type Policy } from './mcf/graph.ts';
import { UncertaintyNetwork } from './mcf/uncertainty.ts';

const U = 1_000_000; // msat
const pol = (ppm: number): Policy => ({ feeBaseMsat: 0n, feePpm: BigInt(ppm), cltvDelta: 40, htlcMinMsat: 1n });

// Our node s with channels to a, b, c and d; a, b, c meet at m (a–m, m–b, m–c), and a–b directly (expensive).
// Channels: 1 s–a, 2 s–b, 3 s–c, 4 a–m, 5 m–b, 6 m–c, 7 a–b, 8 s–d (d has no other channel).
function network(): { g: ChannelGraph; net: UncertaintyNetwork } {
  const ch = (scid: string, n1: number, n2: number, cap: number, ppm: number) => ({
    scid,
    node1: n1,
    node2: n2,
    capacityMsat: BigInt(cap),
    policies: [pol(ppm), pol(ppm)] as [Policy, Policy],
  });
  const g = buildGraph({
    nodes: ['s', 'a', 'b', 'c', 'm', 'd'],
    channels: [
      ch('1', 0, 1, 100 * U, 0),
      ch('2', 0, 2, 100 * U, 0),
      ch('3', 0, 3, 100 * U, 0),
      ch('4', 1, 4, 60 * U, 10),
      ch('5', 4, 2, 60 * U, 10),
      ch('6', 4, 3, 60 * U, 1),
      ch('7', 1, 2, 20 * U, 900),
      ch('8', 0, 5, 100 * U, 0),
    ],
  });
  const net = new UncertaintyNetwork(g);
  // s holds 90 on s–a, 10 on s–b and s–c, 10 on s–d.
  net.setOwnBalance(findEdge(g, 0, 1), 90 * U);
  net.setOwnBalance(findEdge(g, 0, 2), 10 * U);
  net.setOwnBalance(findEdge(g, 0, 3), 10 * U);
  net.setOwnBalance(findEdge(g, 0, 5), 10 * U);
  return { g, net };
}

describe('circular flows', () => {
  it('splits our node: sources only outwards from it, targets only inwards to its in side, others closed', () => {
    const { g } = network();
    const c = circularGraph(g, 0, ['1'], ['2']);
    expect(c.inNode).toBe(g.nodeCount);
    expect(c.graph.nodeIds[c.inNode]).toBe('s');
    const open = (from: number, to: number) => {
      const e = findEdge(c.graph, from, to);
      return e >= 0 && c.graph.disabled[e] === 0;
    };
    expect(open(0, 1)).toBe(true); // s → a over the source
    expect(open(1, 0)).toBe(false); // never back in over the source
    expect(open(2, c.inNode)).toBe(true); // b → s(in) over the target
    expect(open(c.inNode, 2)).toBe(false);
    expect(findEdge(c.graph, 0, 2)).toBe(-1); // the target does not leave s's out side
    expect(open(0, 3) || open(3, 0) || open(0, 5)).toBe(false); // neither source nor target: closed
    // Edge by edge back to the original graph: same channel, same direction.
    for (let e = 0; e < c.graph.edgeCount; e++) {
      const o = c.original[e] as number;
      expect(g.scids[g.channel[o] as number]).toBe(c.graph.scids[c.graph.channel[e] as number]);
      expect(g.direction[o]).toBe(c.graph.direction[e]);
    }
  });

  it('plans loops from s out over the sources and back over the targets, through s nowhere else', () => {
    const { g, net } = network();
    const plan = planCircular(g, net, {
      own: 0,
      sources: ['1'],
      targets: ['2', '3'],
      amountMsat: BigInt(15 * U),
      maxFeeMsat: BigInt(U),
      maxParts: 8,
    });
    if (!plan.ok) throw new Error(plan.message);
    const sa = findEdge(g, 0, 1);
    const into = new Set([findEdge(g, 2, 0), findEdge(g, 3, 0)]);
    let delivered = 0n;
    for (const part of plan.parts) {
      expect(part.path[0]).toBe(sa);
      expect(into.has(part.path.at(-1) as number)).toBe(true);
      for (const e of part.path.slice(1)) expect(g.from[e]).not.toBe(0);
      for (const e of part.path.slice(0, -1)) expect(g.to[e]).not.toBe(0);
      delivered += part.amountMsat;
    }
    expect(delivered).toBe(BigInt(15 * U));
    // b and c can take 90 each; the cheap way is through m.
    expect(plan.feeMsat).toBeLessThanOrEqual(BigInt(U));
  });

  it('finds nothing when no loop comes back over the target, and refuses a channel on both sides', () => {
    const { g, net } = network();
    const none = planCircular(g, net, {
      own: 0,
      sources: ['1'],
      targets: ['8'],
      amountMsat: BigInt(U),
      maxFeeMsat: BigInt(U),
      maxParts: 4,
    });
    expect(none.ok).toBe(false);
    const both = planCircular(g, net, {
      own: 0,
      sources: ['1'],
      targets: ['1'],
      amountMsat: BigInt(U),
      maxFeeMsat: BigInt(U),
      maxParts: 4,
    });
    expect(both).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('counts what the target’s peer can send: no more than its inbound arrives over it', () => {
    const { g, net } = network();
    const req = {
      own: 0,
      sources: ['1'],
      targets: ['2'],
      amountMsat: BigInt(30 * U),
      maxFeeMsat: BigInt(U),
      maxParts: 8,
    };
    // b→s holds 90 as far as the graph's balance says; the node says its peer can send 20.
    expect(planCircular(g, net, req).ok).toBe(true);
    expect(planCircular(g, net, { ...req, inboundMsat: new Map([['2', 20 * U]]) }).ok).toBe(false);
  });
});
