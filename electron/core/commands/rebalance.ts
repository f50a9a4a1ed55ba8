import { ApiError, ErrorCode } from '../../../shared/api/errors';
import type { Rebalance } from '../../../shared/api/rebalance';
import {
  DEFAULT_MAX_PARTS,
  DEFAULT_REBALANCE_FEE_PPM,
  DEFAULT_TARGET_RATIO_PERCENT,
  finalCltvFor,
  rebalanceFeeLimit,
} from '../../../shared/policy';
import { formatScid } from '../../../shared/scid';
import type { RebalanceRow, StoredRebalanceChannel } from '../ledger/rebalances';
import type { OwnChannel } from '../node/types';
import { checkPayRequest, type PayRequest, pay as runPay, WAIT_FOR } from '../payer/pay';
import type { PlanReply } from '../planner/messages';
import type { CircularRequest, PlanRequest } from '../planner/service';
import { type Picked, pickChannels } from '../rebalance/pick';
import { rebalanceView } from '../rebalance/view';
import type { CoreContext, Handler } from './context';
import { decodeInvoice } from './invoice';

/**
 * The final CLTV delta of our rebalance invoices (LND's default): planrebalance's loops, planned before the invoice
 * exists, end with it too, so that its parts can be sent as the first plan.
 */
const OWN_INVOICE_CLTV = 80;
/** Our invoice for a rebalance lives this long: long past any retry_for. */
const INVOICE_EXPIRY_SECONDS = 24 * 3600;

/** Every part of the payment still pending is held by our own node, the receiver: none is travelling. */
async function onlyHeldByUs(ctx: CoreContext, hash: string): Promise<boolean> {
  const pending = ctx.ledger.parts({ paymentHash: hash }).filter((p) => p.status === 'pending').length;
  if (pending === 0) return false;
  try {
    return (await ctx.node.lookupInvoice(hash)).held_htlcs >= pending;
  } catch {
    return false;
  }
}

type RebalanceParams = Parameters<Handler<'planrebalance'>>[1];

interface Prepared extends Picked {
  channels: OwnChannel[];
  feeLimit: bigint;
  maxParts: number;
}

async function prepare(ctx: CoreContext, p: RebalanceParams): Promise<Prepared> {
  const channels = await ctx.node.listChannels();
  const picked = pickChannels(
    channels,
    { sources: p.sources, targets: p.targets },
    p.msatoshi,
    p.target_ratio ?? DEFAULT_TARGET_RATIO_PERCENT,
  );
  return {
    ...picked,
    channels,
    feeLimit: rebalanceFeeLimit(p.msatoshi, p.maxfeeppm ?? DEFAULT_REBALANCE_FEE_PPM, p.maxfee_msatoshi),
    maxParts: p.max_parts ?? DEFAULT_MAX_PARTS,
  };
}

/** Why no loop was found, in words. */
function noLoopMessage(picked: Picked, req: Omit<CircularRequest, 'sources' | 'targets'>, reply: PlanReply): string {
  const why = reply.ok ? 'no plan' : `${reply.reason}: ${reply.message}`;
  return (
    `no route out over ${picked.sources.join(', ')} and back in over ${picked.targets.join(', ')} carries ` +
    `${req.amountMsat} msat in at most ${req.maxParts} part${req.maxParts === 1 ? '' : 's'} with fees of at most ` +
    `${req.maxFeeMsat} msat (${why})`
  );
}

export const planrebalance: Handler<'planrebalance'> = async (ctx, p) => {
  const prep = await prepare(ctx, p);
  const req = {
    amountMsat: p.msatoshi,
    maxFeeMsat: prep.feeLimit,
    maxParts: prep.maxParts,
    finalCltv: finalCltvFor(OWN_INVOICE_CLTV),
  };
  const reply = await ctx.planner.planCircular({ ...req, sources: prep.sources, targets: prep.targets });
  if (!reply.ok) throw new ApiError(ErrorCode.PayGaveUp, `planrebalance: ${noLoopMessage(prep, req, reply)}`);
  return {
    sources: prep.sources,
    targets: prep.targets,
    msatoshi: p.msatoshi,
    fee_limit_msatoshi: prep.feeLimit,
    parts: reply.parts.map((part) => ({
      route: part.route,
      msatoshi: part.msatoshi,
      fee_msatoshi: part.feeMsat,
      probability: part.probability,
    })),
    fee_msatoshi: reply.feeMsat,
    probability: reply.probability,
  };
};

function storedChannels(channels: readonly OwnChannel[], picked: Picked): StoredRebalanceChannel[] {
  const roles = new Map<string, 'source' | 'target'>([
    ...picked.sources.map((s) => [s, 'source'] as const),
    ...picked.targets.map((t) => [t, 'target'] as const),
  ]);
  return channels.flatMap((c) => {
    const role = roles.get(formatScid(c.chan_id));
    if (!role) return [];
    return [
      {
        channel: formatScid(c.chan_id),
        peer_id: c.peer_id,
        ...(c.peer_alias ? { peer_alias: c.peer_alias } : {}),
        role,
        capacity_msatoshi: c.capacity_msat,
        local_before_msatoshi: c.local_msat,
      },
    ];
  });
}

function viewOfRow(ctx: CoreContext, row: RebalanceRow): Rebalance {
  const hash = row.payment_hash;
  return rebalanceView(row, ctx.ledger.payment(hash), ctx.ledger.parts({ paymentHash: hash }));
}

/** Writes each channel's balance as the node says it is now. */
async function recordAfter(ctx: CoreContext, hash: string): Promise<void> {
  const after = new Map((await ctx.node.listChannels()).map((c) => [formatScid(c.chan_id), c.local_msat]));
  ctx.ledger.rebalances.setAfter(hash, after);
}

/**
 * rebalance: an invoice of our own for the amount, paid by the same payer as `pay` (parts in the ledger, learning,
 * re-planning what is missing) with a planner that plans circular flows out over the sources and back over the
 * targets. Marked as a rebalance in the ledger with each channel's balance before and after.
 */
export const rebalance: Handler<'rebalance'> = async (ctx, p) => {
  const prep = await prepare(ctx, p);
  const invoice = await ctx.node.addInvoice(
    p.msatoshi,
    `Braid rebalance ${prep.sources.join(',')} → ${prep.targets.join(',')}`,
    INVOICE_EXPIRY_SECONDS,
    OWN_INVOICE_CLTV,
  );
  const decoded = await decodeInvoice(ctx, invoice.bolt11);
  const hash = decoded.payment_hash;
  const req: PayRequest = {
    invoice: decoded,
    bolt11: invoice.bolt11,
    amount: p.msatoshi,
    maxFeePercent: 0,
    exemptFee: 0n,
    feeLimitMsat: prep.feeLimit,
    maxParts: prep.maxParts,
    retryForSeconds: p.retry_for,
    mode: 'auto',
  };
  if (p.plan) req.plan = p.plan.map((part) => part.route);
  checkPayRequest(ctx.ledger, req);
  const row: RebalanceRow = {
    payment_hash: hash,
    msatoshi: p.msatoshi,
    fee_limit_msatoshi: prep.feeLimit,
    sources: prep.sources,
    targets: prep.targets,
    channels: storedChannels(prep.channels, prep),
    created_at: Math.floor(Date.now() / 1000),
  };
  ctx.ledger.rebalances.add(row);
  let lastNoPlan: string | undefined;
  let gaveUp = false;
  const circular = {
    plan: async (r: PlanRequest): Promise<PlanReply> => {
      const reply = await ctx.planner.planCircular({ ...r, sources: prep.sources, targets: prep.targets });
      if (!reply.ok) {
        lastNoPlan = noLoopMessage(prep, r, reply);
        if (!WAIT_FOR.has(reply.reason) && (await onlyHeldByUs(ctx, hash))) {
          // Nothing is travelling (every part out is one our node holds as the receiver) and no loop carries the
          // rest: nothing can change any more. Give up now rather than when the receiver's wait runs out.
          gaveUp = true;
          await ctx.node.cancelInvoice(hash).catch(() => {});
        }
      }
      return reply;
    },
  };
  try {
    await ctx.payers.run(hash, (run) => runPay({ ...ctx, planner: circular }, req, run));
  } catch (error) {
    // Parts our node holds as the receiver fail back now rather than when the receiver's wait runs out.
    await ctx.node.cancelInvoice(hash).catch(() => {});
    await recordAfter(ctx, hash).catch(() => {});
    if (!(error instanceof ApiError)) throw error;
    const reason =
      (error.code === ErrorCode.PayGaveUp || gaveUp) && lastNoPlan ? `gave up: ${lastNoPlan}` : error.message;
    const code = gaveUp ? ErrorCode.PayGaveUp : error.code;
    const stored = ctx.ledger.rebalances.get(hash) ?? row;
    throw new ApiError(code, `rebalance: ${reason.replace(/^pay: /, '')}`, viewOfRow(ctx, stored));
  }
  await recordAfter(ctx, hash);
  const stored = ctx.ledger.rebalances.get(hash) ?? row;
  const payment = ctx.ledger.payment(hash);
  if (!payment) throw new ApiError(ErrorCode.Internal, `rebalance: payment ${hash} is not in the ledger`);
  return { ...viewOfRow(ctx, stored), payment };
};

export const listrebalances: Handler<'listrebalances'> = async (ctx, p) => {
  const rows = p.payment_hash
    ? [ctx.ledger.rebalances.get(p.payment_hash)].filter((r) => r !== undefined)
    : ctx.ledger.rebalances.all();
  return { rebalances: rows.map((row) => viewOfRow(ctx, row)) };
};
