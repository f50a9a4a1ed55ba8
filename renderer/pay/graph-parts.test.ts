import { describe, expect, it } from 'vitest';
import type { PartialPayment, Payment } from '../../shared/types';
import { graphPart, HELD_AFTER_SECONDS, sentPartState } from './graph-parts';

// A sent part as the picture draws it: its state (held at the receiver when the payment is short and it has been
// out a while), its hops, its amount, and where a failed one stopped.

const A = `02${'a'.repeat(64)}`;
const B = `03${'b'.repeat(64)}`;
const T = 1_700_000_000;

function part(id: number, status: PartialPayment['status'], msatoshi: bigint, over: Partial<PartialPayment> = {}) {
  return {
    id,
    payment_hash: 'ab'.repeat(32),
    status,
    msatoshi,
    msatoshi_sent: msatoshi + 10n,
    destination: B,
    route: [
      { id: A, channel: '1x1x0', msatoshi: msatoshi + 10n, delay: 40 },
      { id: B, channel: '2x1x0', msatoshi, delay: 18 },
    ],
    created_at: T,
    ...over,
  } satisfies PartialPayment;
}

const payment = (status: Payment['status']): Payment => ({
  payment_hash: 'ab'.repeat(32),
  status,
  msatoshi: 300n,
  msatoshi_sent: 0n,
  destination: B,
  created_at: T,
  parts: { pending: 2, complete: 0, failed: 1 },
});

describe('the picture’s parts', () => {
  it('a pending part is held once the payment is short of its amount and the part has been out a while', () => {
    const p1 = part(1, 'pending', 100n);
    const p2 = part(2, 'failed', 100n);
    const p3 = part(3, 'pending', 100n);
    const parts = [p1, p2, p3];
    expect(sentPartState(p1, payment('pending'), parts, T)).toBe('pending');
    expect(sentPartState(p1, payment('pending'), parts, T + HELD_AFTER_SECONDS)).toBe('held');
    // Every part needed is out: the receiver settles as soon as they arrive; nothing is held waiting.
    const whole = [p1, part(3, 'pending', 200n)];
    expect(sentPartState(p1, payment('pending'), whole, T + 60)).toBe('pending');
    expect(sentPartState(p2, payment('pending'), parts, T + 60)).toBe('failed');
  });

  it('draws a failed part to the node that failed it, and nothing without a route', () => {
    const failed = part(2, 'failed', 100n, {
      failure: { code: 'TEMPORARY_CHANNEL_FAILURE', message: 'no liquidity', erring_index: 1, erring_node: A },
    });
    expect(graphPart({ key: 'k', number: 2, state: 'failed', part: failed })).toEqual({
      key: 'k',
      number: 2,
      state: 'failed',
      hops: [A, B],
      amount: 100n,
      failedAt: 1,
      failure: 'no liquidity (TEMPORARY_CHANNEL_FAILURE)',
    });
    expect(graphPart({ key: 'k', number: 1, state: 'planned' })).toBeUndefined();
  });
});
