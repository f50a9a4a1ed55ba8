import type { FailureReason } from './payments';
import type { WireFailure } from './types';

/**
 * LND's result interpretation (routing/result_interpretation.go) as the sender sees it: the reason that fails the
 * whole payment, or undefined when the failure is temporary and another shard may be tried.
 */
export function terminalReason(failure: WireFailure | undefined, hopCount: number): FailureReason | undefined {
  if (!failure || failure.code === 'INTERNAL_FAILURE') return 'FAILURE_REASON_ERROR';
  if (failure.sourceIndex !== hopCount) return undefined;
  switch (failure.code) {
    case 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS':
    case 'INCORRECT_PAYMENT_AMOUNT':
    case 'FINAL_EXPIRY_TOO_SOON':
      return 'FAILURE_REASON_INCORRECT_PAYMENT_DETAILS';
    case 'MPP_TIMEOUT':
      return undefined;
    case 'FINAL_INCORRECT_CLTV_EXPIRY':
    case 'FINAL_INCORRECT_HTLC_AMOUNT':
      return hopCount === 1 ? 'FAILURE_REASON_ERROR' : undefined;
    default:
      return 'FAILURE_REASON_ERROR';
  }
}
