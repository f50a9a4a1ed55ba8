import { useEffect, useMemo } from 'react';
import type { ChannelInfo } from '../../shared/api/results';
import type { PartialPayment } from '../../shared/types';
import { NodeName, NodePath } from '../components/NodeName';
import { formatMsat, formatSeconds } from '../format';
import type { Aliases } from '../names';
import { HOLD_SECONDS } from '../planner/arithmetic';
import { api } from '../stores/api';
import { useNode } from '../stores/node';
import { partsOf, usePayments } from '../stores/payments';
import { useNow } from '../useNow';

/** "up to 1 min 40 s": a receiver gives held parts back 120 s after they arrived, which is after they were created. */
export function resolvesIn(part: PartialPayment, nowSeconds: number): string {
  const left = part.created_at + HOLD_SECONDS - nowSeconds;
  return left > 0 ? `resolves in up to ${formatSeconds(left)}` : 'should resolve any moment (waiting on a hop)';
}

/** Parts in flight: amount, our channel (alias and short id), path, and how long until they resolve. */
export function PendingPartsList({
  parts,
  channels,
  aliases,
  label,
}: {
  parts: PartialPayment[];
  channels: ChannelInfo[];
  aliases: Aliases;
  label: string;
}) {
  const now = useNow(1000, parts.length > 0);
  return (
    <ul className="pending-parts" aria-label={label}>
      {parts.map((p) => {
        const channel = p.route[0]?.channel ?? '';
        const ours = channels.find((c) => c.channel === channel);
        return (
          <li key={p.id}>
            {formatMsat(p.msatoshi)} on your channel to{' '}
            {ours ? <NodeName id={ours.peer_id} aliases={aliases} /> : 'a peer'} ({channel}), via{' '}
            <NodePath route={p.route} aliases={aliases} />: {resolvesIn(p, now / 1000)}
          </li>
        );
      })}
    </ul>
  );
}

/** Liquidity held by earlier payments' parts still in flight (held at a receiver, or waiting on a hop). */
export function HeldElsewhere({ currentHash }: { currentHash?: string }) {
  const payments = usePayments((s) => s.payments);
  const partsMap = usePayments((s) => s.parts);
  const partsByHash = usePayments((s) => s.partsByHash);
  const channels = useNode((s) => s.channels);
  const aliases = useNode((s) => s.aliases);
  const pendingHashes = useMemo(
    () =>
      [...payments.values()]
        .filter((p) => p.status === 'pending' && p.parts.pending > 0 && p.payment_hash !== currentHash)
        .map((p) => p.payment_hash),
    [payments, currentHash],
  );
  const key = pendingHashes.join(',');
  useEffect(() => {
    if (key === '') return;
    for (const hash of key.split(',')) {
      void api()
        .call('listpartialpayments', { payment_hash: hash })
        .then(({ partialpayments }) => usePayments.getState().applyParts(partialpayments, false))
        .catch(() => {});
    }
  }, [key]);
  const held = pendingHashes
    .flatMap((hash) => partsOf({ parts: partsMap, partsByHash }, hash))
    .filter((p) => p.status === 'pending');
  useEffect(() => {
    useNode.getState().requestNames(held.flatMap((p) => p.route.map((h) => h.id)));
  }, [held]);
  if (held.length === 0) return null;
  const total = held.reduce((sum, p) => sum + p.msatoshi_sent, 0n);
  return (
    <section className="held" aria-label="Parts still in flight">
      <h2>Parts still in flight</h2>
      <p className="note">
        {formatMsat(total)} of your channels' balance is held by earlier payments' parts; it comes back or is paid when
        they resolve. Proposals plan around it.
      </p>
      <PendingPartsList parts={held} channels={channels} aliases={aliases} label="Earlier parts in flight" />
    </section>
  );
}
