// Min-cost-flow payment splitting (issue 6; Pickhardt & Richter, arXiv 2107.05322, piecewise-linearised as in
// mpp-splitter and CLN's askrene).
//
// Cost of a flow: Σ_e [ −log P_e(f_e) + μ · fee_e(f_e) ]. The amount is quantised into D units of U msat
// (default U = ceil(amount / 100), so D ≈ 100, but at most 100k sat; `unitMsat` overrides it). Each directed edge gets up to 4 linear pieces
// (CLN's pivots): a certain piece [0, minLiq − inFlight) of probability cost 0, then the uncertain range [a, b] cut at
// a + {0.5, 0.8, 0.95}·(b − a); each piece's unit cost is the secant slope of −log P between its ends (uniform:
// closed form −log(1 − p), ignoring the model's +1 msat; bimodal: evaluated, then made non-decreasing) plus
// μ · (U·ppm/1e6 + base / min(edge units, D)), i.e. the base fee amortised as if the edge carried as much as it
// can. Flow stays out of the top 5 % of a range unless the amount cannot be carried otherwise; then a fifth piece
// reaches 99.5 % at a steep price, and failing that the unit is made ten times finer (rounding to units drops up to
// a unit per edge).
// Edges out of the source carry no fee (we do not pay ourselves).
//
// Pruning: disabled edges, edges whose htlc max is below one unit or whose htlc min is above the amount, edges with
// less than one unit of possible liquidity, and edges on no source→destination path of at most HOP_SLACK hops more
// than the shortest (hop counts by BFS both ways) are dropped; the whole graph is tried when those cannot carry the
// amount. An edge's pieces are computed when a search first reaches it, not up front: a search that stops at the
// destination reaches a small part of the graph. An edge may carry up to maxParts × its htlc max in all: a path that carries more than
// one HTLC may becomes several parts (our own channel with a small htlc max still lends all of its balance).
//
// Solver: successive shortest paths with node potentials (Dijkstra on a binary heap in typed arrays, stopping at the
// destination), residual costs from the convex pieces. The one-path alternative (below) tries the default pieces only. The flow is decomposed into paths (cycles cancelled); each
// path is a part. The quantisation excess (D·U − amount < U) is taken off the largest part, so parts sum to the
// amount exactly. Parts are then checked against every hop's htlc min/max with fees included; the offending edges are
// banned and the plan re-solved. Too many parts: the largest maxParts − ⌈maxParts/4⌉ parts are kept (held as in
// flight) and what they leave is planned in the remaining slots; failing that, the unit is doubled, up to
// ceil(amount / maxParts) (then D ≤ maxParts bounds the parts). A plan spends at most 40 solves in all.
//
// Solves that must fail are not run (issue 14), each counted against the budget as if it had been, so the plans are
// the same: one whose source's or destination's edges cannot carry the amount, and, after a hop-pruned solve failed,
// the whole graph's when augmenting paths (augment.ts) cannot extend the failed flow over it.
//
// One part or several: a single path (one more solve, a flow of one unit) is taken unless splitting multiplies the
// probability by at least 1/0.9 per extra part: an HTLC is not free (receiver, fees, exposure). That solve is skipped
// when no channel into the destination carries the whole amount with that probability.
//
// μ: starts at 1 / attemptCost (LND's attempt cost by default: 100 sat + 1000 ppm of the amount), so a fee is paid
// when it buys as much probability as it saves in expected retries; this keeps fees near LND's while the flow stays
// the most probable one for its price. If the fee exceeds the limit, μ runs over μ*·10^k, k = −2 … 6, where μ* is the
// ratio of median probability slope to median fee per unit (as askrene's median ratio), then 3 geometric bisection
// steps between the last μ over the limit and the first within it; the most probable plan within the limit wins.

import { flowExtends, pushAlong } from './augment.ts';
import { type ChannelGraph, perGraph } from './graph.ts';
import type { UncertaintyNetwork } from './uncertainty.ts';

export const DEFAULT_PIVOTS: readonly number[] = [0.5, 0.8, 0.95];
/** When the default pieces cannot carry the amount: the top of every range too, at a steep price. */
export const FULL_PIVOTS: readonly number[] = [0.5, 0.8, 0.95, 0.995];
const PIECES = 5;

export interface PlanRequest {
  source: number;
  destination: number;
  amountMsat: bigint;
  maxFeeMsat: bigint;
  /** Default 16. */
  maxParts?: number;
  /** Quantisation unit in msat; default ceil(amount / 100). */
  unitMsat?: number;
  /** Fixed μ (nats per msat of fee); skips the search. */
  mu?: number;
  /**
   * What one failed attempt costs the payer, in msat: the starting μ is 1 / attemptCost, so a fee is worth paying
   * when it buys as much probability as it costs in expected retries. Default LND's (routing/pathfind.go): 100 sat
   * plus 1000 ppm of the amount.
   */
  attemptCostMsat?: number;
  /** Default 20: a path with more hops is rejected (its middle edge is banned and the plan re-solved). */
  maxHops?: number;
}

export interface PlanPart {
  /** Directed edge indices from source to destination. */
  path: number[];
  /** What the destination receives over this part. */
  amountMsat: bigint;
  /** Fees paid to the forwarding nodes of this part. */
  feeMsat: bigint;
  /** Probability of this part alone. */
  probability: number;
}

export interface Plan {
  ok: true;
  parts: PlanPart[];
  /** Product over the edges used of P(total forwarded on that edge). */
  probability: number;
  feeMsat: bigint;
  mu: number;
  unitMsat: number;
}

export interface NoPlan {
  ok: false;
  reason: 'invalid' | 'no-route' | 'insufficient-capacity' | 'fee-limit' | 'limits';
  message: string;
}

export type PlanResult = Plan | NoPlan;

/**
 * The piecewise-linear cost of one edge: cumulative piece ends in units and per-unit −log P slopes (certain piece
 * first, then the pivots), for the given remaining-liquidity view of `net`. Ends are capped at `limitMsat`.
 */
export function linearize(
  net: UncertaintyNetwork,
  edge: number,
  unitMsat: number,
  limitMsat: number,
  pivots: readonly number[] = DEFAULT_PIVOTS,
): { ends: number[]; slopes: number[] } {
  const ends = new Int32Array(pivots.length + 1);
  const slopes = new Float64Array(pivots.length + 1);
  const n = linearizeInto(net, edge, unitMsat, limitMsat, pivots, ends, slopes, 0);
  return { ends: Array.from(ends.subarray(0, n)), slopes: Array.from(slopes.subarray(0, n)) };
}

const pivotCostCache = new WeakMap<readonly number[], Float64Array>();
/** The last pivot list asked for and its costs: every edge of a problem asks for the same. */
let lastPivots: readonly number[] | undefined;
let lastCosts: Float64Array = new Float64Array(0);

/** −log(1 − p) for each pivot (the uniform model's cost at a + p·(b − a)), computed once per pivot list. */
function pivotCosts(pivots: readonly number[]): Float64Array {
  if (pivots === lastPivots) return lastCosts;
  let costs = pivotCostCache.get(pivots);
  if (!costs) {
    costs = Float64Array.from(pivots, (p) => (p < 1 ? -Math.log(1 - p) : 1e9));
    pivotCostCache.set(pivots, costs);
  }
  lastPivots = pivots;
  lastCosts = costs;
  return costs;
}

/** Writes the pieces of `edge` at `at` in `ends`/`slopes`; returns how many (0 … pivots + 1). */
function linearizeInto(
  net: UncertaintyNetwork,
  edge: number,
  unitMsat: number,
  limitMsat: number,
  pivots: readonly number[],
  ends: Int32Array,
  slopes: Float64Array,
  at: number,
): number {
  const h = net.inFlight[edge] as number;
  const b = (net.maxLiq[edge] as number) - h;
  const a = Math.min(b, Math.max(0, (net.minLiq[edge] as number) - h));
  if (b <= 0) return 0;
  ends[at] = Math.floor(Math.min(a, limitMsat) / unitMsat);
  slopes[at] = 0;
  if (b - a < unitMsat) return 1;
  let n = 1;
  if (net.model === 'uniform') {
    // −log P at a + p·(b − a) is −log(1 − p) up to the +1 msat of the discrete model, which is ignored here.
    const scale = unitMsat / (b - a);
    const costs = pivotCosts(pivots);
    let prevP = 0;
    let prevCost = 0;
    for (let i = 0; i < pivots.length; i++) {
      const p = pivots[i] as number;
      const cost = costs[i] as number;
      ends[at + n] = Math.floor(Math.min(a + p * (b - a), limitMsat) / unitMsat);
      slopes[at + n] = ((cost - prevCost) / (p - prevP)) * scale;
      n++;
      prevP = p;
      prevCost = cost;
    }
    return n;
  }
  let prevX = a;
  let prevCost = 0;
  let prevSlope = 0;
  for (const p of pivots) {
    const x = a + p * (b - a);
    const pr = net.successProbability(edge, x);
    const cost = pr > 0 ? -Math.log(pr) : 1e9;
    let slope = ((cost - prevCost) / (x - prevX)) * unitMsat;
    if (!(slope >= prevSlope)) slope = prevSlope;
    ends[at + n] = Math.floor(Math.min(x, limitMsat) / unitMsat);
    slopes[at + n] = slope;
    n++;
    prevX = x;
    prevCost = cost;
    prevSlope = slope;
  }
  return n;
}

/**
 * Where linearizeInto's last piece ends, in units: the most the edge carries in that problem (0 when it carries
 * nothing), without computing the pieces.
 */
export function topUnits(
  net: UncertaintyNetwork,
  edge: number,
  unitMsat: number,
  limitMsat: number,
  pivots: readonly number[],
): number {
  const h = net.inFlight[edge] as number;
  const b = (net.maxLiq[edge] as number) - h;
  const a = Math.min(b, Math.max(0, (net.minLiq[edge] as number) - h));
  if (b <= 0) return 0;
  const p = pivots.at(-1);
  if (b - a < unitMsat || p === undefined) return Math.floor(Math.min(a, limitMsat) / unitMsat);
  return Math.floor(Math.min(a + p * (b - a), limitMsat) / unitMsat);
}

/** Binary min-heap of (key, node) in typed arrays; ties broken by node index for determinism. */
interface Heap {
  key: Float64Array;
  val: Int32Array;
  size: number;
}

function heapPush(h: Heap, key: number, val: number): void {
  if (h.size >= h.key.length) {
    const k = new Float64Array(h.key.length * 2);
    k.set(h.key);
    const v = new Int32Array(h.val.length * 2);
    v.set(h.val);
    h.key = k;
    h.val = v;
  }
  const hk = h.key;
  const hv = h.val;
  let i = h.size++;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const pk = hk[parent] as number;
    if (pk < key || (pk === key && (hv[parent] as number) <= val)) break;
    hk[i] = pk;
    hv[i] = hv[parent] as number;
    i = parent;
  }
  hk[i] = key;
  hv[i] = val;
}

/** Removes the minimum (read it from key[0]/val[0] first). */
function heapPop(h: Heap): void {
  const hk = h.key;
  const hv = h.val;
  const size = --h.size;
  if (size <= 0) return;
  const lk = hk[size] as number;
  const lv = hv[size] as number;
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= size) break;
    const r = c + 1;
    if (
      r < size &&
      ((hk[r] as number) < (hk[c] as number) ||
        ((hk[r] as number) === (hk[c] as number) && (hv[r] as number) < (hv[c] as number)))
    ) {
      c = r;
    }
    const ck = hk[c] as number;
    if (ck > lk || (ck === lk && (hv[c] as number) >= lv)) break;
    hk[i] = ck;
    hv[i] = hv[c] as number;
    i = c;
  }
  hk[i] = lk;
  hv[i] = lv;
}

interface Scratch {
  /** 1: the edge is usable in the current problem (see prepare). */
  usable: Uint8Array;
  /** The same before the hop-slack pruning: what the whole graph offers at the problem's unit. */
  usableAll: Uint8Array;
  /** linearized[e] === problem: the edge's pieces are computed for the current problem. */
  linearized: Uint32Array;
  problem: number;
  flow: Int32Array;
  ends: Int32Array;
  slope: Float64Array;
  feeUnit: Float64Array;
  pot: Float64Array;
  dist: Float64Array;
  seen: Uint32Array;
  done: Uint32Array;
  prevEdge: Int32Array;
  prevDir: Int8Array;
  stamp: number;
  heap: Heap;
  settled: Int32Array;
  mark: Uint8Array;
  /** Hops from the source / to the destination over usable edges (-1: not reached). */
  hopsFrom: Int32Array;
  hopsTo: Int32Array;
  queue: Int32Array;
  cursor: Uint32Array;
  onPath: Int32Array;
}

const scratchCache = new WeakMap<ChannelGraph, Scratch>();

function scratchFor(g: ChannelGraph): Scratch {
  return perGraph(scratchCache, g, newScratch);
}

function newScratch(g: ChannelGraph): Scratch {
  const n = g.nodeCount;
  const m = g.edgeCount;
  return {
    usable: new Uint8Array(m),
    usableAll: new Uint8Array(m),
    linearized: new Uint32Array(m),
    problem: 0,
    flow: new Int32Array(m),
    ends: new Int32Array(m * PIECES),
    slope: new Float64Array(m * PIECES),
    feeUnit: new Float64Array(m),
    pot: new Float64Array(n),
    dist: new Float64Array(n),
    seen: new Uint32Array(n),
    done: new Uint32Array(n),
    prevEdge: new Int32Array(n),
    prevDir: new Int8Array(n),
    stamp: 0,
    heap: { key: new Float64Array(1024), val: new Int32Array(1024), size: 0 },
    settled: new Int32Array(n),
    mark: new Uint8Array(n),
    hopsFrom: new Int32Array(n),
    hopsTo: new Int32Array(n),
    queue: new Int32Array(n),
    cursor: new Uint32Array(n),
    onPath: new Int32Array(n).fill(-1),
  };
}

/** The kept (pruned) edge set with linearised costs for one unit size. */
interface Problem {
  g: ChannelGraph;
  net: UncertaintyNetwork;
  s: Scratch;
  source: number;
  destination: number;
  amount: number;
  unit: number;
  units: number;
  pivots: readonly number[];
  maxParts: number;
  /** Edges linearized so far (lazily, as the searches reach them): their flows are reset with the problem. */
  touched: number[];
  /** Edges were pruned by hop slack (s.usableAll holds the set before). */
  pruned: boolean;
  /** Units the last solve routed (all of them unless it failed). */
  carried: number;
}

function prepare(
  g: ChannelGraph,
  net: UncertaintyNetwork,
  source: number,
  destination: number,
  amount: number,
  unit: number,
  banned: Set<number>,
  pivots: readonly number[],
  maxParts: number,
  hopSlack: number,
): Problem | undefined {
  const s = scratchFor(g);
  if (s.problem >= 0xfffffff0) {
    s.problem = 0;
    s.linearized.fill(0);
  }
  s.problem++;
  const units = Math.ceil(amount / unit);
  const ok = s.usable;
  const { disabled, htlcMaxMsat, htlcMinMsat } = g;
  const { maxLiq, inFlight } = net;
  for (let e = 0; e < g.edgeCount; e++) {
    ok[e] =
      disabled[e] === 0 &&
      (htlcMaxMsat[e] as number) >= unit &&
      (htlcMinMsat[e] as number) <= amount &&
      (maxLiq[e] as number) - (inFlight[e] as number) >= unit
        ? 1
        : 0;
  }
  for (const e of banned) ok[e] = 0;
  // Nothing leaves the destination or enters the source.
  for (let e = g.offsets[destination] as number; e < (g.offsets[destination + 1] as number); e++) ok[e] = 0;
  for (let e = g.offsets[source] as number; e < (g.offsets[source + 1] as number); e++) ok[g.reverse[e] as number] = 0;
  // Hops from the source and to the destination: without a path there is no problem to solve. Edges on no path
  // within `hopSlack` hops of the shortest cannot matter much (each hop costs fees, time and risk) and would only
  // widen every search: they are dropped.
  const from = hopsBfs(g, ok, source, s.hopsFrom, s.queue, false);
  if ((from[destination] as number) < 0) return undefined;
  const pruned = Number.isFinite(hopSlack);
  if (pruned) {
    s.usableAll.set(ok);
    const to = hopsBfs(g, ok, destination, s.hopsTo, s.queue, true);
    const limit = (from[destination] as number) + hopSlack;
    for (let e = 0; e < g.edgeCount; e++) {
      if (ok[e] !== 1) continue;
      const hf = from[g.from[e] as number] as number;
      const ht = to[g.to[e] as number] as number;
      if (hf < 0 || ht < 0 || hf + 1 + ht > limit) ok[e] = 0;
    }
  }
  return {
    g,
    net,
    s,
    source,
    destination,
    amount,
    unit,
    units,
    pivots,
    maxParts,
    touched: [],
    pruned,
    carried: 0,
  };
}

/** Breadth-first hop counts from `start` over usable edges (backward: over edges into each node). */
function hopsBfs(
  g: ChannelGraph,
  ok: Uint8Array,
  start: number,
  hops: Int32Array,
  queue: Int32Array,
  backward: boolean,
): Int32Array {
  hops.fill(-1);
  let head = 0;
  let tail = 0;
  queue[tail++] = start;
  hops[start] = 0;
  while (head < tail) {
    const u = queue[head++] as number;
    const next = (hops[u] as number) + 1;
    const end = g.offsets[u + 1] as number;
    for (let e2 = g.offsets[u] as number; e2 < end; e2++) {
      // Backward: the edge into u is the reverse of u's out-edge.
      const e = backward ? (g.reverse[e2] as number) : e2;
      const v = g.to[e2] as number;
      if (hops[v] === -1 && ok[e] === 1) {
        hops[v] = next;
        queue[tail++] = v;
      }
    }
  }
  return hops;
}

/**
 * The pieces of one usable edge, computed when a search first reaches it: most of the graph is never reached by a
 * search that stops at the destination, so linearizing all of it up front would cost more than the solves.
 */
function linearizeEdge(p: Problem, e: number): void {
  const { g, s, unit, units } = p;
  const { ends, slope } = s;
  s.linearized[e] = s.problem;
  s.flow[e] = 0;
  p.touched.push(e);
  const limit = edgeLimit(p, e);
  const base = e * PIECES;
  let count = linearizeInto(p.net, e, unit, limit, p.pivots, ends, slope, base);
  if (count === 0) {
    ends[base] = 0;
    slope[base] = 0;
    count = 1;
  }
  // Every hop costs the same per unit on every piece (convexity kept): a path of k hops pays k · HOP_COST nats.
  const hop = HOP_COST / units;
  for (let i = 0; i < count; i++) slope[base + i] = (slope[base + i] as number) + hop;
  // Unused pieces repeat the last one with zero width.
  const capUnits = ends[base + count - 1] as number;
  const lastSlope = slope[base + count - 1] as number;
  for (let i = count; i < PIECES; i++) {
    ends[base + i] = capUnits;
    slope[base + i] = lastSlope;
  }
  if (g.from[e] === p.source) s.feeUnit[e] = 0;
  else {
    s.feeUnit[e] =
      (unit * (g.feePpm[e] as number)) / 1e6 + (g.feeBaseMsat[e] as number) / Math.max(1, Math.min(capUnits, units));
  }
}

/** The most an edge may carry in msat: several parts may share it, each within its htlc max (toPlan splits them). */
function edgeLimit(p: Problem, e: number): number {
  return Math.min((p.g.htlcMaxMsat[e] as number) * p.maxParts, p.units * p.unit);
}

/**
 * After a solve over the hop-pruned edges failed: whether the whole graph, at the same unit and pieces, carries the
 * amount. Its solve would route every unit again only to find the same answer; the failed flow, extended by
 * augmenting paths over the whole graph, finds it in a few searches.
 */
function wholeGraphCarries(p: Problem): boolean {
  const { g, s, net, unit, pivots } = p;
  if (!cutsCarry(p, s.usableAll)) return false;
  const ends = s.ends;
  const flowing = p.touched.filter((e) => (s.flow[e] as number) > 0);
  return flowExtends(
    g,
    {
      usable: s.usableAll,
      capacity: (e) =>
        s.linearized[e] === s.problem
          ? (ends[e * PIECES + PIECES - 1] as number)
          : topUnits(net, e, unit, edgeLimit(p, e), pivots),
    },
    { edges: flowing, units: s.flow, carried: p.carried },
    p.units,
    p.source,
    p.destination,
  );
}

/**
 * Whether the edges out of the source, and those into the destination, usable in `usable`, can carry the amount:
 * no flow crosses either cut with more, so when one cannot, no solve is needed to know it would fail.
 */
function cutsCarry(p: Problem, usable: Uint8Array): boolean {
  const { g, net, unit, units, pivots, source, destination } = p;
  let out = 0;
  const outEnd = g.offsets[source + 1] as number;
  for (let e = g.offsets[source] as number; e < outEnd && out < units; e++) {
    if (usable[e] === 1) out += topUnits(net, e, unit, edgeLimit(p, e), pivots);
  }
  if (out < units) return false;
  let into = 0;
  const inEnd = g.offsets[destination + 1] as number;
  for (let e2 = g.offsets[destination] as number; e2 < inEnd && into < units; e2++) {
    const e = g.reverse[e2] as number;
    if (usable[e] === 1) into += topUnits(net, e, unit, edgeLimit(p, e), pivots);
  }
  return into >= units;
}

function release(p: Problem): void {
  for (const e of p.touched) p.s.flow[e] = 0;
  p.touched.length = 0;
}

/** Successive shortest paths; leaves the flow in s.flow. Returns false if D units cannot be routed. */
function solve(p: Problem, mu: number): boolean {
  const { g, s, source, destination } = p;
  const { flow, ends, slope, feeUnit, pot, dist, seen, done, prevEdge, prevDir, usable, linearized } = s;
  const problem = s.problem;
  // Each solve starts from no flow and zero potentials (only differences matter), whatever an enclosing problem left.
  for (const e of p.touched) flow[e] = 0;
  pot.fill(0);
  let remaining = p.units;
  while (remaining > 0) {
    // Dijkstra with reduced costs.
    s.stamp++;
    const stamp = s.stamp;
    const heap = s.heap;
    heap.size = 0;
    let settledCount = 0;
    seen[source] = stamp;
    dist[source] = 0;
    heapPush(heap, 0, source);
    let reached = false;
    while (heap.size > 0) {
      const d = heap.key[0] as number;
      const u = heap.val[0] as number;
      heapPop(heap);
      if (done[u] === stamp || d > (dist[u] as number)) continue;
      done[u] = stamp;
      s.settled[settledCount++] = u;
      if (u === destination) {
        reached = true;
        break;
      }
      const pu = pot[u] as number;
      const end = g.offsets[u + 1] as number;
      for (let e = g.offsets[u] as number; e < end; e++) {
        const v = g.to[e] as number;
        if (done[v] === stamp) continue;
        if (usable[e] === 1) {
          if (linearized[e] !== problem) linearizeEdge(p, e);
          const f = flow[e] as number;
          const base = e * PIECES;
          let i = 0;
          while (i < PIECES && (ends[base + i] as number) <= f) i++;
          if (i < PIECES) {
            let c = (slope[base + i] as number) + mu * (feeUnit[e] as number) + pu - (pot[v] as number);
            if (c < 0) c = 0;
            const nd = d + c;
            if (seen[v] !== stamp || nd < (dist[v] as number)) {
              seen[v] = stamp;
              dist[v] = nd;
              prevEdge[v] = e;
              prevDir[v] = 1;
              heapPush(heap, nd, v);
            }
          }
        }
        const r = g.reverse[e] as number; // v → u
        // Flow only runs on edges linearized in this problem (what another left behind is not this one's).
        const f = flow[r] as number;
        if (f > 0 && usable[r] === 1 && linearized[r] === problem) {
          {
            const base = r * PIECES;
            let j = 0;
            while (j < PIECES - 1 && (ends[base + j] as number) < f) j++;
            let c = -((slope[base + j] as number) + mu * (feeUnit[r] as number)) + pu - (pot[v] as number);
            if (c < 0) c = 0;
            const nd = d + c;
            if (seen[v] !== stamp || nd < (dist[v] as number)) {
              seen[v] = stamp;
              dist[v] = nd;
              prevEdge[v] = r;
              prevDir[v] = -1;
              heapPush(heap, nd, v);
            }
          }
        }
      }
    }
    if (!reached) {
      p.carried = p.units - remaining;
      return false;
    }
    const dt = dist[destination] as number;
    for (let i = 0; i < settledCount; i++) {
      const u = s.settled[i] as number;
      pot[u] = (pot[u] as number) + (dist[u] as number) - dt;
    }
    // Bottleneck along the path.
    let b = remaining;
    for (let v = destination; v !== source; ) {
      const e = prevEdge[v] as number;
      const f = flow[e] as number;
      const base = e * PIECES;
      if (prevDir[v] === 1) {
        let i = 0;
        while (i < PIECES && (ends[base + i] as number) <= f) i++;
        b = Math.min(b, (ends[base + i] as number) - f);
        v = g.from[e] as number;
      } else {
        let j = 0;
        while (j < PIECES - 1 && (ends[base + j] as number) < f) j++;
        b = Math.min(b, f - (j > 0 ? (ends[base + j - 1] as number) : 0));
        v = g.to[e] as number;
      }
    }
    if (b <= 0) {
      // Cannot happen with consistent pieces; guards against an endless loop.
      p.carried = p.units - remaining;
      return false;
    }
    pushAlong(g, flow, prevEdge, prevDir, source, destination, b);
    remaining -= b;
  }
  p.carried = p.units;
  return true;
}

/** Paths with their unit counts, from s.flow (consumed). Deterministic: CSR order. */
function decompose(p: Problem): { path: number[]; units: number }[] {
  const { g, s, source, destination } = p;
  const { flow, usable, linearized, cursor, onPath } = s;
  const problem = s.problem;
  for (const e of p.touched) {
    cursor[g.from[e] as number] = g.offsets[g.from[e] as number] as number;
  }
  cursor[source] = g.offsets[source] as number;
  const out: { path: number[]; units: number }[] = [];
  const nextEdge = (u: number): number => {
    const end = g.offsets[u + 1] as number;
    let e = cursor[u] as number;
    while (e < end && !(usable[e] === 1 && linearized[e] === problem && (flow[e] as number) > 0)) e++;
    cursor[u] = e;
    return e < end ? e : -1;
  };
  for (;;) {
    if (nextEdge(source) < 0) break;
    const path: number[] = [];
    const nodes: number[] = [source];
    onPath[source] = 0;
    let u = source;
    while (u !== destination) {
      const e = nextEdge(u);
      if (e < 0) break; // conservation guarantees this does not happen
      const v = g.to[e] as number;
      path.push(e);
      const at = onPath[v] as number;
      if (at >= 0) {
        // Cycle nodes[at] … u → v: cancel it.
        const cyc = path.splice(at);
        let m = Number.POSITIVE_INFINITY;
        for (const c of cyc) m = Math.min(m, flow[c] as number);
        for (const c of cyc) flow[c] = (flow[c] as number) - m;
        for (const n of nodes.splice(at + 1)) onPath[n] = -1;
        u = v;
        continue;
      }
      onPath[v] = nodes.length;
      nodes.push(v);
      u = v;
    }
    for (const n of nodes) onPath[n] = -1;
    if (u !== destination || path.length === 0) break;
    let m = Number.POSITIVE_INFINITY;
    for (const e of path) m = Math.min(m, flow[e] as number);
    for (const e of path) flow[e] = (flow[e] as number) - m;
    out.push({ path, units: m });
  }
  return out;
}

function fee(g: ChannelGraph, e: number, amount: bigint): bigint {
  return BigInt(g.feeBaseMsat[e] as number) + (amount * BigInt(g.feePpm[e] as number)) / 1_000_000n;
}

/** Amount forwarded over each hop of a path so that `amount` arrives (index-aligned with path). */
export function hopAmounts(g: ChannelGraph, path: readonly number[], amount: bigint): bigint[] {
  const amts = new Array<bigint>(path.length);
  let a = amount;
  for (let i = path.length - 1; i >= 0; i--) {
    amts[i] = a;
    if (i > 0) a += fee(g, path[i] as number, a);
  }
  return amts;
}

interface Candidate {
  plan: Plan;
  /** Edge that breaks an htlc limit or hop limit, if any. */
  /** Edges that break an htlc limit or the hop limit (all of them, so one re-solve bans them together). */
  violations: number[];
}

function toPlan(p: Problem, paths: { path: number[]; units: number }[], mu: number, maxHops: number): Candidate {
  const { g, net } = p;
  const amounts = paths.map((x) => x.units * p.unit);
  const excess = p.units * p.unit - p.amount;
  if (excess > 0) {
    let best = 0;
    for (let i = 1; i < amounts.length; i++) if ((amounts[i] as number) > (amounts[best] as number)) best = i;
    amounts[best] = (amounts[best] as number) - excess;
  }
  // A path may carry more than one HTLC may: it becomes as many parts as its narrowest htlc max needs.
  const chunks: { path: number[]; amount: bigint }[] = [];
  for (let i = 0; i < paths.length; i++) {
    const path = (paths[i] as { path: number[] }).path;
    const amount = BigInt(amounts[i] as number);
    const hops = hopAmounts(g, path, amount);
    let n = 1;
    for (let k = 0; k < path.length; k++) {
      n = Math.max(n, Math.ceil(Number(hops[k] as bigint) / (g.htlcMaxMsat[path[k] as number] as number)));
    }
    const each = amount / BigInt(n);
    for (let j = 0; j < n; j++) chunks.push({ path, amount: j === 0 ? amount - each * BigInt(n - 1) : each });
  }
  const parts: PlanPart[] = [];
  let total = 0n;
  const violations: number[] = [];
  for (const { path, amount } of chunks) {
    const exact = hopAmounts(g, path, amount);
    const hops = exact.map(Number);
    for (let k = 0; k < path.length; k++) {
      const e = path[k] as number;
      const a = hops[k] as number;
      if (a < (g.htlcMinMsat[e] as number) || a > (g.htlcMaxMsat[e] as number)) violations.push(e);
    }
    const prob = pathProbability(net, path, hops);
    if (path.length > maxHops) violations.push(path[path.length >> 1] as number);
    const feeMsat = (exact[0] as bigint) - amount;
    total += feeMsat;
    parts.push({ path, amountMsat: amount, feeMsat, probability: prob });
  }
  const probability = jointProbability(g, net, parts);
  return { plan: { ok: true, parts, probability, feeMsat: total, mu, unitMsat: p.unit }, violations };
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const sorted = Float64Array.from(xs).sort();
  return sorted[sorted.length >> 1] as number;
}

/** What planning cost: for tests and benchmarks (the plan does not depend on it). */
export interface PlanStats {
  /** Min-cost-flow solves run. */
  solved: number;
  /**
   * Solves not run because they could not change the plan: augmenting paths showed they would find no flow (each
   * counted against the budget, as the solve it replaces), or no single path could be probable enough.
   */
  skipped: number;
}

/**
 * Plans a payment over the uncertainty network. Pure and deterministic for identical input; `stats`, when given, is
 * told what the plan cost.
 */
export function planPayment(
  g: ChannelGraph,
  net: UncertaintyNetwork,
  req: PlanRequest,
  stats: PlanStats = { solved: 0, skipped: 0 },
): PlanResult {
  const budget = { solves: MAX_SOLVES, stats };
  const plan = planAt(g, net, req, 0, budget);
  if (!plan.ok || plan.parts.length < 2 || req.unitMsat !== undefined) return plan;
  // A part must earn its HTLC: one path (a flow of a single unit, one more solve) wins unless splitting raises the
  // probability by PART_GAIN per extra part. Small payments then go in one piece, as they mostly can.
  const needed = plan.probability * PART_GAIN ** (plan.parts.length - 1);
  if (lastHopBound(g, net, req.destination, Number(req.amountMsat)) < needed) {
    stats.skipped++;
    return plan;
  }
  const single = planAt(g, net, { ...req, unitMsat: Number(req.amountMsat), maxParts: 1 }, 1, budget, true);
  if (single.ok && single.probability >= needed) return single;
  return plan;
}

/**
 * The most probable a single path delivering `amount` can be: its last hop carries the whole amount, and no other hop
 * makes it more probable. When even that is below what the split plan needs to lose to, the one-path solve is not run.
 */
function lastHopBound(g: ChannelGraph, net: UncertaintyNetwork, destination: number, amount: number): number {
  let best = 0;
  const end = g.offsets[destination + 1] as number;
  for (let e = g.offsets[destination] as number; e < end; e++) {
    const into = g.reverse[e] as number;
    if (g.disabled[into] === 0) best = Math.max(best, net.successProbability(into, amount));
  }
  return best;
}

/**
 * The default unit never exceeds 100k sat: an edge whose htlc max or liquidity is below one unit is dropped, and for
 * large payments amount / 100 would drop most of the network.
 */
const MAX_DEFAULT_UNIT_MSAT = 100_000_000;

/**
 * Paths at most this many hops longer than the shortest (over usable edges) are considered first; the whole graph
 * only when they cannot carry the amount. Measured on the mainnet graph (bench:split): the searches reach far fewer
 * edges, the plans are the same or nearly so.
 */
const HOP_SLACK = 3;

/**
 * What one more hop costs a part, in nats of −log P for the whole amount: a hop adds latency (two crossings, each
 * way) and a node that may fail, which −log P of a wide channel does not see. Without it the flow takes long chains of
 * big channels; with it the plans are about as short as LND's.
 */
const HOP_COST = 0.1;

/** The factor by which each extra part must multiply a plan's probability (see planPayment). */
const PART_GAIN = 0.9;

/**
 * Min-cost-flow solves one plan may spend, over bans, the μ search and the re-plans of keepLargest: a bound on the
 * time of the worst case (each solve is a few ms to a few tens of ms on the mainnet graph).
 */
const MAX_SOLVES = 40;

interface Budget {
  /** Solves left. */
  solves: number;
  stats: PlanStats;
}

/**
 * Too many parts: keep the largest ones (they carry most of the amount over the most probable paths), hold them as
 * in flight, and plan what they leave with the remaining part slots. A coarser unit would also bound the parts, but
 * it drops every channel narrower than a unit, which near the max-flow loses the plan altogether. With one part
 * allowed nothing is kept: re-planning the whole amount in one slot would only solve the same problem again before
 * coarsening its unit as the caller does next, so the caller goes on at once (undefined).
 */
function keepLargest(
  g: ChannelGraph,
  net: UncertaintyNetwork,
  req: PlanRequest,
  plan: Plan,
  maxParts: number,
  depth: number,
  budget: Budget,
): Plan | undefined {
  const slots = Math.max(1, Math.ceil(maxParts / 4));
  if (maxParts - slots <= 0) return undefined;
  const keep = plan.parts
    .slice()
    .sort((a, b) => (a.amountMsat === b.amountMsat ? 0 : a.amountMsat > b.amountMsat ? -1 : 1))
    .slice(0, maxParts - slots);
  const hops = keep.map((p) => hopAmounts(g, p.path, p.amountMsat).map(Number));
  const kept = keep.reduce((s, p) => s + p.amountMsat, 0n);
  const keptFee = keep.reduce((s, p) => s + p.feeMsat, 0n);
  let rest: PlanResult;
  for (let i = 0; i < keep.length; i++) net.reserve((keep[i] as PlanPart).path, hops[i] as number[]);
  try {
    rest = planAt(
      g,
      net,
      { ...req, amountMsat: req.amountMsat - kept, maxFeeMsat: req.maxFeeMsat - keptFee, maxParts: slots },
      depth + 1,
      budget,
    );
  } finally {
    for (let i = 0; i < keep.length; i++) net.release((keep[i] as PlanPart).path, hops[i] as number[]);
  }
  if (!rest.ok) return undefined;
  const parts = [...keep, ...rest.parts];
  // Once the kept parts are no longer held as in flight: held, they would count twice on their edges.
  return { ...plan, parts, feeMsat: keptFee + rest.feeMsat, probability: jointProbability(g, net, parts) };
}

/** Product over the edges used of P(everything the parts forward on that edge). */
export function jointProbability(g: ChannelGraph, net: UncertaintyNetwork, parts: readonly PlanPart[]): number {
  return loadProbability(
    net,
    edgeLoads(parts.map((part) => ({ path: part.path, hops: hopAmounts(g, part.path, part.amountMsat).map(Number) }))),
  );
}

/** A path with what it carries over each hop (index-aligned: what the hop forwards, later fees included). */
export interface LoadedPath {
  path: readonly number[];
  hops: readonly number[];
}

/** The probability of one part alone: the product over its hops of P(what it forwards there). */
export function pathProbability(net: UncertaintyNetwork, path: readonly number[], hops: readonly number[]): number {
  let p = 1;
  for (let k = 0; k < path.length; k++) p *= net.successProbability(path[k] as number, hops[k] as number);
  return p;
}

/**
 * The probabilities of a plan, the one way they are computed for any parts (the planner's own, or parts built by
 * hand): each part alone, and all together with parts sharing an edge counted together. A disabled edge carries
 * nothing.
 */
export function evaluatePlan(
  g: ChannelGraph,
  net: UncertaintyNetwork,
  parts: readonly LoadedPath[],
): { parts: number[]; probability: number; loads: Map<number, number> } {
  const open = (path: readonly number[]) => path.every((e) => g.disabled[e] !== 1);
  const loads = edgeLoads(parts);
  return {
    parts: parts.map(({ path, hops }) => (open(path) ? pathProbability(net, path, hops) : 0)),
    probability: parts.every(({ path }) => open(path)) ? loadProbability(net, loads) : 0,
    loads,
  };
}

/** What all the parts together ask of each directed edge they use. */
export function edgeLoads(parts: readonly LoadedPath[]): Map<number, number> {
  const sums = new Map<number, number>();
  for (const { path, hops } of parts) {
    for (let k = 0; k < path.length; k++) {
      const e = path[k] as number;
      sums.set(e, (sums.get(e) ?? 0) + (hops[k] as number));
    }
  }
  return sums;
}

/** The probability that every edge carries its whole load: parts sharing a channel counted together. */
export function loadProbability(net: UncertaintyNetwork, loads: ReadonlyMap<number, number>): number {
  let p = 1;
  for (const [e, sum] of loads) p *= net.successProbability(e, sum);
  return p;
}

/**
 * `singlePath`: the one-path alternative of planPayment, which only wins when the path is probable: when the default
 * pieces cannot carry it, neither the top of the ranges nor a finer unit is tried.
 */
function planAt(
  g: ChannelGraph,
  net: UncertaintyNetwork,
  req: PlanRequest,
  depth: number,
  budget: Budget,
  singlePath = false,
): PlanResult {
  const amount = Number(req.amountMsat);
  const maxParts = req.maxParts ?? 16;
  const maxHops = req.maxHops ?? 20;
  if (!(amount > 0) || !Number.isSafeInteger(amount)) {
    return { ok: false, reason: 'invalid', message: 'amount must be a positive integer below 2^53 msat' };
  }
  if (req.source === req.destination || maxParts < 1) {
    return { ok: false, reason: 'invalid', message: 'source equals destination or maxParts < 1' };
  }
  let unit = req.unitMsat ?? Math.max(1, Math.min(Math.ceil(amount / 100), MAX_DEFAULT_UNIT_MSAT));
  unit = Math.max(1, Math.floor(unit));
  const banned = new Set<number>();
  const attemptCost = req.attemptCostMsat ?? 100_000 + amount / 1000;
  const mu0 = req.mu ?? (attemptCost > 0 ? 1 / attemptCost : 0);
  let pivots = DEFAULT_PIVOTS;
  let hopSlack = HOP_SLACK;
  let coarsened = false;
  let triedKeep = false;
  let refined = false;
  let lastFailure: NoPlan = { ok: false, reason: 'no-route', message: 'no route' };
  for (let attempt = 0; attempt < 40; attempt++) {
    const p = prepare(g, net, req.source, req.destination, amount, unit, banned, pivots, maxParts, hopSlack);
    if (!p) {
      lastFailure = {
        ok: false,
        reason: 'no-route',
        message: `destination unreachable over usable channels (unit ${unit} msat)`,
      };
      break;
    }
    try {
      const run = (mu: number): Candidate | undefined => {
        if (budget.solves <= 0) return undefined;
        budget.solves--;
        budget.stats.solved++;
        return solve(p, mu) ? toPlan(p, decompose(p), mu, maxHops) : undefined;
      };
      const mus: number[] = [];
      let chosen: Candidate | undefined;
      // A solve the cuts at either end already show would fail is counted as that solve and not run.
      const skip = (): undefined => {
        if (budget.solves <= 0) return undefined;
        budget.solves--;
        budget.stats.skipped++;
        p.carried = 0;
        return undefined;
      };
      const first = cutsCarry(p, p.s.usable) ? run(mu0) : skip();
      if (!first) {
        if (budget.solves <= 0) break;
        lastFailure = {
          ok: false,
          reason: 'insufficient-capacity',
          message: `the channels cannot carry the amount within ${100 * (pivots.at(-1) ?? 1)}% of their liquidity ranges`,
        };
        if (singlePath) break;
        // The whole graph before the top of the ranges: longer paths are better than improbable ones.
        if (p.pruned) {
          hopSlack = Number.POSITIVE_INFINITY;
          if (wholeGraphCarries(p)) continue;
          // Its solve would fail: counted as that solve (the same budget, so the same plans), and the next step taken.
          budget.solves--;
          budget.stats.skipped++;
          if (budget.solves <= 0) break;
        }
        // A coarser unit (too many parts before) that the whole graph cannot carry: a finer one would be too many
        // parts again, so the top of the ranges and a finer unit are not tried.
        if (coarsened) break;
        if (pivots !== FULL_PIVOTS) pivots = FULL_PIVOTS;
        else if (!refined && unit >= 10) {
          // Each edge loses up to a unit to rounding: near the limits (our own balances barely above the amount) a
          // unit ten times finer keeps what the coarse one drops.
          unit = Math.floor(unit / 10);
          refined = true;
        } else break;
        continue;
      }
      // Limits first: a plan that breaks them is re-solved without the offending edges before any μ search.
      if (first.violations.length > 0) {
        for (const e of first.violations) banned.add(e);
        lastFailure = { ok: false, reason: 'limits', message: 'htlc or hop limits could not be met' };
        continue;
      }
      if (req.mu !== undefined || first.plan.feeMsat <= req.maxFeeMsat) chosen = first;
      else {
        const probSlopes: number[] = [];
        const fees: number[] = [];
        // Over the edges the first solve reached (linearizing the whole problem for its medians would cost more
        // than the search they scale).
        for (const e of p.touched) {
          const sl = p.s.slope[e * PIECES + 1] as number;
          if (sl > 0) probSlopes.push(sl);
          const f = p.s.feeUnit[e] as number;
          if (f > 0) fees.push(f);
        }
        const scale = fees.length > 0 ? (median(probSlopes) || 1e-6) / median(fees) : 1;
        let lo = mu0;
        let okMu = -1;
        let best: Candidate | undefined;
        for (let k = -2; k <= 6; k++) {
          const mu = scale * 10 ** k;
          if (mu <= mu0) continue;
          mus.push(mu);
          const c = run(mu);
          if (c && c.violations.length === 0 && c.plan.feeMsat <= req.maxFeeMsat) {
            okMu = mu;
            best = c;
            break;
          }
          lo = mu;
        }
        if (best && lo > 0) {
          let hi = okMu;
          for (let i = 0; i < 3; i++) {
            const mid = Math.sqrt(lo * hi);
            const c = run(mid);
            if (c && c.violations.length === 0 && c.plan.feeMsat <= req.maxFeeMsat) {
              hi = mid;
              if (c.plan.probability > best.plan.probability) best = c;
            } else lo = mid;
          }
        }
        chosen = best;
        if (!chosen) {
          return {
            ok: false,
            reason: 'fee-limit',
            message: `no flow found within the fee limit (μ up to ${mus.at(-1)})`,
          };
        }
      }
      if (chosen.plan.parts.length > maxParts) {
        // Once per plan, and not inside a re-plan of what the largest parts leave (which bounds the work).
        const trimmed =
          depth === 0 && !triedKeep ? keepLargest(g, net, req, chosen.plan, maxParts, depth, budget) : undefined;
        triedKeep = true;
        if (trimmed) return trimmed;
        // D = ceil(amount / unit) <= maxParts bounds the number of parts, so this terminates. A unit finer than a
        // quarter of a part's share only costs solves: the doubling starts there.
        const cap = Math.ceil(amount / maxParts);
        if (unit >= cap) break;
        unit = Math.min(Math.max(unit * 2, Math.ceil(amount / (4 * maxParts))), cap);
        coarsened = true;
        continue;
      }
      return chosen.plan;
    } finally {
      release(p);
    }
  }
  if (budget.solves <= 0) {
    const message = `no plan within ${MAX_SOLVES} min-cost-flow solves (last: ${lastFailure.message})`;
    return { ok: false, reason: 'limits', message };
  }
  return lastFailure;
}
