import type { Invoice } from '../model/invoices';
import type { NewInvoiceMsg } from './addinvoice';
import { addInvoice, INVOICE_FEATURES, registryError } from './addinvoice';
import type { Handlers, NodeContext, Stream } from './context';
import { RpcError } from './errors';
import { marshalInvoice } from './marshal';

interface AddHoldInvoiceRequest extends NewInvoiceMsg {
  hash: Buffer;
  private: boolean;
}

/** LND's lntypes.MakeHash / MakePreimage length check. */
function exact32(bytes: Buffer, what: 'hash' | 'preimage'): Buffer {
  if (bytes.length !== 32) throw new RpcError(2, `invalid ${what} length of ${bytes.length}, want 32`);
  return Buffer.from(bytes);
}

/** The invoices sub-server (invoicesrpc.Invoices): hold invoices and one invoice's updates. */
export function invoicesHandlers(ctx: NodeContext): Handlers {
  const registry = ctx.lnd.invoices;
  const run = <T>(action: () => T): T => {
    try {
      return action();
    } catch (error) {
      throw registryError(error);
    }
  };

  return {
    AddHoldInvoice: (req: AddHoldInvoiceRequest) => {
      const invoice = addInvoice(ctx, req, { holdHash: exact32(req.hash, 'hash') });
      return {
        payment_request: invoice.paymentRequest,
        add_index: invoice.addIndex.toString(),
        payment_addr: invoice.paymentAddr,
      };
    },

    SettleInvoice: (req: { preimage: Buffer }) => {
      const preimage = exact32(req.preimage, 'preimage');
      run(() => registry.settleHold(preimage));
      return {};
    },

    CancelInvoice: (req: { payment_hash: Buffer }) => {
      const hash = exact32(req.payment_hash, 'hash');
      run(() => registry.cancel(hash));
      return {};
    },

    LookupInvoiceV2: (req: { payment_hash: Buffer }) => {
      const invoice = registry.lookup(exact32(req.payment_hash, 'hash'));
      if (!invoice) throw new RpcError(5, 'unable to locate invoice');
      return marshalInvoice(invoice, INVOICE_FEATURES);
    },

    /**
     * The invoice's current state first (once it exists), then one message per change; the stream ends after a
     * SETTLED or CANCELED one, as LND's does.
     */
    SubscribeSingleInvoice: {
      stream: (req: { r_hash: Buffer }, stream: Stream) => {
        const hash = exact32(req.r_hash, 'hash');
        let last: string | undefined;
        const send = (invoice: Invoice): boolean => {
          const state = `${invoice.state}:${invoice.htlcs.length}:${invoice.amtPaidMsat}`;
          if (state !== last) {
            last = state;
            stream.write(marshalInvoice(invoice, INVOICE_FEATURES));
          }
          const terminal = invoice.state === 'SETTLED' || invoice.state === 'CANCELED';
          if (terminal) stream.end();
          return terminal;
        };
        const current = registry.lookup(hash);
        if (current && send(current)) return;
        const unsubscribe = registry.subscribe((invoice) => {
          if (invoice.hash.equals(hash) && send(invoice)) unsubscribe();
        });
        stream.onClose(unsubscribe);
      },
    },
  };
}
