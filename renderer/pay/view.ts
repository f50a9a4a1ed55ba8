// What the Pay screen shows, derived from the three stores: the parts table's rows (parts the wallet has for this
// invoice, then the plan), the plan's arithmetic and whether it can be sent.

import { useMemo } from 'react';
import type { ChannelInfo, DecodePayResult } from '../../shared/api/results';
import { routeFee } from '../../shared/route';
import type { PartialPayment, Payment, Route, Status } from '../../shared/types';
import { formatDuration, formatSeconds } from '../format';
import { nodeName } from '../names';
import {
  checkSend,
  currentRoute,
  jointProbability,
  leftToAssign,
  type SendCheck,
  totalFee,
} from '../planner/arithmetic';
import { useNode } from '../stores/node';
import { partsOf, usePayments } from '../stores/payments';
import { intendedAmount, isPlanned, type PlanRow, planTarget, toPlannedPart, usePlanner } from '../stores/planner';

export type RowStatus = 'planned' | Status;

export interface TableRow {
  /** 1-based, as the table shows it. */
  number: number;
  key: string;
  /** The plan's row (absent for a part sent before this plan). */
  row?: PlanRow;
  /** The partial payment, once the wallet has it. */
  part?: PartialPayment;
  status: RowStatus;
  route?: Route;
  amount?: bigint;
  fee?: bigint;
  probability?: number;
  failure?: { message: string; code: string | number };
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
  probability?: number;
  check: SendCheck;
  planned: TableRow[];
  channels: ChannelInfo[];
  aliases: Readonly<Record<string, string>>;
}

function partTime(part: PartialPayment, row: PlanRow | undefined, seenAt: number | undefined): string | undefined {
  if (part.status === 'pending') return undefined;
  if (row?.sentAt !== undefined && seenAt !== undefined) return formatDuration(seenAt - row.sentAt);
  if (part.completed_at !== undefined) return formatSeconds(part.completed_at - part.created_at);
  return undefined;
}

export function usePayView(): PayView {
  const decoded = usePlanner((s) => s.decoded);
  const amountText = usePlanner((s) => s.amountText);
  const planRows = usePlanner((s) => s.rows);
  const partsMap = usePayments((s) => s.parts);
  const partsByHash = usePayments((s) => s.partsByHash);
  const partSeenAt = usePayments((s) => s.partSeenAt);
  const payments = usePayments((s) => s.payments);
  const channels = useNode((s) => s.channels);
  const aliases = useNode((s) => s.aliases);

  return useMemo(() => {
    const hash = decoded?.payment_hash;
    const parts = hash ? partsOf({ parts: partsMap, partsByHash }, hash) : [];
    const payment = hash ? payments.get(hash) : undefined;
    const intended = intendedAmount({ decoded, amountText });
    const rows: TableRow[] = [];
    const claimed = new Set(planRows.map((r) => r.partId).filter((id) => id !== undefined));
    const anySending = planRows.some((r) => r.sending);
    for (const part of parts) {
      if (claimed.has(part.id) || anySending) continue;
      rows.push(sentRow(rows.length + 1, part, undefined, partSeenAt.get(part.id)));
    }
    const planned: TableRow[] = [];
    for (const row of planRows) {
      const number = rows.length + 1;
      const part = row.partId !== undefined ? partsMap.get(row.partId) : undefined;
      if (part) {
        rows.push(sentRow(number, part, row, partSeenAt.get(part.id)));
        continue;
      }
      const p = toPlannedPart(row, number);
      const route = currentRoute(p) ?? row.route;
      const t: TableRow = {
        number,
        key: `row-${row.key}`,
        row,
        status: row.rejected
          ? 'failed'
          : row.alreadyPaid
            ? 'complete'
            : row.sending || row.partId
              ? 'pending'
              : 'planned',
        route,
        amount: p.amount,
        fee: currentRoute(p) ? routeFee(currentRoute(p) as Route) : undefined,
        probability: currentRoute(p) ? row.probability : undefined,
        failure: row.rejected ? { message: row.rejected.message, code: row.rejected.code } : undefined,
      };
      rows.push(t);
      if (isPlanned(row)) planned.push(t);
    }
    const plannedParts = planRows.filter(isPlanned).map((r, i) => toPlannedPart(r, planned[i]?.number));
    const target = planTarget(intended, planRows, parts);
    const names = (channel: string) => {
      const c = channels.find((x) => x.channel === channel);
      return c ? nodeName(c.peer_id, aliases) : channel;
    };
    return {
      decoded,
      intended,
      payment,
      parts,
      rows,
      target,
      left: target === undefined ? undefined : leftToAssign(target, plannedParts),
      fee: totalFee(plannedParts),
      probability: jointProbability(plannedParts.map((p) => (currentRoute(p) ? p.probability : undefined))),
      check: checkSend(target, plannedParts, channels, names),
      planned,
      channels,
      aliases,
    };
  }, [decoded, amountText, planRows, partsMap, partsByHash, partSeenAt, payments, channels, aliases]);
}

function sentRow(number: number, part: PartialPayment, row: PlanRow | undefined, seenAt: number | undefined): TableRow {
  return {
    number,
    key: `part-${part.id}`,
    row,
    part,
    status: part.status,
    route: part.route,
    amount: part.msatoshi,
    fee: part.msatoshi_sent - part.msatoshi,
    probability: row?.probability,
    failure: part.failure ? { message: part.failure.message, code: part.failure.code } : undefined,
    timeTaken: partTime(part, row, seenAt),
  };
}
