// `npm run bench:rebalance -- --quick` as CI can afford it: a line per (share, strategy) and per (fraction, probe or
// not) with their fields, the goals printed, and braid's side runs the shipped handlers: every braid rebalance is a
// call into the `rebalance` command handler, and every HTLC it sent is a part in the core's ledger.
import { expect, it } from 'vitest';
import { benchLines, describeOnMainnet, type Line } from './split/bench-run';

const REBALANCE_FIELDS = [
  'runs',
  'completed',
  'asked_sat',
  'moved_sat',
  'moved_share',
  'fee_ppm',
  'fee_ppm_limit',
  'time_s_p50',
  'time_s_p90',
  'htlcs',
  'failed_htlcs',
  'planner_ms_p50',
  'planner_ms_p95',
];
const PROBE_FIELDS = ['payments', 'paid', 'htlcs', 'failed_htlcs', 'probe_htlcs', 'time_s_p50', 'time_s_p90'];

describeOnMainnet('bench:rebalance --quick', () => {
  it('prints its lines and goals, and rebalances through the shipped rebalance handler', async () => {
    const lines = await benchLines('bench/rebalance.bench.ts', ['--quick', '--pairs', '2', '--probes', '2']);
    const rows = lines.filter((l) => l.scenario !== undefined);
    expect(rows.map((l) => `${l.scenario} ${l.share ?? l.fraction_of_max_flow} ${l.strategy ?? l.with_probe}`)).toEqual(
      [
        'rebalance 0.25 braid',
        'rebalance 0.25 single',
        'rebalance 0.5 braid',
        'rebalance 0.5 single',
        'rebalance 0.9 braid',
        'rebalance 0.9 single',
        'probe 0.5 false',
        'probe 0.5 true',
        'probe 0.8 false',
        'probe 0.8 true',
      ],
    );
    for (const l of rows.filter((r) => r.scenario === 'rebalance')) {
      for (const key of REBALANCE_FIELDS) expect(l, `${l.share} ${l.strategy} ${key}`).toHaveProperty(key);
      expect(l.runs).toBe(2);
      expect(l.moved_sat as number).toBeLessThanOrEqual(l.asked_sat as number);
      // Within the fee limit, and on virtual time: hops of 100-300 ms make a loop take seconds.
      if ((l.completed as number) > 0) {
        expect(l.fee_ppm as number).toBeLessThanOrEqual(l.fee_ppm_limit as number);
        expect(l.time_s_p50 as number).toBeGreaterThan(0.3);
      }
    }
    for (const l of rows.filter((r) => r.scenario === 'probe')) {
      for (const key of PROBE_FIELDS) expect(l, `${l.fraction_of_max_flow} ${l.with_probe} ${key}`).toHaveProperty(key);
      expect(l.payments).toBe(2);
      if (!l.with_probe) expect(l.probe_htlcs).toBe(0);
    }
    const goals = lines.filter((l) => l.goal !== undefined);
    expect(goals).toHaveLength(3);
    for (const g of goals) expect([true, false]).toContain(g.met);
    const summary = lines.find((l) => l.summary === true) as Line;
    expect(summary.rebalance_calls).toBe(6);
    expect(summary.braid_htlcs_sent).toBe(summary.braid_rebalance_htlcs);
    expect(summary.braid_htlcs_sent as number).toBeGreaterThan(0);
    expect(summary.pay_calls).toBe(8);
    expect(summary.probe_calls as number).toBeGreaterThan(0);
  }, 300_000);
});
