// What a part's failure code is, for both sides: the closed list of codes a PartFailure may carry (LND's
// lnrpc.Failure.FailureCode names, plus the wallet's own two), and which of them are the receiver's refusal for good.

/** LND's FailureCode names (BOLT 4 failures as LND reports them). */
export const LND_FAILURE_CODES = [
  'RESERVED',
  'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS',
  'INCORRECT_PAYMENT_AMOUNT',
  'FINAL_INCORRECT_CLTV_EXPIRY',
  'FINAL_INCORRECT_HTLC_AMOUNT',
  'FINAL_EXPIRY_TOO_SOON',
  'INVALID_REALM',
  'EXPIRY_TOO_SOON',
  'INVALID_ONION_VERSION',
  'INVALID_ONION_HMAC',
  'INVALID_ONION_KEY',
  'AMOUNT_BELOW_MINIMUM',
  'FEE_INSUFFICIENT',
  'INCORRECT_CLTV_EXPIRY',
  'CHANNEL_DISABLED',
  'TEMPORARY_CHANNEL_FAILURE',
  'REQUIRED_NODE_FEATURE_MISSING',
  'REQUIRED_CHANNEL_FEATURE_MISSING',
  'UNKNOWN_NEXT_PEER',
  'TEMPORARY_NODE_FAILURE',
  'PERMANENT_NODE_FAILURE',
  'PERMANENT_CHANNEL_FAILURE',
  'EXPIRY_TOO_FAR',
  'MPP_TIMEOUT',
  'INVALID_ONION_PAYLOAD',
  'INVALID_ONION_BLINDING',
  'INTERNAL_FAILURE',
  'UNKNOWN_FAILURE',
  'UNREADABLE_FAILURE',
] as const;

/**
 * Every code a part's failure may carry: LND's, and the wallet's own: NODE_REFUSED (LND answered with an error before
 * the HTLC left) and NEVER_SENT (the wallet stopped before handing the part over).
 */
export const FAILURE_CODES = [...LND_FAILURE_CODES, 'NODE_REFUSED', 'NEVER_SENT'] as const;

export type FailureCode = (typeof FAILURE_CODES)[number];

export function isFailureCode(value: unknown): value is FailureCode {
  return typeof value === 'string' && (FAILURE_CODES as readonly string[]).includes(value);
}

/** A code as a node or a stored row gives it: one of ours, else UNKNOWN_FAILURE (a code newer than this list). */
export function toFailureCode(value: unknown): FailureCode {
  return isFailureCode(value) ? value : 'UNKNOWN_FAILURE';
}

/**
 * The receiver refused the payment itself (unknown or already paid, wrong amount, too little time left): no other
 * route or part changes its answer, so the payer stops and no re-route is offered.
 */
const PERMANENT_REFUSALS: ReadonlySet<FailureCode> = new Set<FailureCode>([
  'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS',
  'INCORRECT_PAYMENT_AMOUNT',
  'FINAL_INCORRECT_HTLC_AMOUNT',
  'FINAL_EXPIRY_TOO_SOON',
]);

export function isPermanentRefusal(code: FailureCode | string | undefined): boolean {
  return code !== undefined && PERMANENT_REFUSALS.has(code as FailureCode);
}

/**
 * Failures that say nothing about the liquidity of the hop they name: the receiver's answers about the payment
 * itself, parts that waited too long for the others, and parts that never left.
 */
const NO_LIQUIDITY_NEWS: ReadonlySet<FailureCode> = new Set<FailureCode>([
  ...PERMANENT_REFUSALS,
  'MPP_TIMEOUT',
  'FINAL_INCORRECT_CLTV_EXPIRY',
  'NODE_REFUSED',
  'NEVER_SENT',
]);

export function saysNothingAboutLiquidity(code: FailureCode | string | undefined): boolean {
  return code !== undefined && NO_LIQUIDITY_NEWS.has(code as FailureCode);
}
