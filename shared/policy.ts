// The payment policy both sides use: the core pays with it, the renderer shows and pre-fills it. One definition each.

/** c-lightning's defaults for a payment's fees: 0.5% of the amount, or 5 sat, whichever is larger. */
export const DEFAULT_MAX_FEE_PERCENT = 0.5;
export const DEFAULT_EXEMPT_FEE_MSAT = 5000n;

/** Parts planned when the caller gives no limit: few enough for the receiver to gather quickly. */
export const DEFAULT_MAX_PARTS = 8;

/** LND pads the invoice's final CLTV delta by 3 blocks (as QueryRoutes' routes do); so do we. */
export const FINAL_CLTV_MARGIN = 3;

/** The final CLTV delta of getroutes and buildroute when the caller gives none (LND's default, 80, plus the margin). */
export const DEFAULT_FINAL_CLTV = 83;

/** The final CLTV delta a route to an invoice's payee ends with. */
export function finalCltvFor(minFinalCltvExpiry: number): number {
  return minFinalCltvExpiry + FINAL_CLTV_MARGIN;
}

/** The most a payment of `amount` may spend on fees: `percent` of it, but never less than `exempt`. */
export function feeBudget(amount: bigint, percent: number, exempt: bigint): bigint {
  const share = (amount * BigInt(Math.round(percent * 10_000))) / 1_000_000n;
  return share > exempt ? share : exempt;
}

/** A rebalance's fee limit when the caller gives none: 1000 ppm of the amount moved (issue 16). */
export const DEFAULT_REBALANCE_FEE_PPM = 1000;

/** The local share of a channel's capacity that picking sources and targets aims for, percent. */
export const DEFAULT_TARGET_RATIO_PERCENT = 50;

/** A rebalance's fee limit: `ppm` of the amount, capped by `cap` when given. */
export function rebalanceFeeLimit(amount: bigint, ppm: number, cap?: bigint): bigint {
  const share = (amount * BigInt(ppm)) / 1_000_000n;
  return cap !== undefined && cap < share ? cap : share;
}
