import type { Rebalance, RebalanceChannel } from '../../../shared/api/rebalance';
import type { PartialPayment, Payment } from '../../../shared/types';
import type { RebalanceRow } from '../ledger/rebalances';

/**
 * A rebalance as the API shows it: the stored row with what its completed parts moved over each channel (out of the
 * sources, into the targets) and the fees they paid.
 */
export function rebalanceView(
  row: RebalanceRow,
  payment: Payment | undefined,
  parts: readonly PartialPayment[],
): Rebalance {
  const moved = new Map<string, bigint>();
  const add = (channel: string | undefined, msat: bigint) => {
    if (channel !== undefined) moved.set(channel, (moved.get(channel) ?? 0n) + msat);
  };
  let fee = 0n;
  let delivered = 0n;
  let count = 0;
  for (const part of parts) {
    if (part.status !== 'complete') continue;
    const first = part.route[0];
    const last = part.route.at(-1);
    if (!first || !last) continue;
    add(first.channel, -first.msatoshi);
    add(last.channel, last.msatoshi);
    fee += first.msatoshi - last.msatoshi;
    delivered += last.msatoshi;
    count += 1;
  }
  const channels: RebalanceChannel[] = row.channels.map((c) => ({ ...c, moved_msatoshi: moved.get(c.channel) ?? 0n }));
  return {
    payment_hash: row.payment_hash,
    status: payment?.status ?? 'failed',
    msatoshi: row.msatoshi,
    fee_limit_msatoshi: row.fee_limit_msatoshi,
    fee_msatoshi: fee,
    fee_ppm: delivered > 0n ? Number((fee * 1_000_000n) / delivered) : 0,
    parts: count,
    sources: row.sources,
    targets: row.targets,
    channels,
    created_at: row.created_at,
    ...(payment?.completed_at === undefined ? {} : { completed_at: payment.completed_at }),
  };
}
