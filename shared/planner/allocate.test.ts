import { describe, expect, it } from 'vitest';
import { allocate, usable } from './allocate';

describe('allocate', () => {
  const channels = [
    { channel: '1x1x0', sendable: 1_001_000_000n },
    { channel: '2x1x0', sendable: 500_000_000n },
    { channel: '3x1x0', sendable: 0n },
  ];

  it('uses one channel when it can carry the amount', () => {
    expect(allocate(300_000_000n, channels, 4)).toEqual([{ channel: '1x1x0', amount: 300_000_000n }]);
  });

  it('spreads in proportion to usable balance and sums exactly', () => {
    const parts = allocate(1_200_000_000n, channels, 4) ?? [];
    expect(parts.map((p) => p.channel)).toEqual(['1x1x0', '2x1x0']);
    expect(parts.reduce((s, p) => s + p.amount, 0n)).toBe(1_200_000_000n);
    // 1% + 1 sat margin: usable 990,989,999 and 494,999,000 msat; shares by hand: 1.2e9 × u1/(u1+u2).
    const u1 = 1_001_000_000n - 10_010_000n - 1000n;
    const u2 = 500_000_000n - 5_000_000n - 1000n;
    expect(usable(1_001_000_000n)).toBe(u1);
    expect(parts[0]?.amount).toBeGreaterThanOrEqual((1_200_000_000n * u1) / (u1 + u2));
    expect(parts[0]?.amount).toBeLessThanOrEqual(u1);
  });

  it('refuses what the channels cannot carry, and respects maxParts', () => {
    expect(allocate(2_000_000_000n, channels, 4)).toBeUndefined();
    expect(allocate(1_200_000_000n, channels, 1)).toBeUndefined();
  });
});
