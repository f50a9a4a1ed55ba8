import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import { plural } from '../format';
import { useNode } from '../stores/node';
import { usePayments } from '../stores/payments';
import { useUi } from '../stores/ui';
import { ExportButtons } from './ExportButtons';
import { filterPayments, type HistoryFilter, NO_FILTER } from './filter';
import { HistoryFilters } from './HistoryFilters';
import { PaymentsTable } from './PaymentsTable';

/** Every payment, newest first, filtered, each opening to its parts; and the export. */
export function HistoryScreen() {
  const [filter, setFilter] = useState<HistoryFilter>(NO_FILTER);
  // A notice led here: find that payment and open it.
  const focus = useUi((s) => s.historyFocus);
  const [open, setOpen] = useState<string>();
  useEffect(() => {
    if (focus === undefined) return;
    const hash = useUi.getState().takeHistoryFocus();
    if (hash === undefined) return;
    setFilter({ ...NO_FILTER, text: hash });
    setOpen(hash);
  }, [focus]);
  const deferred = useDeferredValue(filter);
  const order = usePayments((s) => s.order);
  const payments = usePayments((s) => s.payments);
  const loaded = usePayments((s) => s.loaded);
  const loadError = usePayments((s) => s.loadError);
  const aliases = useNode((s) => s.aliases);
  const shown = useMemo(() => filterPayments(order, payments, deferred, aliases), [order, payments, deferred, aliases]);
  return (
    <main className="screen history-screen" aria-labelledby="history-heading">
      <h1 id="history-heading">History</h1>
      <HistoryFilters filter={filter} onChange={setFilter} />
      <ExportButtons filter={filter} />
      {loadError && (
        <p role="alert" className="error">
          The history could not be read: {loadError}
        </p>
      )}
      <p className="note count">
        {loaded
          ? shown.length === order.length
            ? plural(order.length, 'payment')
            : `${plural(shown.length, 'payment')} of ${order.length.toLocaleString('en-US')}`
          : 'Reading the history…'}
      </p>
      <PaymentsTable hashes={shown} open={open} />
    </main>
  );
}
