import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatFee,
  formatFeeRate,
  formatMoved,
  formatMsat,
  formatPercent,
  formatSeconds,
  parseDate,
  parseSat,
  satInput,
  shortHex,
} from './format';

describe('formatMsat', () => {
  it('shows sat, with the msat digits only when there are some', () => {
    expect(formatMsat(1_234_567n)).toBe('1,234.567 sat');
    expect(formatMsat(1_234_000n)).toBe('1,234 sat');
    expect(formatMsat(1_200n)).toBe('1.2 sat');
    expect(formatMsat(1n)).toBe('0.001 sat');
    expect(formatMsat(0n)).toBe('0 sat');
    expect(formatMsat(-5_000n)).toBe('-5 sat');
    expect(formatMsat(-1_500n)).toBe('-1.5 sat');
  });

  it('signs what moved over a channel: in with +, out with -', () => {
    expect(formatMoved(400_000_000n)).toBe('+400,000 sat');
    expect(formatMoved(-400_120_500n)).toBe('-400,120.5 sat');
    expect(formatMoved(0n)).toBe('0 sat');
  });

  it('is exact beyond 2^53 msat', () => {
    expect(formatMsat(2_100_000_000_000_000_001n)).toBe('2,100,000,000,000,000.001 sat');
  });

  it('writes fees the same way', () => {
    expect(formatFee(290_033n)).toBe('290.033 sat');
    expect(formatFee(500n)).toBe('0.5 sat');
  });
});

describe('parseSat and satInput', () => {
  it('reads what people type', () => {
    expect(parseSat('1234')).toBe(1_234_000n);
    expect(parseSat(' 1,234 ')).toBe(1_234_000n);
    expect(parseSat('1 234.5')).toBe(1_234_500n);
    expect(parseSat('0.001')).toBe(1n);
    expect(parseSat('12.')).toBe(12_000n);
    expect(parseSat('0')).toBe(0n);
  });

  it('refuses anything that is not an amount to the msat', () => {
    for (const bad of ['', ' ', '-1', '1.2345', 'abc', '1e3', '.5', '1.2.3', '0x10'])
      expect(parseSat(bad)).toBeUndefined();
  });

  it('round-trips through the amount boxes', () => {
    for (const msat of [0n, 1n, 999n, 1_000n, 1_234_567n, 21_000_000_000_000_000n]) {
      expect(parseSat(satInput(msat))).toBe(msat);
    }
    expect(satInput(348_651_159n)).toBe('348651.159');
  });
});

describe('percent, durations, dates', () => {
  it('formats probabilities', () => {
    expect(formatPercent(0.34199813)).toBe('34.2%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.0004)).toBe('<0.1%');
    expect(formatPercent(0.9996)).toBe('>99.9%');
    expect(formatPercent(undefined)).toBe('unknown');
    expect(formatPercent(Number.NaN)).toBe('unknown');
  });

  it('formats a fee rate', () => {
    expect(formatFeeRate(290_033n, 500_000_000n)).toBe('0.058%');
    expect(formatFeeRate(1n, 0n)).toBe('');
  });

  it('formats durations', () => {
    expect(formatDuration(420)).toBe('0.42 s');
    expect(formatDuration(1_234)).toBe('1.2 s');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(-1)).toBe('unknown');
    expect(formatSeconds(125)).toBe('2 min 5 s');
    expect(formatSeconds(86_399)).toBe('23 h 59 min');
    expect(formatSeconds(90_000)).toBe('1 day 1 h');
    expect(formatSeconds(-3)).toBe('0 s');
  });

  it('reads date inputs as local days, the end inclusive', () => {
    const start = parseDate('2026-11-25') as number;
    const end = parseDate('2026-11-25', true) as number;
    expect(new Date(start * 1000).getHours()).toBe(0);
    expect(end - start).toBe(86_399);
    expect(parseDate('25/11/2026')).toBeUndefined();
  });

  it('shortens ids', () => {
    expect(shortHex('039d7473a22c83bf74')).toBe('039d7473a2…');
    expect(shortHex('abc')).toBe('abc');
  });
});
