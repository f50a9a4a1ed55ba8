import type { Network } from '../model/network';
import type { Channel } from '../model/types';

/** The channel between two nodes named by alias (the first, if several). */
export function channelBetween(net: Network, a: string, b: string): Channel {
  const ia = net.nodeByAlias(a)?.index;
  const ib = net.nodeByAlias(b)?.index;
  const found = net.channels.find((c) => (c.node1 === ia && c.node2 === ib) || (c.node1 === ib && c.node2 === ia));
  if (!found) throw new Error(`no channel ${a}-${b}`);
  return found;
}

/** Which side of the channel (0: node1) the named node is. */
export function sideOf(net: Network, channel: Channel, alias: string): 0 | 1 {
  return channel.node1 === net.nodeByAlias(alias)?.index ? 0 : 1;
}
