import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ApiError, ErrorCode, invalidParam } from '../../../shared/api/errors';
import { CSV_COLUMNS, csvExport } from './export-csv';
import { jsonExport } from './export-json';
import type { NodeNames, RawExport } from './export-rows';
import { Writer } from './export-writer';
import type { ExportFilter, Ledger } from './ledger';

// exportpayments: the history, payments with their parts, as CSV or JSON.
//
// CSV is written by hand rather than with a library: RFC 4180 quoting is a few lines (quote a field holding a
// comma, quote, CR or LF; double its quotes), and csv-stringify, tried for this, took 2.2 s for 400,000 rows alone
// (3.7 s in batches) where the whole export of 100,000 payments must stay under 2 s. The export's tests read the
// file back with a library parser (csv-parse). The guard against formula injection is ours either way.

export type ExportFormat = 'csv' | 'json';

export interface ExportResult {
  /** Absolute path of the file written. */
  path: string;
  payments: number;
  partialpayments: number;
}

export interface ExportProgress {
  /** Payments looked at so far (of `total`); `payments` of them passed the search and were written. */
  scanned: number;
  total: number;
  payments: number;
}

export interface ExportOptions {
  /** Node names (aliases by id) for the CSV's destination and route columns; ids where absent. */
  names?: NodeNames;
  /** Only payments whose hash, destination id or name, or description holds this text (any case). */
  search?: string;
  /** Aborts the export: it rejects with ErrorCode.ExportCancelled and leaves no file behind. */
  signal?: AbortSignal;
  /** Told now and then (each chunk written, and at the end). */
  onProgress?: (progress: ExportProgress) => void;
}

/** Payments looked at between two turns of the event loop (for a cancel or progress request to be heard). */
const YIELD_EVERY = 4096;

/**
 * Writes the payments matching `filter` (oldest first) with their parts to `path`, streaming (100k payments take
 * memory for one batch, not for the whole history). The file appears complete or not at all: it is written to a
 * temporary file beside it, fsynced, then renamed over `path`. Mode 0600: the history is private. The parent
 * directory is created if missing.
 *
 * - csv: see CSV_COLUMNS: a row per payment followed by a row per part; CRLF line ends (RFC 4180). Text cells that a
 *   spreadsheet would read as a formula (starting with = + - @ tab or CR) get a leading `'`.
 * - json: `{"payments":[...]}`, one payment per line, each with its parts nested as `partialpayments` (full routes);
 *   amounts are JSON numbers written digit for digit from the bigint (exact, even above 2^53).
 */
export async function exportPayments(
  ledger: Ledger,
  format: ExportFormat,
  path: string,
  filter: ExportFilter = {},
  options: ExportOptions = {},
): Promise<ExportResult> {
  if (format !== 'csv' && format !== 'json') throw invalidParam('format', format, "must be 'csv' or 'json'");
  if (typeof path !== 'string' || path === '') throw invalidParam('path', path, 'must be a file path');
  const names = options.names ?? new Map<string, string>();
  const progress: ExportProgress = { scanned: 0, total: ledger.exportCount(filter), payments: 0 };
  const target = resolve(path);
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);

  let handle: FileHandle;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    handle = await open(tmp, 'wx', 0o600);
  } catch (err) {
    throw fileError(path, err);
  }
  const out = new Writer(handle);
  let partialpayments = 0;
  /** After a chunk, and every YIELD_EVERY payments: progress, a turn of the event loop, a look at the signal. */
  const pause = async () => {
    options.onProgress?.({ ...progress });
    await out.flush();
    if (options.signal?.aborted) throw cancelled(progress);
  };
  try {
    /** Goes through the format's records: each is written, or left out by the search. */
    const writeAll = async ({ records, write }: RawExport) => {
      for (const record of records) {
        progress.scanned += 1;
        const parts = write(out, record);
        if (parts !== undefined) {
          progress.payments += 1;
          partialpayments += parts;
          if (out.wantsFlush) {
            await pause();
            continue;
          }
        }
        if (progress.scanned % YIELD_EVERY === 0) await pause();
      }
    };
    if (format === 'csv') {
      out.write(`${CSV_COLUMNS.join(',')}\r\n`);
      await writeAll(csvExport(ledger, filter, names, options.search));
    } else {
      out.write('{"payments":[');
      await writeAll(jsonExport(ledger, filter, names, options.search));
      out.write(`${progress.payments === 0 ? '' : '\n'}]}\n`);
    }
    await out.end();
    if (options.signal?.aborted) throw cancelled(progress);
    await handle.sync();
    await handle.close();
    try {
      await rename(tmp, target);
    } catch (err) {
      throw fileError(path, err);
    }
  } catch (err) {
    // A write may still be under way: the file is closed (and removed) only after it.
    await out.settled();
    await handle.close().catch(() => {});
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  await syncDir(dir);
  options.onProgress?.({ ...progress });
  return { path: target, payments: progress.payments, partialpayments };
}

function cancelled(progress: ExportProgress): ApiError {
  return new ApiError(
    ErrorCode.ExportCancelled,
    `export cancelled after ${progress.scanned} of ${progress.total} payments; no file was written`,
  );
}

function fileError(path: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  return typeof e?.code === 'string' ? invalidParam('path', path, `cannot be written (${e.code})`) : (err as Error);
}

/** Makes the rename itself durable. Best effort: not every platform can fsync a directory. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows, some filesystems.
  }
}
