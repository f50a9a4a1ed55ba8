/**
 * Simnet benchmarks, one JSON line each (npm run bench:simnet):
 *  - load_mainnet: building the 2026-02-03 mainnet graph into a fresh Sim, cold (node keys derived anew each run),
 *    and the memory held by one loaded Sim after a full GC;
 *  - htlc_throughput: HTLCs resolved per second with no hop delay, over random 2–4 hop routes, on the small topology
 *    and (when the graph file is there) on mainnet.
 * Environment: BENCH_SEED (default 1), BRAID_MAINNET_GRAPH (the graph file, see simnet/topology/mainnet.ts).
 */

import { simnetCommandLine } from '../command-line';
import { Rng } from '../model/rng';
import { buildRouteFromPath } from '../model/route';
import { Sim } from '../model/sim';
import { buildMainnet, clearMainnetKeyCache, mainnetGraphAvailable, mainnetGraphPath } from '../topology/mainnet';
import { buildSmall } from '../topology/small';
import { findGc } from './gc';

simnetCommandLine({
  name: 'npm run bench:simnet --',
  usage: `simnet's own speed: loading the mainnet graph, and HTLCs resolved per second. One JSON line each.
Environment: BENCH_SEED (default 1), BRAID_MAINNET_GRAPH (the graph file; default simnet/data/).`,
  options: {},
});

const SEED = Number(process.env.BENCH_SEED ?? 1);
const LOAD_RUNS = 3;
const THROUGHPUT_REPS = 5;
const FINAL_CLTV = 40;

const gc = findGc();
const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const print = (line: object) => console.log(JSON.stringify(line));
const collect = () => {
  gc?.();
  gc?.();
};

function benchLoad(): { sim: Sim; core: Set<number> } {
  collect();
  const baseHeap = process.memoryUsage().heapUsed;
  const runs: number[] = [];
  let sim: Sim | undefined;
  let core = new Set<number>();
  for (let r = 0; r < LOAD_RUNS; r++) {
    sim?.stop();
    sim = undefined;
    clearMainnetKeyCache(); // cold: as a fresh process loads it
    collect();
    const fresh = new Sim({ seed: SEED });
    const t = performance.now();
    core = buildMainnet(fresh, { seed: SEED, balances: 'uniform' }).core;
    runs.push(performance.now() - t);
    sim = fresh;
  }
  // Same seed again: the node keys come from the cache, which shows what everything but key derivation costs.
  const warm = new Sim({ seed: SEED });
  const t = performance.now();
  buildMainnet(warm, { seed: SEED, balances: 'uniform' });
  const warmMs = performance.now() - t;
  warm.stop();
  collect();
  const mem = process.memoryUsage();
  const loaded = sim as Sim;
  print({
    bench: 'load_mainnet',
    runs: LOAD_RUNS,
    load_ms_median: round(median(runs)),
    load_ms_runs: runs.map((x) => round(x)),
    load_ms_cached_keys: round(warmMs),
    heap_mb: mb(mem.heapUsed),
    heap_delta_mb: mb(mem.heapUsed - baseHeap),
    rss_mb: mb(mem.rss),
    gc: gc ? 'forced' : 'unavailable',
    nodes: loaded.net.nodes.length,
    channels: loaded.net.channels.length,
  });
  return { sim: loaded, core };
}

interface Htlc {
  src: number;
  dst: number;
  path: { chanId: bigint; to: number }[];
  amtMsat: bigint;
}

/** A random simple path of 2–4 hops from a random source, over directions whose policy is enabled. */
function randomHtlc(sim: Sim, rng: Rng, sources: number[], amtSat: [number, number]): Htlc {
  const { net } = sim;
  for (;;) {
    const src = rng.pick(sources);
    const length = rng.int(2, 4);
    const visited = new Set([src]);
    const path: { chanId: bigint; to: number }[] = [];
    let at = src;
    while (path.length < length) {
      const options = [...net.channelsOf(at)].filter((x) => !x.channel.policy[x.dir].disabled && !visited.has(x.peer));
      if (options.length === 0) break;
      const step = rng.pick(options);
      path.push({ chanId: step.channel.id, to: step.peer });
      visited.add(step.peer);
      at = step.peer;
    }
    if (path.length === length) {
      return { src, dst: at, path, amtMsat: BigInt(rng.int(amtSat[0], amtSat[1])) * 1000n };
    }
  }
}

/** `htlcs` HTLCs per repetition, sent `batch` at a time concurrently, each of `amtSat` (range, sat) to its payee. */
async function benchThroughput(
  topology: string,
  sim: Sim,
  sources: number[],
  { htlcs, batch: batchSize, amtSat }: { htlcs: number; batch: number; amtSat: [number, number] },
) {
  const rng = new Rng(SEED ^ 0x7e57);
  const rates: number[] = [];
  const seconds: number[] = [];
  let settled = 0;
  let failed = 0;
  const failures: Record<string, number> = {};
  for (let rep = 0; rep < THROUGHPUT_REPS; rep++) {
    let elapsed = 0;
    for (let done = 0; done < htlcs; done += batchSize) {
      // Invoices and routes are made before the clock starts: this times forwarding and resolution only.
      const batch = Array.from({ length: Math.min(batchSize, htlcs - done) }, () => {
        const h = randomHtlc(sim, rng, sources, amtSat);
        const invoice = sim.lnd(h.dst).invoices.add({
          valueMsat: h.amtMsat,
          memo: '',
          expiry: 3600,
          cltvExpiry: FINAL_CLTV,
          encode: () => '',
        });
        const mpp = { paymentAddr: invoice.paymentAddr, totalAmtMsat: h.amtMsat };
        return {
          src: h.src,
          hash: invoice.hash,
          route: buildRouteFromPath(sim.net, h.path, h.amtMsat, FINAL_CLTV, mpp),
        };
      });
      const t = performance.now();
      const attempts = await Promise.all(batch.map((b) => sim.lnd(b.src).sendToRoute(b.hash, b.route, false)));
      elapsed += performance.now() - t;
      for (const attempt of attempts) {
        if (attempt.status === 'SUCCEEDED') settled++;
        else {
          failed++;
          const code = attempt.failure?.code ?? 'NONE';
          failures[code] = (failures[code] ?? 0) + 1;
        }
      }
    }
    seconds.push(elapsed / 1000);
    rates.push(htlcs / (elapsed / 1000));
  }
  print({
    bench: 'htlc_throughput',
    topology,
    hop_delay_ms: 0,
    htlcs,
    batch: batchSize,
    amount_sat: amtSat,
    reps: THROUGHPUT_REPS,
    seconds: round(median(seconds), 3),
    htlcs_per_second: Math.round(median(rates)),
    htlcs_per_second_runs: rates.map((x) => Math.round(x)),
    settled_per_second: Math.round((median(rates) * settled) / (settled + failed)),
    // Over all repetitions.
    settled,
    failed,
    failures,
  });
}

async function main() {
  if (!mainnetGraphAvailable()) {
    process.stderr.write(`bench:simnet: cannot measure: the mainnet graph file is missing at ${mainnetGraphPath()}\n`);
    process.exit(1);
  }
  const mainnet = benchLoad();

  const small = new Sim({ seed: SEED, hopDelayMs: { min: 0, max: 0 } });
  buildSmall(small, SEED);
  const everyone = small.net.nodes.map((n) => n.index);
  // 15 nodes and 28 channels: small amounts and batches, or in-flight reservations exhaust the channels.
  await benchThroughput('small', small, everyone, { htlcs: 20_000, batch: 100, amtSat: [100, 2_000] });
  small.stop();
  // Payers and payees among the core around node 0, where every node can reach every other on enabled edges.
  await benchThroughput('mainnet', mainnet.sim, [...mainnet.core], {
    htlcs: 20_000,
    batch: 1_000,
    amtSat: [1_000, 100_000],
  });
  mainnet.sim.stop();
}

await main();
