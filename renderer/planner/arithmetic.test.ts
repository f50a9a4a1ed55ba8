import { describe, expect, it } from 'vitest';
import type { ChannelInfo } from '../../shared/api/results';
import type { PartialPayment, Route, Status } from '../../shared/types';
import {
  channelUse,
  checkSend,
  currentRoute,
  holdSecondsLeft,
  jointProbability,
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

function planned(channel: string, amount: bigint, fee: bigint, probability?: number): PlannedPart {
  return { amount, channel, route: route(channel, channel === '1x1x1' ? PEER_A : PEER_B, amount, fee), probability };
}

const CHANNELS: ChannelInfo[] = [
  {
    channel: '1x1x1',
    peer_id: PEER_A,
    peer_alias: 'atlas',
    capacity_msatoshi: 2_000_000n,
    local_msatoshi: 1_000_000n,
    remote_msatoshi: 1_000_000n,
    active: true,
  },
  {
    channel: '2x2x2',
    peer_id: PEER_B,
    peer_alias: 'bolt',
    capacity_msatoshi: 1_000_000n,
    local_msatoshi: 500_000n,
    remote_msatoshi: 500_000n,
    active: true,
  },
];

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

describe('fee and probability totals', () => {
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

  it('multiplies the probabilities: every part must arrive', () => {
    expect(jointProbability([0.5, 0.8])).toBeCloseTo(0.4);
    expect(jointProbability([])).toBe(1);
    expect(jointProbability([0.5, undefined])).toBeUndefined();
  });
});

describe('checkSend', () => {
  it('lets an exact plan that fits its channels go', () => {
    const parts = [planned('1x1x1', 600_000n, 60n), planned('2x2x2', 400_000n, 45n)];
    expect(checkSend(1_000_000n, parts, CHANNELS)).toEqual({ ok: true, reasons: [] });
  });

  it('refuses parts that do not add up exactly', () => {
    const parts = [planned('1x1x1', 600_000n, 60n)];
    const short = checkSend(1_000_000n, parts, CHANNELS);
    expect(short.ok).toBe(false);
    expect(short.reasons.join(' ')).toMatch(/400 sat still to assign/);
    const over = checkSend(500_000n, parts, CHANNELS);
    expect(over.reasons.join(' ')).toMatch(/100 sat more than the amount/);
  });

  it('refuses a part over its channel’s local balance, fees included, and parts sharing a channel together', () => {
    const exact = [planned('2x2x2', 500_000n, 0n)];
    expect(checkSend(500_000n, exact, CHANNELS).ok).toBe(true);
    const withFee = [planned('2x2x2', 500_000n, 1n)];
    expect(checkSend(500_000n, withFee, CHANNELS).reasons.join(' ')).toMatch(/bolt|2x2x2/);
    const shared = [planned('2x2x2', 300_000n, 0n), planned('2x2x2', 300_000n, 0n)];
    expect(channelUse(shared).get('2x2x2')).toBe(600_000n);
    expect(checkSend(600_000n, shared, CHANNELS, () => 'bolt').reasons).toEqual([
      'bolt: the parts need 600 sat but the channel has 500 sat.',
    ]);
  });

  it('wants an amount, a channel and a current route in every part', () => {
    const reasons = checkSend(
      1_000_000n,
      [
        { amount: undefined, channel: '1x1x1' },
        { amount: 0n },
        { amount: 5n },
        { amount: 5n, channel: '1x1x1', routing: true },
      ],
      CHANNELS,
    ).reasons.join(' ');
    expect(reasons).toMatch(/Part 1: the amount is not a number/);
    expect(reasons).toMatch(/Part 2: the amount must be more than 0/);
    expect(reasons).toMatch(/Part 3: choose a channel/);
    expect(reasons).toMatch(/Part 4: looking for a route/);
    expect(checkSend(1n, [], CHANNELS).reasons).toContain('There are no parts to send.');
    expect(checkSend(undefined, [planned('1x1x1', 1n, 0n)], CHANNELS).ok).toBe(false);
  });

  it('numbers parts as the table does', () => {
    const reasons = checkSend(10n, [{ amount: undefined, number: 3 }], CHANNELS).reasons;
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
      ? { failure: { code: 'TEMPORARY_CHANNEL_FAILURE', message: 'Not enough liquidity', erring_index: 1 } }
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
