import type { Handlers, NodeContext } from './context';
import { RpcError } from './errors';

interface DeletePaymentRequest {
  payment_hash: Buffer;
  failed_htlcs_only: boolean;
}

interface DeleteAllPaymentsRequest {
  failed_payments_only: boolean;
  failed_htlcs_only: boolean;
  all_payments: boolean;
}

/** lnrpc.DeletePayment and DeleteAllPayments (LND 0.19+ asks DeleteAllPayments to say what to delete). */
export function deletePaymentHandlers(ctx: NodeContext): Handlers {
  const payments = ctx.lnd.payments;
  return {
    DeletePayment: (req: DeletePaymentRequest) => {
      if (req.payment_hash.length !== 32) {
        throw new RpcError(2, `invalid hash length of ${req.payment_hash.length}, want 32`);
      }
      payments.delete(Buffer.from(req.payment_hash), req.failed_htlcs_only);
      return { status: 'payment deleted' };
    },

    DeleteAllPayments: (req: DeleteAllPaymentsRequest) => {
      if (!req.all_payments && !req.failed_payments_only && !req.failed_htlcs_only) {
        throw new RpcError(
          2,
          'at least one of the options all_payments, failed_payments_only, or failed_htlcs_only must be set to true',
        );
      }
      if (req.all_payments && (req.failed_payments_only || req.failed_htlcs_only)) {
        throw new RpcError(
          2,
          'all_payments cannot be set to true while either failed_payments_only or failed_htlcs_only is also set to true',
        );
      }
      const deleted = payments.deleteAll(req.failed_payments_only, req.failed_htlcs_only);
      return { status: `${deleted} payments deleted, failed_htlcs_only=${req.failed_htlcs_only}` };
    },
  };
}
