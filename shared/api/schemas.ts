// zod schemas of the values commands take (docs/commands.md "Conventions", "Route"). Each schema's
// messages say what was expected; parseParams (commands.ts) prefixes the field and appends the value.

import { z } from 'zod';
import { normalizeScid } from '../scid';
import type { Status } from '../types';
import { EVENTS, type EventName, isEventName } from './events';

const MAX_UINT64 = (1n << 64n) - 1n;

/** A value that failed conversion: `why` becomes the issue's message. */
class Bad {
  constructor(readonly why: string) {}
}

/** A schema for a value of input type I, checked by `guard` (else `expected`), then converted (or refused). */
function value<I, O>(guard: (v: unknown) => v is I, expected: string, convert: (v: I) => O | Bad) {
  return z.custom<I>(guard, expected).transform((v, ctx): O => {
    const out = convert(v as I);
    if (out instanceof Bad) {
      ctx.addIssue({ code: 'custom', message: out.why, input: v });
      return z.NEVER;
    }
    return out;
  });
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number';

/** An amount in millisatoshi: a non-negative safe-integer JSON number, a bigint (from parseJson or IPC), or a
 * decimal string. Never a fraction. → bigint (≤ 2^64−1). */
export const msatoshi = value(
  (v): v is number | bigint | string => typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string',
  'must be an integer amount in millisatoshi (a JSON number or a decimal string)',
  (v): bigint | Bad => {
    let n: bigint;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return new Bad('must be a finite integer amount in millisatoshi');
      if (!Number.isInteger(v)) return new Bad('must be a whole number of millisatoshi, not a fraction');
      if (!Number.isSafeInteger(v)) return new Bad('is above 2^53-1 as a JSON number: send it as a decimal string');
      n = BigInt(v);
    } else if (typeof v === 'string') {
      if (!/^\d+$/.test(v)) return new Bad('must be a decimal integer string of millisatoshi (digits only)');
      n = BigInt(v);
    } else {
      n = v;
    }
    if (n < 0n) return new Bad('must not be negative');
    if (n > MAX_UINT64) return new Bad('is above 2^64-1');
    return n;
  },
);

/** An amount in millisatoshi that must be more than nothing (what is left to plan). */
export const positiveMsatoshi = msatoshi.refine((n) => n > 0n, { error: 'must be positive' });

/** 32 bytes as 64 hex characters (hashes, secrets, preimages); either case accepted, lowercase out. */
export const hex32 = value(isString, 'must be 64 hex characters', (v) => {
  const s = v.toLowerCase();
  return /^[0-9a-f]{64}$/.test(s) ? s : new Bad('must be 64 hex characters');
});

/** A node id: a compressed public key, 66 hex characters starting 02 or 03; lowercase out. */
export const nodeId = value(isString, 'must be a node id (66 hex characters starting 02 or 03)', (v) => {
  const s = v.toLowerCase();
  return /^0[23][0-9a-f]{64}$/.test(s) ? s : new Bad('must be a node id (66 hex characters starting 02 or 03)');
});

/** A short channel id `BLOCKxTXxOUTPUT` (or LND's decimal uint64) → canonical `BLOCKxTXxOUTPUT`. */
export const scid = value(isString, 'must be a short channel id BLOCKxTXxOUTPUT', (v) => {
  try {
    return normalizeScid(v);
  } catch (e) {
    return new Bad((e as Error).message);
  }
});

/** A non-negative integer number of blocks. */
export const blocks = z.custom<number>(
  (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
  'must be a non-negative integer number of blocks',
);

/** true or false. */
export const flag = z.custom<boolean>((v) => typeof v === 'boolean', 'must be true or false');

/** A direction of a channel: 0 or 1. */
export const direction = z.custom<0 | 1>((v) => v === 0 || v === 1, 'must be 0 or 1');

/** One hop of a c-lightning route. Unknown fields are dropped. */
export const routeHop = z.object(
  { id: nodeId, channel: scid, direction: direction.optional(), msatoshi, delay: blocks },
  { error: 'must be a hop object {id, channel, direction?, msatoshi, delay}' },
);

/** LND's limit on a route's length (route.MaxRouteHops: what fits in the onion). */
export const MAX_ROUTE_HOPS = 20;
/** LND's limit on the blocks a route's CLTV deltas may add to the final CLTV (routing.DefaultCltvLimit / the
 * switch's MaxOutgoingCltvExpiry): 2016 blocks, two weeks. */
export const MAX_ROUTE_CLTV_DELTAS = 2016;
/** A block height (and so a delay added to one) is a uint32 on the wire. */
export const MAX_HEIGHT = 2 ** 32 - 1;

/**
 * A c-lightning route: 1 to 20 hops; positive amounts; amounts and delays must not increase along it; no channel or
 * node twice; its delays within LND's bounds (below 2^32, and at most 2016 blocks above the final CLTV). Whether
 * its channels and nodes exist is the core's to check (checkRouteAgainstGraph).
 */
export const route = z
  .array(routeHop, { error: 'must be an array of hops' })
  .min(1, { error: 'must have at least one hop' })
  .max(MAX_ROUTE_HOPS, { error: `must have at most ${MAX_ROUTE_HOPS} hops (LND's limit)` })
  .superRefine((hops, ctx) => {
    const issue = (i: number, field: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [i, field], message });
    for (const [i, hop] of hops.entries()) {
      if (hop.msatoshi === 0n) return issue(i, 'msatoshi', 'must be positive');
      if (hop.delay > MAX_HEIGHT) return issue(i, 'delay', 'must be below 2^32 (a block height is 32 bits)');
    }
    const channels = new Map<string, number>();
    const nodes = new Map<string, number>();
    for (const [i, hop] of hops.entries()) {
      const sameChannel = channels.get(hop.channel);
      if (sameChannel !== undefined) {
        return issue(i, 'channel', `repeats route[${sameChannel}].channel: a route uses each channel once`);
      }
      const sameNode = nodes.get(hop.id);
      if (sameNode !== undefined) return issue(i, 'id', `repeats route[${sameNode}].id: a route visits each node once`);
      channels.set(hop.channel, i);
      nodes.set(hop.id, i);
    }
    for (let i = 1; i < hops.length; i++) {
      const prev = hops[i - 1];
      const hop = hops[i];
      if (!prev || !hop) continue;
      if (hop.msatoshi > prev.msatoshi) {
        return issue(
          i,
          'msatoshi',
          `exceeds route[${i - 1}].msatoshi (${prev.msatoshi}): amounts must not increase along a route`,
        );
      }
      if (hop.delay > prev.delay) {
        return issue(
          i,
          'delay',
          `exceeds route[${i - 1}].delay (${prev.delay}): delays must not increase along a route`,
        );
      }
    }
    const first = hops[0];
    const last = hops[hops.length - 1];
    if (first && last && first.delay - last.delay > MAX_ROUTE_CLTV_DELTAS) {
      return issue(
        0,
        'delay',
        `is ${first.delay - last.delay} blocks above the final CLTV (route[${hops.length - 1}].delay ${last.delay}): ` +
          `LND allows at most ${MAX_ROUTE_CLTV_DELTAS}`,
      );
    }
  });

/** Seconds to wait: a non-negative number (fractions allowed). */
export const seconds = z.custom<number>(
  (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  'must be a non-negative number of seconds',
);

/** A positive integer, at most `max`: a JSON number or a decimal string → number. */
export function positiveInt(max: number = Number.MAX_SAFE_INTEGER) {
  const expected =
    max === Number.MAX_SAFE_INTEGER ? 'must be a positive integer' : `must be an integer from 1 to ${max}`;
  return value(
    (v): v is number | string => isNumber(v) || isString(v),
    expected,
    (v) => {
      const n = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : Number.NaN;
      return Number.isSafeInteger(n) && n >= 1 && n <= max ? n : new Bad(expected);
    },
  );
}

/** A partial payment id: an integer from 1. */
export const partId = positiveInt();

/** Unix time in seconds: a non-negative integer. */
export const unixTime = z.custom<number>(
  (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
  'must be a Unix time in seconds (a non-negative integer)',
);

/** A percentage from 0 to 100 (fractions allowed). */
export const percent = z.custom<number>(
  (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100,
  'must be a number from 0 to 100',
);

/** Free text, e.g. a description. */
export const text = z.custom<string>(isString, 'must be a string');

/** An export's name, chosen by its caller: 1 to 64 letters, digits, `-` or `_`. */
export const exportJob = z.custom<string>(
  (v) => typeof v === 'string' && /^[\w-]{1,64}$/.test(v),
  'must be 1 to 64 letters, digits, - or _',
);

/** Non-empty text, e.g. a file path or a merchant's name. */
export const nonEmptyText = z.custom<string>(
  (v) => typeof v === 'string' && v.length > 0,
  'must be a non-empty string',
);

/** A BOLT11 invoice; a `lightning:` prefix is dropped, either case accepted, lowercase out. Not decoded here. */
export const bolt11 = value(isString, 'must be a BOLT11 invoice (a string starting ln)', (v) => {
  const s = v
    .trim()
    .replace(/^lightning:/i, '')
    .toLowerCase();
  return /^ln[a-z0-9]+1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{6,}$/.test(s)
    ? s
    : new Bad('must be a BOLT11 invoice (ln…, bech32)');
});

export const FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof FORMATS)[number];
export const exportFormat = z.custom<ExportFormat>(
  (v) => (FORMATS as readonly unknown[]).includes(v),
  "must be 'csv' or 'json'",
);

export const STATUSES = ['pending', 'complete', 'failed'] as const satisfies readonly Status[];
export const status = z.custom<Status>(
  (v) => (STATUSES as readonly unknown[]).includes(v),
  "must be 'pending', 'complete' or 'failed'",
);

/** Event names: one name or a list of at least one → a list without repeats. */
export const events = value(
  (v): v is EventName | EventName[] => isString(v) || Array.isArray(v),
  `must be an event name or a list of them (${EVENTS.join(', ')})`,
  (v) => {
    const list: unknown[] = Array.isArray(v) ? v : [v];
    if (list.length === 0) return new Bad('must list at least one event');
    for (const [i, name] of list.entries()) {
      if (!isEventName(name)) {
        const where = Array.isArray(v) ? `[${i}] ` : '';
        return new Bad(`${where}${JSON.stringify(name)} is not an event (${EVENTS.join(', ')})`);
      }
    }
    return [...new Set(list as EventName[])];
  },
);

/** Something getroutes should avoid: one direction of a channel, or a node. */
export type Exclusion = { channel: string; direction: 0 | 1 } | { node: string };

/** `BLOCKxTXxOUT/DIR` or a node id. */
export const exclusion = value(isString, 'must be a channel BLOCKxTXxOUT/DIR or a node id', (v): Exclusion | Bad => {
  const slash = /^(.+)\/([01])$/.exec(v);
  if (slash) {
    try {
      return { channel: normalizeScid(slash[1] as string), direction: slash[2] === '0' ? 0 : 1 };
    } catch (e) {
      return new Bad((e as Error).message);
    }
  }
  const s = v.toLowerCase();
  if (/^0[23][0-9a-f]{64}$/.test(s)) return { node: s };
  return new Bad('must be a channel BLOCKxTXxOUT/DIR (direction 0 or 1) or a node id');
});

export const exclusions = z.array(exclusion, { error: 'must be an array of channels BLOCKxTXxOUT/DIR or node ids' });

/** Node ids of a route to build, first hop first, the wallet's own node left out. */
export const nodeIds = z
  .array(nodeId, { error: 'must be an array of node ids' })
  .min(1, { error: 'must list at least one node id' });

/** The invoice's final CLTV delta: blocks, 1 to 65535. */
export const finalCltv = positiveInt(65535);

/** One part of a plan for pay or checkplan: its route (the last hop's msatoshi is what it delivers). */
export const planPart = z.object({ route }, { error: 'must be a part object {route}' });

/** The parts of a plan, at least one. */
export const plan = z
  .array(planPart, { error: 'must be an array of parts {route}' })
  .min(1, { error: 'must list at least one part' });

export const PAY_MODES = ['auto', 'manual'] as const;
export type PayMode = (typeof PAY_MODES)[number];
export const payMode = z.custom<PayMode>(
  (v) => (PAY_MODES as readonly unknown[]).includes(v),
  "must be 'auto' or 'manual'",
);

/** Node ids to look up (may be empty). */
export const nodeIdList = z.array(nodeId, { error: 'must be an array of node ids' });
