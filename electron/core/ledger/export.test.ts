import { describe, expect, it } from 'vitest';
import { csvCell, csvPlain } from './csv';
import { asBytes, type ByteText, utf8Bytes } from './export-bytes';
import { CsvNames, isoTime, routeBytes, sat } from './export-csv';
import { DEST, HOP } from './test-helpers';

// The CSV's cells written by hand for speed: each must equal what the obvious (slower) way writes.

/** The text a ByteText holds (the file holds its bytes). */
const textOf = (bytes: ByteText) => Buffer.from(bytes, 'latin1').toString('utf8');

/** A route's text as the CSV writes it, as text. */
const routeText = (stored: string, names: Map<string, string>, known?: { id: string; name: string | undefined }) => {
  const hop = known && (known.name === undefined ? asBytes(known.id) : utf8Bytes(known.name));
  return textOf(routeBytes(stored, new CsvNames(names), known && hop && { id: known.id, hop }));
};

describe('export cells', () => {
  it("utf8Bytes holds a text's UTF-8 bytes, one character a byte; ASCII as it is", () => {
    for (const text of [
      '',
      'plain, "ascii"\r\n',
      'café',
      'ÿ\u0080',
      ' → ',
      '☕ 日本',
      '😀',
      '\u0000\u007f',
      'a\ud800b',
    ]) {
      const bytes = utf8Bytes(text);
      expect(Buffer.from(bytes, 'latin1')).toEqual(Buffer.from(text, 'utf8'));
      expect([...bytes].every((c) => c.charCodeAt(0) <= 0xff)).toBe(true);
      expect(textOf(bytes)).toBe(Buffer.from(text, 'utf8').toString('utf8'));
    }
    const ascii = 'x'.repeat(100);
    expect(utf8Bytes(ascii)).toBe(ascii);
  });

  it('isoTime equals Date.toISOString to the second, across days, years and leap days', () => {
    const samples = [0, 59, 3599, 86_399, 86_400, 951_782_400, 1_700_000_000, 4_102_444_799];
    for (let i = 0; i < 20_000; i++) samples.push(Math.floor(Math.random() * 4_200_000_000));
    for (const s of samples) expect(isoTime(s)).toBe(`${new Date(s * 1000).toISOString().slice(0, 19)}Z`);
    expect(isoTime(undefined)).toBe('');
  });

  it('sat is msat / 1000 exactly, without trailing zeros', () => {
    const cases: [bigint, string][] = [
      [0n, '0'],
      [1n, '0.001'],
      [10n, '0.01'],
      [999n, '0.999'],
      [1000n, '1'],
      [1010n, '1.01'],
      [700_000_000n, '700000'],
      [2_000_000_000_000_000_001n, '2000000000000000.001'],
    ];
    for (const [msat, text] of cases) expect(sat(msat)).toBe(text);
    for (let i = 0; i < 5_000; i++) {
      const msat = BigInt(Math.floor(Math.random() * 1e12));
      expect(BigInt(Math.round(Number(sat(msat)) * 1000))).toBe(msat);
    }
  });

  it('routeText names each hop of a stored route, ids where no name is known', () => {
    const stored = JSON.stringify([
      { id: HOP, channel: '1x1x0', direction: 0, msatoshi: '1010', delay: 40 },
      { id: DEST, channel: '2x1x0', direction: 1, msatoshi: '1000', delay: 18 },
    ]);
    expect(routeText(stored, new Map([[HOP, 'atlas']]))).toBe(`atlas → ${DEST}`);
    expect(
      routeText(
        stored,
        new Map([
          [HOP, 'atlas'],
          [DEST, 'bob'],
        ]),
      ),
    ).toBe('atlas → bob');
    expect(routeText('[]', new Map())).toBe('');
  });

  it('routeText told the destination by id names it as a look-up would', () => {
    const stored = JSON.stringify([
      { id: HOP, channel: '1x1x0', direction: 0, msatoshi: '1010', delay: 40 },
      { id: DEST, channel: '2x1x0', direction: 1, msatoshi: '1000', delay: 18 },
    ]);
    const names = new Map([
      [HOP, 'atlas'],
      [DEST, 'bob'],
    ]);
    expect(routeText(stored, names, { id: DEST, name: 'bob' })).toBe(routeText(stored, names));
    expect(routeText(stored, new Map([[HOP, 'atlas']]), { id: DEST, name: undefined })).toBe(`atlas → ${DEST}`);
  });

  it('a route is written without a quoting pass only when no name could need one', () => {
    const stored = JSON.stringify([
      { id: HOP, channel: '1x1x0', direction: 0, msatoshi: '1010', delay: 40 },
      { id: DEST, channel: '2x1x0', direction: 1, msatoshi: '1000', delay: 18 },
    ]);
    for (const name of ['atlas', 'Café ☕', '', 'a b']) {
      const names = new Map([[HOP, name]]);
      expect(csvPlain(name)).toBe(true);
      expect(new CsvNames(names).plain).toBe(true);
      expect(csvCell(routeText(stored, names))).toBe(routeText(stored, names));
    }
    for (const name of ['=hop', 'a,b', 'say "hi"', 'two\nlines', '-1', '@x', '+x', '\tx']) {
      expect(csvPlain(name)).toBe(false);
      expect(
        new CsvNames(
          new Map([
            [DEST, 'bob'],
            [HOP, name],
          ]),
        ).plain,
      ).toBe(false);
    }
    expect(new CsvNames(new Map()).plain).toBe(true);
  });
});
