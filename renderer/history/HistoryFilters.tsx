import type { HistoryFilter } from './filter';

/** Status, date range and text. */
export function HistoryFilters({
  filter,
  onChange,
}: {
  filter: HistoryFilter;
  onChange: (filter: HistoryFilter) => void;
}) {
  const set = (fields: Partial<HistoryFilter>) => onChange({ ...filter, ...fields });
  return (
    <search aria-label="Filter payments" className="history-filters">
      <label>
        Status
        <select value={filter.status} onChange={(e) => set({ status: e.target.value as HistoryFilter['status'] })}>
          <option value="all">All</option>
          <option value="pending">Pending</option>
          <option value="complete">Complete</option>
          <option value="failed">Failed</option>
        </select>
      </label>
      <label>
        From
        <input type="date" value={filter.from} onChange={(e) => set({ from: e.target.value })} />
      </label>
      <label>
        To
        <input type="date" value={filter.to} onChange={(e) => set({ to: e.target.value })} />
      </label>
      <label className="grow">
        Search
        <input
          type="text"
          value={filter.text}
          placeholder="Description, payment hash or destination"
          onChange={(e) => set({ text: e.target.value })}
        />
      </label>
    </search>
  );
}
