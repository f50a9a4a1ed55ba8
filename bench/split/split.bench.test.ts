// `npm run bench:split -- --quick` as CI can afford it: a line per (scenario, strategy) with the fields, the
// goals printed, and the benchmark drives the shipped payer: every braid payment is a call into `pay`, and every
// braid HTLC went out through the core's PartDispatcher (a ledger part) to the node adapter.
import { expect, it } from 'vitest';
import { benchLines, describeOnMainnet, type Line } from './bench-run';

const FIELDS = [
  'scenario',
  'strategy',
  'payments',
  'delivered',
  'time_s_p50',
  'time_s_p90',
  'htlcs',
  'failed_htlcs',
  'fee_ppm',
  'planner_ms_p50',
  'planner_ms_p95',
];

describeOnMainnet('bench:split --quick', () => {
  it('prints a line per scenario and strategy, the goals, and pays through the shipped pay', async () => {
    const lines = await benchLines('bench/split/split.bench.ts', [
      '--quick',
      '--payments',
      '4',
      '--hard',
      '2',
      '--day',
      '12',
    ]);
    const results = lines.filter((l) => l.scenario !== undefined);
    expect(results.map((l) => `${l.scenario} ${l.size_sat ?? l.fraction_of_max_flow ?? ''} ${l.strategy}`)).toEqual([
      'size 10000 braid',
      'size 10000 lnd',
      'size 10000 single',
      'size 100000 braid',
      'size 100000 lnd',
      'size 100000 single',
      'size 1000000 braid',
      'size 1000000 lnd',
      'size 1000000 single',
      'max_flow 0.5 braid',
      'max_flow 0.5 lnd',
      'max_flow 0.5 single',
      'max_flow 0.8 braid',
      'max_flow 0.8 lnd',
      'max_flow 0.8 single',
      'max_flow 0.95 braid',
      'max_flow 0.95 lnd',
      'max_flow 0.95 single',
      'day  braid',
      'day  lnd',
      'day  single',
    ]);
    for (const l of results) {
      for (const key of FIELDS) expect(l, `${l.scenario} ${l.strategy} ${key}`).toHaveProperty(key);
      expect(l.delivered as number).toBeLessThanOrEqual(l.payments as number);
      expect(l.htlcs as number).toBeGreaterThanOrEqual(l.delivered as number);
      if (l.scenario === 'day') {
        expect(l.payments).toBe(12);
        expect(l).toHaveProperty('failed_htlcs_per_payment_first');
        expect(l).toHaveProperty('failed_htlcs_per_payment_last');
      }
      // Virtual time: payments over 100-300 ms hops take seconds, not the milliseconds the CPU spends on them.
      if ((l.delivered as number) > 0) expect(l.time_s_p50 as number).toBeGreaterThan(0.3);
    }
    const braid = results.filter((l) => l.strategy === 'braid');
    for (const l of braid) expect(l.planner_ms_p50 as number).toBeGreaterThan(0);
    const goals = lines.filter((l) => l.goal !== undefined);
    expect(goals.length).toBeGreaterThanOrEqual(8);
    for (const g of goals) expect([true, false, null]).toContain(g.met);
    const summary = lines.find((l) => l.summary === true) as Line;
    const braidPayments = braid.reduce((s, l) => s + (l.payments as number), 0);
    const braidHtlcs = braid.reduce((s, l) => s + (l.htlcs as number), 0);
    expect(summary.pay_calls).toBe(braidPayments);
    expect(summary.braid_payments).toBe(braidPayments);
    expect(summary.braid_htlcs).toBe(braidHtlcs);
    expect(summary.braid_htlcs_sent).toBe(braidHtlcs);
    expect(braidHtlcs).toBeGreaterThan(0);
  }, 300_000);
});
