// What the Pay screen says when something goes wrong, in a wallet user's words: what happened and what they can do,
// in sat, with node aliases. One place for every such text: part failures (keyed by shared/failures.ts' closed
// union) and the API's errors (keyed by ErrorCode). The code and the raw text stay available as `details`.

import { ErrorCode } from '../shared/api/errors';
import type { ChannelInfo, OverdrawnChannel } from '../shared/api/results';
import { type FailureCode, isPermanentRefusal } from '../shared/failures';
import type { PartFailure, Route } from '../shared/types';
import { formatMsat } from './format';
import { type Aliases, nodeName, withNames } from './names';

export interface Problem {
  /** What happened. */
  what: string;
  /** What the user can do about it. */
  action: string;
  /** The code and the raw text, for the details line. */
  details?: string;
  /** The receiver refused for good: no re-route can help. */
  final?: boolean;
}

/** Who took part in a failed part: names, ready to print. */
interface FailureContext {
  /** The node that reported the failure (or "your node"). */
  at: string;
  /** The node it could not pass the part on to, when known. */
  next?: string;
  receiver: string;
  /** What the part carried. */
  amount: string;
  /** What happens to the amount now, in the payment's mode. */
  retry: string;
}

type Words = Pick<Problem, 'what' | 'action'>;

/** What the user can expect or do about a part that failed on the way, by the payment's mode. */
const RETRY = {
  auto: 'The node sends this amount another way.',
  manual: 'Manual mode: re-plan the missing amount (below) to send it another way.',
  unknown: 'The node sends this amount another way; in manual mode, re-plan the missing amount.',
} as const;

const ROUTE_BROKEN = (c: FailureContext): Words => ({
  what: `${c.at} could not read the part's routing instructions.`,
  action: c.retry,
});

/** One entry per code: TypeScript refuses a code left out. */
const FAILURE_WORDS: Record<FailureCode, (c: FailureContext) => Words> = {
  TEMPORARY_CHANNEL_FAILURE: (c) => ({
    what: `${c.at} could not pass ${c.amount} on${c.next ? ` to ${c.next}` : ''}: not enough liquidity on its side of the channel right now.`,
    action: c.retry,
  }),
  INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS: (c) => ({
    what: `${c.receiver} refused the payment: it does not know this invoice, or it is already paid.`,
    action: 'Nothing more will be sent for it. Ask the receiver for a new invoice if you still owe them.',
  }),
  INCORRECT_PAYMENT_AMOUNT: (c) => ({
    what: `${c.receiver} refused the payment: the amount is not what the invoice asks for.`,
    action: 'Nothing more will be sent for it. Ask the receiver for a new invoice.',
  }),
  FINAL_INCORRECT_HTLC_AMOUNT: (c) => ({
    what: `${c.receiver} refused the payment: the part arrived with a different amount than it was sent with.`,
    action: 'Nothing more will be sent for it. Ask the receiver for a new invoice.',
  }),
  FINAL_EXPIRY_TOO_SOON: (c) => ({
    what: `${c.receiver} refused the payment: the invoice has expired, or too little time was left.`,
    action: 'Nothing more will be sent for it. Ask the receiver for a new invoice.',
  }),
  FINAL_INCORRECT_CLTV_EXPIRY: (c) => ({
    what: `${c.receiver} refused this part: its time lock was changed on the way.`,
    action: c.retry,
  }),
  MPP_TIMEOUT: (c) => ({
    what: `${c.receiver} gave this part back: the rest of the payment did not arrive within its 2 minutes.`,
    action: 'Nothing was paid with it. Send the payment again; it goes faster with fewer, larger parts.',
  }),
  EXPIRY_TOO_SOON: (c) => ({
    what: `${c.at} refused the part: its time lock is too close for it.`,
    action: c.retry,
  }),
  EXPIRY_TOO_FAR: (c) => ({
    what: `${c.at} refused the part: its time lock is too far in the future.`,
    action: c.retry,
  }),
  INCORRECT_CLTV_EXPIRY: (c) => ({ what: `${c.at} refused the part: a wrong time lock.`, action: c.retry }),
  AMOUNT_BELOW_MINIMUM: (c) => ({
    what: `${c.at} refused the part: ${c.amount} is less than its channel${c.next ? ` to ${c.next}` : ''} carries.`,
    action: 'Use fewer, larger parts, or another path.',
  }),
  FEE_INSUFFICIENT: (c) => ({
    what: `${c.at} asks a higher fee than the route offered (its fees changed).`,
    action: c.retry,
  }),
  CHANNEL_DISABLED: (c) => ({
    what: `${c.at}'s channel${c.next ? ` to ${c.next}` : ''} is switched off.`,
    action: c.retry,
  }),
  UNKNOWN_NEXT_PEER: (c) => ({
    what: `${c.at} has no working channel${c.next ? ` to ${c.next}` : ''} any more.`,
    action: c.retry,
  }),
  TEMPORARY_NODE_FAILURE: (c) => ({
    what: `${c.at} is having trouble and forwards nothing right now.`,
    action: c.retry,
  }),
  PERMANENT_NODE_FAILURE: (c) => ({ what: `${c.at} forwards no payments.`, action: c.retry }),
  PERMANENT_CHANNEL_FAILURE: (c) => ({
    what: `${c.at}'s channel${c.next ? ` to ${c.next}` : ''} is closed for good.`,
    action: c.retry,
  }),
  REQUIRED_NODE_FEATURE_MISSING: (c) => ({ what: `${c.at} needs a feature this route lacks.`, action: c.retry }),
  REQUIRED_CHANNEL_FEATURE_MISSING: (c) => ({
    what: `${c.at}'s channel needs a feature this route lacks.`,
    action: c.retry,
  }),
  INVALID_REALM: ROUTE_BROKEN,
  INVALID_ONION_VERSION: ROUTE_BROKEN,
  INVALID_ONION_HMAC: ROUTE_BROKEN,
  INVALID_ONION_KEY: ROUTE_BROKEN,
  INVALID_ONION_PAYLOAD: ROUTE_BROKEN,
  INVALID_ONION_BLINDING: ROUTE_BROKEN,
  INTERNAL_FAILURE: (c) => ({ what: `${c.at} had an internal error.`, action: c.retry }),
  RESERVED: (c) => ({ what: `${c.at} failed the part without saying why.`, action: c.retry }),
  UNKNOWN_FAILURE: (c) => ({ what: `${c.at} failed the part without saying why.`, action: c.retry }),
  UNREADABLE_FAILURE: (c) => ({
    what: 'A node on the way failed the part, and its answer could not be read.',
    action: c.retry,
  }),
  NODE_REFUSED: (c) => ({
    what: `Your node refused to send this part of ${c.amount} (for example: not enough balance in the channel).`,
    action: 'Choose another channel or a smaller amount.',
  }),
  NEVER_SENT: () => ({
    what: 'This part never left: the wallet stopped before handing it to your node.',
    action: 'Nothing was paid with it; send the missing amount again.',
  }),
};

/** Why a part failed, in words: the reporting node and the next one by alias. */
export function failureProblem(
  failure: PartFailure,
  route: Route,
  aliases: Aliases,
  mode?: 'auto' | 'manual',
): Problem {
  const receiver = nodeName(route[route.length - 1]?.id ?? '', aliases);
  const index = failure.erring_index;
  const atId = failure.erring_node ?? (index !== undefined && index > 0 ? route[index - 1]?.id : undefined);
  const nextId = index !== undefined ? route[index]?.id : undefined;
  const context: FailureContext = {
    at: index === 0 ? 'Your node' : atId ? nodeName(atId, aliases) : 'A node on the way',
    next: nextId ? nodeName(nextId, aliases) : undefined,
    receiver,
    amount: formatMsat(route[route.length - 1]?.msatoshi ?? 0n),
    retry: RETRY[mode ?? 'unknown'],
  };
  const words = (FAILURE_WORDS[failure.code] ?? FAILURE_WORDS.UNKNOWN_FAILURE)(context);
  return {
    ...words,
    details: `${failure.code}: ${withNames(failure.message, aliases)}`,
    final: isPermanentRefusal(failure.code),
  };
}

/** An API error (`{ code, message }`) the Pay screen got: what happened and what to do, with names. */
export function errorProblem(
  error: { code: number; message: string },
  aliases: Aliases,
  context: { doing?: string; mode?: 'auto' | 'manual' } = {},
): Problem {
  const problem = errorWords(error, aliases, context);
  return { ...problem, what: problem.what.charAt(0).toUpperCase() + problem.what.slice(1) };
}

function errorWords(
  error: { code: number; message: string },
  aliases: Aliases,
  context: { doing?: string; mode?: 'auto' | 'manual' },
): Problem {
  const raw = withNames(error.message, aliases);
  const details = `code ${error.code}: ${raw}`;
  const doing = context.doing ? `${context.doing}: ` : '';
  switch (error.code) {
    case ErrorCode.DestinationRefused:
      return {
        what: `${doing}the receiver refused this payment for good (${raw}).`,
        action: 'No other route can change that: nothing more will be sent. Ask the receiver for a new invoice.',
        details,
        final: true,
      };
    case ErrorCode.PayGaveUp:
      return {
        what:
          context.mode === 'manual'
            ? `${doing}a part failed, and in manual mode nothing is re-planned by itself: the payment waits for you.`
            : context.mode === 'auto'
              ? `${doing}the node found no more ways to deliver the rest of this payment in time.`
              : `${doing}${raw}`,
        action:
          'Parts the receiver holds are kept for up to 2 minutes: re-plan the missing amount now, or wait and pay again later.',
        details,
      };
    case ErrorCode.PayStopped:
      return {
        what: `${doing}you stopped this payment: no new parts will leave.`,
        action: 'Parts already on their way arrive or come back as the network decides.',
        details,
      };
    case ErrorCode.InvalidParams:
      return { what: `${doing}${planFieldText(raw)}`, action: 'Change the plan and send again.', details };
    case ErrorCode.InProgress:
      return { what: `${doing}${raw}`, action: 'Wait for the parts on their way to arrive or come back.', details };
    case ErrorCode.Mismatch:
      return {
        what: `${doing}this payment was started with another receiver or secret.`,
        action: 'Check the invoice.',
        details,
      };
    case ErrorCode.NotFound:
      return { what: `${doing}${raw}`, action: 'Check the invoice or the node.', details };
    default:
      return {
        what: `${doing}the wallet could not do it (${raw}).`,
        action: 'Check the connection to your node (the header says whether it is connected) and try again.',
        details,
      };
  }
}

/** "plan[1]: …" → "Part 2: …" (the planner's parts are numbered from 1 on screen). */
function planFieldText(text: string): string {
  return text.replace(/\bplan\[(\d+)\](\.route(\[\d+\])?)?/g, (_m, i: string) => `Part ${Number(i) + 1}`);
}

/** A channel the plan asks too much of (checkplan's `overdrawn`), in words: whose, to whom, how much. */
export function overdrawnText(
  o: OverdrawnChannel,
  channels: readonly ChannelInfo[],
  aliases: Aliases,
  ownId: string | undefined,
): string {
  const ours = channels.find((c) => c.channel === o.channel);
  const from = o.from === ownId ? 'Your channel' : `${nodeName(o.from, aliases)}'s channel`;
  const to = ours ? ` to ${ours.peer_alias || nodeName(ours.peer_id, aliases)}` : '';
  return `${from}${to} (${o.channel}) is asked for ${formatMsat(o.asked_msatoshi)} but can send about ${formatMsat(o.available_msatoshi)}.`;
}
