// bigint-safe JSON for the transports. Amounts are bigint inside the app and plain JSON numbers on the wire
// (docs/commands.md "Conventions"), so neither side may round them through a float.
// Uses JSON.parse source-text access (the reviver's `context.source`) and JSON.rawJSON: Node ≥ 21, Chromium ≥ 114.

/** What TypeScript's lib (ES2023) does not declare yet. Local, so nothing global is augmented. */
interface JsonWithSource {
  parse(
    text: string,
    reviver: (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown,
  ): unknown;
  rawJSON(text: string): unknown;
}
const Json = JSON as unknown as JsonWithSource;

const INTEGER = /^-?\d+$/;

export interface ParseJsonOptions {
  /** Amount fields (`msatoshi`, `msatoshi_*`, `*_msatoshi`) holding integers become bigint even when small, so
   * that results typed with bigint amounts are bigint on arrival. Default false. */
  amounts?: boolean;
}

/** True for the names docs/commands.md gives amounts: `msatoshi`, `msatoshi_sent`, `fee_msatoshi`, `intended_msatoshi`… */
export function isAmountKey(key: string): boolean {
  return key === 'msatoshi' || key.startsWith('msatoshi_') || key.endsWith('_msatoshi');
}

/**
 * JSON.parse, keeping integers exactly: an integer literal outside the safe range (|n| > 2^53−1) becomes a bigint
 * instead of a rounded number. Throws SyntaxError on bad JSON, like JSON.parse.
 */
export function parseJson(text: string, options: ParseJsonOptions = {}): unknown {
  const { amounts = false } = options;
  return Json.parse(text, (key, value, context) => {
    if (typeof value !== 'number') return value;
    if (Number.isSafeInteger(value)) return amounts && isAmountKey(key) ? BigInt(value) : value;
    const source = context?.source;
    if (source === undefined) {
      if (!Number.isInteger(value)) return value;
      throw new Error('JSON.parse source text access is not available: cannot read big integers exactly');
    }
    // An integer literal outside the safe range; a fraction or an exponent form stays a number.
    return INTEGER.test(source) ? BigInt(source) : value;
  });
}

/** JSON.stringify that writes a bigint as a plain JSON number (exact), not a string. Throws on top-level
 * `undefined`, a function or a symbol (nothing to write). */
export function stringifyJson(value: unknown, space?: string | number): string {
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'bigint' ? Json.rawJSON(v.toString()) : v),
    space,
  );
  if (text === undefined) throw new Error(`cannot write ${typeof value} as JSON`);
  return text;
}
