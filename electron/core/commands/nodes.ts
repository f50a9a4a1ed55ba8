import type { NodeAlias } from '../../../shared/api/results';
import type { Handler } from './context';

/**
 * listnodes: aliases and colors from the graph the planner keeps (loaded once, reloaded when old: one call per
 * screen, not one per hop). Our own node is included even where the graph does not list it.
 */
export const listnodes: Handler<'listnodes'> = async (ctx, p) => {
  const graph = await ctx.planner.nodes();
  const own = await ctx.info();
  const known = new Map<string, NodeAlias>();
  for (const node of graph.values()) known.set(node.id, { id: node.id, alias: node.alias, color: node.color ?? '' });
  const ours = known.get(own.id);
  known.set(own.id, { id: own.id, alias: own.alias || ours?.alias || '', color: ours?.color ?? '' });
  let nodes: NodeAlias[];
  if (p.ids) {
    nodes = [];
    for (const id of new Set(p.ids)) {
      const node = known.get(id);
      if (node) nodes.push(node);
    }
  } else {
    nodes = [...known.values()].sort((a, b) => a.alias.localeCompare(b.alias) || a.id.localeCompare(b.id));
  }
  if (p.alias !== undefined) {
    const wanted = p.alias.toLowerCase();
    nodes = nodes.filter((n) => n.alias.toLowerCase() === wanted);
  }
  return { nodes };
};
