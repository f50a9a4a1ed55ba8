import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError, ErrorCode, invalidParam } from '../../../shared/api/errors';
import { LEDGER_FILE } from './db';
import { ExportWorkerError, RANGE_PAYMENTS, writeInWorkers } from './export-parallel';
import { ExportPool } from './export-pool';
import {
  type ExportFormat,
  fileHead,
  fileTail,
  partColumns,
  type RangeTally,
  recordWriter,
  writeRecords,
} from './export-range';
import type { NodeNames, RawParams } from './export-reader';
import { Writer } from './export-writer';
import type { ExportFilter, Ledger } from './ledger';

// exportpayments: the history, payments with their parts, as CSV or JSON.
//
// CSV is written by hand rather than with a library: RFC 4180 quoting is a few lines (quote a field holding a
// comma, quote, CR or LF; double its quotes), and csv-stringify, tried for this, took 2.2 s for 400,000 rows alone
// (3.7 s in batches) where the whole export of 100,000 payments must stay under 2 s. The export's tests read the
// file back with a library parser (csv-parse). The guard against formula injection is ours either way.
//
// A large export is made by worker threads side by side on the machine's cores (export-parallel.ts), each reading
// ranges of payments through its own connection to the ledger and sending their text back; this thread writes it.
// Reading the ledger and making the text take about the same time, and neither can be shared out to a worker once
// the other is done in this thread: the rows would cost as much to copy to a worker as to format here.

export type { ExportFormat } from './export-range';

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
  /**
   * Node names (aliases by id) for the CSV's destination and route columns; ids where absent. A map given to an export
   * is not changed afterwards (what the CSV makes of it is kept with it, export-csv.ts csvNamesOf).
   */
  names?: NodeNames;
  /** Only payments whose hash, destination id or name, or description holds this text (any case). */
  search?: string;
  /** Aborts the export: it rejects with ErrorCode.ExportCancelled and leaves no file behind. */
  signal?: AbortSignal;
  /** Told now and then (each chunk written, and at the end). */
  onProgress?: (progress: ExportProgress) => void;
  /**
   * Threads that write the file (default: one per core, at most MAX_WORKERS, for PARALLEL_FROM payments or more;
   * else this thread alone). 1: this thread alone.
   */
  threads?: number;
}

/** An export of fewer payments is written by this thread alone: starting workers would cost more than it saves. */
const PARALLEL_FROM = 20_000;
/** Worker threads of one export, at most. */
const MAX_WORKERS = 4;

/**
 * Writes the payments matching `filter` (oldest first) with their parts to `path`, streaming (100k payments take
 * memory for one batch, not for the whole history). The file appears complete or not at all: it is written to a
 * temporary file beside it, fsynced, then renamed over `path`. Mode 0600: the history is private. The parent
 * directory is created if missing. Large exports are written by worker threads, a range of payments each (see
 * above): the file is the same either way.
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
  const params = ledger.rawParams(filter);
  const progress: ExportProgress = { scanned: 0, total: ledger.exportCount(filter), payments: 0 };
  const target = resolve(path);
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw fileError(path, err);
  }
  const job: Job = {
    ledger,
    format,
    params,
    names: options.names ?? new Map<string, string>(),
    search: options.search,
    rebalances: format === 'csv' ? ledger.rebalances.hashes() : new Set<string>(),
    progress,
    options,
  };
  const threads = threadsFor(progress.total, options.threads);
  let written: RangeTally;
  try {
    written = threads === 1 ? await writeInThread(job, tmp, path) : await writeWithWorkers(job, threads, tmp, path);
    if (options.signal?.aborted) throw cancelled(progress);
    await rename(tmp, target).catch((err: unknown) => {
      throw fileError(path, err);
    });
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  await syncDir(dir);
  progress.scanned = written.scanned;
  progress.payments = written.payments;
  options.onProgress?.({ ...progress });
  return { path: target, payments: written.payments, partialpayments: written.partialpayments };
}

/** What the writing of one export needs. */
interface Job {
  ledger: Ledger;
  format: ExportFormat;
  params: RawParams;
  names: NodeNames;
  search: string | undefined;
  rebalances: ReadonlySet<string>;
  progress: ExportProgress;
  options: ExportOptions;
}

/** How many threads write an export of `total` payments (`asked`: ExportOptions.threads). */
export function threadsFor(total: number, asked: number | undefined): number {
  if (asked !== undefined) {
    if (!Number.isSafeInteger(asked) || asked < 1) throw invalidParam('threads', asked, 'must be a whole number ≥ 1');
    return workerFile() === undefined ? 1 : Math.min(asked, MAX_WORKERS);
  }
  if (total < PARALLEL_FROM || workerFile() === undefined) return 1;
  return Math.max(1, Math.min(availableParallelism(), MAX_WORKERS));
}

/** The worker's script: built as export-worker.cjs next to the bundle; from source, this folder's .ts file. */
function workerFile(): URL | undefined {
  const url = new URL(import.meta.url.endsWith('.ts') ? './export-worker.ts' : './export-worker.cjs', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/**
 * `params` cut into ranges of payments for `threads` workers: of RANGE_PAYMENTS payments passing the filter (fewer
 * for a small export, so that there are four ranges a worker), the last one without an end (a payment made while the
 * export runs may be in it, as in one thread's).
 */
function cutRanges(ledger: Ledger, params: RawParams, total: number, threads: number): RawParams[] {
  const every = Math.max(1, Math.min(RANGE_PAYMENTS, Math.ceil(total / (threads * 4))));
  const ranges: RawParams[] = [];
  let after = 0;
  for (const last of ledger.exportCuts(params, every)) {
    ranges.push({ ...params, after, upTo: last });
    after = last;
  }
  ranges.push({ ...params, after, upTo: null });
  return ranges;
}

/** The whole file, written by this thread. */
async function writeInThread(job: Job, tmp: string, path: string): Promise<RangeTally> {
  const { progress, options } = job;
  const handle = await openTemporary(tmp, path);
  const out = new Writer(handle);
  const tally: RangeTally = { scanned: 0, payments: 0, partialpayments: 0 };
  try {
    out.write(fileHead(job.format));
    const write = recordWriter(job.format, job.names, job.search, job.rebalances);
    const records = job.ledger.exportRawRecords(job.params, partColumns(job.format));
    await writeRecords(out, records, write, tally, async () => {
      progress.scanned = tally.scanned;
      progress.payments = tally.payments;
      options.onProgress?.({ ...progress });
      await out.flush();
      if (options.signal?.aborted) throw cancelled(progress);
    });
    out.write(fileTail(job.format, tally.payments));
    await out.end();
    await handle.sync();
  } finally {
    // A write may still be under way: the file is closed only after it.
    await out.settled();
    await handle.close().catch(() => {});
  }
  return tally;
}

/** The whole file, written by worker threads (export-parallel.ts), `threads` at most. */
async function writeWithWorkers(job: Job, threads: number, tmp: string, path: string): Promise<RangeTally> {
  const { progress, options } = job;
  const handle = await openTemporary(tmp, path);
  const stop = new AbortController();
  const cancel = () => stop.abort(cancelled(progress));
  options.signal?.addEventListener('abort', cancel, { once: true });
  if (options.signal?.aborted) cancel();
  try {
    return await writeInWorkers(handle, {
      pool: exportPool(),
      workers: threads,
      setup: {
        ledgerFile: join(job.ledger.dataDir, LEDGER_FILE),
        format: job.format,
        names: job.names,
        search: job.search,
        rebalances: job.rebalances,
      },
      ranges: cutRanges(job.ledger, job.params, progress.total, threads),
      onProgress: ({ scanned, payments }) => {
        progress.scanned = scanned;
        progress.payments = payments;
        options.onProgress?.({ ...progress });
      },
      signal: stop.signal,
    });
  } catch (err) {
    throw err instanceof ExportWorkerError && err.code !== undefined ? new ApiError(err.code, err.message) : err;
  } finally {
    options.signal?.removeEventListener('abort', cancel);
    await handle.close().catch(() => {});
  }
}

/** The export's worker threads, made at the first export that needs them. */
let pool: ExportPool | undefined;
function exportPool(): ExportPool {
  pool ??= new ExportPool(workerFile() as URL);
  return pool;
}

/** The export's temporary file, new (never over another), private; `path`: the export's, for the error. */
async function openTemporary(tmp: string, path: string): Promise<FileHandle> {
  try {
    return await open(tmp, 'wx', 0o600);
  } catch (err) {
    throw fileError(path, err);
  }
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
