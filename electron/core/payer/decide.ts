// The pay loop's decisions, named (as LND's paymentLifecycle.decideNextStep): what the payer does next, from what
// the ledger says of the payment and where the loop stands. Pure: the loop (pay.ts) carries the steps out.

import type { PayMode } from '../../../shared/api/schemas';
import { isPermanentRefusal } from '../../../shared/failures';
import type { PartialPayment, Payment } from '../../../shared/types';

/** The payment as the ledger has it now. */
export interface PaymentView {
  payment: Payment | undefined;
  parts: PartialPayment[];
  /** Parts in flight. */
  pending: number;
  /** What neither the parts in flight nor the completed ones deliver. */
  missing: bigint;
  /** Fees of the parts in flight and completed: the fee limit counts them all. */
  feesCommitted: bigint;
  /** A part the receiver refused for good, if any. */
  refusal: PartialPayment | undefined;
}

/** Where the loop stands. A round: send what there is to send (at most one plan), then wait for news. */
export interface LoopState {
  mode: PayMode;
  maxParts: number;
  now: number;
  deadline: number;
  stopped: boolean;
  /** Parts of the first plan not yet sent. */
  firstPlanLeft: number;
  /** This round has planned already: now it waits. */
  planned: boolean;
  /** The last plan found none, for a reason that waiting would not mend. */
  hopeless: boolean;
  /** Failed parts that this round has not seen yet (they failed while it was sending). */
  unseenFailures: number;
}

export type Step =
  /** The payment is complete. */
  | { kind: 'complete'; payment: Payment }
  /** The receiver refused the payment for good: no other route changes that. */
  | { kind: 'refused'; part: PartialPayment }
  /** stoppay: nothing more leaves. */
  | { kind: 'stopped' }
  /** retry_for ran out. */
  | { kind: 'timeout' }
  /** Send the first plan's parts, in order. */
  | { kind: 'send-first-plan' }
  /** Manual mode: what is out can no longer complete the payment, and nothing is re-planned. */
  | { kind: 'missing' }
  /** Plan what is missing with `slots` parts at most, and send it. */
  | { kind: 'plan'; slots: number }
  /** Parts are in flight: wait for a failure or the completion (`windowOpen`: a failure came already). */
  | { kind: 'wait-for-outcome'; windowOpen: boolean }
  /** Parts failed while this round was sending: start the next round at once. */
  | { kind: 'next-round' }
  /** Nothing out, and nothing the network could change would give a plan. */
  | { kind: 'no-plan' }
  /** Nothing out and no plan yet: wait a moment for the network, then try again. */
  | { kind: 'wait-for-network' };

export function decideNextStep(view: PaymentView, state: LoopState): Step {
  if (view.payment?.status === 'complete') return { kind: 'complete', payment: view.payment };
  if (view.refusal) return { kind: 'refused', part: view.refusal };
  if (state.stopped) return { kind: 'stopped' };
  if (state.now >= state.deadline) return { kind: 'timeout' };
  if (state.firstPlanLeft > 0) return { kind: 'send-first-plan' };
  if (state.mode === 'manual') {
    return view.missing > 0n ? { kind: 'missing' } : { kind: 'wait-for-outcome', windowOpen: false };
  }
  if (!state.planned && view.missing > 0n && view.pending < state.maxParts) {
    return { kind: 'plan', slots: state.maxParts - view.pending };
  }
  if (view.pending > 0) return { kind: 'wait-for-outcome', windowOpen: state.unseenFailures > 0 };
  if (state.unseenFailures > 0) return { kind: 'next-round' };
  if (state.hopeless) return { kind: 'no-plan' };
  return { kind: 'wait-for-network' };
}

/** The ledger's parts of a payment, summed up for decideNextStep. */
export function viewOf(payment: Payment | undefined, parts: PartialPayment[], amount: bigint): PaymentView {
  const committed = parts.filter((p) => p.status !== 'failed');
  return {
    payment,
    parts,
    pending: committed.filter((p) => p.status === 'pending').length,
    missing: amount - committed.reduce((s, p) => s + p.msatoshi, 0n),
    feesCommitted: committed.reduce((s, p) => s + (p.msatoshi_sent - p.msatoshi), 0n),
    refusal: parts.find((p) => p.status === 'failed' && isPermanentRefusal(p.failure?.code)),
  };
}
