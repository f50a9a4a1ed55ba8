/**
 * Rebalance and probe benchmark (issue 16), `npm run bench:rebalance [-- --quick] [--seeds 1,2]`.
 *
 * REAL TIME on simnet's SMALL topology (the virtual-time node adapter of bench:split is on another branch, not on
 * main yet): the whole stack in this process, simnet over gRPC+TLS with hop delays of 10–40 ms, a fresh core (fresh
 * ledger, nothing learned) for every run, and the network's balances and LND's mission control put back before each
 * run, so every strategy starts from the same state.
 *
 * Rebalance: alice gets three channels with 5% on her side (to carol, dave and iris: simnet/topology/rebalance.ts
 * and extraTargets below); pairs are every source above 80% local (atlas, cobalt) with every such target. Each pair
 * moves 25%, 50% and 90% of what the target can take (its peer's side less 1%, capped by what the source can send),
 * with a fee limit of 2000 ppm and 30 s (retry_for; a shorter run of a loaded machine than the 60 s):
 *  - "braid": the `rebalance` command (multi-part circular flow, max 8 parts);
 *  - "single": a single-path rebalancer as rebalance-lnd and `bos rebalance` do: LND's QueryRoutes to ourselves out
 *    over the source and back from the target's peer, cheapest route first, the whole amount in one HTLC; after a
 *    failure the failing channel direction is ignored and the next route tried, up to 20 routes.
 * Per (size, strategy): runs, delivered share of runs, amount moved (sum and per run as a share of the amount asked),
 * fee ppm (fees of successful runs over what they moved), time (median, p90, ms), HTLCs per run (median, p90).
 *
 * Probe: payments to bob of 500k, 800k and 1M sat with `pay` (auto, max 8 parts) on a fresh core, once as they are
 * and once after a `probe` of splitpay's plan (the planner learns from it): failed HTLCs of the payment (median, sum)
 * for each, the probe's own failed HTLCs apart (they cost nothing).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile as nearestRank, round } from '../electron/core/bench/bench-util';
import { parseCommandLine } from '../electron/core/command-line';
import { Core } from '../electron/core/core';
import { Ledger } from '../electron/core/ledger/ledger';
import { LndNode } from '../electron/core/node/lnd';
import type { RebalanceResult } from '../shared/api/rebalance';
import type { SplitPayResult } from '../shared/api/results';
import { formatScid } from '../shared/scid';
import type { PartialPayment, Payment } from '../shared/types';
import { shortChannelId } from '../simnet/model/network';
import type { Sim } from '../simnet/model/sim';
import { Simnet } from '../simnet/simnet';
import { addRebalanceChannels } from '../simnet/topology/rebalance';
import { fundingOutpoint } from '../simnet/topology/small';

const cli = parseCommandLine({
  name: 'npm run bench:rebalance --',
  usage: `Braid's multi-part rebalance against a single-path rebalancer (cheapest route first, up to 20 routes), and
payments after a probe against the same without one, on simnet's small topology. One JSON line per row.
  --quick          one seed
  --seeds N,N,…    network seeds (default 1,2)`,
  options: { quick: { type: 'boolean' }, seeds: { type: 'string' } },
});
const quick = cli.values.quick === true;
const SEEDS = cli.numbers('seeds', { min: 0, integer: true }) ?? (quick ? [1] : [1, 2]);
const SHARES = [0.25, 0.5, 0.9];
const FEE_PPM = 2000;
const MAX_ROUTES = 20;
const RETRY_FOR = 30;
const PROBE_SIZES_SAT = [500_000n, 800_000n, 1_000_000n];

const print = (line: object) => console.log(JSON.stringify(line, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
const percentile = (xs: number[], p: number) => (xs.length === 0 ? 0 : nearestRank(xs, p));
const median = (xs: number[]) => percentile(xs, 50);

/** Two more nearly empty channels of alice's, to dave and iris, as addRebalanceChannels opens carol's. */
function extraTargets(sim: Sim, seed: number): void {
  const { net } = sim;
  const alice = net.nodeByAlias('alice')?.index as number;
  const now = Math.floor(Date.now() / 1000);
  for (const [i, alias, capacity] of [
    [3, 'dave', 800_000],
    [4, 'iris', 700_000],
  ] as const) {
    const id = shortChannelId(900_000, i, 0);
    const cap = BigInt(capacity) * 1000n;
    const policy = () => ({
      disabled: false,
      htlcMinMsat: 1000n,
      htlcMaxMsat: (cap * 99n) / 100n,
      baseFeeMsat: 1000n,
      feePpm: 100n,
      cltvDelta: 40,
      lastUpdate: now,
    });
    net.addChannel({
      id,
      node1: alice,
      node2: net.nodeByAlias(alias)?.index as number,
      capacitySat: BigInt(capacity),
      balance: [cap / 20n, cap - cap / 20n],
      policy: [policy(), policy()],
      chanPoint: fundingOutpoint(seed, id),
    });
  }
}

interface NetState {
  balances: [bigint, bigint][];
}
const snapshot = (sim: Sim): NetState => ({ balances: sim.net.channels.map((c) => [c.balance[0], c.balance[1]]) });
function restore(sim: Sim, state: NetState): void {
  sim.net.channels.forEach((c, i) => {
    const b = state.balances[i] as [bigint, bigint];
    c.balance[0] = b[0];
    c.balance[1] = b[1];
    c.inFlight[0] = 0n;
    c.inFlight[1] = 0n;
  });
  sim.lndByAlias('alice').mission.reset();
}

/** A fresh core on alice (nothing learned), for one run. */
async function freshCore(simnet: Simnet): Promise<{ core: Core; node: LndNode; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'braid-bench-rebalance-'));
  const node = new LndNode({ kind: 'lndconnect', uri: simnet.nodes.alice.lndconnect }, { simulated: true });
  const core = await Core.start({ node, ledger: Ledger.open(dataDir), dataDir, simulated: true });
  return {
    core,
    node,
    stop: async () => {
      // Parts still out (a run that gave up) resolve first: their answers are written to the ledger.
      for (let i = 0; i < 600; i++) {
        const { partialpayments } = (await core.call('listpartialpayments', {})) as {
          partialpayments: PartialPayment[];
        };
        if (!partialpayments.some((p) => p.status === 'pending')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await core.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface Outcome {
  moved: bigint;
  fee: bigint;
  ms: number;
  htlcs: number;
  ok: boolean;
}

async function braidRun(core: Core, source: string, target: string, amount: bigint): Promise<Outcome> {
  const t0 = performance.now();
  try {
    const r = (await core.call('rebalance', {
      msatoshi: amount,
      sources: [source],
      targets: [target],
      maxfeeppm: FEE_PPM,
      max_parts: 8,
      retry_for: RETRY_FOR,
    })) as RebalanceResult;
    const parts = (await core.call('listpartialpayments', { payment_hash: r.payment_hash })) as {
      partialpayments: PartialPayment[];
    };
    return {
      moved: amount,
      fee: r.fee_msatoshi,
      ms: performance.now() - t0,
      htlcs: parts.partialpayments.length,
      ok: true,
    };
  } catch (error) {
    const data = (error as { data?: { payment_hash?: string } }).data;
    let htlcs = 0;
    let moved = 0n;
    if (data?.payment_hash) {
      const parts = (await core.call('listpartialpayments', { payment_hash: data.payment_hash })) as {
        partialpayments: PartialPayment[];
      };
      htlcs = parts.partialpayments.length;
      moved = 0n; // the invoice was cancelled: parts held by our node failed back.
    }
    return { moved, fee: 0n, ms: performance.now() - t0, htlcs, ok: false };
  }
}

/** rebalance-lnd's loop: cheapest route first, the whole amount in one HTLC, the failing hop ignored next time. */
async function singleRun(node: LndNode, ownId: string, source: bigint, peer: string, amount: bigint): Promise<Outcome> {
  const t0 = performance.now();
  const invoice = await node.addInvoice(amount, 'single-path rebalance', 3600, 80);
  const ignored: { from: string; to: string }[] = [];
  let htlcs = 0;
  const feeLimit = (amount * BigInt(FEE_PPM)) / 1_000_000n;
  for (let attempt = 0; attempt < MAX_ROUTES; attempt++) {
    let route: Awaited<ReturnType<LndNode['queryRoutes']>>['route'];
    try {
      ({ route } = await node.queryRoutes({
        destination: ownId,
        amt_msat: amount,
        final_cltv_delta: 83,
        fee_limit_msat: feeLimit,
        outgoing_chan_ids: [source],
        last_hop_pubkey: peer,
        ignored_pairs: ignored,
      }));
    } catch {
      break;
    }
    const last = route.hops.at(-1);
    if (last) last.mpp_record = { payment_addr: invoice.payment_secret, total_amt_msat: amount };
    htlcs += 1;
    const result = await node.sendToRoute(invoice.payment_hash, route, false).catch(() => undefined);
    if (result?.status === 'SUCCEEDED') {
      return { moved: amount, fee: route.total_fees_msat, ms: performance.now() - t0, htlcs, ok: true };
    }
    const k = result?.failure?.failure_source_index;
    if (k === undefined || k >= route.hops.length) break;
    const from = k === 0 ? ownId : (route.hops[k - 1]?.pub_key as string);
    ignored.push({ from, to: route.hops[k]?.pub_key as string });
  }
  await node.cancelInvoice(invoice.payment_hash).catch(() => {});
  return { moved: 0n, fee: 0n, ms: performance.now() - t0, htlcs, ok: false };
}

function aggregate(scope: object, runs: (Outcome & { amount: bigint })[]): object {
  const ok = runs.filter((r) => r.ok);
  const moved = runs.reduce((s, r) => s + r.moved, 0n);
  const fee = ok.reduce((s, r) => s + r.fee, 0n);
  const okMoved = ok.reduce((s, r) => s + r.moved, 0n);
  return {
    ...scope,
    runs: runs.length,
    completed_share: round(ok.length / Math.max(1, runs.length), 3),
    moved_sat: Number(moved / 1000n),
    moved_share_median: round(median(runs.map((r) => Number(r.moved) / Number(r.amount))), 3),
    fee_ppm: okMoved > 0n ? Number((fee * 1_000_000n) / okMoved) : null,
    time_median_ms: round(median(runs.map((r) => r.ms)), 0),
    time_p90_ms: round(
      percentile(
        runs.map((r) => r.ms),
        90,
      ),
      0,
    ),
    htlcs_median: median(runs.map((r) => r.htlcs)),
    htlcs_p90: percentile(
      runs.map((r) => r.htlcs),
      90,
    ),
    htlcs_total: runs.reduce((s, r) => s + r.htlcs, 0),
  };
}

async function main(): Promise<void> {
  const results: Record<string, (Outcome & { amount: bigint })[]> = {};
  const probeRuns: { size: bigint; withProbe: boolean; failed: number; probeFailed: number; ok: boolean }[] = [];
  for (const seed of SEEDS) {
    const simnet = await Simnet.start({
      seed,
      hopDelayMs: { min: 10, max: 40 },
      blockIntervalMs: 0,
      mppTimeoutMs: 60_000,
    });
    try {
      const sim = simnet.sim;
      addRebalanceChannels(sim, seed);
      extraTargets(sim, seed);
      const state = snapshot(sim);
      const aliceIndex = sim.net.nodeByAlias('alice')?.index as number;
      const ownId = simnet.nodes.alice.pubkey;
      const own = sim.net.channels.filter((c) => c.node1 === aliceIndex || c.node2 === aliceIndex);
      const side = (c: (typeof own)[number]) => (c.node1 === aliceIndex ? 0 : 1);
      const share = (c: (typeof own)[number]) => Number(c.balance[side(c)]) / Number(c.capacitySat * 1000n);
      const peerOf = (c: (typeof own)[number]) => sim.net.node(c.node1 === aliceIndex ? c.node2 : c.node1);
      // 80% give or take the small topology's 2% jitter of balances.
      const sources = own.filter((c) => share(c) > 0.78);
      const targets = own.filter((c) => share(c) < 0.2 && peerOf(c).alias !== 'zed');
      for (const s of sources) {
        for (const t of targets) {
          const canSend = (s.balance[side(s)] * 99n) / 100n;
          const canTake = (t.balance[side(t) === 0 ? 1 : 0] * 99n) / 100n;
          const room = canSend < canTake ? canSend : canTake;
          for (const fraction of SHARES) {
            const amount = ((room * BigInt(Math.round(fraction * 1000))) / 1000n / 1000n) * 1000n;
            for (const strategy of ['braid', 'single'] as const) {
              restore(sim, state);
              const run = await freshCore(simnet);
              try {
                const outcome =
                  strategy === 'braid'
                    ? await braidRun(run.core, formatScid(s.id), formatScid(t.id), amount)
                    : await singleRun(run.node, ownId, s.id, peerOf(t).pubkey, amount);
                const key = `${fraction}|${strategy}`;
                const list = results[key] ?? [];
                list.push({ ...outcome, amount });
                results[key] = list;
                print({
                  scope: 'run',
                  seed,
                  source: peerOf(s).alias,
                  target: peerOf(t).alias,
                  share: fraction,
                  strategy,
                  amount_sat: Number(amount / 1000n),
                  ok: outcome.ok,
                  fee_msat: outcome.fee,
                  htlcs: outcome.htlcs,
                  ms: round(outcome.ms, 0),
                });
              } finally {
                await run.stop();
              }
            }
          }
        }
      }
      // Probe: the same payments to bob with and without a probe first.
      const bob = new LndNode({ kind: 'lndconnect', uri: simnet.nodes.bob.lndconnect }, { simulated: true });
      await bob.connect();
      try {
        for (const sat of quick ? PROBE_SIZES_SAT.slice(0, 2) : PROBE_SIZES_SAT) {
          for (const withProbe of [false, true]) {
            restore(sim, state);
            const run = await freshCore(simnet);
            try {
              const { bolt11, payment_hash } = await bob.addInvoice(sat * 1000n, 'probe bench');
              let probeFailed = 0;
              if (withProbe) {
                const plan = (await run.core.call('splitpay', { bolt11, parts: 8 })) as SplitPayResult;
                const probed = (await run.core.call('probe', {
                  bolt11,
                  parts: plan.parts.map((p) => ({ route: p.route })),
                })) as { would_fail: number };
                probeFailed = probed.would_fail;
              }
              let ok = true;
              await run.core.call('pay', { bolt11, max_parts: 8, retry_for: RETRY_FOR }).catch(() => {
                ok = false;
              });
              const parts = (await run.core.call('listpartialpayments', { payment_hash })) as {
                partialpayments: PartialPayment[];
              };
              const payment = (await run.core.call('listpayments', [payment_hash])) as { payments: Payment[] };
              ok = ok && payment.payments[0]?.status === 'complete';
              const failed = parts.partialpayments.filter((p) => p.status === 'failed').length;
              probeRuns.push({ size: sat, withProbe, failed, probeFailed, ok });
              if (!quick)
                print({
                  scope: 'probe-run',
                  seed,
                  amount_sat: Number(sat),
                  with_probe: withProbe,
                  ok,
                  failed_htlcs: failed,
                  probe_failed: probeFailed,
                });
            } finally {
              await run.stop();
            }
          }
        }
      } finally {
        await bob.disconnect();
      }
    } finally {
      await simnet.stop();
    }
  }
  for (const fraction of SHARES) {
    for (const strategy of ['braid', 'single'] as const) {
      print(
        aggregate(
          {
            scope: 'rebalance',
            time: 'real',
            topology: 'small',
            share: fraction,
            strategy,
            seeds: SEEDS,
            fee_ppm_limit: FEE_PPM,
          },
          results[`${fraction}|${strategy}`] ?? [],
        ),
      );
    }
  }
  for (const withProbe of [false, true]) {
    const runs = probeRuns.filter((r) => r.withProbe === withProbe);
    print({
      scope: 'probe',
      time: 'real',
      topology: 'small',
      with_probe: withProbe,
      payments: runs.length,
      completed: runs.filter((r) => r.ok).length,
      failed_htlcs_total: runs.reduce((s, r) => s + r.failed, 0),
      failed_htlcs_median: median(runs.map((r) => r.failed)),
      failed_htlcs_p90: percentile(
        runs.map((r) => r.failed),
        90,
      ),
      probe_failed_htlcs_total: runs.reduce((s, r) => s + r.probeFailed, 0),
    });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
