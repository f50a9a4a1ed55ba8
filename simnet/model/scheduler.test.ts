// The model on a virtual clock (simnet/model/scheduler.ts): hop delays and the receiver's MPP hold run on the
// injected scheduler, so a payment over realistic latencies takes virtual seconds, whatever the wall clock says.
import { createClock } from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import { buildSmall } from '../topology/small';
import { findRoute, isNoRoute } from './pathfind';
import type { Scheduler } from './scheduler';
import { Sim } from './sim';

function virtualSim(hopDelayMs: { min: number; max: number }, mppTimeoutMs: number) {
  const fake = createClock(Date.now());
  const scheduler: Scheduler = {
    now: () => fake.now,
    setTimeout: (callback, ms) => fake.setTimeout(callback, ms),
    clearTimeout: (handle) => fake.clearTimeout(handle as ReturnType<typeof fake.setTimeout>),
  };
  const sim = new Sim({ seed: 1, hopDelayMs, mppTimeoutMs, blockIntervalMs: 0, scheduler });
  buildSmall(sim, 1);
  const idx = (alias: string) => sim.net.nodeByAlias(alias)?.index as number;
  return { sim, fake, idx };
}

/** Runs virtual timers one at a time, letting promises settle in between, until `work` is done. */
async function drive<T>(fake: ReturnType<typeof createClock>, work: Promise<T>): Promise<T> {
  let done = false;
  void work.finally(() => {
    done = true;
  });
  while (!done) await fake.nextAsync();
  return work;
}

/** A part of `partMsat` from alice to bob of an invoice of `invoiceMsat`, on LND's route; its virtual time and outcome. */
async function sendPart(hopDelayMs: { min: number; max: number }, partMsat: bigint, invoiceMsat: bigint) {
  const { sim, fake, idx } = virtualSim(hopDelayMs, 120_000);
  const alice = idx('alice');
  const bob = idx('bob');
  const invoice = sim
    .lnd(bob)
    .invoices.add({ valueMsat: invoiceMsat, memo: 'v', expiry: 3600, cltvExpiry: 40, encode: () => '' });
  const found = findRoute(sim.net, sim.lnd(alice).mission, alice, {
    target: bob,
    amtMsat: partMsat,
    finalCltvDelta: 43,
    mpp: { paymentAddr: invoice.paymentAddr, totalAmtMsat: invoiceMsat },
  });
  if (isNoRoute(found)) throw new Error('no route');
  const start = fake.now;
  const attempt = await drive(fake, sim.lnd(alice).sendToRoute(invoice.hash, found.route, true));
  sim.stop();
  return { attempt, hops: found.route.hops.length, elapsed: fake.now - start };
}

describe('simnet on a virtual clock', () => {
  it('an HTLC crosses each hop twice (there and back) at 100-300 ms each, in virtual time', async () => {
    const { attempt, hops, elapsed } = await sendPart({ min: 100, max: 300 }, 10_000_000n, 10_000_000n);
    expect(attempt.status).toBe('SUCCEEDED');
    expect(elapsed).toBeGreaterThanOrEqual(2 * hops * 100);
    expect(elapsed).toBeLessThanOrEqual(2 * hops * 300);
  });

  it('the receiver holds an incomplete set for the MPP timeout of the virtual clock', async () => {
    const { attempt, elapsed } = await sendPart({ min: 0, max: 0 }, 10_000_000n, 20_000_000n);
    expect(attempt.status).toBe('FAILED');
    expect(attempt.failure?.code).toBe('MPP_TIMEOUT');
    expect(elapsed).toBe(120_000);
  });
});
