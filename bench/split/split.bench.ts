/**
 * Split benchmark (issue 14), `npm run bench:split [-- --quick] [--payments N] [--sizes 10000,100000]
 * [--hard N] [--day N] [--seed N] [--balances uniform|bimodal] [--strategies braid,lnd,single]`.
 *
 * Time to pay, as a user waits for it: on simnet's `mainnet` topology (the 2026-02-03 graph, hidden balances drawn
 * by buildMainnet from the seed), every HTLC crosses each hop with 100–300 ms of latency each way (uniform jitter),
 * a failure comes back from the hop that failed, and a receiver holds an incomplete set for 120 s. All of it runs on
 * a virtual clock (virtual-time.ts), so hundreds of payments take CPU time only; the planner's real time is added to
 * that clock. Strategies (strategies.ts): braid (the shipped `pay` and PlannerService over the SimnetNode adapter),
 * lnd (simnet's SendPaymentV2 model), single (one route, one HTLC). Each pays the same pairs from the same network
 * state (balances restored, nothing in flight, mission control reset), with a fee limit of 1% and 60 s.
 *
 * Scenarios:
 *  - size: payments of 10k, 100k, 1M and 5M sat between random pairs of the enabled core whose max-flow (hidden
 *    balances, at most 16 HTLCs of each channel's htlc max) reaches the amount + 1%;
 *  - max_flow: pairs that can pay 1M sat, each paying 50%, 80% and 95% of its max-flow;
 *  - day: a wallet's day, `--day` payments in a row (default 200) from one sender with at least 1 BTC outbound to
 *    receivers drawn from the core, amounts log-uniform in 10k–1M sat, what Braid learned kept between them (one
 *    wallet, as the core keeps it) and LND's mission control likewise; the network state carries over from payment
 *    to payment. Failed HTLCs per payment of the first and last quarter (50 of 200).
 *
 * Output: one JSON line per (scenario, strategy): payments, delivered (within 60 s), paid (at all), time_s_p50/p90/max
 * of delivered payments, htlcs, failed_htlcs, fee_ppm (fees of delivered payments over their amount), planner_ms
 * p50/p95/max (per plan; braid's PlannerService, single's path finding; null for lnd, whose path finding is inside
 * its lifecycle and costs it no virtual time); then the goals, one line each with met true/false; then a
 * summary (pay_calls: calls into the shipped pay; braid_htlcs_sent: SendToRouteV2 calls of the braid wallets).
 * --quick: 10 payments at 10k/100k/1M sat, 4 max-flow pairs, a day of 40 payments.
 */
import { randomBytes } from 'node:crypto';
import { parseCommandLine } from '../../electron/core/command-line';
import { DEFAULT_FINAL_CLTV_DELTA } from '../../simnet/model/lnd';
import { Rng } from '../../simnet/model/rng';
import type { Sim } from '../../simnet/model/sim';
import { maxRssMb, median, percentile, print, round } from '../bench-util';
import {
  type BalanceGraph,
  type BalanceSnapshot,
  HOP_DELAY_MS,
  MPP_HOLD_MS,
  openMainnet,
  pickPairs,
  restoreState,
} from './network';
import { BraidWallet, calls, type Outcome, type PaymentRun, payLnd, paySingle, TIMEOUT_SECONDS } from './strategies';
import type { VirtualTime } from './virtual-time';

type Strategy = 'braid' | 'lnd' | 'single';
type Scenario = 'size' | 'max_flow' | 'day';

const STRATEGY_NAMES = ['braid', 'lnd', 'single'] as const satisfies readonly Strategy[];
const cli = parseCommandLine({
  name: 'npm run bench:split --',
  usage: `Braid's shipped payer against LND's splitter and a single route on the mainnet graph, on virtual time with
hop delays (full run about 5-15 minutes; --quick about 1 minute). One JSON line per scenario and strategy, then the goals.
  --quick                       10 payments per size, sizes 10k/100k/1M sat, 4 hard pairs, a day of 40
  --payments N                  payments per size (default 50)
  --sizes SAT,SAT,…             payment sizes in sat (default 10000,100000,1000000,5000000)
  --hard N                      pairs per fraction of max-flow (50/80/95%; default 25)
  --day N                       payments in the wallet's day (default 200)
  --seed N                      network seed (default 1)
  --balances uniform|bimodal    balance model (default uniform)
  --strategies NAME,NAME,…      only these of ${STRATEGY_NAMES.join(', ')}`,
  options: {
    quick: { type: 'boolean' },
    payments: { type: 'string' },
    sizes: { type: 'string' },
    hard: { type: 'string' },
    day: { type: 'string' },
    seed: { type: 'string' },
    balances: { type: 'string' },
    strategies: { type: 'string' },
  },
});
const quick = cli.values.quick === true;
const count = { min: 0, integer: true };
const PAYMENTS = cli.number('payments', count) ?? (quick ? 10 : 50);
const SIZES_SAT =
  cli.numbers('sizes', { min: 1, integer: true }) ??
  (quick ? [10_000, 100_000, 1_000_000] : [10_000, 100_000, 1_000_000, 5_000_000]);
const HARD_PAIRS = cli.number('hard', count) ?? (quick ? 4 : 25);
const FRACTIONS = [0.5, 0.8, 0.95];
const DAY = cli.number('day', count) ?? (quick ? 40 : 200);
const SEED = cli.number('seed', { min: 0, integer: true }) ?? 1;
const BALANCES = cli.choice('balances', ['uniform', 'bimodal'] as const) ?? 'uniform';
const STRATEGIES: Strategy[] = (cli.values.strategies?.split(',') ?? [...STRATEGY_NAMES]).map((name) =>
  (STRATEGY_NAMES as readonly string[]).includes(name)
    ? (name as Strategy)
    : cli.fail(`--strategies: unknown strategy ${name} (one of ${STRATEGY_NAMES.join(', ')})`),
);
/** Payments per strategy before measuring. */
const WARM_UP = 3;

interface Row {
  scenario: Scenario;
  key: string;
  strategy: Strategy;
  amountMsat: bigint;
  outcome: Outcome;
}

const rows: Row[] = [];

function invoiceFor(sim: Sim, receiver: number, amountMsat: bigint) {
  return sim.lnd(receiver).invoices.add({
    valueMsat: amountMsat,
    memo: 'bench',
    expiry: 3600,
    cltvExpiry: DEFAULT_FINAL_CLTV_DELTA,
    preimage: randomBytes(32),
    encode: () => '',
  });
}

async function payWith(strategy: Strategy, run: PaymentRun, wallet?: BraidWallet): Promise<Outcome> {
  if (strategy === 'lnd') return payLnd(run);
  if (strategy === 'single') return paySingle(run);
  if (wallet) return wallet.pay(run);
  const fresh = await BraidWallet.open(run.sim, run.sender, run.time);
  try {
    return await fresh.pay(run);
  } finally {
    braidHtlcsSent += fresh.node.sendToRouteCalls;
    await fresh.close();
  }
}

let braidHtlcsSent = 0;

/** Every strategy pays `amountMsat` from sender to receiver, each from the same network state. */
async function payAll(
  env: { sim: Sim; time: VirtualTime; snapshot: BalanceSnapshot },
  scenario: Scenario,
  key: string,
  sender: number,
  receiver: number,
  amountMsat: bigint,
): Promise<void> {
  const jitterSeed = SEED * 7_919 + sender * 31 + receiver + Number(amountMsat % 1_000_003n);
  for (const strategy of STRATEGIES) {
    restoreState(env.sim, env.snapshot, sender);
    // The same hop delays for every strategy, as far as they send alike.
    env.sim.net.rng.reseed(jitterSeed);
    const invoice = invoiceFor(env.sim, receiver, amountMsat);
    const outcome = await payWith(strategy, { sim: env.sim, time: env.time, sender, receiver, amountMsat, invoice });
    rows.push({ scenario, key, strategy, amountMsat, outcome });
  }
}

const delivered = (o: Outcome) => o.paid && o.timeMs <= TIMEOUT_SECONDS * 1000;

function stats(selected: Row[]) {
  const ok = selected.filter((r) => delivered(r.outcome));
  const times = ok.map((r) => r.outcome.timeMs / 1000);
  const planner = selected.flatMap((r) => r.outcome.plannerMs);
  const fees = ok.reduce((s, r) => s + r.outcome.feeMsat, 0n);
  const amount = ok.reduce((s, r) => s + r.amountMsat, 0n);
  const htlcs = selected.reduce((s, r) => s + r.outcome.htlcs, 0);
  return {
    payments: selected.length,
    delivered: ok.length,
    paid: selected.filter((r) => r.outcome.paid).length,
    time_s_p50: times.length ? round(median(times), 2) : null,
    time_s_p90: times.length ? round(percentile(times, 90), 2) : null,
    time_s_max: times.length ? round(Math.max(...times), 2) : null,
    htlcs,
    failed_htlcs: selected.reduce((s, r) => s + r.outcome.failedHtlcs, 0),
    fee_ppm: amount > 0n ? round(Number((fees * 1_000_000_000n) / amount) / 1000, 1) : null,
    planner_ms_p50: planner.length ? round(median(planner), 1) : null,
    planner_ms_p95: planner.length ? round(percentile(planner, 95), 1) : null,
    planner_ms_max: planner.length ? round(Math.max(...planner), 1) : null,
  };
}

type Line = ReturnType<typeof stats> & { scenario: Scenario; strategy: Strategy } & Record<string, unknown>;
const lines: Line[] = [];
const emit = (line: Line) => {
  lines.push(line);
  print(line);
};

async function main(): Promise<void> {
  const started = performance.now();
  const log = (what: string) => console.error(`${what} at ${round((performance.now() - started) / 1000, 1)} s`);
  const { sim, time, snapshot, graph, coreList } = openMainnet('bench:split', SEED, BALANCES);
  const env = { sim, time, snapshot };
  log('network built');

  // Warm-up, not counted: the JIT compiles the planner and the path finding as a long-running wallet has them.
  for (const { sender, receiver } of pickPairs(graph, coreList, 200_000_000n, WARM_UP, SEED * 7 + 1).pairs) {
    for (const strategy of STRATEGIES) {
      restoreState(sim, snapshot, sender);
      const amountMsat = 200_000_000n;
      const invoice = invoiceFor(sim, receiver, amountMsat);
      await payWith(strategy, { sim, time, sender, receiver, amountMsat, invoice });
    }
  }
  calls.pay = 0;
  braidHtlcsSent = 0;
  log('warmed up');

  for (const sizeSat of SIZES_SAT) {
    const amountMsat = BigInt(sizeSat) * 1000n;
    const pick = pickPairs(graph, coreList, amountMsat, PAYMENTS, SEED * 1_000_003 + sizeSat);
    for (const { sender, receiver } of pick.pairs) {
      await payAll(env, 'size', String(sizeSat), sender, receiver, amountMsat);
    }
    log(`size ${sizeSat} sat: ${pick.pairs.length} pairs (${pick.tried} drawn)`);
  }

  if (HARD_PAIRS > 0) {
    const pick = pickPairs(graph, coreList, 1_000_000_000n, HARD_PAIRS, SEED * 1_000_003 + 7);
    for (const { sender, receiver } of pick.pairs) {
      const cap = Math.min(graph.outbound(sender), graph.inbound(receiver));
      const maxFlow = graph.boundedMaxFlow(sender, receiver, cap, 50_000);
      if (maxFlow <= 0) continue;
      for (const fraction of FRACTIONS) {
        const amountMsat = BigInt(Math.floor((maxFlow * fraction) / 1000)) * 1000n;
        await payAll(env, 'max_flow', String(fraction), sender, receiver, amountMsat);
      }
    }
    log(`max-flow: ${pick.pairs.length} pairs`);
  }

  if (DAY > 0) await walletDay(env, graph, coreList, log);

  for (const sizeSat of SIZES_SAT) {
    for (const strategy of STRATEGIES) {
      const selected = rows.filter(
        (r) => r.scenario === 'size' && r.key === String(sizeSat) && r.strategy === strategy,
      );
      emit({ scenario: 'size', size_sat: sizeSat, strategy, ...stats(selected) });
    }
  }
  for (const fraction of FRACTIONS) {
    for (const strategy of STRATEGIES) {
      const selected = rows.filter(
        (r) => r.scenario === 'max_flow' && r.key === String(fraction) && r.strategy === strategy,
      );
      if (selected.length === 0) continue;
      const sizes = selected.map((r) => Number(r.amountMsat / 1000n));
      emit({
        scenario: 'max_flow',
        fraction_of_max_flow: fraction,
        size_sat_p50: median(sizes),
        strategy,
        ...stats(selected),
      });
    }
  }
  for (const strategy of STRATEGIES) {
    const selected = rows.filter((r) => r.scenario === 'day' && r.strategy === strategy);
    if (selected.length === 0) continue;
    const quarter = Math.max(1, Math.min(50, Math.floor(selected.length / 4)));
    const failedPer = (part: Row[]) => round(part.reduce((s, r) => s + r.outcome.failedHtlcs, 0) / part.length, 2);
    emit({
      scenario: 'day',
      strategy,
      ...stats(selected),
      window: quarter,
      failed_htlcs_per_payment_first: failedPer(selected.slice(0, quarter)),
      failed_htlcs_per_payment_last: failedPer(selected.slice(-quarter)),
    });
  }
  for (const goal of goals()) print(goal);
  print({
    bench: 'split',
    summary: true,
    quick,
    seed: SEED,
    balances: BALANCES,
    hop_delay_ms: HOP_DELAY_MS,
    mpp_hold_ms: MPP_HOLD_MS,
    pay_calls: calls.pay,
    braid_payments: rows.filter((r) => r.strategy === 'braid').length,
    braid_htlcs: rows.filter((r) => r.strategy === 'braid').reduce((s, r) => s + r.outcome.htlcs, 0),
    braid_htlcs_sent: braidHtlcsSent,
    virtual_s: round((time.now() - startedVirtual) / 1000, 1),
    total_s: round((performance.now() - started) / 1000, 1),
    max_rss_mb: maxRssMb(),
  });
  sim.stop();
}

const startedVirtual = Date.now();

/** A wallet's day: one sender, payments in a row, each strategy from the same start, knowledge kept between them. */
async function walletDay(
  env: { sim: Sim; time: VirtualTime; snapshot: BalanceSnapshot },
  graph: BalanceGraph,
  coreList: number[],
  log: (what: string) => void,
): Promise<void> {
  const rng = new Rng(SEED * 31 + 5);
  const rich = coreList.filter((n) => graph.outbound(n) >= 100_000_000_000);
  const sender = rng.pick(rich);
  const payments: { receiver: number; amountMsat: bigint }[] = [];
  for (let tries = 0; payments.length < DAY && tries < DAY * 200; tries++) {
    const receiver = rng.pick(coreList);
    const amountSat = Math.floor(10_000 * 100 ** rng.next());
    const amountMsat = BigInt(amountSat) * 1000n;
    if (receiver === sender || graph.inbound(receiver) < amountSat * 1010) continue;
    if (graph.boundedMaxFlow(sender, receiver, amountSat * 1010) < amountSat * 1010) continue;
    payments.push({ receiver, amountMsat });
  }
  for (const strategy of STRATEGIES) {
    restoreState(env.sim, env.snapshot, sender);
    env.sim.net.rng.reseed(SEED * 7_919 + sender);
    const wallet = strategy === 'braid' ? await BraidWallet.open(env.sim, sender, env.time) : undefined;
    for (const { receiver, amountMsat } of payments) {
      const invoice = invoiceFor(env.sim, receiver, amountMsat);
      const run = { sim: env.sim, time: env.time, sender, receiver, amountMsat, invoice };
      const outcome = await payWith(strategy, run, wallet);
      rows.push({ scenario: 'day', key: 'day', strategy, amountMsat, outcome });
    }
    if (wallet) {
      braidHtlcsSent += wallet.node.sendToRouteCalls;
      await wallet.close();
    }
    log(`day (${strategy}): ${payments.length} payments from node ${sender}`);
  }
  restoreState(env.sim, env.snapshot, sender);
}

/** The goals, each met or not on this run. */
function goals(): object[] {
  const find = (scenario: Scenario, strategy: Strategy, match: (l: Line) => boolean) =>
    lines.find((l) => l.scenario === scenario && l.strategy === strategy && match(l));
  const out: object[] = [];
  const goal = (name: string, met: boolean | null, values: Record<string, unknown>) =>
    out.push({ goal: name, met, ...values });
  const ratio = (a: number | null | undefined, b: number | null | undefined) =>
    a == null || b == null || b === 0 ? null : round(a / b, 2);
  const bySize = (size: number) => (l: Line) => l.size_sat === size;
  const byFraction = (f: number) => (l: Line) => l.fraction_of_max_flow === f;
  for (const [label, scenario, match] of [
    ['1M sat', 'size', bySize(1_000_000)],
    ['5M sat', 'size', bySize(5_000_000)],
    ['80% of max-flow', 'max_flow', byFraction(0.8)],
  ] as const) {
    const b = find(scenario, 'braid', match);
    const l = find(scenario, 'lnd', match);
    if (!b || !l) continue;
    const r = ratio(b.time_s_p90, l.time_s_p90);
    goal(`time to pay p90 at ${label}: braid at most half of lnd's`, r === null ? null : r <= 0.5, {
      braid: b.time_s_p90,
      lnd: l.time_s_p90,
      ratio: r,
    });
  }
  for (const f of [0.8, 0.95]) {
    const b = find('max_flow', 'braid', byFraction(f));
    const l = find('max_flow', 'lnd', byFraction(f));
    if (!b || !l) continue;
    goal(
      `delivered within 60 s at ${f * 100}% of max-flow: braid at least 1.2x lnd's`,
      b.delivered >= 1.2 * l.delivered,
      {
        braid: b.delivered,
        lnd: l.delivered,
      },
    );
  }
  for (const size of SIZES_SAT) {
    const b = find('size', 'braid', bySize(size));
    const l = find('size', 'lnd', bySize(size));
    if (!b || !l) continue;
    goal(`HTLCs at ${size} sat: braid at most half of lnd's`, b.htlcs <= 0.5 * l.htlcs, {
      braid: b.htlcs,
      lnd: l.htlcs,
    });
    goal(
      `fees at ${size} sat: braid no higher than lnd`,
      b.fee_ppm === null || l.fee_ppm === null ? null : b.fee_ppm <= l.fee_ppm,
      { braid: b.fee_ppm, lnd: l.fee_ppm },
    );
  }
  const bd = find('day', 'braid', () => true);
  const ld = find('day', 'lnd', () => true);
  if (bd) {
    const first = bd.failed_htlcs_per_payment_first as number;
    const last = bd.failed_htlcs_per_payment_last as number;
    goal(
      `a wallet's day: braid's failed HTLCs per payment, last ${bd.window} at most half of the first`,
      last <= first / 2,
      {
        first,
        last,
      },
    );
    if (ld) {
      const lndLast = ld.failed_htlcs_per_payment_last as number;
      goal(`a wallet's day: braid's failed HTLCs per payment in the last ${bd.window} below lnd's`, last < lndLast, {
        braid: last,
        lnd: lndLast,
      });
    }
  }
  const braidLines = lines.filter((l) => l.strategy === 'braid');
  const p95 = Math.max(...braidLines.map((l) => l.planner_ms_p95 ?? 0));
  const p50 = Math.max(...braidLines.map((l) => l.planner_ms_p50 ?? 0));
  goal('planner p95 at most 150 ms everywhere', p95 <= 150, { worst_p95_ms: p95 });
  goal('planner median at most 30 ms everywhere', p50 <= 30, { worst_p50_ms: p50 });
  return out;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
