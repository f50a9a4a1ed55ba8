// The planner's state, owned by its worker thread: the channel graph, the uncertainty network over it, the parts in
// flight, and what the parts taught. Loaded as plain TypeScript by the worker: explicit .ts imports, no TS-only
// syntax (no parameter properties, no enums).
import { saysNothingAboutLiquidity } from '../../../shared/failures.ts';
import { buildGraph, type ChannelGraph, type GraphInput } from '../../../shared/planner/mcf/graph.ts';
import { evaluatePlan, hopAmounts, planPayment } from '../../../shared/planner/mcf/mcf.ts';
import { UncertaintyNetwork } from '../../../shared/planner/mcf/uncertainty.ts';
import type { Route } from '../../../shared/types.ts';
import type {
  BeliefRow,
  CheckArgs,
  CheckReply,
  FromWorker,
  Overdrawn,
  OwnChannelState,
  PartEvent,
  PlanArgs,
  PlanReply,
  ToWorker,
} from './messages.ts';
import { pathOfRoute, routeOfPath } from './routes.ts';

/** Learning events that came before the graph was loaded are kept (up to this many) and applied once it is. */
const MAX_EARLY_EVENTS = 10_000;

interface InFlight {
  route: Route;
  /** What each hop carries (the route's msatoshi per hop, fees of later hops included). */
  amounts: number[];
  /** Its edges in the current graph, when they are known there (and so reserved). */
  path?: number[];
}

export class PlannerState {
  private ownId = '';
  private halfLifeSeconds = 3600;
  private g: ChannelGraph | undefined;
  private net: UncertaintyNetwork | undefined;
  private lastDecay = 0;
  /** Beliefs loaded from disk, waiting for the first graph. */
  private stored: BeliefRow[] = [];
  private readonly inFlight = new Map<number, InFlight>();
  private early: { part: PartEvent; now: number }[] = [];

  handle(msg: ToWorker): FromWorker[] {
    switch (msg.type) {
      case 'setup':
        this.ownId = msg.ownId;
        this.halfLifeSeconds = msg.halfLifeSeconds;
        this.stored = msg.beliefs;
        return [];
      case 'graph':
        return this.setGraph(msg.input, msg.now);
      case 'plan':
        return [{ type: 'plan', id: msg.id, reply: this.plan(msg.args, msg.now) }];
      case 'check':
        return [{ type: 'check', id: msg.id, reply: this.check(msg.args, msg.now) }];
      case 'part':
        return this.onPart(msg.part, msg.now);
      case 'threadId':
        return [{ type: 'threadId', id: msg.id, threadId: 0 }];
    }
  }

  /** A new graph: what was learned carries over (by channel), and the parts in flight are reserved again. */
  private setGraph(input: GraphInput, now: number): FromWorker[] {
    let rows = this.stored;
    if (this.net) {
      this.decayTo(now);
      rows = this.learnedRows(now);
    }
    this.stored = [];
    const g = buildGraph(input);
    const net = new UncertaintyNetwork(g);
    const edges = rows.map((r) => ({
      scid: r.scid,
      direction: r.direction,
      minMsat: r.minMsat,
      maxMsat: r.maxMsat,
      exact: false,
      ageSeconds: Math.max(0, now - r.updatedAt) / 1000,
    }));
    net.restore({ version: 1, edges }, this.halfLifeSeconds);
    this.g = g;
    this.net = net;
    this.lastDecay = now;
    for (const part of this.inFlight.values()) {
      part.path = pathOfRoute(g, part.route, this.ownId);
      if (part.path) net.reserve(part.path, part.amounts);
    }
    const early = this.early;
    this.early = [];
    return early.flatMap(({ part, now: at }) => this.onPart(part, at));
  }

  private decayTo(now: number): void {
    if (!this.net) return;
    if (now > this.lastDecay) this.net.decay((now - this.lastDecay) / 1000, this.halfLifeSeconds);
    this.lastDecay = Math.max(this.lastDecay, now);
  }

  private plan(args: PlanArgs, now: number): PlanReply {
    const { g, net } = this;
    if (!g || !net) return { ok: false, reason: 'no-graph', message: 'the channel graph is not loaded yet' };
    const source = g.nodeIds.indexOf(this.ownId);
    const destination = g.nodeIds.indexOf(args.destination);
    if (source < 0) return { ok: false, reason: 'no-route', message: 'our node is not in the channel graph' };
    if (destination < 0) {
      return { ok: false, reason: 'no-route', message: `${args.destination} is not in the channel graph` };
    }
    return this.withOwnChannels(args.own, now, (g, net) => {
      const plan = planPayment(g, net, {
        source,
        destination,
        amountMsat: args.amountMsat,
        maxFeeMsat: args.maxFeeMsat,
        maxParts: args.maxParts,
      });
      if (!plan.ok) return { ok: false, reason: plan.reason, message: plan.message };
      // The numbers shown are evaluatePlan's, as checkplan's for the same parts: computed the same way every time.
      const shown = evaluatePlan(
        g,
        net,
        plan.parts.map((p) => ({ path: p.path, hops: hopAmounts(g, p.path, p.amountMsat).map(Number) })),
      );
      return {
        ok: true,
        parts: plan.parts.map((p, i) => ({
          route: routeOfPath(g, p.path, p.amountMsat, args.finalCltv),
          msatoshi: p.amountMsat,
          feeMsat: p.feeMsat,
          probability: shown.parts[i] as number,
        })),
        feeMsat: plan.feeMsat,
        probability: shown.probability,
      };
    });
  }

  /**
   * checkplan: the probabilities of parts as given (each alone, and together), the same numbers plan gives for the
   * same parts, and the channel directions they ask more of together than they can send.
   */
  private check(args: CheckArgs, now: number): CheckReply {
    const { g } = this;
    if (!g || !this.net) return { ok: false, part: 0, message: 'the channel graph is not loaded yet' };
    const paths: { path: number[]; hops: number[] }[] = [];
    for (const [i, route] of args.routes.entries()) {
      const path = pathOfRoute(g, route, this.ownId);
      if (!path) {
        const hop = firstUnknownHop(g, route, this.ownId);
        return {
          ok: false,
          part: i,
          hop,
          message: `is not a channel of the graph from ${hopFrom(route, hop, this.ownId)}`,
        };
      }
      paths.push({ path, hops: hopAmountsOf(route) });
    }
    return this.withOwnChannels(args.own, now, (g, net) => {
      const evaluated = evaluatePlan(g, net, paths);
      const overdrawn: Overdrawn[] = [];
      for (const [e, asked] of evaluated.loads) {
        const available =
          g.disabled[e] === 1 ? 0 : Math.max(0, (net.maxLiq[e] as number) - (net.inFlight[e] as number));
        if (asked <= available) continue;
        overdrawn.push({
          scid: g.scids[g.channel[e] as number] as string,
          from: g.nodeIds[g.from[e] as number] as string,
          askedMsat: BigInt(Math.round(asked)),
          availableMsat: BigInt(Math.floor(available)),
        });
      }
      return { ok: true, parts: evaluated.parts, probability: evaluated.probability, overdrawn };
    });
  }

  /**
   * Runs `fn` with our channels as the node says they are now, whatever gossip says: usable when active, at their
   * exact balance (the node's balance already excludes what is in flight, the network counts it apart: add it back).
   * Our channels the node no longer lists are not usable.
   */
  private withOwnChannels<T>(
    own: readonly OwnChannelState[],
    now: number,
    fn: (g: ChannelGraph, net: UncertaintyNetwork) => T,
  ): T {
    const g = this.g as ChannelGraph;
    const net = this.net as UncertaintyNetwork;
    this.decayTo(now);
    const source = g.nodeIds.indexOf(this.ownId);
    const byScid = new Map(own.map((c) => [c.scid, c]));
    const saved: { edge: number; disabled: number }[] = [];
    if (source >= 0) {
      for (let e = g.offsets[source] as number; e < (g.offsets[source + 1] as number); e++) {
        const channel = byScid.get(g.scids[g.channel[e] as number] as string);
        saved.push({ edge: e, disabled: g.disabled[e] as number });
        g.disabled[e] = channel?.active ? 0 : 1;
        if (channel) net.setOwnBalance(e, channel.localMsat + (net.inFlight[e] as number));
      }
    }
    try {
      return fn(g, net);
    } finally {
      for (const s of saved) g.disabled[s.edge] = s.disabled;
    }
  }

  /** Pending: reserve its route. Resolved: release it, then learn from the outcome. */
  private onPart(part: PartEvent, now: number): FromWorker[] {
    const { g, net } = this;
    if (!g || !net) {
      if (this.early.length < MAX_EARLY_EVENTS) this.early.push({ part, now });
      if (part.status === 'pending')
        this.inFlight.set(part.id, { route: part.route, amounts: hopAmountsOf(part.route) });
      else this.inFlight.delete(part.id);
      return [];
    }
    const amounts = hopAmountsOf(part.route);
    if (part.status === 'pending') {
      if (this.inFlight.has(part.id)) return [];
      const path = pathOfRoute(g, part.route, this.ownId);
      this.inFlight.set(part.id, { route: part.route, amounts, path });
      if (path) net.reserve(path, amounts);
      return [];
    }
    const held = this.inFlight.get(part.id);
    this.inFlight.delete(part.id);
    // Released first: the part's own amount must not count twice in inFlight + amount when learning.
    if (held?.path) net.release(held.path, held.amounts);
    const path = held?.path ?? pathOfRoute(g, part.route, this.ownId);
    if (!path) return [];
    this.decayTo(now);
    if (part.status === 'complete') {
      net.onSuccess(path, amounts);
      net.onSettled(path, amounts);
    } else {
      const k = part.failure?.erring_index;
      if (k === undefined) return [];
      // The receiver answered: every hop carried the part, whatever the receiver then made of it.
      if (k >= path.length) net.onSuccess(path, amounts);
      else if (saysNothingAboutLiquidity(part.failure?.code)) return [];
      else net.onFailure(path, k, amounts);
    }
    const rows = this.rowsOf(path, now);
    return rows.length > 0 ? [{ type: 'beliefs', rows }] : [];
  }

  /** The beliefs about both directions of the path's channels, other than our own. */
  private rowsOf(path: readonly number[], now: number): BeliefRow[] {
    const { g, net } = this;
    if (!g || !net) return [];
    const rows: BeliefRow[] = [];
    for (const e of path) {
      for (const edge of [e, g.reverse[e] as number]) {
        if (net.exact[edge] === 1) continue;
        rows.push(this.rowOf(edge, now));
      }
    }
    return rows;
  }

  private rowOf(edge: number, now: number): BeliefRow {
    const g = this.g as ChannelGraph;
    const net = this.net as UncertaintyNetwork;
    return {
      scid: g.scids[g.channel[edge] as number] as string,
      direction: g.direction[edge] === 1 ? 1 : 0,
      minMsat: net.minLiq[edge] as number,
      maxMsat: net.maxLiq[edge] as number,
      updatedAt: now,
    };
  }

  /** Every learned belief (not our own channels, not the prior), as of `now`. */
  private learnedRows(now: number): BeliefRow[] {
    if (!this.net) return [];
    return this.net
      .snapshot()
      .edges.filter((e) => !e.exact)
      .map((e) => ({ scid: e.scid, direction: e.direction, minMsat: e.minMsat, maxMsat: e.maxMsat, updatedAt: now }));
  }
}

/** The index of the first hop of `route` that pathOfRoute cannot follow. */
function firstUnknownHop(g: ChannelGraph, route: Route, ownId: string): number {
  for (let k = 1; k <= route.length; k++) if (!pathOfRoute(g, route.slice(0, k), ownId)) return k - 1;
  return 0;
}

function hopFrom(route: Route, hop: number, ownId: string): string {
  return `${hop === 0 ? ownId : route[hop - 1]?.id} to ${route[hop]?.id}`;
}

/** What each hop of a route carries: its msatoshi is what arrives at its node, over its channel. */
function hopAmountsOf(route: Route): number[] {
  return route.map((hop) => Number(hop.msatoshi));
}
