import { isTerminal, type Payment, PaymentError, paymentStatus } from '../model/payments';
import type { Handlers, NodeContext, Stream } from './context';
import { RpcError } from './errors';
import { marshalAttempt, marshalPayment, marshalRoute, parseUint64, unmarshalRoute } from './marshal';
import type {
  BuildRouteRequest,
  SendPaymentRequest,
  SendToRouteRequest,
  TrackPaymentRequest,
  TrackPaymentsRequest,
} from './messages';
import { routerExtraHandlers } from './routerextra';
import { sendPaymentV2 } from './sendpayment';

export function routerHandlers(ctx: NodeContext): Handlers {
  const { sim, lnd } = ctx;
  const net = sim.net;

  /** Streams a payment's updates until its terminal state, as trackPaymentStream does. */
  const follow = (hash: Buffer, noInflight: boolean, stream: Stream, first?: Payment) => {
    const send = (payment: Payment): boolean => {
      const terminal = isTerminal(payment);
      if (!noInflight || terminal) stream.write(marshalPayment(net, payment));
      if (terminal) stream.end();
      return terminal;
    };
    if (first && send(first)) return;
    const unsubscribe = lnd.payments.subscribe(hash, (payment) => {
      if (send(payment)) unsubscribe();
    });
    stream.onClose(unsubscribe);
  };

  return {
    ...routerExtraHandlers(ctx),

    SendToRouteV2: async (req: SendToRouteRequest) => {
      if (req.payment_hash.length !== 32) {
        throw new PaymentError(`invalid hash length of ${req.payment_hash.length}, want 32`);
      }
      const route = req.route ? unmarshalRoute(net, lnd.node.index, req.route) : undefined;
      const attempt = await lnd.sendToRoute(Buffer.from(req.payment_hash), route, req.skip_temp_err);
      return marshalAttempt(net, attempt);
    },

    BuildRoute: (req: BuildRouteRequest) => {
      const amt = BigInt(req.amt_msat || '0');
      if (amt < 0n) throw new RpcError(2, 'amount cannot be negative');
      if (req.payment_addr.length !== 0 && req.payment_addr.length !== 32) {
        throw new RpcError(2, `invalid hash length of ${req.payment_addr.length}, want 32`);
      }
      for (const key of req.hop_pubkeys) {
        if (key.length !== 33) throw new RpcError(2, `invalid pubkey length of ${key.length}, want 33`);
      }
      const route = lnd.buildRoute({
        amtMsat: amt,
        finalCltvDelta: req.final_cltv_delta,
        outgoingChanId: parseUint64(req.outgoing_chan_id || '0', 'outgoing_chan_id'),
        hopPubkeys: req.hop_pubkeys.map((k) => k.toString('hex')),
        paymentAddr: req.payment_addr.length === 32 ? Buffer.from(req.payment_addr) : undefined,
      });
      return { route: marshalRoute(net, route) };
    },

    TrackPaymentV2: {
      stream: (req: TrackPaymentRequest, stream: Stream) => {
        const payment = req.payment_hash.length === 32 ? lnd.payments.get(req.payment_hash) : undefined;
        if (!payment) throw new RpcError(5, "payment isn't initiated");
        follow(payment.hash, req.no_inflight_updates, stream, payment);
      },
    },

    TrackPayments: {
      stream: (req: TrackPaymentsRequest, stream: Stream) => {
        for (const payment of lnd.payments.list()) {
          if (paymentStatus(payment) === 'IN_FLIGHT' && !req.no_inflight_updates) {
            stream.write(marshalPayment(net, payment));
          }
        }
        const unsubscribe = lnd.payments.subscribeAll((payment) => {
          if (!req.no_inflight_updates || isTerminal(payment)) stream.write(marshalPayment(net, payment));
        });
        stream.onClose(unsubscribe);
      },
    },

    SendPaymentV2: {
      stream: async (req: SendPaymentRequest, stream: Stream) => {
        await sendPaymentV2(ctx, req, (hash) => follow(hash, req.no_inflight_updates, stream, lnd.payments.get(hash)));
      },
    },
  };
}
