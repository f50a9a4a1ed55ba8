// Help for the rebalance and probe commands, spread into the command reference (shared/api/help.ts COMMAND_HELP),
// with the parameter types below added to its TYPES.

import { DEFAULT_MAX_PARTS, DEFAULT_REBALANCE_FEE_PPM, DEFAULT_TARGET_RATIO_PERCENT } from '../policy';
import { ErrorCode } from './errors';

/** Parameter types these commands add to the reference's. */
export const REBALANCE_TYPES = {
  channels: 'array of short channel ids BLOCKxTXxOUTPUT, at least one, no repeats',
  ppm: 'integer parts per million, 0 to 1000000',
} as const;

const rebalanceParams = {
  msatoshi: { type: 'msatoshi', description: 'how much to move (what arrives back over the targets)' },
  sources: {
    type: 'channels',
    description: 'our channels to move out of',
    default: `every active channel whose local share is above target_ratio, furthest first`,
  },
  targets: {
    type: 'channels',
    description: 'our channels to move into',
    default: `every active channel whose local share is below target_ratio, furthest first`,
  },
  maxfeeppm: { type: 'ppm', description: 'fee limit per million of msatoshi', default: `${DEFAULT_REBALANCE_FEE_PPM}` },
  maxfee_msatoshi: { type: 'msatoshi', description: 'an absolute cap on the fees, under the ppm limit' },
  max_parts: { type: 'integer', description: 'parts in flight at most', default: `${DEFAULT_MAX_PARTS}` },
  target_ratio: {
    type: 'percent',
    description: 'the local share of capacity that picking sources and targets aims for',
    default: `${DEFAULT_TARGET_RATIO_PERCENT}`,
  },
} as const;

export const REBALANCE_HELP = {
  planrebalance: {
    summary:
      'Propose a rebalance: the channels picked and the parts of a circular flow from us back to us. Sends nothing.',
    params: rebalanceParams,
    result:
      '{ sources, targets, msatoshi, fee_limit_msatoshi, parts: [{route, msatoshi, fee_msatoshi, probability}], ' +
      'fee_msatoshi, probability }',
    errors: [{ code: ErrorCode.PayGaveUp, when: 'no loop out over the sources and back over the targets carries it' }],
  },
  rebalance: {
    summary:
      'Move liquidity between our channels: one payment to ourselves, out over sources, back over targets, in parts.',
    description:
      'Plans a circular flow (never through a source or target the wrong way; the last hop is a target’s peer into ' +
      'that channel), makes an invoice on our node and pays it as `pay` does (parts in the ledger, learning, ' +
      're-planning what is missing). Marked as a rebalance in the ledger with each channel’s balance before and after.',
    params: {
      ...rebalanceParams,
      retry_for: { type: 'seconds', description: 'how long to keep trying' },
      plan: { type: 'plan', description: 'a first plan, e.g. planrebalance’s parts: array of {route}, sent first' },
    },
    result:
      '{ payment_hash, status, msatoshi, fee_limit_msatoshi, fee_msatoshi, fee_ppm, parts, sources, targets, channels: ' +
      '[{channel, peer_id, peer_alias?, role, capacity_msatoshi, local_before_msatoshi, local_after_msatoshi, ' +
      'moved_msatoshi}], payment }',
    errors: [
      {
        code: ErrorCode.PayGaveUp,
        when: 'no loop carries it (the reason in words; the rebalance in `data`, nothing moved)',
      },
      { code: ErrorCode.PayStopped, when: 'stopped by stoppay' },
    ],
  },
  listrebalances: {
    summary: 'List rebalances, newest first, or the one of a payment hash.',
    params: { payment_hash: { type: 'hex32', description: 'only this rebalance' } },
    result: '{ rebalances: [...] } as rebalance answers them, without payment',
  },
  probe: {
    summary: 'Send each part of a plan with a random payment hash: which would get through, and where the others fail.',
    description:
      'A part the receiver refuses as unknown (INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS) would have got through. The ' +
      'planner learns from every outcome as from a real part. Nothing is paid, nothing enters the ledger, and the ' +
      'node’s records of the probes are deleted.',
    params: {
      parts: { type: 'plan', description: 'the plan: array of {route}, all ending at one node' },
      bolt11: { type: 'bolt11', description: 'the invoice the plan pays: its destination and amount are checked' },
    },
    result: '{ parts: [{outcome: would-succeed|would-fail, failure}], would_succeed, would_fail }',
  },
} as const;
