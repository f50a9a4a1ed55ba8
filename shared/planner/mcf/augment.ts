// Whether a flow that stopped short can be extended to the amount over a wider set of edges (issue 14): plain
// augmenting paths (breadth-first, no costs), so the answer costs a few graph searches where a min-cost solve over the
// wider set would route every unit again, with a shortest-path search each time, only to stop where the max-flow does.
//
// A flow is maximal once no augmenting path is left, whatever flow the augmenting started from (Ford-Fulkerson): so
// a failed solve's flow, extended over edges that include its own at capacities no smaller, says exactly whether a
// solve over those edges would carry the amount.

import { type ChannelGraph, perGraph } from './graph.ts';

/** The wider problem: which edges it may use and how many units each carries at most. */
export interface Widening {
  usable: Uint8Array;
  capacity: (edge: number) => number;
}

/** The flow to start from: units on each edge listed (a flow from source to destination, conserved elsewhere). */
export interface StartFlow {
  edges: readonly number[];
  units: Int32Array;
  /** Units it carries from the source to the destination. */
  carried: number;
}

interface Scratch {
  flow: Int32Array;
  cap: Int32Array;
  capStamp: Uint32Array;
  seen: Uint32Array;
  prevEdge: Int32Array;
  prevDir: Int8Array;
  queue: Int32Array;
  stamp: number;
}

const scratchCache = new WeakMap<ChannelGraph, Scratch>();

const newScratch = (g: ChannelGraph): Scratch => ({
  flow: new Int32Array(g.edgeCount),
  cap: new Int32Array(g.edgeCount),
  capStamp: new Uint32Array(g.edgeCount),
  seen: new Uint32Array(g.nodeCount),
  prevEdge: new Int32Array(g.nodeCount),
  prevDir: new Int8Array(g.nodeCount),
  queue: new Int32Array(g.nodeCount),
  stamp: 0,
});

/**
 * Sends `units` along the path a search left in `prevEdge`/`prevDir` (1: along the edge, -1: back against it), from
 * the destination back to the source.
 */
export function pushAlong(
  g: ChannelGraph,
  flow: Int32Array,
  prevEdge: Int32Array,
  prevDir: Int8Array,
  source: number,
  destination: number,
  units: number,
): void {
  for (let v = destination; v !== source; ) {
    const e = prevEdge[v] as number;
    if (prevDir[v] === 1) {
      flow[e] = (flow[e] as number) + units;
      v = g.from[e] as number;
    } else {
      flow[e] = (flow[e] as number) - units;
      v = g.to[e] as number;
    }
  }
}

/**
 * Whether `need` units can go from `source` to `destination` over `wider`, starting from `start` (whose edges must be
 * usable in `wider`, each within its capacity there). `start` is left as it was.
 */
export function flowExtends(
  g: ChannelGraph,
  wider: Widening,
  start: StartFlow,
  need: number,
  source: number,
  destination: number,
): boolean {
  const s = perGraph(scratchCache, g, newScratch);
  const { flow, cap, capStamp, seen, prevEdge, prevDir, queue } = s;
  if (s.stamp >= 0xfffffff0) {
    s.stamp = 0;
    capStamp.fill(0);
    seen.fill(0);
  }
  const capStampNow = ++s.stamp;
  const capacity = (e: number): number => {
    if (capStamp[e] !== capStampNow) {
      capStamp[e] = capStampNow;
      cap[e] = wider.capacity(e);
    }
    return cap[e] as number;
  };
  // Edges whose flow this call set: reset on the way out.
  const dirty: number[] = [];
  for (const e of start.edges) {
    flow[e] = start.units[e] as number;
    dirty.push(e);
  }
  const { usable } = wider;
  let carried = start.carried;
  try {
    while (carried < need) {
      const stamp = ++s.stamp;
      let head = 0;
      let tail = 0;
      queue[tail++] = source;
      seen[source] = stamp;
      while (head < tail && seen[destination] !== stamp) {
        const u = queue[head++] as number;
        const end = g.offsets[u + 1] as number;
        for (let e = g.offsets[u] as number; e < end; e++) {
          const v = g.to[e] as number;
          if (seen[v] === stamp) continue;
          let dir = 0;
          let via = e;
          if (usable[e] === 1 && (flow[e] as number) < capacity(e)) dir = 1;
          else {
            // Flow on v → u can be sent back.
            via = g.reverse[e] as number;
            if (usable[via] === 1 && (flow[via] as number) > 0) dir = -1;
          }
          if (dir === 0) continue;
          seen[v] = stamp;
          prevEdge[v] = via;
          prevDir[v] = dir;
          queue[tail++] = v;
        }
      }
      if (seen[destination] !== stamp) return false;
      let b = need - carried;
      for (let v = destination; v !== source; ) {
        const e = prevEdge[v] as number;
        dirty.push(e);
        if (prevDir[v] === 1) {
          b = Math.min(b, capacity(e) - (flow[e] as number));
          v = g.from[e] as number;
        } else {
          b = Math.min(b, flow[e] as number);
          v = g.to[e] as number;
        }
      }
      pushAlong(g, flow, prevEdge, prevDir, source, destination, b);
      carried += b;
    }
    return true;
  } finally {
    for (const e of dirty) flow[e] = 0;
  }
}
