import { ApiError, ErrorCode, invalidParam } from '../../../shared/api/errors';
import { isFailureCode } from '../../../shared/failures';
import type { PartFailure, Route, RouteHop, Status } from '../../../shared/types';
import type { PartOutcome } from './types';

// The ledger's checks of its arguments (-32602 unless said otherwise), before any transaction begins.

/** 21 million bitcoin in millisatoshi: no amount is larger. */
export const MAX_MSAT = 2_100_000_000_000_000_000n;
export const MAX_I64 = (1n << 63n) - 1n;
export const STATUSES: readonly Status[] = ['pending', 'complete', 'failed'];

export interface CheckedRoute {
  hops: Route;
  last: RouteHop;
  /** What the part delivers: the last hop's msatoshi. */
  delivered: bigint;
  /** What leaves the wallet, fees included: the first hop's msatoshi. */
  sent: bigint;
}

const HEX64 = /^[0-9a-f]{64}$/;
const NODE_ID = /^0[23][0-9a-f]{64}$/;
const SCID = /^\d+x\d+x\d+$/;

export function checkHex64(field: string, value: unknown): void {
  if (typeof value !== 'string' || !HEX64.test(value)) {
    throw invalidParam(field, value, 'must be 64 lowercase hex characters');
  }
}

export function checkNodeId(field: string, value: unknown): void {
  if (typeof value !== 'string' || !NODE_ID.test(value)) {
    throw invalidParam(field, value, 'must be a node id (66 lowercase hex characters, compressed key)');
  }
}

export function checkMsat(field: string, value: unknown): void {
  if (typeof value !== 'bigint' || value < 1n || value > MAX_MSAT) {
    throw invalidParam(field, value, `must be a whole number of millisatoshi from 1 to ${MAX_MSAT}`);
  }
}

export function checkOptionalText(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') throw invalidParam(field, value, 'must be a string');
}

export function checkNow(now: unknown): void {
  if (typeof now !== 'number' || !Number.isSafeInteger(now) || now < 0) {
    throw invalidParam('now', now, 'must be a Unix time in whole seconds');
  }
}

export function checkPartId(id: unknown): void {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
    throw invalidParam('id', id, 'must be a partial payment id (an integer from 1)');
  }
}

/** resolvePart's arguments, checked in its order. */
export function checkResolve(id: unknown, outcome: PartOutcome, now: number): void {
  checkPartId(id);
  checkNow(now);
  if (outcome.status === 'complete') {
    checkHex64('payment_preimage', outcome.preimage);
  } else if (outcome.status === 'failed') {
    checkFailure(outcome.failure);
  } else {
    throw invalidParam('status', (outcome as { status: unknown }).status, "must be 'complete' or 'failed'");
  }
  if (outcome.attemptId !== undefined) checkAttemptId(outcome.attemptId);
}

export function checkAttemptId(value: unknown): void {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_I64) {
    throw invalidParam('attempt_id', value, `must be an integer from 0 to ${MAX_I64}`);
  }
}

function checkFailure(failure: unknown): void {
  const f = failure as Partial<PartFailure> | null;
  if (typeof f !== 'object' || f === null) throw invalidParam('failure', failure, 'must be an object');
  if (!isFailureCode(f.code)) throw invalidParam('failure.code', f.code, 'must be a failure code');
  if (typeof f.message !== 'string') throw invalidParam('failure.message', f.message, 'must be a string');
  if (f.erring_index !== undefined && !(Number.isSafeInteger(f.erring_index) && f.erring_index >= 0)) {
    throw invalidParam('failure.erring_index', f.erring_index, 'must be an integer from 0');
  }
  if (f.erring_node !== undefined && typeof f.erring_node !== 'string') {
    throw invalidParam('failure.erring_node', f.erring_node, 'must be a string');
  }
  if (f.erring_channel !== undefined && typeof f.erring_channel !== 'string') {
    throw invalidParam('failure.erring_channel', f.erring_channel, 'must be a string');
  }
}

/** Enough of a route for the ledger's rules: amounts exact and in range, not growing along the route. */
export function checkRoute(route: unknown): CheckedRoute {
  if (!Array.isArray(route) || route.length === 0) throw invalidParam('route', route, 'must be a non-empty array');
  route.forEach((hop: Partial<RouteHop> | null, i) => {
    const at = `route[${i}]`;
    if (typeof hop !== 'object' || hop === null) throw invalidParam(at, hop, 'must be a hop object');
    checkNodeId(`${at}.id`, hop.id);
    if (typeof hop.channel !== 'string' || !SCID.test(hop.channel)) {
      throw invalidParam(`${at}.channel`, hop.channel, 'must be a short channel id BLOCKxTXxOUTPUT');
    }
    if (hop.direction !== undefined && hop.direction !== 0 && hop.direction !== 1) {
      throw invalidParam(`${at}.direction`, hop.direction, 'must be 0 or 1');
    }
    checkMsat(`${at}.msatoshi`, hop.msatoshi);
    if (typeof hop.delay !== 'number' || !Number.isSafeInteger(hop.delay) || hop.delay < 0) {
      throw invalidParam(`${at}.delay`, hop.delay, 'must be a whole number of blocks');
    }
    const previous = route[i - 1] as RouteHop | undefined;
    if (previous && (hop.msatoshi as bigint) > previous.msatoshi) {
      throw invalidParam(`${at}.msatoshi`, hop.msatoshi, `exceeds route[${i - 1}].msatoshi ${previous.msatoshi}`);
    }
  });
  const hops = route as Route;
  const last = hops[hops.length - 1] as RouteHop;
  return { hops, last, delivered: last.msatoshi, sent: (hops[0] as RouteHop).msatoshi };
}

/** 201 unless the route ends at the payment's destination and the caller names the same destination. */
export function checkDestination(destination: string, given: string, route: CheckedRoute): void {
  if (given !== destination) {
    throw new ApiError(ErrorCode.Mismatch, `destination: ${given} is not the payment's destination ${destination}`);
  }
  if (route.last.id !== destination) {
    throw new ApiError(
      ErrorCode.Mismatch,
      `route: its last hop ${route.last.id} is not the payment's destination ${destination}`,
    );
  }
}
