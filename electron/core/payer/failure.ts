import { type FailureCode, toFailureCode } from '../../../shared/failures';
import type { PartFailure, Route } from '../../../shared/types';
import type { HtlcFailure } from '../node/types';

/**
 * What a failure code means, in the core's messages (the renderer has its own words, with aliases, keyed by the same
 * union: shared/failures.ts).
 */
const WORDS: Partial<Record<FailureCode, string>> = {
  TEMPORARY_CHANNEL_FAILURE: 'Not enough liquidity',
  UNKNOWN_NEXT_PEER: 'Next node unreachable',
  CHANNEL_DISABLED: 'Channel disabled',
  FEE_INSUFFICIENT: 'Fee too low for the channel’s policy',
  AMOUNT_BELOW_MINIMUM: 'Amount below the channel’s minimum',
  INCORRECT_CLTV_EXPIRY: 'Time lock does not match the channel’s policy',
  EXPIRY_TOO_SOON: 'Time lock too close to the current block',
  EXPIRY_TOO_FAR: 'Time lock too far in the future',
  TEMPORARY_NODE_FAILURE: 'Node failure',
  PERMANENT_NODE_FAILURE: 'Node failure (permanent)',
  PERMANENT_CHANNEL_FAILURE: 'Channel failure (permanent)',
  MPP_TIMEOUT: 'Receiver waited too long for the other parts',
  INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS: 'Receiver refused the payment (unknown, paid, or wrong details)',
  FINAL_INCORRECT_HTLC_AMOUNT: 'Receiver got a different amount than the route said',
  FINAL_INCORRECT_CLTV_EXPIRY: 'Receiver got a different time lock than the route said',
  INTERNAL_FAILURE: 'The node failed internally',
  UNREADABLE_FAILURE: 'The failure could not be read',
  UNKNOWN_FAILURE: 'The node reported a failure this wallet does not know',
  INCORRECT_PAYMENT_AMOUNT: 'Receiver refused the amount',
  FINAL_EXPIRY_TOO_SOON: 'Receiver refused: the time lock ends too soon',
  INVALID_ONION_PAYLOAD: 'A node could not read its part of the route',
};

/** The part's failure from LND's HTLC failure: where it happened (erring_index as LND counts) and why. */
export function describeHtlcFailure(failure: HtlcFailure | undefined, route: Route, ownId: string): PartFailure {
  const code = failure ? toFailureCode(failure.code) : 'UNREADABLE_FAILURE';
  const index = failure?.failure_source_index ?? 0;
  const erringNode = index === 0 ? ownId : route[index - 1]?.id;
  // The channel the erring node would have sent on; for the receiver there is none.
  const erringChannel = route[index]?.channel;
  const where =
    index === 0
      ? 'at our node'
      : index === route.length
        ? 'at the receiver'
        : `at hop ${index} (${route[index - 1]?.id.slice(0, 10)}… → ${route[index]?.id.slice(0, 10)}…)`;
  const failureOut: PartFailure = {
    code,
    message: `${WORDS[code] ?? code} ${where}`,
    erring_index: index,
  };
  if (erringNode) failureOut.erring_node = erringNode;
  if (erringChannel) failureOut.erring_channel = erringChannel;
  return failureOut;
}
