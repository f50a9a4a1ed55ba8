import { describe, expect, it } from 'vitest';
import type { PartialPayment, Payment, Status } from '../../shared/types';
import { EMPTY, isNewerPart, isNewerPayment, mergeParts, mergePayments, partsOf, usePayments } from './payments';

const HASH_A = 'aa'.repeat(32);
const HASH_B = 'bb'.repeat(32);
const DEST = `02${'cd'.repeat(32)}`;

function payment(hash: string, status: Status, parts: [number, number, number], created = 1000): Payment {
  const [pending, complete, failed] = parts;
  return {
    payment_hash: hash,
    status,
    msatoshi: 100_000n,
    msatoshi_sent: 100_100n,
    destination: DEST,
    created_at: created,
    parts: { pending, complete, failed },
    ...(status === 'complete' ? { payment_preimage: 'ee'.repeat(32), completed_at: created + 1 } : {}),
  };
}

function part(id: number, status: Status, hash = HASH_A): PartialPayment {
  return {
    id,
    payment_hash: hash,
    status,
    msatoshi: 50_000n,
    msatoshi_sent: 50_050n,
    destination: DEST,
    route: [{ id: DEST, channel: '1x2x3', msatoshi: 50_000n, delay: 40 }],
    created_at: 1000,
    ...(status === 'failed' ? { failure: { code: 'TEMPORARY_CHANNEL_FAILURE', message: 'Not enough liquidity' } } : {}),
  };
}

describe('part precedence', () => {
  it('moves only forward: pending → complete or failed, never back', () => {
    expect(isNewerPart(undefined, part(1, 'pending'))).toBe(true);
    expect(isNewerPart(part(1, 'pending'), part(1, 'complete'))).toBe(true);
    expect(isNewerPart(part(1, 'pending'), part(1, 'failed'))).toBe(true);
    expect(isNewerPart(part(1, 'complete'), part(1, 'pending'))).toBe(false);
    expect(isNewerPart(part(1, 'failed'), part(1, 'pending'))).toBe(false);
    expect(isNewerPart(part(1, 'failed'), part(1, 'complete'))).toBe(false);
    expect(isNewerPart(part(1, 'pending'), part(1, 'pending'))).toBe(false);
  });

  it('keeps the resolved state whatever order the events come in, and ignores repeats', () => {
    const events = [part(2, 'pending'), part(1, 'complete'), part(1, 'pending'), part(2, 'failed'), part(2, 'pending')];
    let data = mergeParts(EMPTY, events, true, 5);
    data = mergeParts(data, events, true, 6);
    expect(data.parts.get(1)?.status).toBe('complete');
    expect(data.parts.get(2)?.status).toBe('failed');
    expect(data.partsByHash.get(HASH_A)).toEqual([1, 2]);
    expect(partsOf(data, HASH_A).map((p) => p.id)).toEqual([1, 2]);
    // Part 2 was seen to resolve live (at 5); part 1 arrived already complete, so its time is not known.
    expect(data.partSeenAt.get(2)).toBe(5);
    expect(data.partSeenAt.has(1)).toBe(false);
  });

  it('returns the same object when nothing changed (no re-render)', () => {
    const data = mergeParts(EMPTY, [part(1, 'complete')], false);
    expect(mergeParts(data, [part(1, 'pending'), part(1, 'complete')], true)).toBe(data);
  });
});

describe('payment precedence', () => {
  it('takes the state with more progress', () => {
    expect(isNewerPayment(payment(HASH_A, 'pending', [1, 0, 0]), payment(HASH_A, 'pending', [2, 0, 0]))).toBe(true);
    expect(isNewerPayment(payment(HASH_A, 'pending', [2, 0, 0]), payment(HASH_A, 'pending', [1, 0, 0]))).toBe(false);
    expect(isNewerPayment(payment(HASH_A, 'pending', [1, 0, 1]), payment(HASH_A, 'failed', [0, 0, 2]))).toBe(true);
    expect(isNewerPayment(payment(HASH_A, 'failed', [0, 0, 2]), payment(HASH_A, 'pending', [1, 0, 1]))).toBe(false);
  });

  it('never leaves complete, but still counts the parts that settle after', () => {
    expect(isNewerPayment(payment(HASH_A, 'complete', [1, 1, 0]), payment(HASH_A, 'pending', [2, 0, 0]))).toBe(false);
    expect(isNewerPayment(payment(HASH_A, 'pending', [2, 0, 5]), payment(HASH_A, 'complete', [1, 1, 0]))).toBe(true);
    expect(isNewerPayment(payment(HASH_A, 'complete', [1, 1, 0]), payment(HASH_A, 'complete', [0, 2, 0]))).toBe(true);
    expect(isNewerPayment(payment(HASH_A, 'complete', [0, 2, 0]), payment(HASH_A, 'complete', [1, 1, 0]))).toBe(false);
  });

  it('takes a failed payment being sent again (failed → pending at equal counts)', () => {
    expect(isNewerPayment(payment(HASH_A, 'failed', [0, 0, 2]), payment(HASH_A, 'pending', [0, 0, 2]))).toBe(true);
    expect(isNewerPayment(payment(HASH_A, 'pending', [0, 0, 2]), payment(HASH_A, 'failed', [0, 0, 2]))).toBe(false);
    expect(isNewerPayment(payment(HASH_A, 'failed', [0, 0, 2]), payment(HASH_A, 'pending', [1, 0, 2]))).toBe(true);
  });

  it('merges shuffled and repeated events to the newest state', () => {
    const sequence = [
      payment(HASH_A, 'pending', [1, 0, 0]),
      payment(HASH_A, 'pending', [2, 0, 0]),
      payment(HASH_A, 'pending', [1, 0, 1]),
      payment(HASH_A, 'complete', [0, 1, 1]),
    ];
    const shuffled = [sequence[3], sequence[0], sequence[2], sequence[3], sequence[1], sequence[0]] as Payment[];
    const data = mergePayments(EMPTY, shuffled, true, 7);
    expect(data.payments.get(HASH_A)?.status).toBe('complete');
    expect(data.payments.get(HASH_A)?.parts).toEqual({ pending: 0, complete: 1, failed: 1 });
    expect(data.order).toEqual([HASH_A]);
  });

  it('records when a payment was seen to finish', () => {
    let data = mergePayments(EMPTY, [payment(HASH_A, 'pending', [1, 0, 0])], true, 1);
    data = mergePayments(data, [payment(HASH_A, 'complete', [0, 1, 0])], true, 42);
    expect(data.paymentSeenAt.get(HASH_A)).toBe(42);
  });

  it('keeps payments newest first, however they arrive', () => {
    const many = Array.from({ length: 100 }, (_, i) =>
      payment(i.toString(16).padStart(64, '0'), 'complete', [0, 1, 0], i),
    );
    let data = mergePayments(EMPTY, many.slice(0, 60).reverse(), false);
    for (const p of many.slice(60).sort(() => 0.5 - Math.random())) data = mergePayments(data, [p], true);
    const created = data.order.map((h) => data.payments.get(h)?.created_at);
    expect(created).toEqual([...created].sort((a, b) => (b as number) - (a as number)));
    expect(data.order.length).toBe(100);
  });
});

describe('the store', () => {
  it('applies lists and events', () => {
    const s = usePayments.getState();
    s.applyPayments([payment(HASH_B, 'pending', [1, 0, 0], 2000), payment(HASH_A, 'complete', [0, 1, 0], 1000)], false);
    s.applyParts([part(7, 'pending', HASH_B)], false);
    s.applyParts([part(7, 'failed', HASH_B)], true);
    s.applyParts([part(7, 'pending', HASH_B)], true);
    const st = usePayments.getState();
    expect(st.order).toEqual([HASH_B, HASH_A]);
    expect(st.parts.get(7)?.status).toBe('failed');
  });
});
