// The uncertainty network (issue 6; Pickhardt et al., arXiv 2103.08576 and 2107.05322 §3). For every directed edge
// we keep a belief interval [minLiq, maxLiq] (msat, inclusive) for the liquidity on its sending side, and the
// amount we currently have in flight on it. Our own channels are exact (minLiq = maxLiq = balance) and never decay.
//
// Success probability of sending x more msat on an edge, with h in flight, a = minLiq, b = maxLiq, y = x + h:
//   uniform (default):  P = 1 for y <= a, 0 for y > b, else (b + 1 − y) / (b + 1 − a).
//     With a = 0 and b = c this is the paper's (c + 1 − y)/(c + 1), in msat instead of sat.
//   bimodal (option): the liquidity density over the whole capacity c is ∝ (t − ½)², t = X/c (LDK's non-uniform
//     prior: liquidity tends to sit at a channel's ends), conditioned on [a, b]:
//     P = (G(b) − G(y)) / (G(b) − G(a)) with G(v) = (v/c − ½)³, for a < y <= b.
//
// Updates (units msat; pickhardtpayments' UncertaintyChannel):
//   success of h on a path: every hop had at least inFlight + h: minLiq = max(minLiq, inFlight + h).
//   failure of h at hop k: hops before k: minLiq = max(minLiq, inFlight + h); hop k: maxLiq = min(maxLiq,
//     inFlight + h − 1). Hops after k learn nothing.
//   settlement of h (after success): every hop's sending side holds h less: [min − h, max − h], floored at 0.
//   Every update is mirrored on the reverse direction: min' = cap − max, max' = cap − min.
//   When new evidence contradicts old belief (the balance moved), the new bound wins and the other bound is reset to
//   its prior (0 or cap).
// `reserve`/`release` account in-flight parts; probabilities are conditioned on them. Every update takes either one
// amount for all hops or each hop's own (what it forwards, fees included: the bounds learned are then exact).

import type { ChannelGraph } from './graph.ts';
import { scidIndex } from './graph.ts';

export type ProbabilityModel = 'uniform' | 'bimodal';

/**
 * What a part carries over each hop of its path, msat: one number for every hop (fees ignored, as the paper does),
 * or one per hop (index-aligned with the path: what the hop forwards, its downstream fees included).
 */
export type HopAmounts = number | readonly number[];

const at = (amounts: HopAmounts, i: number): number =>
  typeof amounts === 'number' ? amounts : (amounts[i] ?? (amounts[amounts.length - 1] as number));

export interface UncertaintySnapshot {
  version: 1;
  /** Only edges that differ from the prior [0, cap] with nothing in flight. */
  edges: {
    scid: string;
    direction: 0 | 1;
    minMsat: number;
    maxMsat: number;
    exact: boolean;
    /** How long ago this was learned, for `restore` to decay it (absent: as of now). */
    ageSeconds?: number;
  }[];
}

export class UncertaintyNetwork {
  readonly graph: ChannelGraph;
  readonly model: ProbabilityModel;
  readonly minLiq: Float64Array;
  readonly maxLiq: Float64Array;
  readonly inFlight: Float64Array;
  /** 1 for our own channels' directions: balances known exactly. */
  readonly exact: Uint8Array;

  constructor(graph: ChannelGraph, options: { model?: ProbabilityModel } = {}) {
    this.graph = graph;
    this.model = options.model ?? 'uniform';
    const n = graph.edgeCount;
    this.minLiq = new Float64Array(n);
    this.maxLiq = graph.capacityMsat.slice();
    this.inFlight = new Float64Array(n);
    this.exact = new Uint8Array(n);
  }

  /** Our own channel: we can send exactly `localMsat` on `edge`; the peer can send cap − local back. */
  setOwnBalance(edge: number, localMsat: number): void {
    const cap = this.graph.capacityMsat[edge] as number;
    const local = Math.max(0, Math.min(cap, localMsat));
    const rev = this.graph.reverse[edge] as number;
    this.minLiq[edge] = local;
    this.maxLiq[edge] = local;
    this.minLiq[rev] = cap - local;
    this.maxLiq[rev] = cap - local;
    this.exact[edge] = 1;
    this.exact[rev] = 1;
  }

  /** Probability that `amountMsat` more gets through `edge`, given what is in flight on it. */
  successProbability(edge: number, amountMsat: number): number {
    const y = amountMsat + (this.inFlight[edge] as number);
    const a = this.minLiq[edge] as number;
    const b = this.maxLiq[edge] as number;
    if (y <= a) return 1;
    if (y > b) return 0;
    if (this.model === 'bimodal') {
      const c = this.graph.capacityMsat[edge] as number;
      const G = (v: number) => (v / c - 0.5) ** 3;
      const den = G(b) - G(a);
      if (den <= 0) return (b + 1 - y) / (b + 1 - a);
      return (G(b) - G(y)) / den;
    }
    return (b + 1 - y) / (b + 1 - a);
  }

  reserve(path: readonly number[], amounts: HopAmounts): void {
    for (let i = 0; i < path.length; i++) {
      const e = path[i] as number;
      this.inFlight[e] = (this.inFlight[e] as number) + at(amounts, i);
    }
  }

  release(path: readonly number[], amounts: HopAmounts): void {
    for (let i = 0; i < path.length; i++) {
      const e = path[i] as number;
      this.inFlight[e] = Math.max(0, (this.inFlight[e] as number) - at(amounts, i));
    }
  }

  /** The part arrived: every hop could carry inFlight + its amount. Call after `release` of that part. */
  onSuccess(path: readonly number[], amounts: HopAmounts): void {
    for (let i = 0; i < path.length; i++) {
      const e = path[i] as number;
      this.raiseMin(e, (this.inFlight[e] as number) + at(amounts, i));
    }
  }

  /**
   * The part was settled: its money moved across every hop, so each sending side now holds its amount less and the
   * other side that much more. Call after `onSuccess` (which learned what the hops could carry before the move).
   * Exact (own) channels are left alone: the node's balances set them before each plan.
   */
  onSettled(path: readonly number[], amounts: HopAmounts): void {
    for (let i = 0; i < path.length; i++) {
      const e = path[i] as number;
      if (this.exact[e] === 1) continue;
      const h = at(amounts, i);
      this.minLiq[e] = Math.max(0, (this.minLiq[e] as number) - h);
      this.maxLiq[e] = Math.max(0, (this.maxLiq[e] as number) - h);
      this.mirror(e);
    }
  }

  /** The part failed at path[failingIndex] for lack of liquidity. Call after `release` of that part. */
  onFailure(path: readonly number[], failingIndex: number, amounts: HopAmounts): void {
    for (let i = 0; i < failingIndex && i < path.length; i++) {
      const e = path[i] as number;
      this.raiseMin(e, (this.inFlight[e] as number) + at(amounts, i));
    }
    const k = path[failingIndex];
    if (k !== undefined) this.lowerMax(k, (this.inFlight[k] as number) + at(amounts, failingIndex) - 1);
  }

  /**
   * Lets knowledge fade: after `elapsedSeconds`, a fraction 2^(−elapsed/halfLife) of what was learned remains;
   * ranges relax toward [0, cap]. Exact (own) channels are left alone.
   */
  decay(elapsedSeconds: number, halfLifeSeconds: number): void {
    if (!(elapsedSeconds > 0) || !(halfLifeSeconds > 0)) return;
    const f = 0.5 ** (elapsedSeconds / halfLifeSeconds);
    for (let e = 0; e < this.graph.edgeCount; e++) if (this.exact[e] === 0) this.fade(e, f);
  }

  /** Keeps a fraction `f` of what was learned about `e`: its range relaxes toward [0, cap]. */
  private fade(e: number, f: number): void {
    const c = this.graph.capacityMsat[e] as number;
    this.minLiq[e] = (this.minLiq[e] as number) * f;
    this.maxLiq[e] = c - (c - (this.maxLiq[e] as number)) * f;
  }

  snapshot(): UncertaintySnapshot {
    const g = this.graph;
    const edges: UncertaintySnapshot['edges'] = [];
    for (let e = 0; e < g.edgeCount; e++) {
      const min = this.minLiq[e] as number;
      const max = this.maxLiq[e] as number;
      if (min === 0 && max === g.capacityMsat[e] && this.exact[e] === 0) continue;
      edges.push({
        scid: g.scids[g.channel[e] as number] as string,
        direction: g.direction[e] as 0 | 1,
        minMsat: min,
        maxMsat: max,
        exact: this.exact[e] === 1,
      });
    }
    return { version: 1, edges };
  }

  /**
   * Resets to the prior, then applies a snapshot; entries for unknown channels are skipped. With a half-life, an
   * entry's `ageSeconds` decays it as `decay` would have meanwhile.
   */
  restore(snapshot: UncertaintySnapshot, halfLifeSeconds?: number): void {
    const g = this.graph;
    this.minLiq.fill(0);
    this.maxLiq.set(g.capacityMsat);
    this.exact.fill(0);
    const index = scidIndex(g);
    for (const s of snapshot.edges) {
      const ci = index.get(s.scid);
      if (ci === undefined) continue;
      const e = g.channelEdges[2 * ci + s.direction] as number;
      const cap = g.capacityMsat[e] as number;
      const min = Math.max(0, Math.min(cap, s.minMsat));
      this.minLiq[e] = min;
      this.maxLiq[e] = Math.max(min, Math.min(cap, s.maxMsat));
      this.exact[e] = s.exact ? 1 : 0;
      if (!s.exact && s.ageSeconds !== undefined && s.ageSeconds > 0 && halfLifeSeconds && halfLifeSeconds > 0) {
        this.fade(e, 0.5 ** (s.ageSeconds / halfLifeSeconds));
      }
    }
  }

  // Exact (own) channels are the node's to tell: a part failing there failed for another reason (an HTLC limit, the
  // reserve), and what a success implies the node's balance already says.
  private raiseMin(e: number, value: number): void {
    if (this.exact[e] === 1) return;
    const cap = this.graph.capacityMsat[e] as number;
    const v = Math.min(cap, value);
    if (v <= (this.minLiq[e] as number)) return;
    this.minLiq[e] = v;
    if ((this.maxLiq[e] as number) < v) this.maxLiq[e] = cap;
    this.mirror(e);
  }

  private lowerMax(e: number, value: number): void {
    if (this.exact[e] === 1) return;
    const v = Math.max(0, value);
    if (v >= (this.maxLiq[e] as number)) return;
    this.maxLiq[e] = v;
    if ((this.minLiq[e] as number) > v) this.minLiq[e] = 0;
    this.mirror(e);
  }

  private mirror(e: number): void {
    const cap = this.graph.capacityMsat[e] as number;
    const r = this.graph.reverse[e] as number;
    this.minLiq[r] = cap - (this.maxLiq[e] as number);
    this.maxLiq[r] = cap - (this.minLiq[e] as number);
  }
}
