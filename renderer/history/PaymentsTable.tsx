import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { PaymentRow } from './PaymentRow';

/** A closed row's height on a wide window; on a narrow one a row takes two lines (styles.css). Rows are measured. */
const ROW_HEIGHT = 44;

/**
 * The payments, virtualised: only the rows in view are in the page, so 100,000 scroll as smoothly as 10. A real
 * table whose body is laid out by CSS (rows positioned absolutely, each a grid). The page scrolls, not a box inside
 * it: an open row, however tall, is never cut off.
 */
export function PaymentsTable({ hashes, open }: { hashes: readonly string[]; open?: string }) {
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const [offset, setOffset] = useState(0);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  // A payment asked for (by a notice): opened, and its button focused once it is on screen.
  useEffect(() => {
    if (open === undefined) return;
    setExpanded((prev) => new Set(prev).add(open));
    const timer = setTimeout(() => {
      document.querySelector<HTMLElement>(`[aria-controls="parts-${open}"]`)?.focus();
    }, 50);
    return () => clearTimeout(timer);
  }, [open]);
  useLayoutEffect(() => {
    const body = bodyRef.current;
    if (!body) return;
    const update = () => setOffset(body.getBoundingClientRect().top + window.scrollY);
    update();
    const observer = new ResizeObserver(update);
    observer.observe(document.body);
    return () => observer.disconnect();
  }, []);
  const virtualizer = useWindowVirtualizer({
    count: hashes.length,
    estimateSize: () => ROW_HEIGHT,
    overscan: 5,
    scrollMargin: offset,
    getItemKey: (index) => hashes[index] ?? index,
  });
  const toggle = (hash: string) => {
    const next = new Set(expanded);
    if (!next.delete(hash)) next.add(hash);
    setExpanded(next);
  };
  return (
    <div className="payments-scroll">
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
        <tbody
          ref={bodyRef}
          className="payments-body"
          style={{ height: Math.max(virtualizer.getTotalSize(), ROW_HEIGHT) }}
        >
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
                start={item.start - virtualizer.options.scrollMargin}
                measure={virtualizer.measureElement}
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
