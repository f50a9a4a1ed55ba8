import { encodeInvoice, LND_INVOICE_FEATURE_BITS } from '../crypto/invoice';
import { type Invoice, RegistryError } from '../model/invoices';
import type { NodeContext } from './context';
import { RpcError } from './errors';
import { NODE_FEATURES, unmarshalAmount } from './marshal';

/** The features LND puts in its invoices, as Invoice.features reports them. */
export const INVOICE_FEATURES = Object.fromEntries(LND_INVOICE_FEATURE_BITS.map((bit) => [bit, NODE_FEATURES[bit]]));
/** LND's defaults for AddInvoice: a day of expiry, and bitcoin.timelockdelta as the final CLTV delta. */
const DEFAULT_INVOICE_EXPIRY = 86_400;
const DEFAULT_INVOICE_CLTV = 80;
/** No invoice can ask for more than all bitcoin. */
const MAX_PAYMENT_MSAT = 21_000_000n * 100_000_000n * 1000n;

/** The fields lnrpc.Invoice and invoicesrpc.AddHoldInvoiceRequest share. */
export interface NewInvoiceMsg {
  memo: string;
  value: string;
  value_msat: string;
  description_hash: Buffer;
  expiry: string;
  cltv_expiry: string;
}

/**
 * LND's invoicesrpc.AddInvoice, behind both lnrpc.AddInvoice (`preimage` given or drawn) and
 * invoicesrpc.AddHoldInvoice (`holdHash` given: the preimage stays with the caller).
 */
export function addInvoice(
  ctx: NodeContext,
  req: NewInvoiceMsg,
  secret: { preimage?: Buffer; holdHash?: Buffer },
): Invoice {
  const self = ctx.lnd.node;
  const valueMsat = unmarshalAmount(req.value, req.value_msat);
  if (valueMsat > MAX_PAYMENT_MSAT) {
    throw new RpcError(
      2,
      `payment of ${valueMsat / 1000n} sat is too large, max payment allowed is ${MAX_PAYMENT_MSAT / 1000n} sat`,
    );
  }
  if (req.description_hash.length !== 0 && req.description_hash.length !== 32) {
    throw new RpcError(2, `description hash is ${req.description_hash.length} bytes, must be 32`);
  }
  const expiry = Number(BigInt(req.expiry || '0')) || DEFAULT_INVOICE_EXPIRY;
  const cltvExpiry = Number(BigInt(req.cltv_expiry || '0')) || DEFAULT_INVOICE_CLTV;
  if (expiry < 0) throw new RpcError(2, `expiry of ${expiry} seconds is invalid`);
  const descriptionHash = req.description_hash.length === 32 ? Buffer.from(req.description_hash) : undefined;
  try {
    return ctx.lnd.invoices.add({
      valueMsat,
      memo: req.memo,
      expiry,
      cltvExpiry,
      preimage: secret.preimage,
      hash: secret.holdHash,
      descriptionHash,
      encode: (hash, paymentAddr, createdAt) =>
        encodeInvoice({
          network: 'regtest',
          privateKey: self.privateKey,
          pubkey: self.pubkey,
          paymentHash: hash,
          paymentSecret: paymentAddr,
          amountMsat: valueMsat,
          description: req.memo,
          descriptionHash,
          createdAt,
          expirySeconds: expiry,
          cltvExpiry,
        }),
    });
  } catch (error) {
    throw registryError(error);
  }
}

/** The gRPC code LND's RPC servers give the invoice registry's refusals. */
export function registryError(error: unknown): unknown {
  if (!(error instanceof RegistryError)) return error;
  const code = error.kind === 'NOT_FOUND' ? 5 : error.kind === 'ALREADY_EXISTS' ? 6 : 2;
  return new RpcError(code, error.message);
}
