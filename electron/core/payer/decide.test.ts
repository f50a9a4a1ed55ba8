// The pay loop's decisions, one by one: which wins when several hold.

import { describe, expect, it } from 'vitest';
import type { PartFailure, PartialPayment, Payment } from '../../../shared/types';
import { decideNextStep, type LoopState, viewOf } from './decide';

const AMOUNT = 1_000_000n;
let nextId = 1;
function part(status: PartialPayment['status'], msatoshi: bigint, failure?: PartFailure['code']): PartialPayment {
  const p: PartialPayment = {
    id: nextId++,
    payment_hash: 'h',
    status,
    msatoshi,
    msatoshi_sent: msatoshi + 10n,
    destination: 'd',
    route: [],
    created_at: 0,
  };
  if (failure) p.failure = { code: failure, message: failure };
  return p;
}
const payment = (status: Payment['status']): Payment => ({
  payment_hash: 'h',
  status,
  msatoshi: AMOUNT,
  msatoshi_sent: AMOUNT,
  destination: 'd',
  created_at: 0,
  parts: { pending: 0, complete: 0, failed: 0 },
});
const state = (over: Partial<LoopState> = {}): LoopState => ({
  mode: 'auto',
  maxParts: 4,
  now: 0,
  deadline: 1000,
  stopped: false,
  firstPlanLeft: 0,
  planned: false,
  hopeless: false,
  unseenFailures: 0,
  ...over,
});

describe('decideNextStep', () => {
  it('complete wins over everything; a refusal for good over a stop; a stop over the deadline', () => {
    const refused = part('failed', 500_000n, 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS');
    const all = { stopped: true, now: 2000 };
    expect(decideNextStep(viewOf(payment('complete'), [refused], AMOUNT), state(all)).kind).toBe('complete');
    expect(decideNextStep(viewOf(payment('pending'), [refused], AMOUNT), state(all)).kind).toBe('refused');
    expect(decideNextStep(viewOf(undefined, [], AMOUNT), state(all)).kind).toBe('stopped');
    expect(decideNextStep(viewOf(undefined, [], AMOUNT), state({ now: 2000 })).kind).toBe('timeout');
    // A failure that another route may mend is no refusal.
    const liquidity = part('failed', 500_000n, 'TEMPORARY_CHANNEL_FAILURE');
    expect(decideNextStep(viewOf(payment('pending'), [liquidity], AMOUNT), state()).kind).toBe('plan');
  });

  it('auto: the first plan, then what is missing with the free slots, then waits for news', () => {
    const out = [part('pending', 600_000n), part('pending', 100_000n)];
    const view = viewOf(payment('pending'), out, AMOUNT);
    expect(view.missing).toBe(300_000n);
    expect(view.feesCommitted).toBe(20n);
    expect(decideNextStep(view, state({ firstPlanLeft: 2 })).kind).toBe('send-first-plan');
    expect(decideNextStep(view, state())).toEqual({ kind: 'plan', slots: 2 });
    expect(decideNextStep(view, state({ planned: true }))).toEqual({ kind: 'wait-for-outcome', windowOpen: false });
    expect(decideNextStep(view, state({ planned: true, unseenFailures: 1 }))).toEqual({
      kind: 'wait-for-outcome',
      windowOpen: true,
    });
    // No free slot: wait.
    expect(decideNextStep(view, state({ maxParts: 2 })).kind).toBe('wait-for-outcome');
  });

  it('auto with nothing out: next round after news, give up when hopeless, else wait for the network', () => {
    const view = viewOf(payment('failed'), [part('failed', AMOUNT, 'TEMPORARY_CHANNEL_FAILURE')], AMOUNT);
    expect(decideNextStep(view, state({ planned: true, unseenFailures: 1 })).kind).toBe('next-round');
    expect(decideNextStep(view, state({ planned: true, hopeless: true })).kind).toBe('no-plan');
    expect(decideNextStep(view, state({ planned: true })).kind).toBe('wait-for-network');
  });

  it('manual: never plans; gives up as soon as what is out cannot complete the payment', () => {
    const held = [part('pending', 700_000n), part('failed', 300_000n, 'TEMPORARY_CHANNEL_FAILURE')];
    expect(decideNextStep(viewOf(payment('pending'), held, AMOUNT), state({ mode: 'manual' })).kind).toBe('missing');
    const whole = [part('pending', 700_000n), part('pending', 300_000n)];
    expect(decideNextStep(viewOf(payment('pending'), whole, AMOUNT), state({ mode: 'manual' })).kind).toBe(
      'wait-for-outcome',
    );
  });
});
