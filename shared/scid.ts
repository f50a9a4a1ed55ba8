// Short channel ids. Braid shows and accepts c-lightning's `BLOCKxTXxOUTPUT`; LND uses a uint64
// `block<<40 | tx<<16 | output` (docs/commands.md "Conventions"). bigint throughout: real ids exceed 2^53.

const MAX_BLOCK = 1n << 24n; // exclusive
const MAX_TX = 1n << 24n; // exclusive
const MAX_OUTPUT = 1n << 16n; // exclusive
const MAX_UINT64 = (1n << 64n) - 1n;

const SCID_TEXT = /^(\d+)x(\d+)x(\d+)$/;
const DECIMAL = /^\d+$/;

/** LND's uint64 channel id → `BLOCKxTXxOUTPUT`. Throws on a negative id or one above 2^64−1. */
export function formatScid(id: bigint): string {
  if (typeof id !== 'bigint') throw new Error(`short channel id must be a bigint, got ${typeof id}`);
  if (id < 0n || id > MAX_UINT64) throw new Error(`short channel id ${id} is out of range (0 to 2^64-1)`);
  const block = id >> 40n;
  const tx = (id >> 16n) & (MAX_TX - 1n);
  const output = id & (MAX_OUTPUT - 1n);
  return `${block}x${tx}x${output}`;
}

/** Block, transaction index and output index → LND's uint64 id. Throws if a part is out of range. */
export function scidFromParts(block: bigint | number, tx: bigint | number, output: bigint | number): bigint {
  const b = toBig(block, 'block');
  const t = toBig(tx, 'transaction index');
  const o = toBig(output, 'output index');
  if (b >= MAX_BLOCK) throw new Error(`short channel id block ${b} is out of range (must be below 2^24)`);
  if (t >= MAX_TX) throw new Error(`short channel id transaction index ${t} is out of range (must be below 2^24)`);
  if (o >= MAX_OUTPUT) throw new Error(`short channel id output index ${o} is out of range (must be below 2^16)`);
  return (b << 40n) | (t << 16n) | o;
}

/** `BLOCKxTXxOUTPUT`, or LND's uint64 as a decimal string → the uint64. Throws a plain Error on bad input. */
export function parseScid(text: string): bigint {
  if (typeof text !== 'string') throw new Error(`short channel id must be a string, got ${typeof text}`);
  const m = SCID_TEXT.exec(text);
  if (m) {
    const [, block, tx, output] = m as unknown as [string, string, string, string];
    try {
      return scidFromParts(BigInt(block), BigInt(tx), BigInt(output));
    } catch (e) {
      throw new Error(`invalid short channel id ${JSON.stringify(text)}: ${(e as Error).message}`);
    }
  }
  if (DECIMAL.test(text)) {
    const id = BigInt(text);
    if (id > MAX_UINT64) throw new Error(`invalid short channel id ${JSON.stringify(text)}: above 2^64-1`);
    return id;
  }
  throw new Error(
    `invalid short channel id ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}: expected BLOCKxTXxOUTPUT or a decimal uint64`,
  );
}

/** Canonical `BLOCKxTXxOUTPUT` form of either accepted spelling. Throws like parseScid. */
export function normalizeScid(text: string): string {
  return formatScid(parseScid(text));
}

function toBig(v: bigint | number, what: string): bigint {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Error(`short channel id ${what} ${v} is not an integer`);
    v = BigInt(v);
  }
  if (v < 0n) throw new Error(`short channel id ${what} ${v} is negative`);
  return v;
}
