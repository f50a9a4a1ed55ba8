// Small helpers for the ledger benchmark (ledger.bench.ts): statistics, output, GC, synthetic routes.
import { createHash, randomBytes } from 'node:crypto';
import type { Route } from '../shared/types';
import { findGc } from '../simnet/bench/gc';

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
export const mb = (bytes: number) => round(bytes / 2 ** 20, 1);
export const print = (line: object) => console.log(JSON.stringify(line));

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

/** median / p95 / max of a list of milliseconds, rounded. */
export function summary(ms: number[], prefix: string): Record<string, number> {
  return {
    [`${prefix}_median_ms`]: round(median(ms), 3),
    [`${prefix}_p95_ms`]: round(percentile(ms, 95), 3),
    [`${prefix}_max_ms`]: round(Math.max(...ms), 3),
  };
}

const gcFn = findGc();
export function collect(): void {
  gcFn?.();
  gcFn?.();
}

/** Peak RSS of the process so far, MiB. */
export const maxRssMb = () => round(process.resourceUsage().maxRSS / 1024, 1);

export function hashPair(): { preimage: string; hash: string } {
  const pre = randomBytes(32);
  return { preimage: pre.toString('hex'), hash: createHash('sha256').update(pre).digest('hex') };
}

export const hex32 = () => randomBytes(32).toString('hex');
export const nodeId = () => `02${randomBytes(32).toString('hex')}`;

/** A plausible 3-hop route delivering `msat` (fees of 1 sat per forwarding hop). */
export function syntheticRoute(hops: string[], msat: bigint, block = 800_000): Route {
  return hops.map((id, i) => ({
    id,
    channel: `${block + i * 17}x${i + 1}x${i & 1}`,
    direction: (i & 1) as 0 | 1,
    msatoshi: msat + BigInt((hops.length - 1 - i) * 1000),
    delay: 83 + (hops.length - 1 - i) * 40,
  }));
}
