import { describe, expect, it } from 'vitest';
import { FAULTS, runChaos } from './chaos';

// The fault suite, bounded: every fault twice (npm run chaos -- --iterations 200 is the release check).
describe('npm run chaos, short', () => {
  it('every fault injected, no invariant broken', async () => {
    const tally = await runChaos({ iterations: FAULTS.length * 2, seed: 7, cycle: true });
    expect(tally.violations).toEqual([]);
    for (const fault of FAULTS) expect(tally.faults[fault], fault).toBe(2);
    expect(tally.payments.attempted).toBeGreaterThan(FAULTS.length * 2);
    expect(tally.payments.complete).toBeGreaterThan(0);
    expect(tally.daemon_restarts).toBeGreaterThanOrEqual(4);
  }, 300_000);
});
