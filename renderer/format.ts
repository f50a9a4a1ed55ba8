// Every amount, fee, percentage, time and duration the UI shows is written here, and nowhere else. Amounts are
// bigint millisatoshi; they are shown in sat, with the msat digits when they are not zero ("1,234.567 sat").

const MSAT_PER_SAT = 1000n;

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 1234567n → "1,234.567 sat"; 1234000n → "1,234 sat"; 1200n → "1.2 sat"; -5000n → "-5 sat". */
export function formatMsat(msat: bigint): string {
  const negative = msat < 0n;
  const abs = negative ? -msat : msat;
  const sat = abs / MSAT_PER_SAT;
  const rest = abs % MSAT_PER_SAT;
  const fraction = rest === 0n ? '' : `.${rest.toString().padStart(3, '0').replace(/0+$/, '')}`;
  return `${negative ? '-' : ''}${group(sat.toString())}${fraction} sat`;
}

/** What moved over a channel, signed: "+400,000 sat" in, "-400,120.5 sat" out, "0 sat". */
export function formatMoved(msat: bigint): string {
  return `${msat > 0n ? '+' : ''}${formatMsat(msat)}`;
}

/** A fee: like any amount, always to the msat ("0.5 sat", "290.033 sat"). */
export function formatFee(msat: bigint): string {
  return formatMsat(msat);
}

/** An amount as the text to put in an amount box: sat without grouping, msat digits if any ("1234.567"). */
export function satInput(msat: bigint): string {
  return formatMsat(msat).replace(/ sat$/, '').replace(/,/g, '');
}

/**
 * What someone typed in a "(sat)" box → msat. Accepts "1234", "1,234", "1 234", "1234.567" (at most three decimals:
 * msat). Returns undefined for anything else, including negative amounts and empty text.
 */
export function parseSat(text: string): bigint | undefined {
  const cleaned = text.trim().replace(/[,\s_]/g, '');
  const m = /^(\d+)(?:\.(\d{0,3}))?$/.exec(cleaned);
  if (!m) return undefined;
  const [, whole, fraction = ''] = m;
  return BigInt(whole as string) * MSAT_PER_SAT + BigInt(fraction.padEnd(3, '0') || '0');
}

/** A probability 0..1 → "34.2%"; tiny ones "<0.1%", almost-certain ones ">99.9%"; unknown → "unknown". */
export function formatPercent(p: number | undefined): string {
  if (p === undefined || !Number.isFinite(p)) return 'unknown';
  if (p <= 0) return '0%';
  if (p >= 1) return '100%';
  if (p < 0.001) return '<0.1%';
  if (p > 0.999) return '>99.9%';
  return `${(p * 100).toFixed(1)}%`;
}

/** A fee as a share of an amount: "0.058%". */
export function formatFeeRate(fee: bigint, amount: bigint): string {
  if (amount <= 0n) return '';
  const ppm = Number((fee * 1_000_000n) / amount);
  return `${(ppm / 10_000).toFixed(3)}%`;
}

/** Milliseconds → "0.42 s", "12 s", "2 min 5 s", "1 h 3 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  if (ms < 10_000) return `${(ms / 1000).toFixed(ms < 1000 ? 2 : 1)} s`;
  return formatSeconds(Math.round(ms / 1000));
}

/** Whole seconds → "45 s", "2 min 5 s", "23 h 59 min", "3 days 2 h". */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  const days = Math.floor(s / 86_400);
  return `${days} day${days === 1 ? '' : 's'} ${Math.floor((s % 86_400) / 3600)} h`;
}

function pad2(n: number): string {
  return n.toString().padStart(2, '0');
}

/** Unix seconds → local "2026-11-25 15:04:05". */
export function formatDateTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${formatDate(unixSeconds)} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Unix seconds → local "2026-11-25" (the value of a date input). */
export function formatDate(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

/** A date input's "2026-11-25" → Unix seconds at local midnight starting (or, with endOfDay, ending) that day. */
export function parseDate(text: string, endOfDay = false): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(d.getTime())) return undefined;
  if (endOfDay) d.setDate(d.getDate() + 1);
  return Math.floor(d.getTime() / 1000) - (endOfDay ? 1 : 0);
}

/** A node id or hash shortened for display: its first 10 hex characters and an ellipsis. */
export function shortHex(hex: string, length = 10): string {
  return hex.length <= length ? hex : `${hex.slice(0, length)}…`;
}

/** A count with its noun: "1 part", "3 parts". */
export function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
