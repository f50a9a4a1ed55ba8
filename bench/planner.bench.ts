/**
 * Planner latency (issue 6), `npm run bench:planner [-- --plans N] [--seed N] [--model uniform|bimodal]`.
 *
 * On simnet's `mainnet` topology (the 2026-02-03 graph: 17,328 nodes, 50,822 channels), one core, in this thread:
 * `plans` payments (default 300) between random sender/receiver pairs of the strongly connected core whose
 * sender can send and receiver can receive the amount (+1 %), amounts log-uniform from 1k sat to 0.01 BTC (1M sat),
 * fee limit 1 %, at most 16 parts; the sender's own channels at their
 * exact balances, everything else at the prior (nothing learned: the planner's worst case, as the first plan of a
 * payment is). The first 10 plans warm the JIT and are not counted. Prints one JSON line per amount band and one in
 * all: plans, planned (a plan was found), median / p95 / max ms, mean parts and mean probability of the plans found.
 */

import { parseCommandLine } from '../electron/core/command-line';
import { graphInput } from '../electron/core/planner/graph-input';
import { buildGraph, type ChannelGraph, edgeOf } from '../shared/planner/mcf/graph';
import { planPayment } from '../shared/planner/mcf/mcf';
import { type ProbabilityModel, UncertaintyNetwork } from '../shared/planner/mcf/uncertainty';
import type { Network } from '../simnet/model/network';
import { Rng } from '../simnet/model/rng';
import { Sim } from '../simnet/model/sim';
import { buildMainnet, mainnetGraphAvailable, mainnetGraphPath } from '../simnet/topology/mainnet';
import { median, percentile, print, round } from './bench-util';
import { BalanceGraph } from './split/network';
import { describeNetwork } from './split/simnet-node';

const cli = parseCommandLine({
  name: 'npm run bench:planner --',
  usage: `Planner latency on the mainnet graph: one JSON line per amount band and one in all.
  --plans N                 plans to time (default 300)
  --seed N                  balances and pairs are drawn from it (default 1)
  --model uniform|bimodal   the planner's probability model (default uniform)`,
  options: { plans: { type: 'string' }, seed: { type: 'string' }, model: { type: 'string' } },
});
const PLANS = cli.number('plans', { min: 1, integer: true }) ?? 300;
const SEED = cli.number('seed', { min: 0, integer: true }) ?? 1;
const MODEL: ProbabilityModel = cli.choice('model', ['uniform', 'bimodal'] as const) ?? 'uniform';
const WARM_UP = 10;
const BANDS: { name: string; maxSat: number }[] = [
  { name: '1k-10k', maxSat: 10_000 },
  { name: '10k-100k', maxSat: 100_000 },
  { name: '100k-1M', maxSat: 1_000_000 },
];

interface Sample {
  amountSat: number;
  ms: number;
  ok: boolean;
  parts: number;
  probability: number;
}

function line(scope: string, samples: Sample[]) {
  const ms = samples.map((s) => s.ms);
  const planned = samples.filter((s) => s.ok);
  return {
    bench: 'planner',
    amounts_sat: scope,
    model: MODEL,
    plans: samples.length,
    planned: planned.length,
    median_ms: round(median(ms), 2),
    p95_ms: round(percentile(ms, 95), 2),
    max_ms: round(Math.max(...ms), 2),
    mean_parts: round(planned.reduce((s, x) => s + x.parts, 0) / Math.max(1, planned.length), 2),
    mean_probability: round(planned.reduce((s, x) => s + x.probability, 0) / Math.max(1, planned.length), 3),
  };
}

/**
 * The sender's own channels at their exact balances, as the core's planner state sets them, with their gossiped
 * disabled flags returned for the caller to lift while planning (our node sends on its channels whatever gossip says).
 */
function setOwnChannels(net: Network, g: ChannelGraph, un: UncertaintyNetwork, sender: number) {
  const own: { edge: number; disabled: number }[] = [];
  for (const ci of net.node(sender).channels) {
    const channel = net.channels[ci];
    if (!channel) continue;
    const dir = channel.node1 === sender ? 0 : 1;
    // The graph's channels are the network's, in its order (graphInput keeps DescribeGraph's).
    const edge = edgeOf(g, ci, dir);
    un.setOwnBalance(edge, Number(net.available(channel, dir)));
    own.push({ edge, disabled: g.disabled[edge] as number });
  }
  return own;
}

function main(): void {
  if (!mainnetGraphAvailable()) {
    process.stderr.write(`bench:planner: cannot measure: the mainnet graph file is missing at ${mainnetGraphPath()}\n`);
    process.exit(1);
  }
  const sim = new Sim({ seed: SEED, hopDelayMs: { min: 0, max: 0 }, blockIntervalMs: 0 });
  const { core } = buildMainnet(sim, { seed: SEED, balances: 'uniform' });
  const net = sim.net;
  // The planner's graph as the core builds it from DescribeGraph.
  const g = buildGraph(graphInput(describeNetwork(net), net.node(0).pubkey, []));
  const balances = new BalanceGraph(net);
  const nodes = [...core].sort((a, b) => a - b);
  const rng = new Rng(SEED * 7919);
  const samples: Sample[] = [];
  for (let i = 0; i < PLANS + WARM_UP; i++) {
    const amountSat = Math.floor(1000 * 1000 ** rng.next());
    const amountMsat = BigInt(amountSat) * 1000n;
    const need = amountSat * 1010;
    let sender: number;
    let receiver: number;
    do {
      sender = rng.pick(nodes);
      receiver = rng.pick(nodes);
    } while (sender === receiver || balances.outbound(sender) < need || balances.inbound(receiver) < need);
    const un = new UncertaintyNetwork(g, { model: MODEL });
    const own = setOwnChannels(net, g, un, sender);
    for (const o of own) g.disabled[o.edge] = 0;
    const t = performance.now();
    const plan = planPayment(g, un, {
      source: sender,
      destination: receiver,
      amountMsat,
      maxFeeMsat: amountMsat / 100n,
      maxParts: 16,
    });
    const ms = performance.now() - t;
    for (const o of own) g.disabled[o.edge] = o.disabled;
    if (i < WARM_UP) continue;
    samples.push({
      amountSat,
      ms,
      ok: plan.ok,
      parts: plan.ok ? plan.parts.length : 0,
      probability: plan.ok ? plan.probability : 0,
    });
  }
  let low = 0;
  for (const band of BANDS) {
    print(
      line(
        band.name,
        samples.filter((s) => s.amountSat >= low && s.amountSat < band.maxSat),
      ),
    );
    low = band.maxSat;
  }
  print(line('1k-1M', samples));
  sim.stop();
}

main();
