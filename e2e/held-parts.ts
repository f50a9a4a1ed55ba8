// A payment of many parts over paths that share hops, sent by the core itself while bob holds every HTLC: for the
// picture of a payment in the end-to-end tests and bench:ui. Runs over the in-process harness (e2e/stack.ts).

import type { DecodePayResult, ListPartialPaymentsResult } from '../shared/api/results';
import { finalCltvFor } from '../shared/policy';
import type { Route } from '../shared/types';
import { poll } from './browser';
import type { Stack } from './stack';

/** Three paths to bob from our channels to atlas and bolt, sharing atlas, gale and every last hop. */
export const SHARED_PATHS = [
  ['atlas', 'fjord', 'bob'],
  ['atlas', 'gale', 'bob'],
  ['bolt', 'gale', 'bob'],
] as const;

export interface PlannedPart {
  hops: readonly string[];
  msatoshi: bigint;
  /** Sent only once a part before it has failed (it replaces that part: the ledger refuses an overpayment). */
  afterFailure?: boolean;
}

export function nodeIdOf(stack: Stack, alias: string): string {
  const node = stack.simnet.sim.net.nodes.find((n) => n.alias === alias);
  if (!node) throw new Error(`no simnet node ${alias}`);
  return node.pubkey;
}

/**
 * Asks bob for an invoice of the parts' total (those sent after a failure replace one), holds every HTLC at bob, and
 * sends the parts in order by sendpartialpay over routes built by buildroute. `release` lets bob settle.
 */
export async function sendHeldParts(
  stack: Stack,
  plan: readonly PlannedPart[],
  description: string,
): Promise<{ hash: string; release: () => void }> {
  const call = <T>(method: string, params: unknown) => stack.core.call(method, params) as Promise<T>;
  const replaced = plan.filter((p) => p.afterFailure).reduce((t, p) => t + p.msatoshi, 0n);
  const amount = plan.reduce((t, p) => t + p.msatoshi, 0n) - replaced;
  const { bolt11 } = await call<{ bolt11: string }>('testinvoice', { msatoshi: amount, description });
  const decoded = await call<DecodePayResult>('decodepay', { bolt11 });
  const release = stack.simnet.holdAt('bob');
  try {
    for (const part of plan) {
      if (part.afterFailure) {
        await poll(
          () => call<ListPartialPaymentsResult>('listpartialpayments', { payment_hash: decoded.payment_hash }),
          (r) => r.partialpayments.some((p) => p.status === 'failed'),
          { timeoutMs: 30_000, what: 'a part to fail' },
        );
      }
      const { route } = await call<{ route: Route }>('buildroute', {
        hops: part.hops.map((alias) => nodeIdOf(stack, alias)),
        msatoshi: part.msatoshi,
        final_cltv: finalCltvFor(decoded.min_final_cltv_expiry),
      });
      await call('sendpartialpay', {
        route,
        payment_hash: decoded.payment_hash,
        intended_msatoshi: amount,
        description,
        payment_secret: decoded.payment_secret,
        bolt11,
      });
    }
  } catch (error) {
    release();
    throw error;
  }
  return { hash: decoded.payment_hash, release };
}
