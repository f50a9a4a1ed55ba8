// Network-state helpers for the split and rebalance benchmarks: the simulated mainnet on virtual time,
// snapshot/restore of the hidden balances, a bounded max-flow on those balances (each channel direction carrying at
// most MAX_PARTS HTLCs of its htlc max), and the choice of sender/receiver pairs that can pay.
import type { Network } from '../../simnet/model/network';
import { Rng } from '../../simnet/model/rng';
import { Sim } from '../../simnet/model/sim';
import { buildMainnet, mainnetGraphAvailable, mainnetGraphPath } from '../../simnet/topology/mainnet';
import { VirtualTime } from './virtual-time';

/** Hop latency each way (uniform jitter) and the receiver's hold of an incomplete MPP set. */
export const HOP_DELAY_MS = { min: 100, max: 300 };
export const MPP_HOLD_MS = 120_000;

export interface MainnetEnv {
  sim: Sim;
  time: VirtualTime;
  /** The balances as built, to restore before each strategy's run. */
  snapshot: BalanceSnapshot;
  graph: BalanceGraph;
  /** The strongly connected enabled core, sorted. */
  coreList: number[];
}

/**
 * simnet's `mainnet` topology (hidden balances drawn from the seed) on a virtual clock with HOP_DELAY_MS and
 * MPP_HOLD_MS; exits the process with a message when the graph file is missing.
 */
export function openMainnet(bench: string, seed: number, balances: 'uniform' | 'bimodal'): MainnetEnv {
  if (!mainnetGraphAvailable()) {
    console.error(`${bench}: cannot measure: the mainnet graph file is missing at ${mainnetGraphPath()}`);
    process.exit(1);
  }
  const time = new VirtualTime();
  const sim = new Sim({
    seed,
    hopDelayMs: HOP_DELAY_MS,
    mppTimeoutMs: MPP_HOLD_MS,
    blockIntervalMs: 0,
    scheduler: time,
  });
  const { core } = buildMainnet(sim, { seed, balances });
  return {
    sim,
    time,
    snapshot: snapshotBalances(sim.net),
    graph: new BalanceGraph(sim.net),
    coreList: [...core].sort((a, b) => a - b),
  };
}

/** Every channel's two balances, as numbers of msat (exact: a channel holds far less than 2^53 msat). */
export interface BalanceSnapshot {
  balances: bigint[];
}

export function snapshotBalances(net: Network): BalanceSnapshot {
  const balances: bigint[] = new Array(net.channels.length * 2);
  net.channels.forEach((c, i) => {
    balances[2 * i] = c.balance[0];
    balances[2 * i + 1] = c.balance[1];
  });
  return { balances };
}

/**
 * Puts the network back as it was: balances from the snapshot, nothing in flight, and the sender's mission control
 * forgotten, so that the next strategy starts from the same state as the previous one.
 */
export function restoreState(sim: Sim, snapshot: BalanceSnapshot, sender: number): void {
  sim.net.channels.forEach((c, i) => {
    c.balance[0] = snapshot.balances[2 * i] as bigint;
    c.balance[1] = snapshot.balances[2 * i + 1] as bigint;
    c.inFlight[0] = 0n;
    c.inFlight[1] = 0n;
  });
  sim.lnd(sender).mission.reset();
}

/** LND's default number of parts: a direction carries at most this many HTLCs of its htlc max towards one payment. */
export const MAX_PARTS = 16;

/**
 * The balance graph in compressed form for max-flow: one arc per channel direction, the two directions of a channel
 * being each other's residual reverse (pushing f on u→v moves f of balance to v's side, which v can send back).
 * An arc's capacity is its side's balance when that direction is enabled; a disabled direction starts at 0 (the
 * sender's own channels count whatever their policy, as its own node would send on them). A forwarding direction carries
 * at most MAX_PARTS × its htlc max, so that a pair counts only if the amount can really be paid in MAX_PARTS parts.
 */
export class BalanceGraph {
  private readonly head: Int32Array;
  private readonly next: Int32Array;
  private readonly to: Int32Array;
  private readonly base: Float64Array;
  /** What a forwarding direction may carry: MAX_PARTS × its htlc max. */
  private readonly htlcCap: Float64Array;
  private readonly ownerOf: Int32Array;
  private readonly residual: Float64Array;
  private readonly parentArc: Int32Array;
  private readonly seen: Uint32Array;
  private readonly queue: Int32Array;
  private stamp = 0;

  constructor(private readonly net: Network) {
    const n = net.nodes.length;
    const m = net.channels.length * 2;
    this.head = new Int32Array(n).fill(-1);
    this.next = new Int32Array(m);
    this.to = new Int32Array(m);
    this.base = new Float64Array(m);
    this.htlcCap = new Float64Array(m);
    this.ownerOf = new Int32Array(m);
    this.residual = new Float64Array(m);
    this.parentArc = new Int32Array(n);
    this.seen = new Uint32Array(n);
    this.queue = new Int32Array(n);
    net.channels.forEach((c, ci) => {
      for (const dir of [0, 1] as const) {
        const k = 2 * ci + dir;
        const from = dir === 0 ? c.node1 : c.node2;
        this.to[k] = dir === 0 ? c.node2 : c.node1;
        this.ownerOf[k] = from;
        this.base[k] = Number(c.balance[dir]);
        this.htlcCap[k] = MAX_PARTS * Number(c.policy[dir].htlcMaxMsat);
        this.next[k] = this.head[from] as number;
        this.head[from] = k;
      }
    });
  }

  /** Sum of what `node` can send on its channels / receive on them. */
  outbound(node: number): number {
    let sum = 0;
    for (let k = this.head[node] as number; k >= 0; k = this.next[k] as number) sum += this.base[k] as number;
    return sum;
  }

  inbound(node: number): number {
    let sum = 0;
    for (let k = this.head[node] as number; k >= 0; k = this.next[k] as number) sum += this.base[k ^ 1] as number;
    return sum;
  }

  /**
   * Edmonds–Karp (shortest augmenting paths by BFS) from `source` to `sink`, stopped as soon as the flow reaches
   * `cap` msat: returns min(max-flow, cap), or -1 when `maxAugments` augmenting paths did not settle it.
   */
  boundedMaxFlow(source: number, sink: number, cap: number, maxAugments = 5_000): number {
    const { residual, base, net } = this;
    for (let k = 0; k < residual.length; k++) {
      const disabled = net.channels[k >> 1]?.policy[(k & 1) as 0 | 1].disabled ?? true;
      const own = this.ownerOf[k] === source;
      residual[k] =
        disabled && !own ? 0 : own ? (base[k] as number) : Math.min(base[k] as number, this.htlcCap[k] as number);
    }
    let flow = 0;
    for (let augments = 0; flow < cap; augments++) {
      if (augments >= maxAugments) return -1;
      const pushed = this.augment(source, sink, cap - flow);
      if (pushed <= 0) break;
      flow += pushed;
    }
    return Math.min(flow, cap);
  }

  private augment(source: number, sink: number, want: number): number {
    const { head, next, to, residual, parentArc, seen, queue } = this;
    if (this.stamp >= 0xfffffff0) {
      this.stamp = 0;
      seen.fill(0);
    }
    const gen = ++this.stamp;
    let qh = 0;
    let qt = 0;
    queue[qt++] = source;
    seen[source] = gen;
    let found = false;
    while (qh < qt && !found) {
      const u = queue[qh++] as number;
      for (let k = head[u] as number; k >= 0; k = next[k] as number) {
        if ((residual[k] as number) <= 0) continue;
        const v = to[k] as number;
        if (seen[v] === gen) continue;
        seen[v] = gen;
        parentArc[v] = k;
        if (v === sink) {
          found = true;
          break;
        }
        queue[qt++] = v;
      }
    }
    if (!found) return 0;
    let bottleneck = want;
    for (let v = sink; v !== source; ) {
      const k = parentArc[v] as number;
      bottleneck = Math.min(bottleneck, residual[k] as number);
      v = this.ownerOf[k] as number;
    }
    for (let v = sink; v !== source; ) {
      const k = parentArc[v] as number;
      residual[k] = (residual[k] as number) - bottleneck;
      residual[k ^ 1] = (residual[k ^ 1] as number) + bottleneck;
      v = this.ownerOf[k] as number;
    }
    return bottleneck;
  }
}

export interface Pair {
  sender: number;
  receiver: number;
  /** min(max-flow, cap) at the time of the pick. */
  maxFlowMsat: number;
}

export interface PairPick {
  pairs: Pair[];
  /** Random pairs drawn to find them (the rest failed a check). */
  tried: number;
  maxFlowMs: number;
}

/**
 * Random distinct (sender, receiver) from the strongly connected enabled core whose bounded max-flow on the hidden
 * balances is at least `amountMsat` × `headroom` (the headroom leaves room for fees). Cheap checks first: the
 * sender's outbound and the receiver's inbound must each cover the amount.
 */
export function pickPairs(
  graph: BalanceGraph,
  core: number[],
  amountMsat: bigint,
  count: number,
  seed: number,
  headroom = 1.01,
): PairPick {
  const rng = new Rng(seed);
  const need = Number(amountMsat) * headroom;
  const pairs: Pair[] = [];
  let tried = 0;
  let maxFlowMs = 0;
  const maxTries = Math.max(1000, count * 2000);
  while (pairs.length < count && tried < maxTries) {
    tried++;
    const sender = rng.pick(core);
    const receiver = rng.pick(core);
    if (sender === receiver) continue;
    if (graph.outbound(sender) < need || graph.inbound(receiver) < need) continue;
    const t = performance.now();
    const flow = graph.boundedMaxFlow(sender, receiver, need);
    maxFlowMs += performance.now() - t;
    if (flow >= need) pairs.push({ sender, receiver, maxFlowMsat: flow });
  }
  return { pairs, tried, maxFlowMs };
}
