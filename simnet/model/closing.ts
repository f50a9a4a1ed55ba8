import { createHash } from 'node:crypto';
import type { Network } from './network';
import type { Channel } from './types';

/**
 * Cooperative channel closes, the one way simnet's channels end (a fault a test or the CLI asks for): the channel
 * leaves both nodes' channel lists (so that path finding, ListChannels and the graph no longer see it), each side's
 * balance goes to its on-chain wallet (the opener paying the closing fee), and both sides keep a close summary.
 */

/** A cooperative close transaction's weight (two P2WKH outputs, one 2-of-2 input). */
const CLOSE_WEIGHT = 672n;
/**
 * chainfee.FeePerKwFloor: regtest has no fee estimates, so simnet's commitment and closing transactions pay the
 * floor rate.
 */
export const FEE_PER_KW = 253n;

export interface ClosedChannel {
  channel: Channel;
  closeHeight: number;
  closingTxid: string;
  /** What each side (index 0: node1) received on chain, in sat. */
  settledSat: [bigint, bigint];
  /** The side that asked for the close. */
  closer: 0 | 1;
}

interface Closures {
  closed: ClosedChannel[];
  ids: Set<bigint>;
  /** On-chain sat each node received from closes. */
  onChain: Map<number, bigint>;
}

const byNetwork = new WeakMap<Network, Closures>();

function closuresOf(net: Network): Closures {
  let c = byNetwork.get(net);
  if (!c) {
    c = { closed: [], ids: new Set(), onChain: new Map() };
    byNetwork.set(net, c);
  }
  return c;
}

/** Closes the channel cooperatively at `closer`'s request. Refused while HTLCs are on it, as LND refuses. */
export function closeChannel(net: Network, chanId: bigint, closer: number): ClosedChannel {
  const channel = net.channel(chanId);
  const closures = closuresOf(net);
  if (!channel || closures.ids.has(chanId)) throw new Error(`no open channel ${chanId}`);
  if (closer !== channel.node1 && closer !== channel.node2) throw new Error(`node ${closer} is not on ${chanId}`);
  if (channel.inFlight[0] > 0n || channel.inFlight[1] > 0n) {
    throw new Error('cannot co-op close channel with active htlcs');
  }
  const fee = (FEE_PER_KW * CLOSE_WEIGHT) / 1000n;
  // node1 opened every simnet channel, so it pays the closing fee.
  const opener = channel.balance[0] / 1000n;
  const settledSat: [bigint, bigint] = [opener > fee ? opener - fee : 0n, channel.balance[1] / 1000n];
  const record: ClosedChannel = {
    channel,
    closeHeight: net.height,
    closingTxid: createHash('sha256').update(`close:${channel.chanPoint}`).digest('hex'),
    settledSat,
    closer: closer === channel.node1 ? 0 : 1,
  };
  const index = net.channels.indexOf(channel);
  for (const [node, settled] of [
    [channel.node1, settledSat[0]],
    [channel.node2, settledSat[1]],
  ] as const) {
    const list = net.node(node).channels;
    list.splice(list.indexOf(index), 1);
    closures.onChain.set(node, (closures.onChain.get(node) ?? 0n) + settled);
  }
  channel.balance = [0n, 0n];
  for (const dir of [0, 1] as const) net.setPolicy(chanId, dir, { disabled: true });
  closures.ids.add(chanId);
  closures.closed.push(record);
  return record;
}

export function isClosed(net: Network, chanId: bigint): boolean {
  return byNetwork.get(net)?.ids.has(chanId) ?? false;
}

/** The closes a node was part of, oldest first. */
export function closedChannelsOf(net: Network, node: number): ClosedChannel[] {
  return (byNetwork.get(net)?.closed ?? []).filter((c) => c.channel.node1 === node || c.channel.node2 === node);
}

/** On-chain sat the node received from closes. */
export function closedOnChainSat(net: Network, node: number): bigint {
  return byNetwork.get(net)?.onChain.get(node) ?? 0n;
}

/** The channels still open: the graph as LND's gossip shows it once closes are seen on chain. */
export function openChannels(net: Network): Channel[] {
  const closed = byNetwork.get(net)?.ids;
  return closed && closed.size > 0 ? net.channels.filter((c) => !closed.has(c.id)) : net.channels;
}
