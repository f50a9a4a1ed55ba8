// What the Pay screen shows, derived from the stores: the parts table's rows (parts the wallet has for this invoice,
// then the plan being edited), the plan's totals, the core's verdict on it (checkplan) and whether it can be sent.

import { useMemo } from 'react';
import type { PayEvent } from '../../shared/api/events';
import type { ChannelInfo, CheckPlanResult, DecodePayResult } from '../../shared/api/results';
import { routeFee } from '../../shared/route';
import type { PartFailure, PartialPayment, Payment, Route, Status } from '../../shared/types';
import { formatDuration, formatMsat, formatSeconds } from '../format';
import { type Aliases, nodeName } from '../names';
import { checkEdit, currentRoute, leftToAssign, type SendCheck, totalFee } from '../planner/arithmetic';
import { useNode } from '../stores/node';
import { partsOf, usePayments } from '../stores/payments';
import {
  intendedAmount,
  type PayRun,
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

export function usePayView(): PayView {
  const decoded = usePlanner((s) => s.decoded);
  const amountText = usePlanner((s) => s.amountText);
  const planRows = usePlanner((s) => s.rows);
  const feeLimitText = usePlanner((s) => s.feeLimitText);
  const maxPartsText = usePlanner((s) => s.maxPartsText);
  const planCheck = usePlanner((s) => s.check);
  const checkError = usePlanner((s) => s.checkError);
  const run = usePlanner((s) => s.run);
  const sentAt = usePlanner((s) => s.sentAt);
  const partsMap = usePayments((s) => s.parts);
  const partsByHash = usePayments((s) => s.partsByHash);
  const partSeenAt = usePayments((s) => s.partSeenAt);
  const payments = usePayments((s) => s.payments);
  const payRuns = usePayments((s) => s.payRuns);
  const channels = useNode((s) => s.channels);
  const aliases = useNode((s) => s.aliases);
  const ownId = useNode((s) => s.info?.id);

  return useMemo(() => {
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
    const overdrawn = (verdict?.overdrawn ?? []).map((o) => {
      const own = channels.find((c) => c.channel === o.channel);
      const from = o.from === ownId ? 'Your channel' : `${nodeName(o.from, aliases)}'s channel`;
      const to = own ? ` to ${own.peer_alias || nodeName(own.peer_id, aliases)}` : '';
      return `${from}${to} (${o.channel}) is asked for ${formatMsat(o.asked_msatoshi)} but can send about ${formatMsat(o.available_msatoshi)}.`;
    });
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
  }, [
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
  ]);
}
