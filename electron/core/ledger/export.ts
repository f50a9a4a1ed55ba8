import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ApiError, ErrorCode, invalidParam } from '../../../shared/api/errors';
import type { Payment } from '../../../shared/types';
import { CSV_COLUMNS, csvExport, type NodeNames, searchFor } from './export-csv';
import { Writer } from './export-writer';
import type { ExportFilter, ExportPart, ExportRecord, Ledger } from './ledger';

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
    /** Goes through `records`: `write` writes one (its number of parts) or leaves it out (undefined). */
    const writeAll = async <R>(records: Iterable<R>, write: (out: Writer, record: R) => number | undefined) => {
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
      const csv = csvExport(ledger, filter, names, options.search);
      await writeAll(csv.records, csv.write);
    } else {
      out.write('{"payments":[');
      const matches = searchFor(options.search, names);
      await writeAll(ledger.exportRecords(filter), (out, { payment: p, parts }: ExportRecord) => {
        if (!matches(p.payment_hash, p.destination, p.description)) return undefined;
        out.write(`${progress.payments === 0 ? '' : ','}\n${paymentJson(p, parts)}`);
        return parts.length;
      });
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

// ---- JSON --------------------------------------------------------------------------------------------------------

// The export's JSON is written member by member: what `toJson({ ...payment, partialpayments: parts })` writes, the
// same members in the same order (those of Payment and PartialPayment as the ledger builds them; absent members left
// out), without walking the objects generically. Strings go through JSON.stringify; bigints are written as their
// digits. ledger.test.ts checks the two agree.

function paymentJson(p: Payment, parts: ExportPart[]): string {
  // Written once, used again by each part: the payment hash, and normally the destination and preimage too.
  const same = {
    hash: JSON.stringify(p.payment_hash),
    destination: JSON.stringify(p.destination),
    preimage: p.payment_preimage === undefined ? undefined : JSON.stringify(p.payment_preimage),
  };
  let json =
    `{"payment_hash":${same.hash},"status":${jsonStatus(p.status)},"msatoshi":${p.msatoshi},` +
    `"msatoshi_sent":${p.msatoshi_sent},"destination":${same.destination}`;
  if (p.description !== undefined) json += `,"description":${JSON.stringify(p.description)}`;
  if (p.bolt11 !== undefined) json += `,"bolt11":${JSON.stringify(p.bolt11)}`;
  json += `,"created_at":${jsonNumber(p.created_at)}`;
  if (p.completed_at !== undefined) json += `,"completed_at":${jsonNumber(p.completed_at)}`;
  if (same.preimage !== undefined) json += `,"payment_preimage":${same.preimage}`;
  const n = p.parts;
  json +=
    `,"parts":{"pending":${jsonNumber(n.pending)},"complete":${jsonNumber(n.complete)},` +
    `"failed":${jsonNumber(n.failed)}},"partialpayments":[`;
  for (let i = 0; i < parts.length; i++) json += `${i === 0 ? '' : ','}${partJson(parts[i] as ExportPart, p, same)}`;
  return `${json}]}`;
}

function partJson(
  part: ExportPart,
  p: Payment,
  same: { hash: string; destination: string; preimage: string | undefined },
): string {
  const hash = part.payment_hash === p.payment_hash ? same.hash : JSON.stringify(part.payment_hash);
  const destination = part.destination === p.destination ? same.destination : JSON.stringify(part.destination);
  let json =
    `{"id":${jsonNumber(part.id)},"payment_hash":${hash},"status":${jsonStatus(part.status)},` +
    `"msatoshi":${part.msatoshi},"msatoshi_sent":${part.msatoshi_sent},"destination":${destination},` +
    `"route":${part.route},"created_at":${jsonNumber(part.created_at)}`;
  if (part.completed_at !== undefined) json += `,"completed_at":${jsonNumber(part.completed_at)}`;
  const preimage = part.payment_preimage;
  if (preimage !== undefined) {
    json += `,"payment_preimage":${preimage === p.payment_preimage ? same.preimage : JSON.stringify(preimage)}`;
  }
  const f = part.failure;
  if (f !== undefined) {
    json += `,"failure":{"code":${JSON.stringify(f.code)},"message":${JSON.stringify(f.message)}`;
    if (f.erring_index !== undefined) json += `,"erring_index":${jsonNumber(f.erring_index)}`;
    if (f.erring_node !== undefined) json += `,"erring_node":${JSON.stringify(f.erring_node)}`;
    if (f.erring_channel !== undefined) json += `,"erring_channel":${JSON.stringify(f.erring_channel)}`;
    json += '}';
  }
  return `${json}}`;
}

const STATUS_JSON: Readonly<Record<string, string>> = {
  pending: '"pending"',
  complete: '"complete"',
  failed: '"failed"',
};

function jsonStatus(status: string): string {
  return STATUS_JSON[status] ?? JSON.stringify(status);
}

/** As toJson writes a number: never NaN or Infinity, which JSON cannot hold. */
function jsonNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`toJson: ${value} is not a JSON number`);
  return `${value}`;
}

/** JSON.stringify with bigints written as plain JSON numbers (all their digits); undefined members left out. */
export function toJson(value: unknown): string {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`toJson: ${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toJson(v))).join(',')}]`;
      const members: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        if (v !== undefined) members.push(`${JSON.stringify(k)}:${toJson(v)}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`toJson: cannot write a ${typeof value}`);
  }
}
