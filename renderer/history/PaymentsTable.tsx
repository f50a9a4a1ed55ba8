import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState } from 'react';
import { PaymentRow } from './PaymentRow';

const ROW_HEIGHT = 44;

/**
 * The payments, virtualised: only the rows in view are in the page, so 100,000 scroll as smoothly as 10. A real
 * table whose body is laid out by CSS (rows positioned absolutely, each a grid).
 */
export function PaymentsTable({ hashes }: { hashes: readonly string[] }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const virtualizer = useVirtualizer({
    count: hashes.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 5,
    getItemKey: (index) => hashes[index] ?? index,
  });
  const toggle = (hash: string, index: number) => {
    const next = new Set(expanded);
    if (next.delete(hash)) {
      // Only open rows are measured; a closed one goes back to the fixed height.
      virtualizer.resizeItem(index, ROW_HEIGHT);
    } else next.add(hash);
    setExpanded(next);
  };
  return (
    <div ref={scrollRef} className="payments-scroll">
      <table aria-label="Payments" aria-rowcount={hashes.length + 1} className="payments-table">
        <thead className="payments-head">
          <tr aria-rowindex={1} className="payment-grid">
            <th scope="col">When</th>
            <th scope="col">Status</th>
            <th scope="col">Amount</th>
            <th scope="col">Fee</th>
            <th scope="col">To</th>
            <th scope="col">Description</th>
            <th scope="col">Parts</th>
            <th scope="col">
              <span className="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody className="payments-body" style={{ height: Math.max(virtualizer.getTotalSize(), ROW_HEIGHT) }}>
          {hashes.length === 0 && (
            <tr className="payment-grid">
              <td className="note empty">No payments.</td>
            </tr>
          )}
          {virtualizer.getVirtualItems().map((item) => {
            const hash = hashes[item.index] as string;
            return (
              <PaymentRow
                key={item.key}
                hash={hash}
                index={item.index}
                start={item.start}
                measure={expanded.has(hash) ? virtualizer.measureElement : undefined}
                expanded={expanded.has(hash)}
                onToggle={toggle}
              />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
