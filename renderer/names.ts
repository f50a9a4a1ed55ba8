// How nodes are named on screen: their alias when we know one (from the core's graph by listnodes, ours from getinfo,
// our peers' from listchannels), otherwise a short id.

import type { Route } from '../shared/types';
import { shortHex } from './format';

export type Aliases = Readonly<Record<string, string>>;

export function nodeName(id: string, aliases: Aliases): string {
  return aliases[id] ?? shortHex(id);
}

/**
 * A channel's peer by name, everywhere a channel is shown (History, the Rebalance screen): the alias known here (as
 * `nodeName`), else the alias the channel came with, else a short id.
 */
export function peerName(channel: { peer_id: string; peer_alias?: string }, aliases: Aliases): string {
  return aliases[channel.peer_id] ?? (channel.peer_alias || shortHex(channel.peer_id));
}

/** The nodes a route goes through, by name, first hop first (our own node left out). */
export function pathNames(route: Route, aliases: Aliases): string[] {
  return route.map((hop) => nodeName(hop.id, aliases));
}

/** "atlas → 02080e3e0e… → bob". */
export function pathLabel(route: Route, aliases: Aliases): string {
  return pathNames(route, aliases).join(' → ');
}

/** A node id as typed: 66 hex, 02 or 03 first. */
export function isNodeId(word: string): boolean {
  return /^0[23][0-9a-f]{64}$/i.test(word);
}

/** The words of a hop list: ids or aliases separated by spaces, commas or arrows. */
export function hopWords(text: string): string[] {
  return text.split(/[\s,>→]+|->/).filter((w) => w !== '' && w !== '-');
}

export type Resolved = { ids: string[] } | { unknown: string } | { ambiguous: string; ids: string[] };

/**
 * Node ids from what someone typed: each word an id, or an alias that `lookup` resolves (the names known here, then
 * the core's graph). Returns the ids, or the first word that names no node, or names more than one.
 */
export async function resolveNodes(text: string, lookup: (alias: string) => Promise<string[]>): Promise<Resolved> {
  const ids: string[] = [];
  for (const word of hopWords(text)) {
    if (isNodeId(word)) {
      ids.push(word.toLowerCase());
      continue;
    }
    const found = await lookup(word);
    if (found.length === 0) return { unknown: word };
    if (found.length > 1) return { ambiguous: word, ids: found };
    ids.push(found[0] as string);
  }
  return { ids };
}

/**
 * Every node id in a text replaced by its alias where known: whole ids (66 hex), and ids shortened to a prefix and
 * an ellipsis ("02b0d43a17…") when one known node has that prefix.
 */
export function withNames(text: string, aliases: Aliases): string {
  return text
    .replace(/\b0[23][0-9a-f]{64}\b/gi, (id) => aliases[id.toLowerCase()] ?? shortHex(id))
    .replace(/\b(0[23][0-9a-f]{6,63})…/gi, (short, prefix: string) => {
      const lower = prefix.toLowerCase();
      const found = Object.keys(aliases).filter((id) => id.startsWith(lower));
      return found.length === 1 ? (aliases[found[0] as string] as string) : short;
    });
}
