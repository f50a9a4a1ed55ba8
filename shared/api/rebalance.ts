// The rebalance and probe commands' parameters and results (issue 16). Pure: types and schemas only.

import { z } from 'zod';
import type { PartFailure, Payment, Route, Status } from '../types';
import { scid } from './schemas';

/** Our channels by short channel id (at least one, no repeats). */
export const scidList = z
  .array(scid, { error: 'must be an array of short channel ids BLOCKxTXxOUTPUT' })
  .min(1, { error: 'must list at least one channel' })
  .refine((list) => new Set(list).size === list.length, { error: 'must not list a channel twice' });

/** Parts per million of an amount: a non-negative integer up to 1,000,000. */
export const ppm = z.custom<number>(
  (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= 1_000_000,
  'must be an integer number of parts per million from 0 to 1000000',
);

export type RebalanceRole = 'source' | 'target';

/** One channel of a rebalance: its balance before and after, and what the rebalance's parts moved over it. */
export interface RebalanceChannel {
  channel: string;
  peer_id: string;
  peer_alias?: string;
  role: RebalanceRole;
  capacity_msatoshi: bigint;
  local_before_msatoshi: bigint;
  /** Absent while the rebalance runs (or if it ended before the balances were read again). */
  local_after_msatoshi?: bigint;
  /** What the completed parts moved over it: negative for a source (out), positive for a target (in). */
  moved_msatoshi: bigint;
}

/** A rebalance as the ledger keeps it: a payment to ourselves, marked with its sources and targets. */
export interface Rebalance {
  payment_hash: string;
  status: Status;
  msatoshi: bigint;
  fee_limit_msatoshi: bigint;
  /** Fees of the completed parts. */
  fee_msatoshi: bigint;
  /** fee_msatoshi per million of the amount moved (0 when nothing moved). */
  fee_ppm: number;
  /** Parts that arrived. */
  parts: number;
  sources: string[];
  targets: string[];
  channels: RebalanceChannel[];
  created_at: number;
  completed_at?: number;
}

export interface RebalanceResult extends Rebalance {
  payment: Payment;
}

export interface ListRebalancesResult {
  rebalances: Rebalance[];
}

/** A proposed rebalance (planrebalance): the channels picked and the parts planned. Sends nothing. */
export interface PlanRebalanceResult {
  sources: string[];
  targets: string[];
  msatoshi: bigint;
  fee_limit_msatoshi: bigint;
  parts: { route: Route; msatoshi: bigint; fee_msatoshi: bigint; probability: number }[];
  fee_msatoshi: bigint;
  probability: number;
}

export type ProbeOutcome = 'would-succeed' | 'would-fail';

export interface ProbedPart {
  outcome: ProbeOutcome;
  /** Where and why it failed; for would-succeed, the receiver's "unknown payment" answer. */
  failure: PartFailure;
}

/** What the probe's parts found; nothing was paid and the node keeps no record of them. */
export interface ProbeResult {
  parts: ProbedPart[];
  would_succeed: number;
  would_fail: number;
}
