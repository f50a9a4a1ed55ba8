import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { invalidParam } from '../../../shared/api/errors';
import type { PartialPayment, Payment } from '../../../shared/types';
import type { ExportFilter, Ledger } from './ledger';

// exportpayments: the history, payments with their parts, as CSV or JSON.
//
// CSV is written by hand rather than with a library: RFC 4180 quoting is a few lines (quote a field holding a
// comma, quote, CR or LF; double its quotes), and the project's dependencies (package.json) are not this module's
// to change. The guard against formula injection is ours either way.

export type ExportFormat = 'csv' | 'json';

export interface ExportResult {
  /** Absolute path of the file written. */
  path: string;
  payments: number;
  partialpayments: number;
}

/**
 * Writes the payments matching `filter` (oldest first) with their parts to `path`, streaming (100k payments take
 * memory for one batch, not for the whole history). The file appears complete or not at all: it is written to a
 * temporary file beside it, fsynced, then renamed over `path`. Mode 0600: the history is private. The parent
 * directory is created if missing.
 *
 * - csv: one row per partial payment, each with its payment's fields, after a header row; CRLF line ends (RFC 4180).
 *   Text cells that a spreadsheet would read as a formula (starting with = + - @ tab or CR) get a leading `'`.
 *   Amounts and times are plain integers; `route` is the route's JSON.
 * - json: `{"payments":[...]}`, one payment per line, each with its parts nested as `partialpayments`; amounts are
 *   JSON numbers written digit for digit from the bigint (exact, even above 2^53).
 */
export async function exportPayments(
  ledger: Ledger,
  format: ExportFormat,
  path: string,
  filter: ExportFilter = {},
): Promise<ExportResult> {
  if (format !== 'csv' && format !== 'json') throw invalidParam('format', format, "must be 'csv' or 'json'");
  if (typeof path !== 'string' || path === '') throw invalidParam('path', path, 'must be a file path');
  const rows = ledger.exportRows(filter);
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
  let payments = 0;
  let partialpayments = 0;
  try {
    if (format === 'csv') {
      out.write(`${CSV_COLUMNS.join(',')}\r\n`);
      for (const { payment, parts } of rows) {
        payments += 1;
        partialpayments += parts.length;
        // A payment always has a part; should one have none, it still gets a row.
        for (const part of parts.length > 0 ? parts : [undefined]) out.write(csvRow(payment, part));
        await out.maybeFlush();
      }
    } else {
      out.write('{"payments":[');
      for (const { payment, parts } of rows) {
        out.write(`${payments === 0 ? '' : ','}\n${toJson({ ...payment, partialpayments: parts })}`);
        payments += 1;
        partialpayments += parts.length;
        await out.maybeFlush();
      }
      out.write(`${payments === 0 ? '' : '\n'}]}\n`);
    }
    await out.flush();
    await handle.sync();
    await handle.close();
    try {
      await rename(tmp, target);
    } catch (err) {
      throw fileError(path, err);
    }
  } catch (err) {
    await handle.close().catch(() => {});
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  await syncDir(dir);
  return { path: target, payments, partialpayments };
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

/** Buffers text and writes it in chunks of about 64 KiB, awaiting each write (backpressure). */
class Writer {
  private chunks: string[] = [];
  private size = 0;

  constructor(private readonly handle: FileHandle) {}

  write(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
  }

  async maybeFlush(): Promise<void> {
    if (this.size >= 64 * 1024) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const text = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    await this.handle.write(text, null, 'utf8');
  }
}

// ---- CSV ---------------------------------------------------------------------------------------------------------

export const CSV_COLUMNS = [
  'payment_hash',
  'payment_status',
  'payment_msatoshi',
  'payment_msatoshi_sent',
  'destination',
  'description',
  'bolt11',
  'payment_created_at',
  'payment_completed_at',
  'payment_preimage',
  'part_id',
  'part_status',
  'part_msatoshi',
  'part_msatoshi_sent',
  'part_created_at',
  'part_completed_at',
  'failure_code',
  'failure_message',
  'erring_index',
  'erring_node',
  'erring_channel',
  'route',
] as const;

type Cell = string | bigint | number | undefined;

function csvRow(p: Payment, part: PartialPayment | undefined): string {
  const f = part?.failure;
  const cells: Cell[] = [
    p.payment_hash,
    p.status,
    p.msatoshi,
    p.msatoshi_sent,
    p.destination,
    p.description,
    p.bolt11,
    p.created_at,
    p.completed_at,
    p.payment_preimage,
    part?.id,
    part?.status,
    part?.msatoshi,
    part?.msatoshi_sent,
    part?.created_at,
    part?.completed_at,
    f?.code,
    f?.message,
    f?.erring_index,
    f?.erring_node,
    f?.erring_channel,
    part && toJson(part.route),
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** Text a spreadsheet would take for a formula (OWASP "CSV injection"). Only text cells: numbers are never guarded. */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One RFC 4180 field. */
export function csvCell(value: Cell): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') return value.toString();
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// ---- JSON --------------------------------------------------------------------------------------------------------

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
