import type { Network } from './network';
import type { Channel, HtlcOutcome, Route, WireFailure } from './types';

/**
 * What the nodes' switches see of the HTLCs crossing them, beside the balances the forwarding model moves: the
 * HTLC ids each channel direction hands out, the HTLCs live on each channel, per-channel counters, the HTLC events
 * each node notifies (LND's htlcswitch/htlcnotifier.go), the forwards each node records (its forwarding log) and
 * the channel active/inactive events. One per Network; the forwarding model reports to it.
 */

/** An HTLC on one channel, offered by the `dir` side. */
export interface HtlcLeg {
  channel: Channel;
  dir: 0 | 1;
  amt: bigint;
  htlcId: bigint;
  expiry: number;
  paymentHash: Buffer;
}

export type HtlcEventType = 'SEND' | 'RECEIVE' | 'FORWARD';

export interface HtlcInfo {
  incomingTimelock: number;
  outgoingTimelock: number;
  incomingAmtMsat: bigint;
  outgoingAmtMsat: bigint;
}

export type HtlcEventBody =
  | { kind: 'forward'; info: HtlcInfo }
  | { kind: 'forward_fail' }
  | { kind: 'settle'; preimage: Buffer }
  | { kind: 'link_fail'; info: HtlcInfo; failure: WireFailure; detail: string; text: string }
  | { kind: 'final'; settled: boolean };

export interface HtlcEvent {
  /** The node that notifies it. */
  node: number;
  type: HtlcEventType;
  incomingChanId: bigint;
  outgoingChanId: bigint;
  incomingHtlcId: bigint;
  outgoingHtlcId: bigint;
  timestampNs: bigint;
  body: HtlcEventBody;
}

/** One settled forward in a node's forwarding log. */
export interface ForwardRecord {
  timestampNs: bigint;
  chanIn: bigint;
  chanOut: bigint;
  amtInMsat: bigint;
  amtOutMsat: bigint;
  incomingHtlcId: bigint;
  outgoingHtlcId: bigint;
}

export interface ChannelEvent {
  /** The node whose channel changed. */
  node: number;
  channel: Channel;
  type: 'ACTIVE_CHANNEL' | 'INACTIVE_CHANNEL' | 'CLOSED_CHANNEL';
}

/** Per channel: msat settled from each side, commitment updates, and the wire bytes each side sent. */
export interface ChannelCounters {
  settledMsat: [bigint, bigint];
  updates: bigint;
  bytesSent: [bigint, bigint];
}

/** What the record keeps per channel: the next HTLC id of each direction, the live HTLCs, the counters. */
interface ChannelState {
  nextHtlcId: [bigint, bigint];
  live: Set<HtlcLeg>;
  counters: ChannelCounters;
}

/**
 * Wire sizes of the messages an HTLC costs (BOLT 2): update_add_htlc with its 1366-byte onion, the settle or fail,
 * and one commitment_signed + revoke_and_ack exchange per update.
 */
const ADD_BYTES = 1452n;
const SETTLE_BYTES = 74n;
const FAIL_BYTES = 336n;
const COMMIT_DANCE_BYTES = 207n;

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

export class Activity {
  private readonly channels = new Map<bigint, ChannelState>();
  private readonly forwardLogs = new Map<number, ForwardRecord[]>();
  private readonly htlcListeners = new Set<(event: HtlcEvent) => void>();
  private readonly channelListeners = new Set<(event: ChannelEvent) => void>();

  /** The HTLC is added to its channel: it gets the next id of that direction and counts as live. */
  add(channel: Channel, dir: 0 | 1, amt: bigint, expiry: number, paymentHash: Buffer): HtlcLeg {
    const state = this.stateOf(channel.id);
    const htlcId = state.nextHtlcId[dir];
    state.nextHtlcId[dir] = htlcId + 1n;
    const leg: HtlcLeg = { channel, dir, amt, htlcId, expiry, paymentHash };
    state.live.add(leg);
    const c = state.counters;
    c.bytesSent[dir] += ADD_BYTES + COMMIT_DANCE_BYTES;
    c.bytesSent[dir === 0 ? 1 : 0] += COMMIT_DANCE_BYTES;
    return leg;
  }

  /** Reported by the forwarding model once an HTLC went out of node `from` over `out` (and came in over `incoming`). */
  forwarded(from: number, incoming: HtlcLeg | undefined, out: HtlcLeg): void {
    if (this.htlcListeners.size === 0) return;
    this.emit({
      node: from,
      type: incoming ? 'FORWARD' : 'SEND',
      incomingChanId: incoming?.channel.id ?? 0n,
      outgoingChanId: out.channel.id,
      incomingHtlcId: incoming?.htlcId ?? 0n,
      outgoingHtlcId: out.htlcId,
      timestampNs: nowNs(),
      body: { kind: 'forward', info: info(incoming, out) },
    });
  }

  /**
   * Reported once the outcome is back at the sender: the legs are resolved, the nodes that failed or passed it on
   * notify, and forwarding nodes log a settled forward. `nodes[i]` offered `legs[i]`.
   */
  resolved(nodes: number[], legs: HtlcLeg[], outcome: HtlcOutcome, route: Route): void {
    const hopCount = route.hops.length;
    const now = nowNs();
    for (const leg of legs) {
      const state = this.stateOf(leg.channel.id);
      state.live.delete(leg);
      const c = state.counters;
      const back = leg.dir === 0 ? 1 : 0;
      c.updates += 2n;
      c.bytesSent[back] += (outcome.settled ? SETTLE_BYTES : FAIL_BYTES) + COMMIT_DANCE_BYTES;
      c.bytesSent[leg.dir] += COMMIT_DANCE_BYTES;
      if (outcome.settled) c.settledMsat[leg.dir] += leg.amt;
    }
    // Benchmarks run many HTLCs with nobody listening: only the forwarding log is kept then.
    const notify = this.htlcListeners.size > 0;
    const event = (k: number, body: HtlcEventBody): HtlcEvent => {
      const incoming = legs[k - 1];
      const out = legs[k];
      const receive = k === hopCount;
      return {
        node: nodes[k] as number,
        type: k === 0 ? 'SEND' : receive ? 'RECEIVE' : 'FORWARD',
        incomingChanId: incoming?.channel.id ?? 0n,
        outgoingChanId: receive ? 0n : (out?.channel.id ?? 0n),
        incomingHtlcId: incoming?.htlcId ?? 0n,
        outgoingHtlcId: receive ? 0n : (out?.htlcId ?? 0n),
        timestampNs: now,
        body,
      };
    };
    if (outcome.settled) {
      // The receiver settles first; the preimage then travels back hop by hop.
      for (let k = legs.length; k >= 0; k--) {
        if (notify) this.emit(event(k, { kind: 'settle', preimage: outcome.preimage }));
        if (notify && k > 0) this.emit(event(k, { kind: 'final', settled: true }));
        const incoming = legs[k - 1];
        const out = legs[k];
        if (k > 0 && k < hopCount && incoming && out) this.logForward(nodes[k] as number, incoming, out, now);
      }
      return;
    }
    if (!notify) return;
    const failure = outcome.failure;
    const source = failure.sourceIndex;
    // The node that refused the HTLC notifies a link failure, unless it was offline (then nobody hears of it).
    if (source === legs.length && failure.code !== 'TEMPORARY_NODE_FAILURE' && failure.code !== 'INTERNAL_FAILURE') {
      const receive = source === hopCount;
      // A forwarding node names the HTLC it could not add: the onion's next channel, amount and time lock.
      const next = receive ? undefined : route.hops[source];
      const wanted = receive
        ? undefined
        : {
            amt: source === 0 ? route.totalAmtMsat : (route.hops[source - 1]?.amtToForwardMsat ?? 0n),
            expiry: source === 0 ? route.totalTimeLock : (route.hops[source - 1]?.expiry ?? 0),
          };
      const incoming = legs[source - 1];
      this.emit({
        ...event(source, {
          kind: 'link_fail',
          info: {
            incomingTimelock: incoming?.expiry ?? 0,
            outgoingTimelock: wanted?.expiry ?? 0,
            incomingAmtMsat: incoming?.amt ?? 0n,
            outgoingAmtMsat: wanted?.amt ?? 0n,
          },
          failure,
          detail: failureDetail(failure, receive),
          text: failureText(failure),
        }),
        outgoingChanId: next?.chanId ?? 0n,
      });
      if (source > 0) this.emit(event(source, { kind: 'final', settled: false }));
    }
    for (let k = Math.min(source, legs.length) - 1; k >= 0; k--) {
      this.emit(event(k, { kind: 'forward_fail' }));
      if (k > 0) this.emit(event(k, { kind: 'final', settled: false }));
    }
  }

  /** When this record began: the start of every channel's monitored lifetime. */
  readonly startedAt = Date.now();
  private readonly offlineSince = new Map<number, number>();
  private readonly downMs = new Map<number, number>();

  /**
   * Reported by the network's faults: `node` went offline or came back. Each of its peers sees the channel to it
   * go inactive or active.
   */
  nodeOnline(node: number, online: boolean, channels: Iterable<{ channel: Channel; peer: number }>): void {
    const since = this.offlineSince.get(node);
    if (online && since !== undefined) {
      this.offlineSince.delete(node);
      this.downMs.set(node, (this.downMs.get(node) ?? 0) + Date.now() - since);
    } else if (!online && since === undefined) {
      this.offlineSince.set(node, Date.now());
    }
    for (const { channel, peer } of channels) {
      this.channelEvent({ node: peer, channel, type: online ? 'ACTIVE_CHANNEL' : 'INACTIVE_CHANNEL' });
    }
  }

  /** Reported when a channel closes: both its nodes see it. */
  channelClosed(channel: Channel): void {
    for (const node of [channel.node1, channel.node2]) this.channelEvent({ node, channel, type: 'CLOSED_CHANNEL' });
  }

  private channelEvent(event: ChannelEvent): void {
    for (const listener of this.channelListeners) listener(event);
  }

  /** How long the node has been offline since the record began, in ms. */
  downtimeMs(node: number): number {
    const since = this.offlineSince.get(node);
    return (this.downMs.get(node) ?? 0) + (since === undefined ? 0 : Date.now() - since);
  }

  /** HTLCs live on a channel (the pending_htlcs of ListChannels). */
  liveOn(chanId: bigint): HtlcLeg[] {
    return [...(this.channels.get(chanId)?.live ?? [])];
  }

  countersOf(chanId: bigint): ChannelCounters {
    return this.stateOf(chanId).counters;
  }

  private stateOf(chanId: bigint): ChannelState {
    let state = this.channels.get(chanId);
    if (!state) {
      state = {
        nextHtlcId: [0n, 0n],
        live: new Set(),
        counters: { settledMsat: [0n, 0n], updates: 0n, bytesSent: [0n, 0n] },
      };
      this.channels.set(chanId, state);
    }
    return state;
  }

  /** A node's forwarding log, oldest first. */
  forwardsOf(node: number): readonly ForwardRecord[] {
    return this.forwardLogs.get(node) ?? [];
  }

  onHtlcEvent(listener: (event: HtlcEvent) => void): () => void {
    this.htlcListeners.add(listener);
    return () => this.htlcListeners.delete(listener);
  }

  onChannelEvent(listener: (event: ChannelEvent) => void): () => void {
    this.channelListeners.add(listener);
    return () => this.channelListeners.delete(listener);
  }

  private logForward(node: number, incoming: HtlcLeg, out: HtlcLeg, timestampNs: bigint): void {
    let log = this.forwardLogs.get(node);
    if (!log) {
      log = [];
      this.forwardLogs.set(node, log);
    }
    log.push({
      timestampNs,
      chanIn: incoming.channel.id,
      chanOut: out.channel.id,
      amtInMsat: incoming.amt,
      amtOutMsat: out.amt,
      incomingHtlcId: incoming.htlcId,
      outgoingHtlcId: out.htlcId,
    });
  }

  private emit(event: HtlcEvent): void {
    for (const listener of this.htlcListeners) listener(event);
  }
}

function info(incoming: HtlcLeg | undefined, out: HtlcLeg | undefined): HtlcInfo {
  return {
    incomingTimelock: incoming?.expiry ?? 0,
    outgoingTimelock: out?.expiry ?? 0,
    incomingAmtMsat: incoming?.amt ?? 0n,
    outgoingAmtMsat: out?.amt ?? 0n,
  };
}

/** LND's routerrpc.FailureDetail for a failure this model produces. */
function failureDetail(failure: WireFailure, receive: boolean): string {
  if (receive) return failure.code === 'MPP_TIMEOUT' ? 'MPP_INVOICE_TIMEOUT' : 'UNKNOWN_INVOICE';
  switch (failure.code) {
    case 'TEMPORARY_CHANNEL_FAILURE':
      return 'INSUFFICIENT_BALANCE';
    case 'UNKNOWN_NEXT_PEER':
      return 'NO_DETAIL';
    case 'AMOUNT_BELOW_MINIMUM':
      return 'HTLC_BELOW_MIN';
    case 'EXPIRY_TOO_SOON':
      return 'HTLC_EXPIRY_TOO_SOON';
    case 'EXPIRY_TOO_FAR':
      return 'HTLC_EXPIRY_TOO_FAR';
    case 'CHANNEL_DISABLED':
      return 'CHANNEL_DISABLED';
    default:
      return 'NO_DETAIL';
  }
}

/** The wire failure's text, as lnwire's failure messages print themselves (their Error()). */
function failureText(failure: WireFailure): string {
  return failure.code
    .toLowerCase()
    .split('_')
    .map((w) => (w[0]?.toUpperCase() ?? '') + w.slice(1))
    .join('');
}

const activities = new WeakMap<Network, Activity>();

/** The network's activity record, created on first use. */
export function activityOf(net: Network): Activity {
  let activity = activities.get(net);
  if (!activity) {
    activity = new Activity();
    activities.set(net, activity);
  }
  return activity;
}

/** The nodes of a route in order: the sender, then each hop's node (undefined if the graph lacks one). */
export function routeNodes(net: Network, sender: number, route: Route): number[] {
  return [sender, ...route.hops.map((hop) => net.nodeByPubkey(hop.pubkey)?.index ?? -1)];
}
