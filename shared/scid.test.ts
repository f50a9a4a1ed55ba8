import { describe, expect, it } from 'vitest';
import { formatScid, normalizeScid, parseScid, scidFromParts } from './scid';

describe('short channel ids', () => {
  // Expected uint64 values computed by hand: (870000 << 40) | (1234 << 16) | 1.
  it('parses BLOCKxTXxOUTPUT above 2^53 exactly', () => {
    expect(parseScid('870000x1234x1')).toBe(956575116245991425n);
    expect(formatScid(956575116245991425n)).toBe('870000x1234x1');
  });

  it('formats a decimal uint64 above 2^53', () => {
    // 957349876567244801 = 870704 * 2^40 + 10745486 * 2^16 + 1
    expect(formatScid(957349876567244801n)).toBe('870704x10745486x1');
    expect(parseScid('957349876567244801')).toBe(957349876567244801n);
    expect(normalizeScid('957349876567244801')).toBe('870704x10745486x1');
    expect(parseScid('870704x10745486x1')).toBe(957349876567244801n);
  });

  it('handles the edges of each field', () => {
    expect(parseScid('0x0x0')).toBe(0n);
    // (2^24-1) << 40 | (2^24-1) << 16 | (2^16-1) = 2^64-1
    expect(parseScid('16777215x16777215x65535')).toBe(18446744073709551615n);
    expect(formatScid(18446744073709551615n)).toBe('16777215x16777215x65535');
    expect(scidFromParts(700000, 16777215, 65535)).toBe(769659238954827775n);
  });

  it('refuses out-of-range parts and malformed text with a clear Error', () => {
    expect(() => parseScid('16777216x0x0')).toThrow(/block 16777216 .*2\^24/);
    expect(() => parseScid('1x16777216x0')).toThrow(/transaction index 16777216 .*2\^24/);
    expect(() => parseScid('1x1x65536')).toThrow(/output index 65536 .*2\^16/);
    expect(() => parseScid('18446744073709551616')).toThrow(/above 2\^64-1/);
    for (const bad of ['', '1x2', '1x2x3x4', '1:2:3', '-1x2x3', ' 1x2x3', '1X2X3', '0x1f', '12.5']) {
      expect(() => parseScid(bad), bad).toThrow(/invalid short channel id/);
    }
    expect(() => formatScid(-1n)).toThrow(/out of range/);
    expect(() => formatScid(1n << 64n)).toThrow(/out of range/);
  });
});
