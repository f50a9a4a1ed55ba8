import { describe, expect, it } from 'vitest';
import { flowExtends } from './augment.ts';
import { buildGraph, findEdge, type Policy } from './graph.ts';

const pol: Policy = { feeBaseMsat: 0n, feePpm: 0n, cltvDelta: 40, htlcMinMsat: 1n };

// s → a → t and s → b → t, with a → b across: one unit each.
function cross() {
  const g = buildGraph({
    nodes: ['s', 'a', 'b', 't'],
    channels: [
      [0, 1],
      [0, 2],
      [1, 3],
      [2, 3],
      [1, 2],
    ].map(([node1, node2], i) => ({
      scid: String(i + 1),
      node1: node1 as number,
      node2: node2 as number,
      capacityMsat: 1000n,
      policies: [pol, pol] as [Policy, Policy],
    })),
  });
  const e = {
    sa: findEdge(g, 0, 1),
    sb: findEdge(g, 0, 2),
    at: findEdge(g, 1, 3),
    bt: findEdge(g, 2, 3),
    ab: findEdge(g, 1, 2),
  };
  // Only the forward directions are usable, one unit each.
  const usable = new Uint8Array(g.edgeCount);
  for (const edge of Object.values(e)) usable[edge] = 1;
  return { g, e, wider: { usable, capacity: (edge: number) => (usable[edge] === 1 ? 1 : 0) } };
}

describe('flowExtends', () => {
  it('extends a flow by sending part of it back, and leaves the flow it started from alone', () => {
    const { g, e, wider } = cross();
    // One unit s → a → b → t: extending it to two needs the unit on a → b sent back (s → b → a → t).
    const units = new Int32Array(g.edgeCount);
    for (const edge of [e.sa, e.ab, e.bt]) units[edge] = 1;
    const start = { edges: [e.sa, e.ab, e.bt], units, carried: 1 };
    expect(flowExtends(g, wider, start, 2, 0, 3)).toBe(true);
    expect(flowExtends(g, wider, start, 3, 0, 3)).toBe(false);
    expect(Array.from(units)).toEqual(Array.from(g.from, (_, edge) => ([e.sa, e.ab, e.bt].includes(edge) ? 1 : 0)));
  });

  it('uses only the edges the wider set allows', () => {
    const { g, e, wider } = cross();
    wider.usable[e.at] = 0;
    const none = { edges: [], units: new Int32Array(g.edgeCount), carried: 0 };
    expect(flowExtends(g, wider, none, 1, 0, 3)).toBe(true);
    expect(flowExtends(g, wider, none, 2, 0, 3)).toBe(false);
  });
});
