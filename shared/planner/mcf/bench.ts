// Timing check for the planner (not a test): `npx tsx shared/planner/mcf/bench.ts`. Pure TypeScript like the rest
// of the folder (seeded generator, no file access).
// A random mainnet-sized graph: 17,000 nodes, 51,000 channels, endpoints drawn with preferential attachment
// (a few hubs, many leaves), capacities log-uniform 20k sat – 50M sat, 30 % of directions disabled, fees like
// mainnet's (base 0–1000 msat, 0–2000 ppm). The sender is a hub whose own channels' balances are known (half
// local). 200 plans to random receivers reachable from the sender, amounts log-uniform 1k sat – 0.01 BTC, fee limit
// 1 % + 1 sat. Prints median / p95 / max ms per plan (one core, no warm-up excluded beyond the first 10 plans).

import { buildGraph, type ChannelInput, type Policy } from './graph.ts';
import { planPayment } from './mcf.ts';
import { rng } from './rng.ts';
import { UncertaintyNetwork } from './uncertainty.ts';

const seed = 1;
const r = rng(seed);
const N = 17_000;
const M = 51_000;
const ends: number[] = [];
const channels: ChannelInput[] = [];
const policy = (cap: number): Policy => ({
  feeBaseMsat: BigInt(r() < 0.5 ? 0 : Math.floor(r() * 1000)),
  feePpm: BigInt(Math.floor(r() ** 2 * 2000)),
  cltvDelta: 40,
  htlcMinMsat: 1000n,
  htlcMaxMsat: BigInt(Math.floor(cap * (r() < 0.5 ? 0.99 : 0.1 + 0.9 * r()))),
  disabled: r() < 0.3,
});
for (let i = 0; i < M; i++) {
  const pick = () =>
    ends.length > 0 && r() < 0.7 ? (ends[Math.floor(r() * ends.length)] as number) : Math.floor(r() * N);
  const a = pick();
  let b = pick();
  if (b === a) b = (a + 1 + Math.floor(r() * (N - 1))) % N;
  ends.push(a, b);
  const cap = Math.floor(20_000 * 2500 ** r()) * 1000;
  channels.push({
    scid: `${i}x1x0`,
    node1: a,
    node2: b,
    capacityMsat: BigInt(cap),
    policies: [policy(cap), policy(cap)],
  });
}
const t0 = performance.now();
const g = buildGraph({ nodes: Array.from({ length: N }, (_, i) => `n${i}`), channels });
const net = new UncertaintyNetwork(g);
let source = 0;
for (let u = 1; u < N; u++) {
  if (
    (g.offsets[u + 1] as number) - (g.offsets[u] as number) >
    (g.offsets[source + 1] as number) - (g.offsets[source] as number)
  )
    source = u;
}
for (let e = g.offsets[source] as number; e < (g.offsets[source + 1] as number); e++) {
  net.setOwnBalance(e, Math.floor((g.capacityMsat[e] as number) / 2));
}
console.log(
  `graph built in ${(performance.now() - t0).toFixed(0)} ms; sender degree ${(g.offsets[source + 1] as number) - (g.offsets[source] as number)}`,
);

const times: number[] = [];
let ok = 0;
const reasons: Record<string, number> = {};
let parts = 0;
let probSum = 0;
for (let i = 0; i < 210; i++) {
  const destination = Math.floor(r() * N);
  if (destination === source) continue;
  const amountSat = Math.floor(1000 * 1000 ** r());
  const amountMsat = BigInt(amountSat) * 1000n;
  const t = performance.now();
  const res = planPayment(g, net, { source, destination, amountMsat, maxFeeMsat: amountMsat / 100n + 1000n });
  const dt = performance.now() - t;
  if (i >= 10) times.push(dt);
  if (res.ok) {
    ok++;
    parts += res.parts.length;
    probSum += res.probability;
  } else reasons[res.reason] = (reasons[res.reason] ?? 0) + 1;
}
times.sort((a, b) => a - b);
const q = (p: number) => (times[Math.min(times.length - 1, Math.floor(p * times.length))] as number).toFixed(1);
console.log(`plans ${times.length}: median ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms`);
console.log(
  `ok ${ok}, mean parts ${(parts / Math.max(1, ok)).toFixed(1)}, mean P ${(probSum / Math.max(1, ok)).toFixed(3)}, failures ${JSON.stringify(reasons)}`,
);
