import { useEffect, useRef, useState } from 'react';
import type { ExportPaymentsResult, ExportProgressResult } from '../../shared/api/results';
import { ErrorCode, exportDownloadUrl, startDownload } from '../api';
import { parseDate, plural } from '../format';
import { api, errorText } from '../stores/api';
import { type HistoryFilter, isFiltering } from './filter';

/** How often a running export is asked how far it got. */
const PROGRESS_EVERY_MS = 250;

/** The export's params for History's filter: status, dates (local days, inclusive) and search, as the list shows. */
export function exportFilter(filter: HistoryFilter) {
  const until = filter.to ? parseDate(filter.to, true) : undefined;
  return {
    status: filter.status === 'all' ? undefined : filter.status,
    since: filter.from ? parseDate(filter.from) : undefined,
    // The list keeps payments up to the day's last second; the export's `until` is exclusive.
    until: until === undefined ? undefined : until + 1,
    search: filter.text.trim() === '' ? undefined : filter.text.trim(),
  };
}

function newJob(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return `export-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Writes the payments History shows (its status, dates and search) as CSV or JSON; says how many and where (and, in
 * a browser, downloads the file). A long export shows how far it got and can be cancelled.
 */
export function ExportButtons({ filter }: { filter: HistoryFilter }) {
  const [job, setJob] = useState<string>();
  const [progress, setProgress] = useState<ExportProgressResult>();
  const [result, setResult] = useState<ExportPaymentsResult>();
  const [error, setError] = useState<string>();
  const [cancelled, setCancelled] = useState(false);
  const busy = job !== undefined;
  const jobRef = useRef<string>(undefined);

  useEffect(() => {
    if (!job) return;
    const timer = setInterval(() => {
      void api()
        .call('exportprogress', { job })
        .then((p) => {
          if (jobRef.current === job && p.state === 'running') setProgress(p);
        })
        .catch(() => {});
    }, PROGRESS_EVERY_MS);
    return () => clearInterval(timer);
  }, [job]);

  const run = async (format: 'csv' | 'json') => {
    const name = newJob();
    jobRef.current = name;
    setJob(name);
    setProgress(undefined);
    setError(undefined);
    setResult(undefined);
    setCancelled(false);
    try {
      const written = await api().call('exportpayments', { format, ...exportFilter(filter), job: name });
      setResult(written);
      // In the browser harness the file is on the core's side: the page downloads it too.
      const url = exportDownloadUrl(written.path);
      if (url) startDownload(url, written.path.split(/[\\/]/).pop() as string);
    } catch (e) {
      if (jobRef.current === name && (e as { code?: number }).code === ErrorCode.ExportCancelled) setCancelled(true);
      else setError(`Export failed: ${errorText(e)}`);
    } finally {
      jobRef.current = undefined;
      setJob(undefined);
    }
  };
  const cancel = () => {
    if (job)
      void api()
        .call('cancelexport', { job })
        .catch(() => {});
  };
  const filtered = isFiltering(filter);
  return (
    <div className="export">
      <button type="button" disabled={busy} onClick={() => void run('csv')}>
        Export CSV
      </button>
      <button type="button" disabled={busy} onClick={() => void run('json')}>
        Export JSON
      </button>
      {busy && (
        <button type="button" onClick={cancel}>
          Cancel export
        </button>
      )}
      {busy && (
        <progress
          aria-label="Export progress"
          max={Math.max(1, progress?.total ?? 1)}
          value={progress?.scanned ?? 0}
          className="export-progress"
        />
      )}
      <p role="status" aria-label="Export result" className="export-result">
        {busy
          ? progress
            ? `Exporting… ${progress.scanned.toLocaleString('en-US')} of ${plural(progress.total, 'payment')} looked at, ${progress.payments.toLocaleString('en-US')} written`
            : 'Exporting…'
          : cancelled
            ? 'Export cancelled: no file was written.'
            : result
              ? `Exported to ${result.path}: ${plural(result.payments, 'payment')}${filtered ? ' (as filtered)' : ''} and ${plural(result.partialpayments, 'part')} written.`
              : ''}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
