import { createHash } from 'node:crypto';
import type { Route } from '../../../shared/types';

// Fixtures for the ledger's tests and their child processes (not used by the app).

/** A node id: 02 followed by 64 hex digits. */
export function nodeId(n: number): string {
  return `02${n.toString(16).padStart(64, '0')}`;
}

export function preimageOf(n: number): string {
  return createHash('sha256').update(`preimage ${n}`).digest('hex');
}

export function hashOf(preimage: string): string {
  return createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex');
}

export function secretOf(n: number): string {
  return createHash('sha256').update(`secret ${n}`).digest('hex');
}

export const DEST = nodeId(0xde57);
export const HOP = nodeId(0xb0b);

/** Two hops, ours → HOP → destination, delivering `msatoshi` and paying `fee` to HOP. */
export function routeTo(destination: string, msatoshi: bigint, fee = 0n, channel = '100x1x0'): Route {
  return [
    { id: HOP, channel, direction: 0, msatoshi: msatoshi + fee, delay: 58 },
    { id: destination, channel: '200x2x1', direction: 1, msatoshi, delay: 18 },
  ];
}

/**
 * The JSON export's reference: JSON.stringify with bigints written as plain JSON numbers (all their digits), undefined
 * members left out. The export (export-json.ts) must write what this writes for the API's objects.
 */
export function toJson(value: unknown): string {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`toJson: ${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toJson(v))).join(',')}]`;
      const members: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        if (v !== undefined) members.push(`${JSON.stringify(k)}:${toJson(v)}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`toJson: cannot write a ${typeof value}`);
  }
}
