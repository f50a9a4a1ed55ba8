import type { MissionControl } from './mission';
import type { Network } from './network';
import { buildRouteFromPath } from './route';
import type { Channel, MppRecord, Policy, Route } from './types';

/**
 * LND's path finding (routing/pathfind.go `findPath`, unified_edges.go, router.go `FindRoute`): a Dijkstra search
 * backwards from the target to the source, where the distance of a partial path is its fees plus a time-lock
 * penalty plus the attempt cost divided by its success probability. Amounts are msat numbers inside the search
 * (exact below 2^53) and bigint at the boundary.
 */

/** RiskFactorBillionths: the time-lock penalty, amt × delta × 15 / 1e9. */
const RISK_FACTOR_BILLIONTHS = 15;
/** DefaultAttemptCost (100 sat) and DefaultAttemptCostPPM. */
const ATTEMPT_COST_MSAT = 100_000;
const ATTEMPT_COST_PPM = 1000;
/** DefaultMinRouteProbability: partial paths less likely than this are dropped. */
const MIN_ROUTE_PROBABILITY = 0.01;
/** LND's default MaxTotalTimelock (MaxOutgoingCltvExpiry), used when no CLTV limit is given. */
export const DEFAULT_CLTV_LIMIT = 2016;
/** sphinx.MaxRoutingPayloadSize: the onion's hop payloads must fit in 1300 bytes. */
const MAX_ROUTING_PAYLOAD = 1300;
const HMAC_SIZE = 32;

export type NoRouteError = 'unable to find a path to destination' | 'insufficient local balance';

export interface NoRoute {
  error: NoRouteError;
  /** What SendPaymentV2 records when this stops a payment (noRouteError.FailureReason). */
  reason: 'FAILURE_REASON_NO_ROUTE' | 'FAILURE_REASON_INSUFFICIENT_BALANCE';
}

export interface FoundRoute {
  route: Route;
  /** The product of the pair probabilities the search used (QueryRoutes' success_prob). */
  probability: number;
}

export interface RouteRequest {
  target: number;
  /** What the receiver gets. */
  amtMsat: bigint;
  /** The final hop's CLTV delta, as used: SendPayment adds its 3 blocks of padding before calling. */
  finalCltvDelta: number;
  /** Most fees the route may cost (excluding nothing: the sum of all hop fees). Undefined: no limit. */
  feeLimitMsat?: bigint;
  /** The route's total time lock may be at most height + cltvLimit. 0 or undefined: LND's 2016. */
  cltvLimit?: number;
  ignoredNodes?: Iterable<number>;
  /** Directed pairs the route must not use. */
  ignoredPairs?: Iterable<{ from: number; to: number }>;
  /** Restricts the first hop to these of our channels. Empty or undefined: any. */
  outgoingChanIds?: readonly bigint[];
  /** The node the last hop must come from. */
  lastHop?: number;
  /** false: every pair not ignored counts as probability 1 (QueryRoutes use_mission_control=false). */
  useMissionControl?: boolean;
  /** time_pref in [-1, 1]: negative favours fees, positive favours probability. */
  timePref?: number;
  /** The final hop's MPP record. */
  mpp?: MppRecord;
  /** Unix ms for mission control's decay; the network's clock by default. */
  now?: number;
}

export function isNoRoute(result: FoundRoute | NoRoute): result is NoRoute {
  return 'error' in result;
}

const noPath: NoRoute = { error: 'unable to find a path to destination', reason: 'FAILURE_REASON_NO_ROUTE' };
const noBalance: NoRoute = { error: 'insufficient local balance', reason: 'FAILURE_REASON_INSUFFICIENT_BALANCE' };

/** lnwallet.DefaultRoutingFeeLimitForAmount, QueryRoutes' default fee limit: 100% up to 1,000 sat, else 5%. */
export function defaultFeeLimitMsat(amtMsat: bigint): bigint {
  return amtMsat <= 1_000_000n ? amtMsat : (amtMsat * 5n) / 100n;
}

/** What our own side of a channel can send now: its balance less in-flight HTLCs, 0 when the peer is offline. */
export function localBandwidth(net: Network, channel: Channel, dir: 0 | 1): bigint {
  const peer = dir === 0 ? channel.node2 : channel.node1;
  if (!net.node(peer).online) return 0n;
  const available = net.available(channel, dir);
  return available > 0n ? available : 0n;
}

/** Finds the route LND would pick from `source` (our own node) for `request`. */
export function findRoute(
  net: Network,
  mission: MissionControl,
  source: number,
  request: RouteRequest,
): FoundRoute | NoRoute {
  const path = findPath(net, mission, source, request);
  if (!path.path) return path.noRoute;
  const route = buildRouteFromPath(net, path.path, request.amtMsat, request.finalCltvDelta, request.mpp);
  return { route, probability: path.probability };
}

/** The path (channel and next node per hop) without the route around it. */
export function findPath(
  net: Network,
  mission: MissionControl,
  source: number,
  request: RouteRequest,
):
  | { path: { chanId: bigint; to: number }[]; probability: number; noRoute?: undefined }
  | { path?: undefined; noRoute: NoRoute } {
  const { target } = request;
  const amt = Number(request.amtMsat);
  const nodes = net.nodes;
  const channels = net.channels;
  const now = request.now ?? net.scheduler.now();
  const timePref = request.timePref ?? 0;
  if (Math.abs(timePref) > 1) throw new Error('time preference out of range');
  if (!nodes[target] || !nodes[source]) return { noRoute: noPath };

  const outgoing = request.outgoingChanIds?.length ? new Set(request.outgoingChanIds) : undefined;

  // getOutgoingBalance: the sum of our bandwidth must cover the amount, and one channel must carry it whole.
  let maxBandwidth = 0;
  let totalBandwidth = 0;
  for (const ci of (nodes[source] as Network['nodes'][number]).channels) {
    const channel = channels[ci] as Channel;
    if (outgoing && !outgoing.has(channel.id)) continue;
    const bw = Number(localBandwidth(net, channel, channel.node1 === source ? 0 : 1));
    if (bw > maxBandwidth) maxBandwidth = bw;
    totalBandwidth += bw;
  }
  if (totalBandwidth < amt) return { noRoute: noBalance };
  if (maxBandwidth < amt) return { noRoute: noPath };

  let ignoredNodes: Set<number> | undefined;
  if (request.ignoredNodes) {
    ignoredNodes = new Set(request.ignoredNodes);
    if (ignoredNodes.size === 0) ignoredNodes = undefined;
  }
  let ignoredPairs: Set<number> | undefined;
  const nodeCount = nodes.length;
  if (request.ignoredPairs) {
    ignoredPairs = new Set();
    for (const { from, to } of request.ignoredPairs) ignoredPairs.add(from * nodeCount + to);
    if (ignoredPairs.size === 0) ignoredPairs = undefined;
  }
  const useMission = request.useMissionControl ?? true;
  const probabilityOf = (from: number, to: number, amtMsat: number, capacityMsat: number): number => {
    if (ignoredNodes?.has(from)) return 0;
    if (ignoredPairs?.has(from * nodeCount + to)) return 0;
    if (!useMission) return 1;
    if (from === source) return mission.localPairProbability(from, to, now);
    return mission.pairProbabilityNum(from, to, amtMsat, capacityMsat, now);
  };

  const feeLimit = request.feeLimitMsat === undefined ? Number.POSITIVE_INFINITY : Number(request.feeLimitMsat);
  const height = net.height;
  const finalHtlcExpiry = height + request.finalCltvDelta;
  const cltvLimit = request.cltvLimit && request.cltvLimit > 0 ? request.cltvLimit : DEFAULT_CLTV_LIMIT;
  // LND passes CltvLimit − finalDelta and adds finalHtlcExpiry back: the total time lock is at most height + limit.
  const absoluteCltvLimit = height + cltvLimit;
  const defaultAttemptCost = ATTEMPT_COST_MSAT + Math.floor((amt * ATTEMPT_COST_PPM) / 1_000_000);
  const pref = timePref * 0.9;
  const attemptCost = defaultAttemptCost * (1 / (0.5 - pref / 2) - 1);
  const lastHop = request.lastHop;
  const routeToSelf = source === target;

  const ws = workspace(net);
  const graph = ws.graph;
  graph.sync(channels);
  const { cap, pRef, pBase, pPpm, pMin, pMax, pDelta } = graph;
  const gen = ws.nextGeneration();
  const { dist, weight, recv, cltv, prob, info, nextChan, nextNode, version, stamp, heap } = ws;
  const { uStamp, uBest, uFee, uCap, uDelta, uBw, fromList } = ws;
  heap.clear();

  // The partial path being expanded: the target first (not in the distance table, as in LND), then popped nodes.
  let pNode = target;
  let pRecv = amt;
  let pCltv = finalHtlcExpiry;
  let pProb = 1;
  let pWeight = 0;
  let pInfo = finalHopPayloadSize(amt, finalHtlcExpiry, request.mpp !== undefined);
  let isExit = true;

  const processEdge = (
    from: number,
    chanIndex: number,
    capacityMsat: number,
    base: number,
    ppm: number,
    delta: number,
  ) => {
    const amountToSend = pRecv;
    const totalFee = amountToSend - amt;
    if (totalFee > 0 && totalFee > feeLimit) return;
    const edgeProbability = probabilityOf(from, pNode, amountToSend, capacityMsat);
    if (edgeProbability === 0) return;
    let outboundFee = 0;
    let timeLockDelta = 0;
    if (from !== source) {
      outboundFee = computeFee(base, ppm, amountToSend);
      timeLockDelta = delta;
    }
    const incomingCltv = pCltv + timeLockDelta;
    if (incomingCltv > absoluteCltvLimit) return;
    const probability = pProb * edgeProbability;
    if (probability < MIN_ROUTE_PROBABILITY) return;
    const tempWeight =
      pWeight + outboundFee + Math.floor((amountToSend * timeLockDelta * RISK_FACTOR_BILLIONTHS) / 1_000_000_000);
    const tempDist = probabilityBasedDist(tempWeight, probability, attemptCost);
    if (stamp[from] === gen) {
      const current = dist[from] as number;
      if (tempDist > current) return;
      if (tempDist === current && probability <= (prob[from] as number)) return;
    }
    const routingInfoSize = pInfo + (from !== source ? HOP_PAYLOAD_SIZE : 0);
    if (routingInfoSize > MAX_ROUTING_PAYLOAD) return;
    if (stamp[from] !== gen) {
      stamp[from] = gen;
      version[from] = 0;
    }
    dist[from] = tempDist;
    weight[from] = tempWeight;
    recv[from] = amountToSend + outboundFee;
    cltv[from] = incomingCltv;
    prob[from] = probability;
    info[from] = routingInfoSize;
    nextChan[from] = chanIndex;
    nextNode[from] = pNode;
    const v = ((version[from] as number) + 1) | 0;
    version[from] = v;
    heap.push(tempDist, from, v);
  };

  for (;;) {
    const pivot = pNode;
    const unifyGen = ws.nextUnifyGeneration();
    fromList.length = 0;
    for (const ci of (nodes[pivot] as Network['nodes'][number]).channels) {
      const channel = channels[ci] as Channel;
      // The policy that matters is the one of the node sending towards the pivot.
      const dir: 0 | 1 = channel.node1 === pivot ? 1 : 0;
      const from = dir === 0 ? channel.node1 : channel.node2;
      if (!routeToSelf && from === target) continue;
      if (lastHop !== undefined && isExit && from !== lastHop) continue;
      const local = from === source;
      if (local && outgoing && !outgoing.has(channel.id)) continue;
      if (uStamp[from] !== unifyGen) {
        uStamp[from] = unifyGen;
        uBest[from] = -1;
        uFee[from] = Number.NEGATIVE_INFINITY;
        uCap[from] = 0;
        uDelta[from] = 0;
        uBw[from] = -1;
        fromList.push(from);
      }
      // amtInRange: capacity, max and min HTLC.
      const k = ci * 2 + dir;
      const policy = channel.policy[dir];
      if (pRef[k] !== policy) graph.refresh(ci, dir, channel);
      const capacityMsat = cap[ci] as number;
      if (capacityMsat > 0 && pRecv > capacityMsat) continue;
      if (pRecv > (pMax[k] as number) || pRecv < (pMin[k] as number)) continue;
      if (local) {
        // getEdgeLocal: our own bandwidth decides; the channel with the most of it wins.
        const bw = Number(localBandwidth(net, channel, dir));
        if (pRecv > bw || bw < (uBw[from] as number)) continue;
        uBw[from] = bw;
        uBest[from] = k;
        uCap[from] = capacityMsat;
        uDelta[from] = pDelta[k] as number;
      } else {
        // getEdgeNetwork: the most expensive enabled policy, so that any parallel channel would be paid enough.
        if (policy.disabled) continue;
        if (capacityMsat > (uCap[from] as number)) uCap[from] = capacityMsat;
        if ((pDelta[k] as number) > (uDelta[from] as number)) uDelta[from] = pDelta[k] as number;
        const fee = computeFee(pBase[k] as number, pPpm[k] as number, pRecv);
        if (fee < (uFee[from] as number)) continue;
        uFee[from] = fee;
        uBest[from] = k;
      }
    }
    for (let i = 0; i < fromList.length; i++) {
      const from = fromList[i] as number;
      const k = uBest[from] as number;
      if (k < 0) continue;
      processEdge(from, k >> 1, uCap[from] as number, pBase[k] as number, pPpm[k] as number, uDelta[from] as number);
    }

    // Next partial path: the closest node whose entry is still current.
    let popped = -1;
    while (heap.size > 0) {
      const node = heap.popNode();
      if (heap.lastVersion === version[node] && stamp[node] === gen) {
        popped = node;
        break;
      }
    }
    if (popped < 0) break;
    pNode = popped;
    pRecv = recv[popped] as number;
    pCltv = cltv[popped] as number;
    pProb = prob[popped] as number;
    pWeight = weight[popped] as number;
    pInfo = info[popped] as number;
    isExit = false;
    if (popped === source) break;
  }

  if (stamp[source] !== gen) return { noRoute: noPath };
  const path: { chanId: bigint; to: number }[] = [];
  let current = source;
  for (let steps = 0; steps <= nodeCount; steps++) {
    const ci = nextChan[current] as number;
    const to = nextNode[current] as number;
    path.push({ chanId: (channels[ci] as Channel).id, to });
    current = to;
    if (current === target) return { path, probability: prob[source] as number };
    if (stamp[current] !== gen) break;
  }
  return { noRoute: noPath };
}

/** ChannelEdgePolicy.ComputeFee, exact in doubles: base + floor(amt × ppm / 1e6). */
function computeFee(base: number, ppm: number, amt: number): number {
  const q = Math.floor(amt / 1_000_000);
  const r = amt - q * 1_000_000;
  return base + q * ppm + Math.floor((r * ppm) / 1_000_000);
}

/** getProbabilityBasedDist. */
function probabilityBasedDist(weight: number, probability: number, penalty: number): number {
  if (probability === 0) return Number.POSITIVE_INFINITY;
  return Math.floor(weight + penalty / probability);
}

/** An intermediate hop's TLV payload (amt_to_forward, outgoing_cltv_value, short_channel_id), its length and HMAC. */
const HOP_PAYLOAD_SIZE = 2 + 8 + 2 + 4 + 2 + 8 + 1 + HMAC_SIZE;

function finalHopPayloadSize(amt: number, expiry: number, mpp: boolean): number {
  let size = 2 + tuSize(amt) + 2 + tuSize(expiry);
  if (mpp) size += 2 + 32 + tuSize(amt);
  return size + 1 + HMAC_SIZE;
}

function tuSize(value: number): number {
  let bytes = 0;
  for (let v = value; v >= 1; v = Math.floor(v / 256)) bytes++;
  return bytes;
}

/** A binary min-heap of (distance, node, version) with lazy deletion: stale entries are skipped when popped. */
class DistanceHeap {
  private keys = new Float64Array(1024);
  private nodes = new Int32Array(1024);
  private versions = new Int32Array(1024);
  size = 0;
  lastVersion = 0;

  clear(): void {
    this.size = 0;
  }

  push(key: number, node: number, version: number): void {
    if (this.size === this.keys.length) this.grow();
    let i = this.size++;
    const keys = this.keys;
    const nodes = this.nodes;
    const versions = this.versions;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent] as number;
      if (pk <= key) break;
      keys[i] = pk;
      nodes[i] = nodes[parent] as number;
      versions[i] = versions[parent] as number;
      i = parent;
    }
    keys[i] = key;
    nodes[i] = node;
    versions[i] = version;
  }

  /** Removes the minimum, returns its node and leaves its version in lastVersion. */
  popNode(): number {
    const keys = this.keys;
    const nodes = this.nodes;
    const versions = this.versions;
    const node = nodes[0] as number;
    this.lastVersion = versions[0] as number;
    const n = --this.size;
    if (n > 0) {
      const key = keys[n] as number;
      const lastNode = nodes[n] as number;
      const lastVer = versions[n] as number;
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && (keys[child + 1] as number) < (keys[child] as number)) child++;
        if ((keys[child] as number) >= key) break;
        keys[i] = keys[child] as number;
        nodes[i] = nodes[child] as number;
        versions[i] = versions[child] as number;
        i = child;
      }
      keys[i] = key;
      nodes[i] = lastNode;
      versions[i] = lastVer;
    }
    return node;
  }

  private grow(): void {
    const size = this.keys.length * 2;
    const keys = new Float64Array(size);
    keys.set(this.keys);
    const nodes = new Int32Array(size);
    nodes.set(this.nodes);
    const versions = new Int32Array(size);
    versions.set(this.versions);
    this.keys = keys;
    this.nodes = nodes;
    this.versions = versions;
  }
}

/**
 * The graph's numbers as doubles, per channel (capacity) and per channel side (policy), so that the search does
 * not convert bigints. A side is refreshed when its Policy object changes: Network.setPolicy replaces it.
 */
class NumericGraph {
  size = 0;
  cap: Float64Array<ArrayBuffer> = new Float64Array(0);
  pRef: (Policy | undefined)[] = [];
  pBase: Float64Array<ArrayBuffer> = new Float64Array(0);
  pPpm: Float64Array<ArrayBuffer> = new Float64Array(0);
  pMin: Float64Array<ArrayBuffer> = new Float64Array(0);
  pMax: Float64Array<ArrayBuffer> = new Float64Array(0);
  pDelta: Float64Array<ArrayBuffer> = new Float64Array(0);

  sync(channels: readonly Channel[]): void {
    if (channels.length === this.size) return;
    if (channels.length > this.cap.length) {
      const n = Math.max(channels.length, this.cap.length * 2, 64);
      this.cap = grown(this.cap, n);
      this.pBase = grown(this.pBase, 2 * n);
      this.pPpm = grown(this.pPpm, 2 * n);
      this.pMin = grown(this.pMin, 2 * n);
      this.pMax = grown(this.pMax, 2 * n);
      this.pDelta = grown(this.pDelta, 2 * n);
    }
    for (let ci = this.size; ci < channels.length; ci++) {
      const channel = channels[ci] as Channel;
      this.cap[ci] = Number(channel.capacitySat) * 1000;
      this.refresh(ci, 0, channel);
      this.refresh(ci, 1, channel);
    }
    this.size = channels.length;
  }

  refresh(ci: number, dir: 0 | 1, channel: Channel): void {
    const k = ci * 2 + dir;
    const policy = channel.policy[dir];
    this.pRef[k] = policy;
    this.pBase[k] = Number(policy.baseFeeMsat);
    this.pPpm[k] = Number(policy.feePpm);
    this.pMin[k] = Number(policy.htlcMinMsat);
    this.pMax[k] = Number(policy.htlcMaxMsat);
    this.pDelta[k] = policy.cltvDelta;
  }
}

function grown(array: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(size);
  next.set(array);
  return next;
}

/** Per-network scratch arrays, reused between searches; a generation stamp marks which entries are current. */
class Workspace {
  readonly dist: Float64Array;
  readonly weight: Float64Array;
  readonly recv: Float64Array;
  readonly cltv: Float64Array;
  readonly prob: Float64Array;
  readonly info: Int32Array;
  readonly nextChan: Int32Array;
  readonly nextNode: Int32Array;
  readonly version: Int32Array;
  readonly stamp: Uint32Array;
  readonly uStamp: Uint32Array;
  readonly uBest: Int32Array;
  readonly uFee: Float64Array;
  readonly uCap: Float64Array;
  readonly uDelta: Float64Array;
  readonly uBw: Float64Array;
  readonly fromList: number[] = [];
  readonly heap = new DistanceHeap();
  readonly graph: NumericGraph;
  private generation = 0;
  private unifyGeneration = 0;

  constructor(
    readonly capacity: number,
    graph?: NumericGraph,
  ) {
    this.graph = graph ?? new NumericGraph();
    this.dist = new Float64Array(capacity);
    this.weight = new Float64Array(capacity);
    this.recv = new Float64Array(capacity);
    this.cltv = new Float64Array(capacity);
    this.prob = new Float64Array(capacity);
    this.info = new Int32Array(capacity);
    this.nextChan = new Int32Array(capacity);
    this.nextNode = new Int32Array(capacity);
    this.version = new Int32Array(capacity);
    this.stamp = new Uint32Array(capacity);
    this.uStamp = new Uint32Array(capacity);
    this.uBest = new Int32Array(capacity);
    this.uFee = new Float64Array(capacity);
    this.uCap = new Float64Array(capacity);
    this.uDelta = new Float64Array(capacity);
    this.uBw = new Float64Array(capacity);
  }

  nextGeneration(): number {
    if (this.generation >= 0xfffffff0) {
      this.generation = 0;
      this.stamp.fill(0);
    }
    return ++this.generation;
  }

  nextUnifyGeneration(): number {
    if (this.unifyGeneration >= 0xfffffff0) {
      this.unifyGeneration = 0;
      this.uStamp.fill(0);
    }
    return ++this.unifyGeneration;
  }
}

const workspaces = new WeakMap<Network, Workspace>();

function workspace(net: Network): Workspace {
  let ws = workspaces.get(net);
  if (!ws || ws.capacity < net.nodes.length) {
    const next = new Workspace(Math.max(64, net.nodes.length * 2), ws?.graph);
    ws = next;
    workspaces.set(net, ws);
  }
  return ws;
}
