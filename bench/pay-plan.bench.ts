/**
 * The Pay screen's calls to the core (issue 10), `npm run bench:pay-plan [-- --runs N] [--stops N]`: over JSON-RPC,
 * on simnet's small topology (seed 21, no hop delay), the real core:
 *  - listnodes: the first call (loads the graph) and then cached calls for a few ids;
 *  - checkplan for splitpay's parts of a 900k-sat invoice, and how far its probabilities are from splitpay's;
 *  - stoppay of a pay whose parts bob holds: from the call to its answer (the loop has ended then).
 * Prints one JSON line per measure: median, p90, p95, max in ms. --runs (default 200): listnodes and checkplan calls;
 * --stops (default 20): pays stopped.
 */

import { parseCommandLine } from '../electron/core/command-line';
import { invoice, nodeId, SAT } from '../electron/core/rpc-test-helpers';
import { startHarness } from '../electron/test/harness';
import type { CheckPlanResult, SplitPayResult, StopPayResult } from '../shared/api/results';
import type { PartialPayment } from '../shared/types';
import { median, percentile, print, round } from './bench-util';

const cli = parseCommandLine({
  name: 'npm run bench:pay-plan --',
  usage: `The Pay screen's calls to the core (listnodes, checkplan, stoppay) over JSON-RPC on simnet's small topology:
one JSON line per measure (median, p90, p95, max ms).
  --runs N                listnodes and checkplan calls timed (default 200)
  --stops N               pays stopped while bob holds their parts (default 20)`,
  options: { runs: { type: 'string' }, stops: { type: 'string' } },
});
const RUNS = cli.number('runs', { min: 1, integer: true }) ?? 200;
const STOPS = cli.number('stops', { min: 1, integer: true }) ?? 20;

function stats(name: string, ms: number[]) {
  print({
    measure: name,
    runs: ms.length,
    median_ms: round(median(ms), 3),
    p90_ms: round(percentile(ms, 90), 3),
    p95_ms: round(percentile(ms, 95), 3),
    max_ms: round(Math.max(...ms), 3),
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

const h = await startHarness({ mppTimeoutMs: 60_000 });
try {
  const first = await timed(() => h.rpc.call('listnodes', []));
  print({ measure: 'listnodes first call (graph load)', ms: round(first.ms, 3) });
  const ids = ['fjord', 'gale', 'harbor', 'iris', 'bob'].map((a) => nodeId(h, a));
  const listnodes: number[] = [];
  for (let i = 0; i < RUNS; i++) listnodes.push((await timed(() => h.rpc.call('listnodes', { ids }))).ms);
  stats('listnodes 5 ids, cached', listnodes);

  const inv = await invoice(h.rpc, 900_000n * SAT, 'bench');
  const plan = await h.rpc.call<SplitPayResult>('splitpay', [inv.bolt11]);
  const parts = plan.parts.map((p) => ({ route: p.route }));
  const checks: number[] = [];
  let maxDiff = 0;
  for (let i = 0; i < RUNS; i++) {
    const { ms, value } = await timed(() => h.rpc.call<CheckPlanResult>('checkplan', { bolt11: inv.bolt11, parts }));
    checks.push(ms);
    maxDiff = Math.max(maxDiff, Math.abs(value.probability - plan.probability));
    for (const [k, part] of value.parts.entries()) {
      maxDiff = Math.max(maxDiff, Math.abs(part.probability - (plan.parts[k]?.probability ?? 0)));
    }
  }
  stats(`checkplan ${parts.length} parts`, checks);
  print({ measure: 'checkplan vs splitpay probability, largest difference', value: maxDiff });

  const release = h.simnet.holdAt('bob');
  const stops: number[] = [];
  for (let i = 0; i < STOPS; i++) {
    const each = await invoice(h.rpc, 20_000n * SAT, `stop ${i}`);
    const paying = h.rpc.call('pay', [each.bolt11]).catch(() => undefined);
    for (;;) {
      const { partialpayments } = await h.rpc.call<{ partialpayments: PartialPayment[] }>('listpartialpayments', {
        payment_hash: each.payment_hash,
      });
      if (partialpayments.some((p) => p.status === 'pending')) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const { ms, value } = await timed(() => h.rpc.call<StopPayResult>('stoppay', [each.payment_hash]));
    if (!value.stopped) throw new Error('stoppay found no pay running');
    stops.push(ms);
    await paying;
  }
  release();
  stats('stoppay of a waiting pay', stops);
} finally {
  await h.stop();
}
