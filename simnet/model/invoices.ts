import { createHash, randomBytes } from 'node:crypto';
import { realTimers, type Scheduler } from './scheduler';
import type { ExitOutcome, FailureCode, MppRecord } from './types';

export type InvoiceState = 'OPEN' | 'SETTLED' | 'CANCELED' | 'ACCEPTED';
export type InvoiceHtlcState = 'ACCEPTED' | 'SETTLED' | 'CANCELED';

export interface InvoiceHtlc {
  chanId: bigint;
  htlcIndex: bigint;
  amtMsat: bigint;
  acceptHeight: number;
  acceptTime: number;
  resolveTime: number;
  expiryHeight: number;
  state: InvoiceHtlcState;
  mppTotalAmtMsat: bigint;
}

export interface Invoice {
  memo: string;
  /** Unknown for a hold invoice until SettleInvoice gives it. */
  preimage: Buffer | undefined;
  /** A hold invoice: a complete set is ACCEPTED and held until SettleInvoice or CancelInvoice. */
  hold: boolean;
  hash: Buffer;
  valueMsat: bigint;
  paymentAddr: Buffer;
  creationDate: number;
  settleDate: number;
  paymentRequest: string;
  descriptionHash: Buffer;
  expiry: number;
  cltvExpiry: number;
  addIndex: bigint;
  settleIndex: bigint;
  amtPaidMsat: bigint;
  state: InvoiceState;
  htlcs: InvoiceHtlc[];
}

interface Pending {
  htlc: InvoiceHtlc;
  resolve: (outcome: ExitOutcome) => void;
  timer: unknown;
}

/** LND's FinalCltvRejectDelta (16 + 3 blocks of slack). */
const FINAL_CLTV_REJECT_DELTA = 19;

export interface RegistryOptions {
  /** How long each HTLC of an incomplete set is held before MPP_TIMEOUT (LND: 120 s, not configurable there). */
  mppTimeoutMs: number;
  height: () => number;
  /** Hold timers and timestamps: the real timers by default. */
  scheduler?: Scheduler;
}

/**
 * A node's invoices and its behaviour as a payee, LND's invoices/update.go `updateMpp`: checks in LND's order,
 * one hold timer per HTLC, the whole set settled when the accepted sum reaches the total.
 */
export class InvoiceRegistry {
  private readonly byHash = new Map<string, Invoice>();
  private readonly pending = new Map<string, Pending[]>();
  private readonly listeners = new Set<(invoice: Invoice) => void>();
  private addIndex = 0n;
  private settleIndex = 0n;
  private htlcIndex = 0n;

  private readonly clock: Scheduler;

  constructor(private readonly options: RegistryOptions) {
    this.clock = options.scheduler ?? realTimers;
  }

  /**
   * Adds an invoice; `encode` signs the payment request once hash and secret are known. With `hash` and no
   * preimage it is a hold invoice (invoicesrpc.AddHoldInvoice).
   */
  add(args: {
    valueMsat: bigint;
    memo: string;
    expiry: number;
    cltvExpiry: number;
    preimage?: Buffer;
    hash?: Buffer;
    descriptionHash?: Buffer;
    encode: (hash: Buffer, paymentAddr: Buffer, createdAt: Date) => string;
  }): Invoice {
    const hold = args.hash !== undefined;
    const preimage = hold ? undefined : (args.preimage ?? randomBytes(32));
    const hash =
      args.hash ??
      createHash('sha256')
        .update(preimage as Buffer)
        .digest();
    if (this.byHash.has(hash.toString('hex')))
      throw new RegistryError('invoice with payment hash already exists', 'ALREADY_EXISTS');
    const paymentAddr = randomBytes(32);
    const createdAt = new Date(Math.floor(this.clock.now() / 1000) * 1000);
    this.addIndex += 1n;
    const invoice: Invoice = {
      memo: args.memo,
      preimage,
      hold,
      hash,
      valueMsat: args.valueMsat,
      paymentAddr,
      creationDate: createdAt.getTime() / 1000,
      settleDate: 0,
      paymentRequest: args.encode(hash, paymentAddr, createdAt),
      descriptionHash: args.descriptionHash ?? Buffer.alloc(0),
      expiry: args.expiry,
      cltvExpiry: args.cltvExpiry,
      addIndex: this.addIndex,
      settleIndex: 0n,
      amtPaidMsat: 0n,
      state: 'OPEN',
      htlcs: [],
    };
    this.byHash.set(hash.toString('hex'), invoice);
    this.notify(invoice);
    return invoice;
  }

  lookup(hash: Buffer): Invoice | undefined {
    return this.byHash.get(hash.toString('hex'));
  }

  list(): Invoice[] {
    return [...this.byHash.values()].sort((a, b) => (a.addIndex < b.addIndex ? -1 : 1));
  }

  subscribe(listener: (invoice: Invoice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Decides an HTLC that reached this node as the final hop. Resolves when the HTLC is settled or failed. */
  accept(htlc: { paymentHash: Buffer; amtMsat: bigint; expiry: number; mpp?: MppRecord; chanId: bigint }) {
    return new Promise<ExitOutcome>((resolve) => {
      const refuse = (code: FailureCode = 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS') => resolve({ settled: false, code });
      const invoice = this.byHash.get(htlc.paymentHash.toString('hex'));
      if (!invoice) return refuse(); // invoice not found
      // Every LND invoice requires a payment secret: an HTLC without an MPP record is an address mismatch.
      if (!htlc.mpp) return refuse();
      if (invoice.state !== 'OPEN') return refuse(); // invoice no longer open
      if (!htlc.mpp.paymentAddr.equals(invoice.paymentAddr)) return refuse(); // payment address mismatch
      const total = htlc.mpp.totalAmtMsat;
      if (total === 0n || total < invoice.valueMsat) return refuse(); // set total too low for invoice
      const set = this.pending.get(invoice.hash.toString('hex')) ?? [];
      if (set.some((p) => p.htlc.mppTotalAmtMsat !== total)) return refuse(); // htlc total amt doesn't match set total
      const height = this.options.height();
      if (htlc.expiry < height + FINAL_CLTV_REJECT_DELTA || htlc.expiry < height + invoice.cltvExpiry) {
        return refuse(); // expiry too soon
      }

      this.htlcIndex += 1n;
      const record: InvoiceHtlc = {
        chanId: htlc.chanId,
        htlcIndex: this.htlcIndex,
        amtMsat: htlc.amtMsat,
        acceptHeight: height,
        acceptTime: Math.floor(this.clock.now() / 1000),
        resolveTime: 0,
        expiryHeight: htlc.expiry,
        state: 'ACCEPTED',
        mppTotalAmtMsat: total,
      };
      invoice.htlcs.push(record);
      // Each HTLC gets its own timer, so that a sender cannot keep a set alive by trickling shards.
      const timer = this.clock.setTimeout(() => this.timeout(invoice, entry), this.options.mppTimeoutMs);
      const entry: Pending = { htlc: record, resolve, timer };
      set.push(entry);
      this.pending.set(invoice.hash.toString('hex'), set);

      const accepted = set.reduce((sum, p) => sum + p.htlc.amtMsat, 0n);
      // Since LND 0.17 an overpaying set completes as soon as the sum reaches the total.
      if (accepted >= total) this.complete(invoice, set, accepted);
      else this.notify(invoice);
    });
  }

  /** A complete set: settled at once, or for a hold invoice accepted and held until settleHold/cancel. */
  private complete(invoice: Invoice, set: Pending[], accepted: bigint): void {
    if (!invoice.hold) {
      this.settle(invoice, set, accepted);
      return;
    }
    invoice.state = 'ACCEPTED';
    invoice.amtPaidMsat = accepted;
    // The HTLCs are no longer at risk of an MPP timeout: the set is whole.
    for (const p of set) this.clock.clearTimeout(p.timer);
    this.notify(invoice);
  }

  /** invoicesrpc.SettleInvoice: the preimage of an ACCEPTED hold invoice settles its held HTLCs. */
  settleHold(preimage: Buffer): Invoice {
    const hash = createHash('sha256').update(preimage).digest();
    const invoice = this.byHash.get(hash.toString('hex'));
    if (!invoice) throw new RegistryError('unable to locate invoice', 'NOT_FOUND');
    if (invoice.state === 'SETTLED') return invoice;
    if (invoice.state === 'CANCELED') throw new RegistryError('invoice already canceled');
    if (invoice.state === 'OPEN') throw new RegistryError('invoice still open');
    invoice.preimage = Buffer.from(preimage);
    const set = this.pending.get(hash.toString('hex')) ?? [];
    this.settle(invoice, set, invoice.amtPaidMsat);
    return invoice;
  }

  /** invoicesrpc.CancelInvoice: an open or accepted invoice is canceled and its held HTLCs fail back. */
  cancel(hash: Buffer): Invoice {
    const key = hash.toString('hex');
    const invoice = this.byHash.get(key);
    if (!invoice) throw new RegistryError('unable to locate invoice', 'NOT_FOUND');
    if (invoice.state === 'CANCELED') return invoice;
    if (invoice.state === 'SETTLED') throw new RegistryError('invoice already settled');
    const set = this.pending.get(key) ?? [];
    this.pending.delete(key);
    const now = Math.floor(this.clock.now() / 1000);
    invoice.state = 'CANCELED';
    invoice.amtPaidMsat = 0n;
    for (const p of set) {
      this.clock.clearTimeout(p.timer);
      p.htlc.state = 'CANCELED';
      p.htlc.resolveTime = now;
    }
    this.notify(invoice);
    for (const p of set) p.resolve({ settled: false, code: 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS' });
    return invoice;
  }

  private settle(invoice: Invoice, set: Pending[], accepted: bigint): void {
    const now = Math.floor(this.clock.now() / 1000);
    const preimage = invoice.preimage as Buffer;
    this.settleIndex += 1n;
    invoice.state = 'SETTLED';
    invoice.settleDate = now;
    invoice.settleIndex = this.settleIndex;
    invoice.amtPaidMsat = accepted;
    this.pending.delete(invoice.hash.toString('hex'));
    for (const p of set) {
      this.clock.clearTimeout(p.timer);
      p.htlc.state = 'SETTLED';
      p.htlc.resolveTime = now;
    }
    this.notify(invoice);
    for (const p of set) p.resolve({ settled: true, preimage });
  }

  private timeout(invoice: Invoice, entry: Pending): void {
    if (invoice.state !== 'OPEN') return;
    const key = invoice.hash.toString('hex');
    const set = (this.pending.get(key) ?? []).filter((p) => p !== entry);
    if (set.length > 0) this.pending.set(key, set);
    else this.pending.delete(key);
    entry.htlc.state = 'CANCELED';
    entry.htlc.resolveTime = Math.floor(this.clock.now() / 1000);
    this.notify(invoice);
    entry.resolve({ settled: false, code: 'MPP_TIMEOUT' });
  }

  /** Fails every held HTLC at once, as a node shutting down would on restart. */
  close(): void {
    for (const [key, set] of this.pending) {
      for (const p of set) {
        this.clock.clearTimeout(p.timer);
        p.htlc.state = 'CANCELED';
        p.resolve({ settled: false, code: 'MPP_TIMEOUT' });
      }
      this.pending.delete(key);
    }
    this.listeners.clear();
  }

  private notify(invoice: Invoice): void {
    for (const listener of this.listeners) listener(invoice);
  }
}

/** A refusal with LND's text (invoices/errors.go); `NOT_FOUND` where LND's RPC server maps it so. */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly kind: 'NOT_FOUND' | 'ALREADY_EXISTS' | 'OTHER' = 'OTHER',
  ) {
    super(message);
  }
}
