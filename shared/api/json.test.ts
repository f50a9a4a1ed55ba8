import { describe, expect, it } from 'vitest';
import { isAmountKey, parseJson, stringifyJson } from './json';

const MAX_U64 = 18446744073709551615n; // 2^64 - 1

describe('bigint-safe JSON', () => {
  it('reads integers beyond 2^53 exactly, as bigint', () => {
    const v = parseJson('{"a":18446744073709551615,"b":[9007199254740993,-9007199254740993],"c":42}') as {
      a: bigint;
      b: bigint[];
      c: number;
    };
    expect(v.a).toBe(MAX_U64);
    expect(v.b).toStrictEqual([9007199254740993n, -9007199254740993n]);
    expect(v.c).toBe(42);
  });

  it('leaves fractions, exponents and safe integers as numbers', () => {
    expect(parseJson('[1.5, 1e30, 9007199254740991, -0.25]')).toStrictEqual([1.5, 1e30, 9007199254740991, -0.25]);
    expect(parseJson('"18446744073709551615"')).toBe('18446744073709551615');
  });

  it('writes bigint as a plain JSON number', () => {
    expect(stringifyJson({ a: MAX_U64, b: [1n, -2n], c: 'x', d: 1.5 })).toBe(
      '{"a":18446744073709551615,"b":[1,-2],"c":"x","d":1.5}',
    );
    expect(stringifyJson(MAX_U64)).toBe('18446744073709551615');
    expect(stringifyJson({ a: 1n }, 2)).toBe('{\n  "a": 1\n}');
  });

  it('round-trips 2^64-1', () => {
    const value = { msatoshi: MAX_U64, nested: { list: [MAX_U64, 0n] } };
    const text = stringifyJson(value);
    expect(text).toBe('{"msatoshi":18446744073709551615,"nested":{"list":[18446744073709551615,0]}}');
    expect(parseJson(text)).toStrictEqual({ msatoshi: MAX_U64, nested: { list: [MAX_U64, 0] } });
    expect(stringifyJson(parseJson(text))).toBe(text);
  });

  it('reads amount fields as bigint when asked', () => {
    const text = '{"msatoshi":1000,"msatoshi_sent":1001,"fee_msatoshi":1,"id":3,"route":[{"msatoshi":5,"delay":9}]}';
    expect(parseJson(text, { amounts: true })).toStrictEqual({
      msatoshi: 1000n,
      msatoshi_sent: 1001n,
      fee_msatoshi: 1n,
      id: 3,
      route: [{ msatoshi: 5n, delay: 9 }],
    });
    expect(isAmountKey('capacity_msatoshi')).toBe(true);
    expect(isAmountKey('delay')).toBe(false);
  });

  it('throws on bad JSON and on nothing to write', () => {
    expect(() => parseJson('{')).toThrow(SyntaxError);
    expect(() => stringifyJson(undefined)).toThrow();
  });
});
