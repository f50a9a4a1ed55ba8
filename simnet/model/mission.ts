import type { Network } from './network';
import type { FailureCode, Route, WireFailure } from './types';

/**
 * LND's mission control with the apriori estimator (routing/missioncontrol.go, missioncontrol_state.go,
 * result_interpretation.go, probability_apriori.go): what a sender learned from its own attempts, per directed
 * node pair, and the success probability it derives from that for path finding.
 */

export interface MissionControlConfig {
  /** AprioriHopProbability: the probability of an untried, non-local pair (before the capacity factor). */
  hopProbability: number;
  /** AprioriWeight: how much the a priori probability counts against the node's other results. */
  aprioriWeight: number;
  /** PenaltyHalfLife: after this long, a failed pair is back at half its probability. */
  penaltyHalfLifeMs: number;
  /** CapacityFraction: amounts beyond this fraction of the capacity are penalised (LND 0.17+: 0.9999). */
  capacityFraction: number;
  /** MinFailureRelaxInterval: a failure of a higher amount within this interval of the last one is ignored. */
  minFailureRelaxIntervalMs: number;
  /** minSecondChanceInterval: a pair gets at most one unpenalised policy failure per interval. */
  secondChanceIntervalMs: number;
}

export const DEFAULT_MISSION_CONFIG: MissionControlConfig = {
  hopProbability: 0.6,
  aprioriWeight: 0.5,
  penaltyHalfLifeMs: 3_600_000,
  capacityFraction: 0.9999,
  minFailureRelaxIntervalMs: 60_000,
  secondChanceIntervalMs: 60_000,
};

/** prevSuccessProbability: the probability of a pair that relayed at least this amount before. */
export const PREV_SUCCESS_PROBABILITY = 0.95;
/** capacitySmearingFraction and minCapacityFactor of LND's capacity factor. */
const CAPACITY_SMEARING_FRACTION = 0.025;
const MIN_CAPACITY_FACTOR = 0.5;

/** TimedPairResult, with amounts as msat numbers (exact below 2^53) and times as Unix ms (0 = never). */
interface PairResult {
  failTime: number;
  failAmt: number;
  successTime: number;
  successAmt: number;
}

/** One pair's history as QueryMissionControl reports it. */
export interface PairHistory {
  from: number;
  to: number;
  failTime: number;
  failAmtMsat: bigint;
  successTime: number;
  successAmtMsat: bigint;
}

/** What a result says about one pair: success up to amt, or failure for amounts >= amt (0: any amount). */
interface PairOutcome {
  from: number;
  to: number;
  success: boolean;
  amt: number;
}

/** LND's interpretedResult, minus the final failure reason (interpret.ts `terminalReason` gives that). */
export interface Interpretation {
  nodeFailure?: number;
  policyFailure?: { from: number; to: number };
  pairs: PairOutcome[];
}

export class MissionControl {
  readonly config: MissionControlConfig;
  /** lastPairResult: from node → to node → result. */
  private results = new Map<number, Map<number, PairResult>>();
  private lastSecondChance = new Map<string, number>();

  constructor(
    readonly net: Network,
    config: Partial<MissionControlConfig> = {},
  ) {
    this.config = { ...DEFAULT_MISSION_CONFIG, ...config };
  }

  /** ResetMissionControl. */
  reset(): void {
    this.results = new Map();
    this.lastSecondChance = new Map();
  }

  /**
   * ReportPaymentSuccess / ReportPaymentFail (applyPaymentResult) for an attempt sent by `source` over `route`:
   * `failure` undefined means the HTLC settled.
   */
  reportAttempt(source: number, route: Route, failure: WireFailure | undefined, now = this.net.scheduler.now()): void {
    // A switch error that is not a wire failure (INTERNAL_FAILURE) never reaches mission control.
    if (failure?.code === 'INTERNAL_FAILURE') return;
    const result = interpretResult(this.net, source, route, failure);
    if (!result) return;
    if (result.policyFailure && this.requestSecondChance(now, result.policyFailure.from, result.policyFailure.to)) {
      return;
    }
    if (result.nodeFailure !== undefined) this.setAllFail(result.nodeFailure, now);
    for (const outcome of result.pairs) this.setLastPairResult(outcome, now);
  }

  /** GetProbability for a non-local pair: the apriori estimator's PairProbability. */
  pairProbability(
    from: number,
    to: number,
    amtMsat: bigint,
    capacityMsat: bigint,
    now = this.net.scheduler.now(),
  ): number {
    return this.pairProbabilityNum(from, to, Number(amtMsat), Number(capacityMsat), now);
  }

  /** pairProbability with msat as numbers, for the path finder's inner loop. */
  pairProbabilityNum(from: number, to: number, amtMsat: number, capacityMsat: number, now: number): number {
    const results = this.results.get(from);
    const nodeProbability = this.nodeProbability(now, results, amtMsat, capacityMsat);
    return this.calculateProbability(now, results, nodeProbability, to, amtMsat);
  }

  /** GetProbability when `from` is our own node: LocalPairProbability (0.95 unless the pair failed). */
  localPairProbability(from: number, to: number, now = this.net.scheduler.now()): number {
    return this.calculateProbability(now, this.results.get(from), PREV_SUCCESS_PROBABILITY, to, Number.MAX_VALUE);
  }

  /** The recorded history of a pair, if any. */
  pairResult(from: number, to: number): PairHistory | undefined {
    const r = this.results.get(from)?.get(to);
    return r ? toHistory(from, to, r) : undefined;
  }

  /** QueryMissionControl's pairs. */
  snapshot(): PairHistory[] {
    const pairs: PairHistory[] = [];
    for (const [from, results] of this.results) {
      for (const [to, r] of results) pairs.push(toHistory(from, to, r));
    }
    return pairs;
  }

  // --- the apriori estimator ---

  private nodeProbability(
    now: number,
    results: Map<number, PairResult> | undefined,
    amt: number,
    capacityMsat: number,
  ): number {
    const cfg = this.config;
    const apriori = cfg.hopProbability * capacityFactor(amt, capacityMsat, cfg.capacityFraction);
    if (cfg.aprioriWeight === 1 || !results || results.size === 0) return apriori;
    const aprioriFactor = 1 / (1 - cfg.aprioriWeight) - 1;
    let probabilitiesTotal = apriori * aprioriFactor;
    let totalWeight = aprioriFactor;
    for (const result of results.values()) {
      if (amt <= result.successAmt) {
        totalWeight++;
        probabilitiesTotal += PREV_SUCCESS_PROBABILITY;
      } else if (result.failTime !== 0 && amt >= result.failAmt) {
        totalWeight += this.weight(now - result.failTime);
      }
    }
    return probabilitiesTotal / totalWeight;
  }

  private calculateProbability(
    now: number,
    results: Map<number, PairResult> | undefined,
    nodeProbability: number,
    to: number,
    amt: number,
  ): number {
    const last = results?.get(to);
    if (!last) return nodeProbability;
    if (amt <= last.successAmt) return PREV_SUCCESS_PROBABILITY;
    if (last.failTime === 0 || amt < last.failAmt) return nodeProbability;
    return nodeProbability * (1 - this.weight(now - last.failTime));
  }

  /** 2^(-age / half-life). */
  private weight(ageMs: number): number {
    return 2 ** (-ageMs / this.config.penaltyHalfLifeMs);
  }

  // --- the state (missioncontrol_state.go) ---

  private setLastPairResult(outcome: PairOutcome, now: number): void {
    let pairs = this.results.get(outcome.from);
    if (!pairs) {
      pairs = new Map();
      this.results.set(outcome.from, pairs);
    }
    const current = pairs.get(outcome.to) ?? { failTime: 0, failAmt: 0, successTime: 0, successAmt: 0 };
    if (outcome.success) {
      current.successTime = now;
      if (outcome.amt > current.successAmt) current.successAmt = outcome.amt;
      if (current.failTime !== 0 && outcome.amt >= current.failAmt) current.failAmt = outcome.amt + 1;
    } else {
      // A higher failure amount soon after a lower one is ignored: it would relax the earlier, stricter result.
      const interval = now - current.failTime;
      if (outcome.amt > current.failAmt && interval < this.config.minFailureRelaxIntervalMs) return;
      current.failTime = now;
      current.failAmt = outcome.amt;
      if (outcome.amt === 0) current.successAmt = 0;
      else if (outcome.amt <= current.successAmt) current.successAmt = outcome.amt - 1;
    }
    pairs.set(outcome.to, current);
  }

  /** A node failure resets every recorded pair to or from the node to a failure of any amount. */
  private setAllFail(node: number, now: number): void {
    for (const [from, pairs] of this.results) {
      for (const to of pairs.keys()) {
        if (from === node || to === node) pairs.set(to, { failTime: now, failAmt: 0, successTime: 0, successAmt: 0 });
      }
    }
  }

  private requestSecondChance(now: number, from: number, to: number): boolean {
    const key = `${from}:${to}`;
    const last = this.lastSecondChance.get(key);
    if (last === undefined || now - last > this.config.secondChanceIntervalMs) {
      this.lastSecondChance.set(key, now);
      return true;
    }
    return false;
  }
}

function toHistory(from: number, to: number, r: PairResult): PairHistory {
  return {
    from,
    to,
    failTime: r.failTime,
    failAmtMsat: BigInt(r.failAmt),
    successTime: r.successTime,
    successAmtMsat: BigInt(r.successAmt),
  };
}

/**
 * LND 0.17+'s capacityFactor: 1 well below the capacity, falling smoothly to 0.5 around capacityFraction of it,
 * 0 beyond the capacity.
 */
export function capacityFactor(amtMsat: number, capacityMsat: number, fraction: number): number {
  if (fraction === 1 || capacityMsat === 0) return 1;
  if (amtMsat > capacityMsat) return 0;
  const cutoff = fraction * capacityMsat;
  const smearing = CAPACITY_SMEARING_FRACTION * capacityMsat;
  const denominator = 1 + Math.exp(-(amtMsat - cutoff) / smearing);
  return 1 - (1 - MIN_CAPACITY_FACTOR) / denominator;
}

/**
 * routing/result_interpretation.go `interpretResult` for a route sent by `source`. Returns undefined when the route
 * names a node the graph doesn't know.
 */
export function interpretResult(
  net: Network,
  source: number,
  route: Route,
  failure: WireFailure | undefined,
): Interpretation | undefined {
  const nodes: number[] = [source];
  for (const hop of route.hops) {
    const node = net.nodeByPubkey(hop.pubkey);
    if (!node) return undefined;
    nodes.push(node.index);
  }
  const n = route.hops.length;
  if (n === 0) return undefined;
  const result: Interpretation = { pairs: [] };
  const outcomes = new Map<string, PairOutcome>();

  // getPair: channel idx goes from nodes[idx] to nodes[idx + 1] and carries what nodes[idx] sends.
  const amtOf = (idx: number): number =>
    Number(idx === 0 ? route.totalAmtMsat : (route.hops[idx - 1]?.amtToForwardMsat ?? 0n));
  const set = (from: number, to: number, success: boolean, amt: number) => {
    outcomes.set(`${from}:${to}`, { from, to, success, amt });
  };
  const successRange = (fromIdx: number, toIdx: number) => {
    for (let idx = fromIdx; idx <= toIdx; idx++) set(nodes[idx] as number, nodes[idx + 1] as number, true, amtOf(idx));
  };
  const failPair = (idx: number) => {
    const a = nodes[idx] as number;
    const b = nodes[idx + 1] as number;
    set(a, b, false, 0);
    set(b, a, false, 0);
  };
  const failPairRange = (fromIdx: number, toIdx: number) => {
    for (let idx = fromIdx; idx <= toIdx; idx++) failPair(idx);
  };
  const failPairBalance = (idx: number) => set(nodes[idx] as number, nodes[idx + 1] as number, false, amtOf(idx));
  const failNode = (idx: number) => {
    result.nodeFailure = nodes[idx];
    failPair(idx - 1);
    if (idx < n) failPair(idx);
  };

  if (!failure) {
    successRange(0, n - 1);
  } else {
    const idx = failure.sourceIndex;
    const code: FailureCode = failure.code;
    if (idx === 0) {
      // A local failure (our link had no bandwidth, no such link): LND only logs it.
    } else if (idx === n) {
      switch (code) {
        case 'FINAL_INCORRECT_CLTV_EXPIRY':
        case 'FINAL_INCORRECT_HTLC_AMOUNT':
          if (n === 1) {
            failNode(n);
          } else {
            failPair(n - 1);
            successRange(0, n - 2);
          }
          break;
        case 'INCORRECT_PAYMENT_AMOUNT':
        case 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS':
          successRange(0, n - 1);
          break;
        case 'FINAL_EXPIRY_TOO_SOON':
          break;
        case 'MPP_TIMEOUT':
          successRange(0, n - 1);
          break;
        default:
          failNode(n);
          if (n > 1) successRange(0, n - 2);
      }
    } else if (idx > 0 && idx < n) {
      const outgoing = { from: nodes[idx] as number, to: nodes[idx + 1] as number };
      switch (code) {
        case 'UNKNOWN_NEXT_PEER':
        case 'PERMANENT_CHANNEL_FAILURE':
          failPair(idx);
          break;
        case 'CHANNEL_DISABLED':
          result.policyFailure = outgoing;
          failPair(idx);
          successRange(0, idx - 1);
          break;
        case 'AMOUNT_BELOW_MINIMUM':
        case 'FEE_INSUFFICIENT':
        case 'INCORRECT_CLTV_EXPIRY':
          result.policyFailure = outgoing;
          // reportIncoming: the node that failed is blamed for the channel that reached it.
          if (idx === 1) {
            failNode(1);
          } else {
            failPair(idx - 1);
            successRange(0, idx - 2);
          }
          break;
        case 'TEMPORARY_CHANNEL_FAILURE':
          failPairBalance(idx);
          successRange(0, idx - 1);
          break;
        case 'EXPIRY_TOO_SOON':
          if (idx === 1) failNode(1);
          else failPairRange(0, idx - 1);
          break;
        case 'INVALID_ONION_PAYLOAD':
          failNode(idx);
          if (idx > 1) successRange(0, idx - 2);
          break;
        default:
          failNode(idx);
      }
    }
  }
  result.pairs = [...outcomes.values()];
  return result;
}
