/**
 * Ledger benchmarks (issue 3), one JSON line each (npm run bench:ledger [-- a b c d]):
 *  - b durable_state_changes: Ledger.beginPart / resolvePart per second on a real SQLite file (WAL, synchronous=FULL),
 *    5,000 of each per run, median of 3 runs, each on a fresh ledger;
 *  - c history_100k: ledger.payments() (listpayments) and exportPayments csv/json over 100,000 payments with 300,000
 *    parts (seeded in one transaction through a second connection, see seed.ts), median of 3, file sizes, RSS;
 *  - a sendpartialpay: a real Core on simnet (electron/test/harness.ts). Latency from `core.call('sendpartialpay')`
 *    to the moment the LndNode's sendToRoute is invoked (a timestamping wrapper around the real node: the HTLC still
 *    goes out and settles), parts sent one at a time on a quiet wallet; then back to back while earlier outcomes are
 *    being written; then the JSON-RPC round trip (client call to answer) over the unix socket;
 *  - d recovery: PartDispatcher.recover() against simnet with 1,000 pending parts whose hashes the node never saw
 *    (one ListPayments, or a TrackPaymentV2 lookup per hash; then each part failed NEVER_SENT), median of 3.
 * Then a summary line. Data directories are made under os.tmpdir() (set TMPDIR to bench another disk).
 * BENCH_PARTS (default 500) sets the number of parts of the quiet in-process run.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine } from '../electron/core/command-line';
import { EventBus } from '../electron/core/events';
import { exportPayments } from '../electron/core/ledger/export';
import { Ledger } from '../electron/core/ledger/ledger';
import { LndNode } from '../electron/core/node/lnd';
import type { LightningNode } from '../electron/core/node/types';
import { PartDispatcher } from '../electron/core/payer/parts';
import { startHarness } from '../electron/test/harness';
import { stringifyJson } from '../shared/api/json';
import type { PartialPayment, Payment, Route } from '../shared/types';
import {
  collect,
  hashPair,
  hex32,
  maxRssMb,
  mb,
  median,
  nodeId,
  print,
  round,
  summary,
  syntheticRoute,
} from './bench-util';

import { seedHistory } from './seed';

const RUNS = 3;
const STATE_CHANGES = 5_000;
const HISTORY_PAYMENTS = 100_000;
const QUIET_PARTS = Number(process.env.BENCH_PARTS ?? 500);
const BUSY_PARTS = 200;
const RPC_PARTS = 200;
const WARMUP_PARTS = 20;
const RECOVERY_PARTS = 1_000;
/** Each part delivers 100 sat; an invoice of 200 sat is paid in two parts (an MPP set). */
const PART_MSAT = 100_000n;
const INVOICE_MSAT = 2n * PART_MSAT;

const cli = parseCommandLine({
  name: 'npm run bench:ledger --',
  usage: `Ledger benchmarks, one JSON line each, then a summary. Name some to run only those (default: all):
  a   sendpartialpay latency on simnet (in process and over JSON-RPC)
  b   durable state changes per second
  c   listpayments and exports over 100,000 payments
  d   recovery of 1,000 pending parts
Environment: BENCH_PARTS (default 500) parts of the quiet run; TMPDIR where the data directories go.`,
  options: {},
  positionals: true,
});
const bad = cli.positionals.find((a) => !/^[abcd]$/.test(a));
if (bad !== undefined) cli.fail(`unknown benchmark ${bad} (a, b, c or d)`);
const selected = new Set(cli.positionals);
const wants = (s: string) => selected.size === 0 || selected.has(s);
const now = () => Math.floor(Date.now() / 1000);
const tempDir = (name: string) => mkdtempSync(join(tmpdir(), `braid-bench-${name}-`));
const results: Record<string, unknown> = {};

/** What one fsync costs on this disk (4 KiB appended, then fsync), median of 200: the floor under every change of
 * state with synchronous=FULL. A VM's virtual disk or a drive with a volatile cache can make this far cheaper than on
 * a laptop (macOS F_FULLFSYNC is often 5–20 ms). */
function fsyncProbe(): number {
  const dir = tempDir('fsync');
  const fd = openSync(join(dir, 'probe'), 'a');
  const block = Buffer.alloc(4096, 7);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    writeSync(fd, block);
    fsyncSync(fd);
    times.push(performance.now() - t);
  }
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  return round(median(times), 3);
}

// ---- b: durable state changes ----------------------------------------------------------------------------------

function benchStateChanges(): void {
  const hops = [nodeId(), nodeId(), nodeId()];
  const route = syntheticRoute(hops, 50_000n);
  const destination = hops[2] as string;
  const begins: number[] = [];
  const resolves: number[] = [];
  const combined: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const dir = tempDir('state');
    const ledger = Ledger.open(dir);
    const pairs = Array.from({ length: STATE_CHANGES }, hashPair);
    const ids: number[] = [];
    const t0 = performance.now();
    for (const { hash } of pairs) {
      const begun = ledger.beginPart({
        paymentHash: hash,
        route,
        intendedMsat: 50_000n,
        destination,
        paymentSecret: hex32(),
        now: now(),
      });
      if (begun.kind !== 'created') throw new Error('beginPart: expected a new part');
      ids.push(begun.part.id);
    }
    const t1 = performance.now();
    ids.forEach((id, i) => {
      ledger.resolvePart(id, { status: 'complete', preimage: (pairs[i] as { preimage: string }).preimage }, now());
    });
    const t2 = performance.now();
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
    begins.push(STATE_CHANGES / ((t1 - t0) / 1000));
    resolves.push(STATE_CHANGES / ((t2 - t1) / 1000));
    combined.push((2 * STATE_CHANGES) / ((t2 - t0) / 1000));
  }
  const line = {
    bench: 'durable_state_changes',
    synchronous: 'FULL',
    journal: 'WAL',
    fsync_4k_ms_median: fsyncProbe(),
    runs: RUNS,
    each: STATE_CHANGES,
    begin_part_per_s: Math.round(median(begins)),
    resolve_part_per_s: Math.round(median(resolves)),
    changes_per_s: Math.round(median(combined)),
    begin_part_ms_each: round(1000 / median(begins), 3),
    resolve_part_ms_each: round(1000 / median(resolves), 3),
    changes_per_s_runs: combined.map(Math.round),
  };
  results.b = line;
  print(line);
}

// ---- c: listpayments / exportpayments over 100k payments --------------------------------------------------------

async function benchHistory(): Promise<void> {
  const dir = tempDir('history');
  const seeded = seedHistory(dir, HISTORY_PAYMENTS);
  const ledger = Ledger.open(dir);
  collect();
  const rssBase = process.memoryUsage().rss;
  const file = (name: string) => join(dir, name);

  const exportRun = async (format: 'csv' | 'json') => {
    const times: number[] = [];
    let size = 0;
    let rows = { payments: 0, partialpayments: 0 };
    let rssAfter = 0;
    for (let r = 0; r < RUNS; r++) {
      const path = file(`export.${format}`);
      collect();
      const t = performance.now();
      const out = await exportPayments(ledger, format, path);
      times.push(performance.now() - t);
      rssAfter = Math.max(rssAfter, process.memoryUsage().rss);
      rows = { payments: out.payments, partialpayments: out.partialpayments };
      size = statSync(path).size;
    }
    return { times, size, rows, rssAfter };
  };

  const csv = await exportRun('csv');
  const json = await exportRun('json');
  const peakAfterExport = maxRssMb();

  const listTimes: number[] = [];
  let list: Payment[] = [];
  for (let r = 0; r < RUNS; r++) {
    list = [];
    collect();
    const t = performance.now();
    list = ledger.payments();
    listTimes.push(performance.now() - t);
  }
  const rssWithList = process.memoryUsage().rss;
  const peakAfterList = maxRssMb();
  const serializeTimes: number[] = [];
  let answerBytes = 0;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    const text = stringifyJson({ jsonrpc: '2.0', id: 1, result: { payments: list } });
    serializeTimes.push(performance.now() - t);
    answerBytes = Buffer.byteLength(text);
  }
  const count = list.length;
  list = [];
  const peakAfterSerialize = maxRssMb();
  ledger.close();
  const dbBytes = statSync(file('ledger.sqlite')).size;
  rmSync(dir, { recursive: true, force: true });
  collect();

  const line = {
    bench: 'history_100k',
    payments: seeded.payments,
    parts: seeded.parts,
    seed_s: round(seeded.seconds, 1),
    ledger_file_mb: mb(dbBytes),
    listpayments_ledger_ms_median: round(median(listTimes), 1),
    listpayments_ledger_ms_runs: listTimes.map((x) => round(x, 1)),
    listpayments_count: count,
    listpayments_jsonrpc_serialize_ms_median: round(median(serializeTimes), 1),
    listpayments_jsonrpc_answer_mb: mb(answerBytes),
    export_csv_ms_median: round(median(csv.times), 1),
    export_csv_ms_runs: csv.times.map((x) => round(x, 1)),
    export_csv_mb: mb(csv.size),
    export_csv_rows: csv.rows,
    export_json_ms_median: round(median(json.times), 1),
    export_json_ms_runs: json.times.map((x) => round(x, 1)),
    export_json_mb: mb(json.size),
    rss_base_mb: mb(rssBase),
    rss_after_export_csv_mb: mb(csv.rssAfter),
    rss_after_export_json_mb: mb(json.rssAfter),
    rss_peak_through_exports_mb: peakAfterExport,
    rss_with_listpayments_result_mb: mb(rssWithList),
    rss_peak_through_listpayments_mb: peakAfterList,
    rss_peak_through_jsonrpc_serialize_mb: peakAfterSerialize,
  };
  results.c = line;
  print(line);
}

// ---- a + d: on simnet -------------------------------------------------------------------------------------------

interface Invoice {
  hash: string;
  secret: string;
}

async function benchOnSimnet(): Promise<void> {
  const h = await startHarness();
  const bob = new LndNode({ kind: 'lndconnect', uri: h.simnet.nodes.bob.lndconnect }, { simulated: true });
  await bob.connect();
  try {
    const alias = (name: string) => {
      const node = h.simnet.sim.net.nodeByAlias(name);
      if (!node) throw new Error(`simnet has no ${name}`);
      return node.pubkey;
    };
    const built = (await h.core.call('buildroute', {
      hops: [alias('atlas'), alias('fjord'), alias('bob')],
      msatoshi: PART_MSAT,
    })) as { route: Route };
    const route = built.route;

    // The measuring proxy: the real LndNode's own sendToRoute, timestamped on entry. The core's dispatcher holds this
    // very object, so every HTLC it hands over passes here and still goes to simnet.
    const node = h.node;
    const realSend = node.sendToRoute.bind(node);
    let handedAt = 0;
    let handedCount = 0;
    const outstanding: Promise<unknown>[] = [];
    node.sendToRoute = (hash, lndRoute, skipTempErr) => {
      handedAt = performance.now();
      handedCount += 1;
      const sending = realSend(hash, lndRoute, skipTempErr);
      outstanding.push(sending);
      return sending;
    };
    // Diagnostics only: the block height the dispatcher refreshes once a second (GetInfo), and the ledger write.
    const realGetInfo = node.getInfo.bind(node);
    let getInfoCalls = 0;
    node.getInfo = () => {
      getInfoCalls += 1;
      return realGetInfo();
    };
    const ledger = (h.core as unknown as { options: { ledger: Ledger } }).options.ledger;
    const realBegin = ledger.beginPart.bind(ledger);
    let beginMs = 0;
    ledger.beginPart = (args) => {
      const t = performance.now();
      try {
        return realBegin(args);
      } finally {
        beginMs = performance.now() - t;
      }
    };

    const invoices = async (n: number): Promise<Invoice[]> => {
      const out: Invoice[] = [];
      for (let i = 0; i < n; i++) {
        const inv = await bob.addInvoice(INVOICE_MSAT, `ledger bench ${i}`);
        out.push({ hash: inv.payment_hash, secret: inv.payment_secret });
      }
      return out;
    };
    const params = (inv: Invoice) => ({
      route,
      payment_hash: inv.hash,
      intended_msatoshi: INVOICE_MSAT,
      payment_secret: inv.secret,
    });
    const settle = async () => {
      await Promise.allSettled(outstanding.splice(0));
      // The dispatcher's own handlers on those promises ran first (registered first); one more turn for safety.
      await new Promise((r) => setImmediate(r));
    };

    interface Sample {
      handOver: number;
      answered: number;
      begin: number;
    }
    /** Sends 2 parts per invoice through `send`, one call at a time; `quiet`: waits for the set to settle between. */
    const run = async (parts: number, send: (p: ReturnType<typeof params>) => Promise<unknown>, quiet: boolean) => {
      const list = await invoices(Math.ceil(parts / 2));
      const samples: Sample[] = [];
      const infoBefore = getInfoCalls;
      const t = performance.now();
      for (const inv of list) {
        for (let k = 0; k < 2; k++) {
          const before = handedCount;
          const t0 = performance.now();
          const answer = (await send(params(inv))) as PartialPayment;
          const t1 = performance.now();
          if (handedCount !== before + 1) throw new Error('sendpartialpay returned without handing an HTLC over');
          if (answer.status === 'failed') throw new Error(`sendpartialpay answered ${JSON.stringify(answer)}`);
          samples.push({ handOver: handedAt - t0, answered: t1 - t0, begin: beginMs });
        }
        if (quiet) await settle();
      }
      const wall = performance.now() - t;
      await settle();
      const payments = list.map((inv) => ledger.payment(inv.hash));
      const complete = payments.filter((p) => p?.status === 'complete').length;
      return { samples, wall, complete, invoices: list.length, getInfo: getInfoCalls - infoBefore };
    };
    const inProcess = (p: ReturnType<typeof params>) => h.core.call('sendpartialpay', p);
    const overRpc = (p: ReturnType<typeof params>) => h.rpc.call('sendpartialpay', p);

    if (wants('a')) {
      await run(WARMUP_PARTS, inProcess, true);
      await run(WARMUP_PARTS, overRpc, true);
      const report = (name: string, r: Awaited<ReturnType<typeof run>>, extra: object = {}) => {
        const line = {
          bench: name,
          parts: r.samples.length,
          part_msat: Number(PART_MSAT),
          route: 'alice>atlas>fjord>bob',
          ...summary(
            r.samples.map((s) => s.handOver),
            'call_to_htlc',
          ),
          ...summary(
            r.samples.map((s) => s.answered),
            'call_to_answer',
          ),
          ...summary(
            r.samples.map((s) => s.begin),
            'ledger_begin_part',
          ),
          other_median_ms: round(median(r.samples.map((s) => s.handOver - s.begin)), 3),
          getinfo_refreshes: r.getInfo,
          payments_complete: `${r.complete}/${r.invoices}`,
          wall_s: round(r.wall / 1000, 2),
          ...extra,
        };
        print(line);
        return line;
      };
      results.a = report('sendpartialpay_in_process', await run(QUIET_PARTS, inProcess, true), {
        mode: 'one call at a time, each MPP set settled before the next',
      });
      results.a_busy = report('sendpartialpay_in_process_busy', await run(BUSY_PARTS, inProcess, false), {
        mode: 'back to back: earlier outcomes (setAttemptId + resolvePart) written meanwhile',
      });
      results.a_rpc = report('sendpartialpay_jsonrpc', await run(RPC_PARTS, overRpc, true), {
        mode: 'JSON-RPC over the unix socket, one call at a time; call_to_answer is the client round trip',
      });
    }

    if (wants('d')) {
      const ownId = (await realGetInfo()).id;
      const realLookup = node.lookupPayment.bind(node);
      const realList = node.listPayments.bind(node);
      // Time spent asking the node (lookups may run a few at once: wall time of the calls, not their sum).
      let lookupMs = 0;
      let lookups = 0;
      let lists = 0;
      let open = 0;
      let openedAt = 0;
      const asking = async <T>(call: () => Promise<T>): Promise<T> => {
        if (open++ === 0) openedAt = performance.now();
        try {
          return await call();
        } finally {
          if (--open === 0) lookupMs += performance.now() - openedAt;
        }
      };
      const measured: LightningNode = node;
      node.lookupPayment = (hash) => {
        lookups += 1;
        return asking(() => realLookup(hash));
      };
      node.listPayments = () => {
        lists += 1;
        return asking(() => realList());
      };
      const times: number[] = [];
      const lookupTotals: number[] = [];
      let outcome = { completed: 0, failed: 0, pending: 0 };
      const destination = route.at(-1)?.id as string;
      for (let r = 0; r < RUNS; r++) {
        const dir = tempDir('recovery');
        const pendingLedger = Ledger.open(dir);
        for (let i = 0; i < RECOVERY_PARTS; i++) {
          // Hashes the node never saw: written, then the wallet "stopped" before handing them over.
          pendingLedger.beginPart({
            paymentHash: hex32(),
            route,
            intendedMsat: PART_MSAT,
            destination,
            paymentSecret: hex32(),
            now: now(),
          });
        }
        const dispatcher = new PartDispatcher(pendingLedger, measured, new EventBus(), () => ownId);
        lookupMs = 0;
        lookups = 0;
        lists = 0;
        const t = performance.now();
        outcome = await dispatcher.recover();
        times.push(performance.now() - t);
        lookupTotals.push(lookupMs);
        if (outcome.failed !== RECOVERY_PARTS || (lookups !== RECOVERY_PARTS && lists === 0)) {
          throw new Error(`recovery: ${JSON.stringify(outcome)} after ${lookups} lookups, ${lists} listings`);
        }
        pendingLedger.close();
        rmSync(dir, { recursive: true, force: true });
      }
      const line = {
        bench: 'recovery',
        pending_parts: RECOVERY_PARTS,
        distinct_hashes: RECOVERY_PARTS,
        runs: RUNS,
        recover_ms_median: round(median(times), 1),
        recover_ms_runs: times.map((x) => round(x, 1)),
        per_part_ms: round(median(times) / RECOVERY_PARTS, 3),
        node_lookups: lookups,
        node_list_payments: lists,
        asking_node_ms_median: round(median(lookupTotals), 1),
        ledger_and_rest_ms_median: round(median(times.map((x, i) => x - (lookupTotals[i] as number))), 1),
        outcome,
      };
      results.d = line;
      print(line);
    }
  } finally {
    await bob.disconnect();
    await h.stop();
  }
}

// ---- main -------------------------------------------------------------------------------------------------------

const started = performance.now();
if (wants('b')) benchStateChanges();
if (wants('c')) await benchHistory();
if (wants('a') || wants('d')) await benchOnSimnet();

const a = results.a as Record<string, number> | undefined;
const c = results.c as Record<string, number> | undefined;
const b = results.b as Record<string, number> | undefined;
const d = results.d as Record<string, number> | undefined;
print({
  bench: 'summary',
  tmpdir: tmpdir(),
  ...(a && {
    dispatch_median_ms: a.call_to_htlc_median_ms,
    dispatch_p95_ms: a.call_to_htlc_p95_ms,
    dispatch_aim_ms: 2,
    dispatch_meets_aim: (a.call_to_htlc_median_ms as number) < 2,
    jsonrpc_round_trip_median_ms: (results.a_rpc as Record<string, number>).call_to_answer_median_ms,
    jsonrpc_round_trip_p95_ms: (results.a_rpc as Record<string, number>).call_to_answer_p95_ms,
  }),
  ...(b && { state_changes_per_s: b.changes_per_s, fsync_4k_ms: b.fsync_4k_ms_median }),
  ...(c && {
    listpayments_100k_ms: c.listpayments_ledger_ms_median,
    export_csv_100k_ms: c.export_csv_ms_median,
    export_json_100k_ms: c.export_json_ms_median,
    export_aim_ms: 2000,
    export_meets_aim: Math.max(c.export_csv_ms_median as number, c.export_json_ms_median as number) < 2000,
  }),
  ...(d && { recovery_1000_ms: d.recover_ms_median }),
  total_s: round((performance.now() - started) / 1000, 1),
});
