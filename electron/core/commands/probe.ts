import { randomBytes } from 'node:crypto';
import { invalidParam } from '../../../shared/api/errors';
import type { ProbedPart } from '../../../shared/api/rebalance';
import { toLndRoute } from '../../../shared/route';
import type { PartFailure, Route } from '../../../shared/types';
import { NodeRefusal } from '../node/types';
import { describeHtlcFailure } from '../payer/failure';
import type { CoreContext, Handler } from './context';
import { invoiceAmount } from './pay';

/** Probes are no ledger parts: the planner hears of them under ids the ledger never gives (negative). */
let nextProbeId = 1;

/** Where a probe that reached the receiver stops: it does not know the hash, so it refuses, as a payment would pass. */
const AT_RECEIVER = 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS';

/**
 * Sends one part with a random payment hash (and a random payment secret in its MPP record, as real parts carry one),
 * and tells the planner what it found. The node's record of it is deleted afterwards.
 */
async function probeOne(ctx: CoreContext, route: Route, totalMsat: bigint, height: number): Promise<ProbedPart> {
  const ownId = (await ctx.info()).id;
  const hash = randomBytes(32).toString('hex');
  const id = -nextProbeId++;
  const msatoshi = route.at(-1)?.msatoshi ?? 0n;
  const lndRoute = toLndRoute(route, { height, mpp: { paymentSecret: randomBytes(32).toString('hex'), totalMsat } });
  ctx.planner.learn({ id, status: 'pending', msatoshi, route });
  let failure: PartFailure;
  try {
    // skip_temp_err off: every failure ends the node's payment, so that its record can be deleted.
    const attempt = await ctx.node.sendToRoute(hash, lndRoute, false);
    failure = describeHtlcFailure(attempt.failure, route, ownId);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    failure = { code: error instanceof NodeRefusal ? 'NODE_REFUSED' : 'UNKNOWN_FAILURE', message };
  }
  ctx.planner.learn({ id, status: 'failed', msatoshi, route, failure });
  await ctx.node.deletePayment(hash).catch(() => {});
  const through = failure.code === AT_RECEIVER && failure.erring_index === route.length;
  return { outcome: through ? 'would-succeed' : 'would-fail', failure };
}

/**
 * probe: sends every part of a plan at once (as the payment would: parts sharing a channel load it together) with
 * random payment hashes. A part the receiver refuses as unknown would have got through; any other failure says
 * where it would fail. The planner learns from each outcome as from a real part's. Nothing is paid, nothing goes into
 * the ledger, and the node's records are deleted.
 */
export const probe: Handler<'probe'> = async (ctx, p) => {
  const routes = p.parts.map((part) => part.route);
  let total = routes.reduce((s, route) => s + (route.at(-1)?.msatoshi ?? 0n), 0n);
  if (p.bolt11) {
    const { invoice, amount } = await invoiceAmount(ctx, p.bolt11, undefined);
    for (const [i, route] of routes.entries()) {
      const last = route.at(-1);
      if (last?.id !== invoice.destination) {
        throw invalidParam(
          `parts[${i}].route`,
          last?.id,
          `must end at the invoice's destination ${invoice.destination}`,
        );
      }
    }
    total = amount;
  } else {
    const destination = routes[0]?.at(-1)?.id;
    for (const [i, route] of routes.entries()) {
      if (route.at(-1)?.id !== destination) {
        throw invalidParam(`parts[${i}].route`, route.at(-1)?.id, `must end where parts[0] ends (${destination})`);
      }
    }
  }
  const height = (await ctx.info()).blockheight;
  const parts = await Promise.all(routes.map((route) => probeOne(ctx, route, total, height)));
  const succeed = parts.filter((part) => part.outcome === 'would-succeed').length;
  return { parts, would_succeed: succeed, would_fail: parts.length - succeed };
};
