// What the Pay screen shows, derived from the stores: the parts table's rows (parts the wallet has for this invoice,
// then the plan being edited), the plan's totals, the core's verdict on it (checkplan) and whether it can be sent.

import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { PayEvent } from '../../shared/api/events';
import type { ChannelInfo, CheckPlanResult, DecodePayResult } from '../../shared/api/results';
import { routeFee } from '../../shared/route';
import type { PartFailure, PartialPayment, Payment, Route, Status } from '../../shared/types';
import { formatDuration, formatSeconds } from '../format';
import { overdrawnText } from '../messages';
import type { Aliases } from '../names';
import { checkEdit, currentRoute, leftToAssign, type SendCheck, totalFee } from '../planner/arithmetic';
import { type NodeStore, useNode } from '../stores/node';
import { type PaymentsState, partsOf, usePayments } from '../stores/payments';
import {
  intendedAmount,
  type PayRun,
  type PlanCheck,
  type PlannerStore,
  type PlanRow,
  planKey,
  planLimits,
  planRoutes,
  planTarget,
  toPlannedPart,
  usePlanner,
} from '../stores/planner';

export type RowStatus = 'planned' | Status;

export interface TableRow {
  /** 1-based, as the table shows it. */
  number: number;
  key: string;
  /** The plan's row (absent for a part already sent). */
  row?: PlanRow;
  /** The partial payment, once sent. */
  part?: PartialPayment;
  status: RowStatus;
  route?: Route;
  amount?: bigint;
  fee?: bigint;
  /** The core's (checkplan) probability of this part, planned parts only. */
  probability?: number;
  failure?: PartFailure;
  timeTaken?: string;
}

export interface PayView {
  decoded?: DecodePayResult;
  intended?: bigint;
  payment?: Payment;
  parts: PartialPayment[];
  rows: TableRow[];
  /** What the planned parts must add up to. */
  target?: bigint;
  left?: bigint;
  fee?: bigint;
  /** The core's verdict on the plan as it stands, when it is for exactly these routes. */
  verdict?: CheckPlanResult;
  /** Channels the plan asks more of than they have, in words (the core's `overdrawn`). */
  overdrawn: string[];
  /** One of them is ours: the plan cannot go as it is. */
  overdrawnOwn: boolean;
  check: SendCheck;
  planned: TableRow[];
  channels: ChannelInfo[];
  aliases: Aliases;
  /** This screen's pay call, if any, for this invoice. */
  run?: PayRun;
  /** The core's last word on a pay loop for this invoice (also one started before a reload). */
  payEvent?: PayEvent;
  /** A pay loop is running for this invoice: no second Send. */
  paying: boolean;
}

function partTime(part: PartialPayment, seenAt: number | undefined, sentAt: number | undefined): string | undefined {
  if (part.status === 'pending') return undefined;
  if (sentAt !== undefined && seenAt !== undefined && seenAt >= sentAt) return formatDuration(seenAt - sentAt);
  if (part.completed_at !== undefined) return formatSeconds(part.completed_at - part.created_at);
  return undefined;
}

/** What the Pay screen's view is made of: the stores' state it reads. */
export interface PayViewInputs {
  decoded?: DecodePayResult;
  amountText: string;
  planRows: PlanRow[];
  feeLimitText: string;
  maxPartsText: string;
  planCheck?: PlanCheck;
  checkError?: string;
  run?: PayRun;
  sentAt?: number;
  partsMap: ReadonlyMap<number, PartialPayment>;
  partsByHash: ReadonlyMap<string, readonly number[]>;
  partSeenAt: ReadonlyMap<number, number>;
  payments: ReadonlyMap<string, Payment>;
  payRuns: ReadonlyMap<string, PayEvent>;
  channels: ChannelInfo[];
  aliases: Aliases;
  ownId?: string;
}

/** The view from the stores' state, pure (usePayView memoises it; tests call it as it is). */
export function payView({
  decoded,
  amountText,
  planRows,
  feeLimitText,
  maxPartsText,
  planCheck,
  checkError,
  run,
  sentAt,
  partsMap,
  partsByHash,
  partSeenAt,
  payments,
  payRuns,
  channels,
  aliases,
  ownId,
}: PayViewInputs): PayView {
  const hash = decoded?.payment_hash;
  const parts = hash ? partsOf({ parts: partsMap, partsByHash }, hash) : [];
  const payment = hash ? payments.get(hash) : undefined;
  const intended = intendedAmount({ decoded, amountText });
  const rows: TableRow[] = parts.map((part, i) => ({
    number: i + 1,
    key: `part-${part.id}`,
    part,
    status: part.status,
    route: part.route,
    amount: part.msatoshi,
    fee: part.msatoshi_sent - part.msatoshi,
    failure: part.failure,
    timeTaken: partTime(part, partSeenAt.get(part.id), sentAt),
  }));
  const routes = planRoutes(planRows);
  const verdict = routes && planCheck?.for === planKey(routes) ? planCheck : undefined;
  const planned: TableRow[] = planRows.map((row, i) => {
    const number = rows.length + 1 + i;
    const p = toPlannedPart(row, number);
    const route = currentRoute(p);
    return {
      number,
      key: `row-${row.key}`,
      row,
      status: 'planned',
      route: route ?? row.route,
      amount: p.amount,
      fee: route ? routeFee(route) : undefined,
      probability: verdict?.parts[i]?.probability,
    };
  });
  rows.push(...planned);
  const plannedParts = planned.map((t) => toPlannedPart(t.row as PlanRow, t.number));
  const target = planTarget(intended, parts);
  const overdrawn = (verdict?.overdrawn ?? []).map((o) => overdrawnText(o, channels, aliases, ownId));
  const overdrawnOwn = (verdict?.overdrawn ?? []).some((o) => o.from === ownId);
  const edit = checkEdit(target, plannedParts, planLimits({ feeLimitText, maxPartsText, decoded, amountText }));
  const reasons = [...edit.reasons];
  // The node's check comes within moments; if it cannot be had, the plan may still go (the core checks it again).
  if (edit.ok && !verdict && !checkError) reasons.push('Checking the plan with the node…');
  if (overdrawnOwn) reasons.push(...overdrawn.filter((o) => o.startsWith('Your channel')));
  const payEvent = hash ? payRuns.get(hash) : undefined;
  const localRun = run && run.payment_hash === hash ? run : undefined;
  const paying =
    localRun?.state === 'running' || localRun?.state === 'stopping' || (!localRun && payEvent?.state === 'running');
  return {
    decoded,
    intended,
    payment,
    parts,
    rows,
    target,
    left: target === undefined ? undefined : leftToAssign(target, plannedParts),
    fee: totalFee(plannedParts),
    verdict,
    overdrawn,
    overdrawnOwn,
    check: { ok: reasons.length === 0, reasons },
    planned,
    channels,
    aliases,
    run: localRun,
    payEvent,
    paying,
  };
}

function plannerInputs(s: PlannerStore) {
  return {
    decoded: s.decoded,
    amountText: s.amountText,
    planRows: s.rows,
    feeLimitText: s.feeLimitText,
    maxPartsText: s.maxPartsText,
    planCheck: s.check,
    checkError: s.checkError,
    run: s.run,
    sentAt: s.sentAt,
  };
}

function paymentsInputs(s: PaymentsState) {
  return {
    partsMap: s.parts,
    partsByHash: s.partsByHash,
    partSeenAt: s.partSeenAt,
    payments: s.payments,
    payRuns: s.payRuns,
  };
}

function nodeInputs(s: NodeStore) {
  return { channels: s.channels, aliases: s.aliases, ownId: s.info?.id };
}

/** The view as the stores stand now (outside React: tests). */
export function payViewNow(): PayView {
  return payView({
    ...plannerInputs(usePlanner.getState()),
    ...paymentsInputs(usePayments.getState()),
    ...nodeInputs(useNode.getState()),
  });
}

export function usePayView(): PayView {
  const planner = usePlanner(useShallow(plannerInputs));
  const payments = usePayments(useShallow(paymentsInputs));
  const node = useNode(useShallow(nodeInputs));
  return useMemo(() => payView({ ...planner, ...payments, ...node }), [planner, payments, node]);
}
