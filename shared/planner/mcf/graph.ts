// A compact directed channel graph for the min-cost-flow planner (issue 6). Every channel becomes two directed
// edges (node1→node2 uses policies[0], node2→node1 uses policies[1]); a direction without a policy is kept but
// marked disabled so that `reverse` is always defined. Edges are stored in CSR order: the outgoing edges of node u
// are `offsets[u] .. offsets[u+1]-1`, sorted by channel index then direction, so the layout is deterministic.
// All amounts are msat as JavaScript numbers (exact below 2^53 msat ≈ 90,000 BTC).

export interface Policy {
  feeBaseMsat: bigint | number;
  feePpm: bigint | number;
  cltvDelta: number;
  htlcMinMsat: bigint | number;
  /** Undefined: no limit other than the capacity. */
  htlcMaxMsat?: bigint | number;
  disabled?: boolean;
}

export interface ChannelInput {
  scid: bigint | string;
  /** Index into `nodes`. */
  node1: number;
  node2: number;
  capacityMsat: bigint;
  policies: [Policy | undefined, Policy | undefined];
}

export interface GraphInput {
  nodes: string[];
  channels: ChannelInput[];
}

export interface ChannelGraph {
  nodeCount: number;
  /** Directed edges: 2 × channels. */
  edgeCount: number;
  channelCount: number;
  nodeIds: string[];
  /** CSR: out-edges of node u are offsets[u] .. offsets[u+1]-1. */
  offsets: Uint32Array;
  from: Uint32Array;
  to: Uint32Array;
  capacityMsat: Float64Array;
  feeBaseMsat: Float64Array;
  feePpm: Float64Array;
  cltvDelta: Uint32Array;
  htlcMinMsat: Float64Array;
  htlcMaxMsat: Float64Array;
  /** 1 when the direction is disabled or has no policy. */
  disabled: Uint8Array;
  /** The opposite direction of the same channel. */
  reverse: Uint32Array;
  /** Index into the input's channels. */
  channel: Uint32Array;
  /** 0: node1→node2, 1: node2→node1. */
  direction: Uint8Array;
  /** Per channel, its scid as a string. */
  scids: string[];
  /** channelEdges[2 * channel + direction] is that directed edge. */
  channelEdges: Uint32Array;
}

const num = (v: bigint | number | undefined, fallback: number): number => (v === undefined ? fallback : Number(v));

export function buildGraph(input: GraphInput): ChannelGraph {
  const nodeCount = input.nodes.length;
  const channelCount = input.channels.length;
  const edgeCount = channelCount * 2;
  const degree = new Uint32Array(nodeCount + 1);
  for (const c of input.channels) {
    if (c.node1 < 0 || c.node1 >= nodeCount || c.node2 < 0 || c.node2 >= nodeCount) {
      throw new Error(`channel ${String(c.scid)}: node index out of range`);
    }
    degree[c.node1 + 1] = (degree[c.node1 + 1] ?? 0) + 1;
    degree[c.node2 + 1] = (degree[c.node2 + 1] ?? 0) + 1;
  }
  const offsets = new Uint32Array(nodeCount + 1);
  for (let u = 0; u < nodeCount; u++) offsets[u + 1] = (offsets[u] ?? 0) + (degree[u + 1] ?? 0);
  const fill = offsets.slice(0, nodeCount);
  const g: ChannelGraph = {
    nodeCount,
    edgeCount,
    channelCount,
    nodeIds: input.nodes.slice(),
    offsets,
    from: new Uint32Array(edgeCount),
    to: new Uint32Array(edgeCount),
    capacityMsat: new Float64Array(edgeCount),
    feeBaseMsat: new Float64Array(edgeCount),
    feePpm: new Float64Array(edgeCount),
    cltvDelta: new Uint32Array(edgeCount),
    htlcMinMsat: new Float64Array(edgeCount),
    htlcMaxMsat: new Float64Array(edgeCount),
    disabled: new Uint8Array(edgeCount),
    reverse: new Uint32Array(edgeCount),
    channel: new Uint32Array(edgeCount),
    direction: new Uint8Array(edgeCount),
    scids: new Array<string>(channelCount),
    channelEdges: new Uint32Array(edgeCount),
  };
  for (let ci = 0; ci < channelCount; ci++) {
    const c = input.channels[ci] as ChannelInput;
    g.scids[ci] = String(c.scid);
    const cap = Number(c.capacityMsat);
    const ends = [
      [c.node1, c.node2],
      [c.node2, c.node1],
    ] as const;
    const idx: number[] = [];
    for (let d = 0; d < 2; d++) {
      const [u, v] = ends[d] as readonly [number, number];
      const e = fill[u] as number;
      fill[u] = e + 1;
      idx.push(e);
      const p = c.policies[d];
      g.from[e] = u;
      g.to[e] = v;
      g.capacityMsat[e] = cap;
      g.channel[e] = ci;
      g.direction[e] = d;
      g.feeBaseMsat[e] = num(p?.feeBaseMsat, 0);
      g.feePpm[e] = num(p?.feePpm, 0);
      g.cltvDelta[e] = p?.cltvDelta ?? 0;
      g.htlcMinMsat[e] = num(p?.htlcMinMsat, 0);
      g.htlcMaxMsat[e] = Math.min(num(p?.htlcMaxMsat, cap), cap);
      g.disabled[e] = p === undefined || p.disabled === true || u === v ? 1 : 0;
    }
    g.channelEdges[2 * ci] = idx[0] as number;
    g.channelEdges[2 * ci + 1] = idx[1] as number;
    g.reverse[idx[0] as number] = idx[1] as number;
    g.reverse[idx[1] as number] = idx[0] as number;
  }
  return g;
}

/** The directed edge of a channel in a direction (0: node1→node2). */
export function edgeOf(g: ChannelGraph, channelIndex: number, direction: 0 | 1): number {
  return g.channelEdges[2 * channelIndex + direction] as number;
}

/** The directed edge from `u` to `v` (first in CSR order), or -1. */
export function findEdge(g: ChannelGraph, u: number, v: number): number {
  const end = g.offsets[u + 1] as number;
  for (let e = g.offsets[u] as number; e < end; e++) if (g.to[e] === v) return e;
  return -1;
}

/** What `make` derives from a graph, made once per graph and kept in `cache` (scratch space, indexes). */
export function perGraph<T>(cache: WeakMap<ChannelGraph, T>, g: ChannelGraph, make: (g: ChannelGraph) => T): T {
  let value = cache.get(g);
  if (value === undefined) {
    value = make(g);
    cache.set(g, value);
  }
  return value;
}

const scidIndexCache = new WeakMap<ChannelGraph, Map<string, number>>();

/** Map from scid string to channel index (built once per graph). */
export function scidIndex(g: ChannelGraph): Map<string, number> {
  let m = scidIndexCache.get(g);
  if (m) return m;
  m = new Map<string, number>();
  for (let i = 0; i < g.channelCount; i++) m.set(g.scids[i] as string, i);
  scidIndexCache.set(g, m);
  return m;
}
