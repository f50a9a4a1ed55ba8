import { decodeInvoice } from '../crypto/invoice';
import { DEFAULT_FINAL_CLTV_DELTA } from '../model/lnd';
import { startPayment } from '../model/sendpayment';
import type { NodeContext } from './context';
import { RpcError } from './errors';
import { goTimeString } from './gotime';
import { parseUint64, unmarshalAmount } from './marshal';
import type { SendPaymentRequest } from './messages';

/** The MPP feature bits (required, optional) in an invoice. */
const MPP_BITS = [16, 17];

/**
 * routerrpc.SendPaymentV2: LND's own payer, splitting by halving. Starts the payment and hands its hash to `follow`,
 * which streams one Payment per change from the current state on, as trackPaymentStream does.
 */
export async function sendPaymentV2(ctx: NodeContext, req: SendPaymentRequest, follow: (hash: Buffer) => void) {
  const net = ctx.sim.net;
  if (req.amp) throw new RpcError(2, 'AMP payments are not supported by simnet');
  if (req.timeout_seconds <= 0) throw new RpcError(2, 'timeout_seconds must be specified');
  const feeLimitMsat = unmarshalAmount(req.fee_limit_sat, req.fee_limit_msat);
  let amtMsat = unmarshalAmount(req.amt, req.amt_msat);
  let dest: string;
  let hash: Buffer;
  let paymentAddr: Buffer | undefined;
  let finalCltvDelta: number;
  let mpp: boolean;
  if (req.payment_request) {
    let invoice: ReturnType<typeof decodeInvoice>;
    try {
      invoice = decodeInvoice(req.payment_request, 'regtest');
    } catch (error) {
      throw new RpcError(2, error instanceof Error ? error.message : String(error));
    }
    if (invoice.amountMsat > 0n && amtMsat > 0n) {
      throw new RpcError(2, 'amount must not be specified when paying a non-zero amount invoice');
    }
    if (invoice.amountMsat === 0n && amtMsat === 0n)
      throw new RpcError(2, 'amount must be specified when paying a zero amount invoice');
    if ((invoice.timestamp + invoice.expiry) * 1000 < Date.now()) {
      throw new RpcError(2, `invoice expired. Valid until ${goTimeString(invoice.timestamp + invoice.expiry)}`);
    }
    amtMsat = invoice.amountMsat > 0n ? invoice.amountMsat : amtMsat;
    dest = invoice.destination;
    hash = Buffer.from(invoice.paymentHash, 'hex');
    paymentAddr = invoice.paymentSecret ? Buffer.from(invoice.paymentSecret, 'hex') : undefined;
    finalCltvDelta = invoice.cltvExpiry;
    mpp = MPP_BITS.some((bit) => invoice.features[bit] !== undefined) && paymentAddr !== undefined;
  } else {
    if (req.dest.length !== 33) throw new RpcError(2, `invalid vertex length of ${req.dest.length}, want 33`);
    dest = req.dest.toString('hex');
    hash = Buffer.from(req.payment_hash);
    paymentAddr = req.payment_addr.length === 32 ? Buffer.from(req.payment_addr) : undefined;
    finalCltvDelta = req.final_cltv_delta || DEFAULT_FINAL_CLTV_DELTA;
    mpp = paymentAddr !== undefined;
  }
  const destNode = net.nodeByPubkey(dest);
  const { payment } = startPayment(ctx.lnd, {
    dest: destNode ? destNode.index : -1,
    amtMsat,
    paymentHash: hash,
    paymentAddr,
    finalCltvDelta,
    feeLimitMsat,
    maxParts: req.max_parts,
    maxShardSizeMsat: parseUint64(req.max_shard_size_msat || '0', 'max_shard_size_msat'),
    timeoutSeconds: req.timeout_seconds,
    outgoingChanIds: req.outgoing_chan_ids.map((id) => parseUint64(id, 'outgoing_chan_ids')),
    lastHopPubkey: req.last_hop_pubkey.length > 0 ? req.last_hop_pubkey.toString('hex') : undefined,
    cltvLimit: req.cltv_limit,
    paymentRequest: req.payment_request,
    mpp,
    timePref: req.time_pref,
    allowSelfPayment: req.allow_self_payment,
  });
  follow(payment.hash);
}
