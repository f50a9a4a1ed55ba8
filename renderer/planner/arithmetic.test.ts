import { describe, expect, it } from 'vitest';
import type { PartialPayment, Route, Status } from '../../shared/types';
import {
  checkEdit,
  currentRoute,
  holdSecondsLeft,
  leftToAssign,
  missingAmount,
  type PlannedPart,
  sumAmounts,
  totalFee,
} from './arithmetic';

const PEER_A = `02${'aa'.repeat(32)}`;
const PEER_B = `03${'bb'.repeat(32)}`;
const MID = `02${'11'.repeat(32)}`;
const DEST = `02${'dd'.repeat(32)}`;

/** A route delivering `amount` over `channel` with `fee` paid to the middle node. */
function route(channel: string, peer: string, amount: bigint, fee: bigint): Route {
  return [
    { id: peer, channel, msatoshi: amount + fee, delay: 100, direction: 0 },
    { id: DEST, channel: '9x9x9', msatoshi: amount, delay: 40, direction: 1 },
  ];
}

function planned(channel: string, amount: bigint, fee: bigint): PlannedPart {
  return { amount, channel, route: route(channel, channel === '1x1x1' ? PEER_A : PEER_B, amount, fee) };
}

/** Limits wide enough not to matter. */
const WIDE = { feeLimit: 1_000_000n, maxParts: 8 };

describe('amounts must add up', () => {
  it('sums the parts and says what is left to assign', () => {
    const parts = [planned('1x1x1', 600_000n, 60n), planned('2x2x2', 300_000n, 30n)];
    expect(sumAmounts(parts)).toBe(900_000n);
    expect(leftToAssign(1_000_000n, parts)).toBe(100_000n);
    expect(leftToAssign(900_000n, parts)).toBe(0n);
    expect(leftToAssign(800_000n, parts)).toBe(-100_000n);
    expect(leftToAssign(5n, [])).toBe(5n);
  });

  it('counts an amount that is not readable as nothing', () => {
    expect(leftToAssign(1_000n, [{ amount: undefined }, { amount: 400n }])).toBe(600n);
  });
});

describe('fee totals', () => {
  it('adds the fees of the current routes', () => {
    const parts = [planned('1x1x1', 600_000n, 60n), planned('2x2x2', 400_000n, 45n)];
    expect(totalFee(parts)).toBe(105n);
  });

  it('knows no total while a part has no route for its amount', () => {
    const edited = { ...planned('1x1x1', 600_000n, 60n), amount: 650_000n };
    expect(currentRoute(edited)).toBeUndefined();
    expect(totalFee([edited, planned('2x2x2', 400_000n, 45n)])).toBeUndefined();
    const moved = { ...planned('1x1x1', 600_000n, 60n), channel: '2x2x2' };
    expect(currentRoute(moved)).toBeUndefined();
  });
});

describe('checkEdit', () => {
  it('lets an exact plan within the limits go', () => {
    const parts = [planned('1x1x1', 600_000n, 60n), planned('2x2x2', 400_000n, 45n)];
    expect(checkEdit(1_000_000n, parts, WIDE)).toEqual({ ok: true, reasons: [] });
  });

  it('refuses parts that do not add up exactly', () => {
    const parts = [planned('1x1x1', 600_000n, 60n)];
    const short = checkEdit(1_000_000n, parts, WIDE);
    expect(short.ok).toBe(false);
    expect(short.reasons.join(' ')).toMatch(/400 sat still to assign/);
    const over = checkEdit(500_000n, parts, WIDE);
    expect(over.reasons.join(' ')).toMatch(/100 sat more than the amount/);
  });

  it('holds the fees of all parts together to the fee limit, and the parts to the maximum', () => {
    const parts = [planned('1x1x1', 600_000n, 600n), planned('2x2x2', 400_000n, 400n)];
    expect(checkEdit(1_000_000n, parts, { feeLimit: 1_000n, maxParts: 2 }).ok).toBe(true);
    expect(checkEdit(1_000_000n, parts, { feeLimit: 999n, maxParts: 2 }).reasons).toEqual([
      "The parts' fees, 1 sat, are over your fee limit of 0.999 sat.",
    ]);
    expect(checkEdit(1_000_000n, parts, { feeLimit: 1_000n, maxParts: 1 }).reasons).toEqual([
      '2 parts are more than your maximum of 1.',
    ]);
    expect(checkEdit(1_000_000n, parts, {}).reasons).toEqual([
      'The fee limit is not an amount in sat.',
      'The maximum number of parts is not a whole number from 1 to 100.',
    ]);
  });

  it('leaves whether channels can carry a plan to the core: parts sharing a channel pass here', () => {
    const shared = [planned('2x2x2', 300_000n, 0n), planned('2x2x2', 300_000n, 0n)];
    expect(checkEdit(600_000n, shared, WIDE).ok).toBe(true);
  });

  it('wants an amount, a channel and a current route in every part', () => {
    const reasons = checkEdit(
      1_000_000n,
      [
        { amount: undefined, channel: '1x1x1' },
        { amount: 0n },
        { amount: 5n },
        { amount: 5n, channel: '1x1x1', routing: true },
      ],
      WIDE,
    ).reasons.join(' ');
    expect(reasons).toMatch(/Part 1: the amount is not a number/);
    expect(reasons).toMatch(/Part 2: the amount must be more than 0/);
    expect(reasons).toMatch(/Part 3: choose a channel/);
    expect(reasons).toMatch(/Part 4: looking for a route/);
    expect(checkEdit(1n, [], WIDE).reasons).toContain('There are no parts to send.');
    expect(checkEdit(undefined, [planned('1x1x1', 1n, 0n)], WIDE).ok).toBe(false);
  });

  it('numbers parts as the table does', () => {
    const reasons = checkEdit(10n, [{ amount: undefined, number: 3 }], WIDE).reasons;
    expect(reasons[0]).toMatch(/^Part 3:/);
  });
});

function sent(id: number, status: Status, amount: bigint, created = 1000): PartialPayment {
  const r = [
    { id: MID, channel: '1x1x1', msatoshi: amount + 20n, delay: 140, direction: 0 as const },
    { id: PEER_A, channel: '5x5x5', msatoshi: amount + 10n, delay: 100 },
    { id: DEST, channel: '9x9x9', msatoshi: amount, delay: 40, direction: 1 as const },
  ];
  return {
    id,
    payment_hash: 'aa'.repeat(32),
    status,
    msatoshi: amount,
    msatoshi_sent: amount + 20n,
    destination: DEST,
    route: r,
    created_at: created,
    ...(status === 'failed'
      ? { failure: { code: 'TEMPORARY_CHANNEL_FAILURE' as const, message: 'Not enough liquidity', erring_index: 1 } }
      : {}),
  };
}

describe('after failures', () => {
  it('misses what failed parts carried', () => {
    const parts = [sent(1, 'pending', 300n), sent(2, 'failed', 300n), sent(3, 'complete', 400n)];
    expect(missingAmount(1_000n, parts)).toBe(300n);
    expect(missingAmount(1_000n, [])).toBe(1_000n);
  });

  it('counts down the receiver’s hold from the earliest held part', () => {
    const parts = [sent(1, 'pending', 1n, 1000), sent(2, 'pending', 1n, 1010), sent(3, 'failed', 1n, 990)];
    expect(holdSecondsLeft(parts, 1030)).toBe(90);
    expect(holdSecondsLeft(parts, 1200)).toBe(0);
    expect(holdSecondsLeft([sent(3, 'failed', 1n)], 1000)).toBeUndefined();
  });
});
