// How nodes are named on screen: their alias when we know one (ours from getinfo, our peers' from listchannels,
// the simulated merchants from testinvoice), otherwise a short id.

import type { Route } from '../shared/types';
import { shortHex } from './format';

export type Aliases = Readonly<Record<string, string>>;

export function nodeName(id: string, aliases: Aliases): string {
  return aliases[id] ?? shortHex(id);
}

/** The nodes a route goes through, by name, first hop first (our own node left out). */
export function pathNames(route: Route, aliases: Aliases): string[] {
  return route.map((hop) => nodeName(hop.id, aliases));
}

/** "atlas → 02080e3e0e… → bob". */
export function pathLabel(route: Route, aliases: Aliases): string {
  return pathNames(route, aliases).join(' → ');
}

/**
 * Node ids from what someone typed: ids or aliases separated by spaces, commas or arrows. Returns the ids, or the
 * first word that is neither a node id nor a known alias.
 */
export function resolveNodes(text: string, aliases: Aliases): { ids: string[] } | { unknown: string } {
  const byAlias = new Map<string, string>();
  for (const [id, alias] of Object.entries(aliases)) byAlias.set(alias.toLowerCase(), id);
  const ids: string[] = [];
  for (const word of text.split(/[\s,>→]+|->/).filter((w) => w !== '' && w !== '-')) {
    const lower = word.toLowerCase();
    if (/^0[23][0-9a-f]{64}$/.test(lower)) ids.push(lower);
    else {
      const id = byAlias.get(lower);
      if (!id) return { unknown: word };
      ids.push(id);
    }
  }
  return { ids };
}
