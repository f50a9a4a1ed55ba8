import { nodeName, withNames } from '../names';
import { useNow } from '../useNow';
import { graphPart, sentPartState } from './graph-parts';
import { PathsGraph } from './PathsGraph';
import type { GraphPart } from './paths-layout';
import type { PayView } from './view';

/** The Pay screen's picture: its table's rows (parts sent, then parts planned) as PathsGraph draws them. */
export function PayPaths({ view, ownId, destination }: { view: PayView; ownId: string; destination: string }) {
  // Once a second while parts are out: a part pending long enough while the payment is short shows as held.
  const now = useNow(1000, view.payment?.status === 'pending');
  const parts = view.rows
    .map((r) =>
      graphPart({
        key: r.key,
        number: r.number,
        state: r.part ? sentPartState(r.part, view.payment, view.parts, now / 1000) : r.status,
        route: r.route,
        amount: r.amount,
        part: r.part,
        failure: r.failure ? withNames(`${r.failure.message} (${r.failure.code})`, view.aliases) : undefined,
      }),
    )
    .filter((p): p is GraphPart => p !== undefined);
  if (parts.length === 0) return null;
  return (
    <PathsGraph parts={parts} ownId={ownId} destination={destination} nameOf={(id) => nodeName(id, view.aliases)} />
  );
}
