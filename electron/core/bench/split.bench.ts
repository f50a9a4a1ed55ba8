/**
 * Split benchmark (issue 6), `npm run bench:split [-- --quick] [--payments N] [--seeds 1,2] [--sizes 10000,100000]
 * [--balances uniform,bimodal] [--mcf-model uniform|bimodal]`.
 *
 * On simnet's `mainnet` topology (the 2026-02-03 graph, balances drawn by buildMainnet from a fixed seed, uniform
 * and bimodal), for payments of 10k, 100k, 1M and 5M sat between random pairs that can pay, runs four strategies on
 * the same network state, pairs and seeds, all in-process at the model level (no gRPC, hop delay 0, MPP hold 120 s as LND):
 *  - "lnd": simnet's SendPaymentV2 model (LND's own splitter), max 16 parts;
 *  - "single": the cheapest route of LND's path finding only, one HTLC, no retry;
 *  - "braid": Braid's payer loop with the min-cost-flow planner of shared/planner/mcf/ ("planner": "mcf-uniform", or
 *    "mcf-bimodal" with `--mcf-model bimodal`; split-mcf.ts): a fresh uncertainty network per payment, learning
 *    within the payment's rounds only;
 *  - "braid-simple": the same loop with the simple planner ("planner": "simple", the core's former planner at the
 *    model level).
 * Every strategy has a fee limit of 1% of the amount and 60 s. Before each run the balances are put back from a
 * snapshot, nothing is in flight and the sender's mission control is reset, so each payment starts from the same
 * state for each strategy (payments are independent of each other).
 *
 * Pairs: sender and receiver drawn uniformly from the strongly connected enabled core (enabledCore), kept when the
 * sender's outbound and the receiver's inbound each reach the amount + 1% and a bounded max-flow (Edmonds–Karp on
 * the hidden balances of enabled directions, stopped at amount + 1%) reaches it too. A new pair set per size.
 *
 * Output: one JSON line per (size, strategy) with the issue's fields (plus seeds/balances/planner and the pairs'
 * draw), aggregated over all seeds and balance models; then one line per (balances, size, strategy) with the same
 * fields ("scope": "balances"), and a final summary line. Rounds are per delivered payment (see split-strategies.ts
 * for what a round is for each strategy); htlcs counts every payment's HTLCs; fee_ppm is the fees of delivered
 * payments over their amount; planner_ms is per round.
 * Half max-flow (`--half-max-flow N`, default 20, 5 with --quick): per seed and balance model, N pairs that can pay
 * 1M sat each pay half of their full max-flow (hidden balances); one line per strategy, "scope": "half_max_flow".
 * --quick: 10 payments, sizes 10k/100k/1M, seed 1, both balance models. `--strategies braid,lnd` runs only those.
 */
import { randomBytes } from 'node:crypto';
import type { ProbabilityModel } from '../../../shared/planner/mcf/uncertainty';
import { Sim } from '../../../simnet/model/sim';
import { buildMainnet, mainnetGraphAvailable, mainnetGraphPath } from '../../../simnet/topology/mainnet';
import { parseCommandLine } from '../command-line';
import { maxRssMb, median, percentile, print, round } from './bench-util';
import { mcfSession } from './split-mcf';
import { BalanceGraph, type BalanceSnapshot, pickPairs, restoreState, snapshotBalances } from './split-network';
import {
  braidStrategy,
  lndStrategy,
  type SplitOutcome,
  type SplitStrategy,
  simplePlanner,
  singleStrategy,
} from './split-strategies';

type Balances = 'uniform' | 'bimodal';
type StrategyName = 'braid' | 'braid-simple' | 'lnd' | 'single';

const STRATEGY_NAMES = ['braid', 'braid-simple', 'lnd', 'single'] as const satisfies readonly StrategyName[];
const cli = parseCommandLine({
  name: 'npm run bench:split --',
  usage: `Braid's splitter against LND's and a single route on the mainnet graph (about 5 minutes; --quick: less).
One JSON line per size and strategy, then per balance model, then a summary.
  --quick                       10 payments, sizes 10k/100k/1M sat, seed 1
  --payments N                  payments per size (default 50, 10 with --quick)
  --sizes SAT,SAT,…             payment sizes in sat (default 10000,100000,1000000,5000000)
  --seeds N,N,…                 network seeds (default 1)
  --balances uniform,bimodal    balance models (default both)
  --half-max-flow N             pairs paying half their max-flow (default 20, 5 with --quick; 0 skips)
  --mcf-model uniform|bimodal   the planner's probability model (default uniform)
  --strategies NAME,NAME,…      only these of ${STRATEGY_NAMES.join(', ')}`,
  options: {
    quick: { type: 'boolean' },
    payments: { type: 'string' },
    sizes: { type: 'string' },
    seeds: { type: 'string' },
    balances: { type: 'string' },
    'half-max-flow': { type: 'string' },
    'mcf-model': { type: 'string' },
    strategies: { type: 'string' },
  },
});
/** A comma-separated list whose every item is one of `allowed`. */
function names<T extends string>(flag: 'balances' | 'strategies', allowed: readonly T[]): T[] | undefined {
  const text = cli.values[flag];
  if (text === undefined) return undefined;
  const items = text.split(',');
  const bad = items.find((item) => !(allowed as readonly string[]).includes(item));
  if (bad !== undefined) cli.fail(`--${flag}: "${bad}" is not one of ${allowed.join(', ')}`);
  return items as T[];
}

const quick = cli.values.quick ?? false;
const PAYMENTS = cli.number('payments', { min: 1, integer: true }) ?? (quick ? 10 : 50);
const SIZES_SAT =
  cli.numbers('sizes', { min: 1, integer: true }) ??
  (quick ? [10_000, 100_000, 1_000_000] : [10_000, 100_000, 1_000_000, 5_000_000]);
/** One seed by default keeps a full run near 4 minutes here; `--seeds 1,2` doubles it. */
const SEEDS = cli.numbers('seeds', { min: 0, integer: true }) ?? [1];
/** Pairs per seed and balance model that pay half their max-flow (`--half-max-flow 0` skips them). */
const HALF_PAYMENTS = cli.number('half-max-flow', { min: 0, integer: true }) ?? (quick ? 5 : 20);
const BALANCES: Balances[] = names('balances', ['uniform', 'bimodal'] as const) ?? ['uniform', 'bimodal'];
const FEE_LIMIT_PPM = 10_000n;
const TIMEOUT_SECONDS = 60;
/** LND's hold time: with no hop delay, a slow planner must not lose held parts to a shortened timer. A run that gives
 * up releases what the receiver holds at once, so the long timer costs the benchmark no time. */
const MPP_TIMEOUT_MS = 120_000;
const FINAL_CLTV_DELTA = 80;

/** The strategies, in the order they run on each pair. */
const MCF_MODEL: ProbabilityModel = cli.choice('mcf-model', ['uniform', 'bimodal'] as const) ?? 'uniform';
const ALL_STRATEGIES: { name: StrategyName; planner?: string; run: SplitStrategy }[] = [
  {
    name: 'braid',
    planner: `mcf-${MCF_MODEL}`,
    run: braidStrategy({ session: (ctx) => mcfSession(ctx, { model: MCF_MODEL }) }),
  },
  { name: 'braid-simple', planner: 'simple', run: braidStrategy({ planner: simplePlanner }) },
  { name: 'lnd', run: lndStrategy },
  { name: 'single', run: singleStrategy },
];
/** `--strategies braid,lnd` runs only those. */
const chosen = names('strategies', STRATEGY_NAMES);
const STRATEGIES = ALL_STRATEGIES.filter((s) => chosen?.includes(s.name) ?? true);

interface Row {
  balances: Balances;
  /** The payment size, or 0 for the half-max-flow payments (their amounts vary by pair). */
  sizeSat: number;
  amountMsat: bigint;
  strategy: StrategyName;
  outcome: SplitOutcome;
}

function stats(rows: Row[]) {
  const deliveredRows = rows.filter((r) => r.outcome.delivered);
  const rounds = deliveredRows.map((r) => r.outcome.rounds);
  const planner = rows.flatMap((r) => r.outcome.plannerMs);
  const fees = deliveredRows.reduce((s, r) => s + r.outcome.feeMsat, 0n);
  const amount = deliveredRows.reduce((s, r) => s + r.amountMsat, 0n);
  return {
    payments: rows.length,
    delivered: deliveredRows.length,
    success_rate: rows.length ? round(deliveredRows.length / rows.length, 3) : 0,
    rounds_median: rounds.length ? median(rounds) : null,
    rounds_p90: rounds.length ? percentile(rounds, 90) : null,
    htlcs: rows.reduce((s, r) => s + r.outcome.htlcs, 0),
    fee_ppm: amount > 0n ? round(Number((fees * 1_000_000_000n) / amount) / 1000, 1) : null,
    planner_ms_median: planner.length ? round(median(planner), 3) : null,
    planner_ms_p95: planner.length ? round(percentile(planner, 95), 3) : null,
  };
}

/** Every strategy, one after the other from the same network state, paying `amountMsat` from sender to receiver. */
async function runAll(run: {
  sim: Sim;
  snapshot: BalanceSnapshot;
  sender: number;
  receiver: number;
  amountMsat: bigint;
  balances: Balances;
  sizeSat: number;
}): Promise<Row[]> {
  const { sim, sender, receiver, amountMsat } = run;
  const rows: Row[] = [];
  for (const strategy of STRATEGIES) {
    restoreState(sim, run.snapshot, sender);
    const invoice = sim.lnd(receiver).invoices.add({
      valueMsat: amountMsat,
      memo: 'bench',
      expiry: 3600,
      cltvExpiry: FINAL_CLTV_DELTA,
      preimage: randomBytes(32),
      encode: () => '',
    });
    const outcome = await strategy.run({
      sim,
      sender,
      receiver,
      amountMsat,
      invoice,
      feeLimitMsat: (amountMsat * FEE_LIMIT_PPM) / 1_000_000n,
      timeoutSeconds: TIMEOUT_SECONDS,
    });
    rows.push({ balances: run.balances, sizeSat: run.sizeSat, amountMsat, strategy: strategy.name, outcome });
  }
  return rows;
}

async function main(): Promise<void> {
  if (!mainnetGraphAvailable()) {
    process.stderr.write(`bench:split: cannot measure: the mainnet graph file is missing at ${mainnetGraphPath()}\n`);
    process.exit(1);
  }
  const started = performance.now();
  const rows: Row[] = [];
  const draws: Record<string, { pairs: number; tried: number; max_flow_ms: number }> = {};

  for (const seed of SEEDS) {
    for (const balances of BALANCES) {
      const t = performance.now();
      const sim = new Sim({ seed, hopDelayMs: { min: 0, max: 0 }, mppTimeoutMs: MPP_TIMEOUT_MS, blockIntervalMs: 0 });
      const { core } = buildMainnet(sim, { seed, balances });
      const buildMs = performance.now() - t;
      const snapshot = snapshotBalances(sim.net);
      const graph = new BalanceGraph(sim.net);
      const coreList = [...core].sort((a, b) => a - b);
      for (const sizeSat of SIZES_SAT) {
        const amountMsat = BigInt(sizeSat) * 1000n;
        const pick = pickPairs(graph, coreList, amountMsat, PAYMENTS, seed * 1_000_003 + sizeSat);
        const key = `${seed}/${balances}/${sizeSat}`;
        draws[key] = { pairs: pick.pairs.length, tried: pick.tried, max_flow_ms: round(pick.maxFlowMs, 1) };
        for (const { sender, receiver } of pick.pairs) {
          rows.push(...(await runAll({ sim, snapshot, sender, receiver, amountMsat, balances, sizeSat })));
        }
        restoreState(sim, snapshot, coreList[0] as number);
        console.error(
          `seed ${seed} ${balances} ${sizeSat} sat: ${pick.pairs.length} pairs (${pick.tried} drawn), ` +
            `build ${round(buildMs / 1000, 1)} s, at ${round((performance.now() - started) / 1000, 1)} s`,
        );
      }
      // Payments of half the pair's max-flow: pairs that can pay 1M sat, each paying half of its full max-flow.
      if (HALF_PAYMENTS > 0) {
        const pick = pickPairs(graph, coreList, 1_000_000_000n, HALF_PAYMENTS, seed * 1_000_003 + 7);
        for (const { sender, receiver } of pick.pairs) {
          const cap = Math.min(graph.outbound(sender), graph.inbound(receiver));
          const maxFlow = graph.boundedMaxFlow(sender, receiver, cap, 50_000);
          if (maxFlow <= 0) continue;
          const amountMsat = BigInt(Math.floor(maxFlow / 2_000)) * 1000n;
          rows.push(...(await runAll({ sim, snapshot, sender, receiver, amountMsat, balances, sizeSat: 0 })));
        }
        restoreState(sim, snapshot, coreList[0] as number);
        console.error(`seed ${seed} ${balances} half max-flow: ${pick.pairs.length} pairs`);
      }
      sim.stop();
    }
  }

  const planners = Object.fromEntries(STRATEGIES.map((s) => [s.name, s.planner]));
  for (const sizeSat of SIZES_SAT) {
    for (const { name } of STRATEGIES) {
      const selected = rows.filter((r) => r.sizeSat === sizeSat && r.strategy === name);
      print({
        size_sat: sizeSat,
        strategy: name,
        ...stats(selected),
        ...(planners[name] ? { planner: planners[name] } : {}),
        seeds: SEEDS,
        balances: BALANCES,
      });
    }
  }
  for (const { name } of STRATEGIES) {
    const selected = rows.filter((r) => r.sizeSat === 0 && r.strategy === name);
    if (selected.length === 0) continue;
    const sizes = selected.map((r) => Number(r.amountMsat / 1000n));
    print({
      scope: 'half_max_flow',
      size_sat_median: median(sizes),
      strategy: name,
      ...stats(selected),
      seeds: SEEDS,
      balances: BALANCES,
    });
  }
  for (const balances of BALANCES) {
    for (const sizeSat of SIZES_SAT) {
      for (const { name } of STRATEGIES) {
        const selected = rows.filter((r) => r.balances === balances && r.sizeSat === sizeSat && r.strategy === name);
        print({ scope: 'balances', balances, size_sat: sizeSat, strategy: name, ...stats(selected) });
      }
    }
  }
  print({
    bench: 'split',
    summary: true,
    quick,
    payments_per_size: PAYMENTS,
    sizes_sat: SIZES_SAT,
    seeds: SEEDS,
    balances: BALANCES,
    strategies: STRATEGIES.map((s) => (s.planner ? `${s.name}-${s.planner}` : s.name)),
    pair_draws: draws,
    fee_limit_ppm: Number(FEE_LIMIT_PPM),
    mpp_timeout_ms: MPP_TIMEOUT_MS,
    total_s: round((performance.now() - started) / 1000, 1),
    max_rss_mb: maxRssMb(),
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
