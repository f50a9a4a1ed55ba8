import { useState } from 'react';
import type { ExportPaymentsResult } from '../../shared/api/results';
import { exportDownloadUrl, startDownload } from '../api';
import { parseDate, plural } from '../format';
import { api, errorText } from '../stores/api';
import type { HistoryFilter } from './filter';

/** Writes the history (with the status and date filters) as CSV or JSON; says where (and, in a browser, downloads it). */
export function ExportButtons({ filter }: { filter: HistoryFilter }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ExportPaymentsResult>();
  const [error, setError] = useState<string>();
  const run = async (format: 'csv' | 'json') => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const written = await api().call('exportpayments', {
        format,
        status: filter.status === 'all' ? undefined : filter.status,
        since: filter.from ? parseDate(filter.from) : undefined,
        until: filter.to ? parseDate(filter.to, true) : undefined,
      });
      setResult(written);
      // In the browser harness the file is on the core's side: the page downloads it too.
      const url = exportDownloadUrl(written.path);
      if (url) startDownload(url, written.path.split(/[\\/]/).pop() as string);
    } catch (e) {
      setError(`Export failed: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="export">
      <button type="button" disabled={busy} onClick={() => void run('csv')}>
        Export CSV
      </button>
      <button type="button" disabled={busy} onClick={() => void run('json')}>
        Export JSON
      </button>
      <p role="status" aria-label="Export result" className="export-result">
        {busy ? 'Exporting…' : result ? `Exported to ${result.path}` : ''}
      </p>
      {result && (
        <p className="note">
          {plural(result.payments, 'payment')} and {plural(result.partialpayments, 'part')} written.
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
