import { createHash } from 'node:crypto';
import { ApiError, ErrorCode, invalidParam } from '../../../shared/api/errors';
import type { PartialPayment, Payment } from '../../../shared/types';
import { type CheckedRoute, checkDestination } from './checks';
import { routeToJson, toPart, toPayment } from './rows';
import type { PartRow, Statements } from './statements';
import type {
  BeginPartArgs,
  BeginPartResult,
  BeginSinglePayArgs,
  BeginSinglePayResult,
  PartOutcome,
  ResolveResult,
} from './types';

// The proposal's rules for changes of state (see Ledger's beginPart, beginSinglePay and resolvePart), run inside
// the ledger's transactions on checked arguments: what a part and its payment become, and what is refused.

export class PaymentRules {
  constructor(private readonly s: Statements) {}

  /** Ledger.beginPart's rules, within its transaction. */
  beginPart(args: BeginPartArgs, route: CheckedRoute): BeginPartResult {
    const hash = args.paymentHash;
    const existing = this.s.paymentRow.get(hash);
    if (existing) {
      if (existing.msatoshi !== args.intendedMsat) {
        throw invalidParam(
          'intended_msatoshi',
          args.intendedMsat,
          `differs from the msatoshi ${existing.msatoshi} of payment ${hash}`,
        );
      }
      if (existing.status === 'complete') return { kind: 'complete', payment: this.paymentOrThrow(hash) };
    }
    const destination = existing?.destination ?? args.destination;
    checkDestination(destination, args.destination, route);
    const secret = existing?.payment_secret ?? args.paymentSecret;
    if (secret === undefined) {
      throw invalidParam(
        'payment_secret',
        args.paymentSecret,
        `is required for the first part of payment ${hash} (give payment_secret or bolt11)`,
      );
    }
    if (args.paymentSecret !== undefined && args.paymentSecret !== secret) {
      throw new ApiError(
        ErrorCode.Mismatch,
        `payment_secret: ${args.paymentSecret} differs from the payment secret of payment ${hash}`,
      );
    }
    const inFlight = existing ? (this.s.inFlight.get(hash) as bigint) : 0n;
    if (inFlight + route.delivered > args.intendedMsat) {
      throw new ApiError(
        ErrorCode.InProgress,
        `route: this part's ${route.delivered} msatoshi plus the ${inFlight} msatoshi of the parts pending or complete ` +
          `would exceed intended_msatoshi ${args.intendedMsat} of payment ${hash}`,
      );
    }
    const fields = {
      hash,
      secret,
      description: args.description ?? null,
      bolt11: args.bolt11 ?? null,
    };
    if (existing) this.s.reopenPayment.run(fields);
    else this.s.insertPayment.run({ ...fields, msatoshi: args.intendedMsat, destination, now: args.now });
    const part = this.insertPart(hash, route, destination, args.now);
    return { kind: 'created', part, payment: this.paymentOrThrow(hash), paymentSecret: secret };
  }

  /** Ledger.beginSinglePay's rules, within its transaction. */
  beginSinglePay(args: BeginSinglePayArgs, route: CheckedRoute, given: string): BeginSinglePayResult {
    const hash = args.paymentHash;
    const existing = this.s.paymentRow.get(hash);
    if (existing) {
      if (existing.status === 'pending') {
        throw new ApiError(
          ErrorCode.InProgress,
          `payment_hash: payment ${hash} is still pending; wait for it with waitsendpay`,
        );
      }
      if (existing.status === 'complete') return { kind: 'complete', payment: this.paymentOrThrow(hash) };
      if (existing.msatoshi !== route.delivered) {
        throw invalidParam(
          'msatoshi',
          route.delivered,
          `the route delivers a different amount than the msatoshi ${existing.msatoshi} of payment ${hash}`,
        );
      }
    }
    const destination = existing?.destination ?? given;
    // A destination not named by the caller (the route's end) is only checked as the route's end.
    checkDestination(destination, args.destination ?? destination, route);
    const stored = existing?.payment_secret ?? undefined;
    if (stored !== undefined && args.paymentSecret !== undefined && args.paymentSecret !== stored) {
      throw new ApiError(
        ErrorCode.Mismatch,
        `payment_secret: ${args.paymentSecret} differs from the payment secret of payment ${hash}`,
      );
    }
    const secret = stored ?? args.paymentSecret;
    // The payment is new or failed, so nothing is in flight; checked anyway, it is the rule that keeps money safe.
    const inFlight = existing ? (this.s.inFlight.get(hash) as bigint) : 0n;
    const msatoshi = existing?.msatoshi ?? route.delivered;
    if (inFlight + route.delivered > msatoshi) {
      throw new ApiError(
        ErrorCode.InProgress,
        `route: ${route.delivered} msatoshi plus the ${inFlight} msatoshi pending or complete would exceed ${msatoshi}`,
      );
    }
    const fields = { hash, secret: secret ?? null, description: args.description ?? null, bolt11: args.bolt11 ?? null };
    if (existing) this.s.reopenPayment.run(fields);
    else this.s.insertPayment.run({ ...fields, msatoshi, destination, now: args.now });
    const part = this.insertPart(hash, route, destination, args.now);
    const payment = this.paymentOrThrow(hash);
    return secret === undefined
      ? { kind: 'created', part, payment }
      : { kind: 'created', part, payment, paymentSecret: secret };
  }

  /** Ledger.resolvePart's rules, within its transaction. */
  resolvePart(id: number, outcome: PartOutcome, now: number): ResolveResult {
    const row = this.partRowOrThrow(id);
    const hash = row.payment_hash;
    if (outcome.status === 'complete') {
      const digest = createHash('sha256').update(Buffer.from(outcome.preimage, 'hex')).digest('hex');
      if (digest !== hash) {
        throw new ApiError(
          ErrorCode.Internal,
          `payment_preimage: ${outcome.preimage} of partial payment ${id} does not hash to its payment_hash ${hash}`,
        );
      }
    }
    if (row.status === outcome.status || row.status === 'complete') {
      return { part: toPart(row), payment: this.paymentOrThrow(hash), changed: false };
    }
    const attemptId = outcome.attemptId ?? null;
    if (outcome.status === 'complete') {
      this.s.completePart.run({ id, preimage: outcome.preimage, now, attemptId });
      this.s.completePayment.run({ hash, preimage: outcome.preimage, now });
    } else {
      const f = outcome.failure;
      this.s.failPart.run({
        id,
        now,
        attemptId,
        code: f.code,
        message: f.message,
        erringIndex: f.erring_index ?? null,
        erringNode: f.erring_node ?? null,
        erringChannel: f.erring_channel ?? null,
      });
      this.s.failPayment.run({ hash, now });
    }
    return { part: this.partOrThrow(id), payment: this.paymentOrThrow(hash), changed: true };
  }

  private insertPart(hash: string, route: CheckedRoute, destination: string, now: number): PartialPayment {
    const { lastInsertRowid } = this.s.insertPart.run({
      hash,
      msatoshi: route.delivered,
      sent: route.sent,
      destination,
      route: routeToJson(route.hops),
      now,
    });
    return this.partOrThrow(Number(lastInsertRowid));
  }

  partRowOrThrow(id: number): PartRow {
    const row = this.s.part.get(id);
    if (!row) throw new ApiError(ErrorCode.NotFound, `id: no partial payment ${id}`);
    return row;
  }

  private partOrThrow(id: number): PartialPayment {
    return toPart(this.partRowOrThrow(id));
  }

  paymentOrThrow(hash: string): Payment {
    const row = this.s.payment.get(hash);
    if (!row) throw new ApiError(ErrorCode.NotFound, `payment_hash: no payment ${hash}`);
    return toPayment(row);
  }
}
