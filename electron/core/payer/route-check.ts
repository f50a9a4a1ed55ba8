import { ApiError, ErrorCode } from '../../../shared/api/errors';
import { MAX_HEIGHT } from '../../../shared/api/schemas';
import { parseScid } from '../../../shared/scid';
import type { Route } from '../../../shared/types';
import type { LightningNode } from '../node/types';

/** The graph is reused this long; an unknown channel reloads it when it is older than GRAPH_RECHECK_MS. */
const GRAPH_TTL_MS = 60_000;
const GRAPH_RECHECK_MS = 2_000;

interface GraphView {
  /** chan_id → its two ends. */
  channels: Map<bigint, readonly [string, string]>;
  nodes: Set<string>;
  at: number;
}

/** A private channel the invoice tells of (its route hints): from `from` to the destination side. */
export interface HintChannel {
  chan_id: bigint;
  node_id: string;
}

const refuse = (i: number, field: string, why: string, value: unknown) =>
  new ApiError(ErrorCode.InvalidParams, `route[${i}].${field}: ${why} (got ${JSON.stringify(String(value))})`);

/**
 * Checks a route given by hand against the node's graph before anything is written: each hop's channel is a real
 * channel of the graph (our own, private ones included, or one of the invoice's route hints) joining the previous
 * hop's node (ours for the first) to this hop's node; its direction, when given, is that one; the first delay
 * added to the block height stays a 32-bit height. The shape (hop count, repeats, amounts, delays) is the
 * schema's (shared/api/schemas.ts route).
 */
export class RouteGraph {
  private view: GraphView | undefined;
  private loading: Promise<GraphView> | undefined;

  constructor(
    private readonly node: LightningNode,
    private readonly ownId: () => string,
  ) {}

  private load(): Promise<GraphView> {
    this.loading ??= (async () => {
      try {
        const [graph, own] = await Promise.all([this.node.describeGraph(), this.node.listChannels()]);
        const channels = new Map<bigint, readonly [string, string]>();
        for (const e of graph.edges) channels.set(e.chan_id, [e.node1, e.node2]);
        for (const c of own) if (!channels.has(c.chan_id)) channels.set(c.chan_id, [this.ownId(), c.peer_id]);
        const nodes = new Set(graph.nodes.map((n) => n.id));
        for (const [a, b] of channels.values()) {
          nodes.add(a);
          nodes.add(b);
        }
        this.view = { channels, nodes, at: Date.now() };
        return this.view;
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  private async graph(fresh: boolean): Promise<GraphView> {
    const view = this.view;
    const age = view ? Date.now() - view.at : Number.POSITIVE_INFINITY;
    if (view && age < (fresh ? GRAPH_RECHECK_MS : GRAPH_TTL_MS)) return view;
    return this.load();
  }

  /** Throws -32602 naming the hop and field at fault; resolves when the route can be handed to the node. */
  async check(route: Route, height: number, hints: readonly HintChannel[] = []): Promise<void> {
    const first = route[0];
    if (first && height + first.delay > MAX_HEIGHT) {
      throw refuse(0, 'delay', `added to the block height ${height} it passes 2^32-1`, first.delay);
    }
    let view = await this.graph(false);
    if (!this.fits(route, view, hints)) view = await this.graph(true);
    const hinted = new Map(hints.map((h) => [h.chan_id, h.node_id]));
    let from = this.ownId();
    for (const [i, hop] of route.entries()) {
      const id = parseScid(hop.channel);
      const ends = view.channels.get(id);
      const hintFrom = hinted.get(id);
      // A private destination is known only by the invoice's hints.
      if (!view.nodes.has(hop.id) && hintFrom === undefined)
        throw refuse(i, 'id', 'is not a node of the graph', hop.id);
      if (!ends && hintFrom === undefined) {
        throw refuse(
          i,
          'channel',
          "is not a channel of the node's graph (nor of the invoice's route hints)",
          hop.channel,
        );
      }
      const joins = ends
        ? (ends[0] === from && ends[1] === hop.id) || (ends[1] === from && ends[0] === hop.id)
        : hintFrom === from;
      if (!joins) {
        const where = i === 0 ? 'our node' : `route[${i - 1}].id`;
        const between = ends ? `it joins ${ends[0]} and ${ends[1]}` : `the invoice's hint has it from ${hintFrom}`;
        throw refuse(i, 'channel', `does not lead from ${where} to route[${i}].id (${between})`, hop.channel);
      }
      if (hop.direction !== undefined) {
        const expected = from < hop.id ? 0 : 1;
        if (hop.direction !== expected) {
          throw refuse(i, 'direction', `must be ${expected} for the way from ${from} to ${hop.id}`, hop.direction);
        }
      }
      from = hop.id;
    }
  }

  /** Whether every channel of the route is known (a cheap test before reloading an old graph). */
  private fits(route: Route, view: GraphView, hints: readonly HintChannel[]): boolean {
    return route.every((hop) => {
      const id = parseScid(hop.channel);
      return view.channels.has(id) || hints.some((h) => h.chan_id === id);
    });
  }
}
