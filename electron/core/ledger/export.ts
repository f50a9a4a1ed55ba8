import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { invalidParam } from '../../../shared/api/errors';
import type { Payment } from '../../../shared/types';
import { csvCell } from './csv';
import type { ExportFilter, ExportPart, Ledger } from './ledger';

export { csvCell };

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
  const records = ledger.exportRecords(filter, format);
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
      for (const { payment, parts } of records) {
        payments += 1;
        partialpayments += parts.length;
        // The payment's cells are the same on each of its rows: written once per payment.
        const head = csvPaymentCells(payment);
        // A payment always has a part; should one have none, it still gets a row.
        let lines = parts.length === 0 ? `${head}${CSV_NO_PART}\r\n` : '';
        for (const part of parts) lines += `${head}${csvPartCells(part)}\r\n`;
        if (out.write(lines)) await out.flush();
      }
    } else {
      out.write('{"payments":[');
      for (const { payment, parts } of records) {
        const full = out.write(`${payments === 0 ? '' : ','}\n${paymentJson(payment, parts)}`);
        payments += 1;
        partialpayments += parts.length;
        if (full) await out.flush();
      }
      out.write(`${payments === 0 ? '' : '\n'}]}\n`);
    }
    await out.end();
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

/** Bytes written at a time: few system calls, little memory. */
const CHUNK_BYTES = 1 << 20;
/** Room kept free at the end of a chunk: a payment's lines normally fit in it. */
const ROOM = 64 * 1024;
/** A background sync is started after about this many bytes (see Writer.syncInBackground). */
const SYNC_EVERY = 32 * CHUNK_BYTES;
/** Chunks handed to the disk and not yet written, at most (memory: this many chunks, plus the one filling). */
const MAX_WRITES = 4;

/**
 * Encodes text straight into a 1 MiB buffer and hands the buffer to the disk when it is full, while the next one
 * fills. Text goes into the buffer as it comes, so no long string is built up in the JS heap (short-lived strings
 * are cheap to collect; a long string surviving each young-generation collection is not). `write` only buffers; when
 * it says the buffer is full, the caller awaits `flush`, which starts writing it (each chunk at its own offset, so
 * writes under way cannot reorder) and waits only when MAX_WRITES chunks are still waiting for the disk
 * (backpressure: memory stays a few MiB however large the file).
 */
class Writer {
  private buffer: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  /** Buffers whose write has finished, to fill again. */
  private free: Buffer[] = [];
  /** Text too long for the room left, kept for the next flush (rare: one payment's lines over the buffer's room). */
  private overflow: string[] = [];
  /** Where the next chunk goes in the file. */
  private position = 0;
  /** Writes under way (or ended, not yet awaited), oldest first. */
  private writes: Promise<void>[] = [];
  private failure: { error: unknown } | undefined;
  /** Bytes written since the last background sync was started; that sync, while under way. */
  private unsynced = 0;
  private syncing: Promise<void> | undefined;

  constructor(private readonly handle: FileHandle) {}

  /** Buffers `text`; true when the caller should `await flush()` before writing more. */
  write(text: string): boolean {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit: a text within that bound always fits whole.
    if (this.overflow.length === 0 && this.used + 3 * text.length <= this.buffer.length) {
      this.used += this.buffer.write(text, this.used, 'utf8');
    } else {
      this.overflow.push(text);
    }
    return this.buffer.length - this.used < ROOM || this.overflow.length > 0;
  }

  async flush(): Promise<void> {
    // A turn of the event loop for everything else the process does (a chunk is a few milliseconds of work), which
    // also hears of the writes that ended; then backpressure: at most MAX_WRITES chunks waiting for the disk.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.writes.length >= MAX_WRITES) await this.writes.shift();
    if (this.failure) throw this.failure.error;
    if (this.used > 0) {
      const buffer = this.buffer;
      this.start(buffer.subarray(0, this.used), () => this.free.push(buffer));
      this.buffer = this.free.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
      this.used = 0;
    }
    if (this.overflow.length > 0) {
      this.start(Buffer.from(this.overflow.join(''), 'utf8'));
      this.overflow = [];
    }
  }

  /** Writes `data` at the next position, without waiting (each write has its own place in the file). */
  private start(data: Buffer, done?: () => void): void {
    const at = this.position;
    this.position += data.length;
    // Caught here and rethrown by the next flush or end: a failed write must not be an unhandled rejection meanwhile.
    const writing = writeAll(this.handle, data, at).then(
      () => {
        done?.();
        this.unsynced += data.length;
        if (this.unsynced >= SYNC_EVERY && !this.syncing) this.syncInBackground();
      },
      (error: unknown) => {
        this.failure ??= { error };
      },
    );
    this.writes.push(writing);
  }

  /**
   * Starts flushing what is written so far to the disk while the next chunks are made, so that the final fsync has
   * little left to do. An error is kept and thrown like a failed write (it may not be reported again to the final
   * fsync).
   */
  private syncInBackground(): void {
    this.unsynced = 0;
    this.syncing = this.handle.datasync().then(
      () => {
        this.syncing = undefined;
      },
      (error: unknown) => {
        this.syncing = undefined;
        this.failure ??= { error };
      },
    );
  }

  /** Writes what is left and waits for every write. */
  async end(): Promise<void> {
    await this.flush();
    await this.settled();
    if (this.failure) throw this.failure.error;
  }

  /** Waits for the writes and the background sync under way, if any; never throws. */
  async settled(): Promise<void> {
    await Promise.all(this.writes.splice(0));
    await this.syncing;
  }
}

async function writeAll(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  for (let done = 0; done < data.length; ) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
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

/** The payment's cells and the comma after them: the first 10 columns of each of its rows. */
function csvPaymentCells(p: Payment): string {
  return (
    `${csvCell(p.payment_hash)},${csvCell(p.status)},${p.msatoshi},${p.msatoshi_sent},${csvCell(p.destination)},` +
    `${csvCell(p.description)},${csvCell(p.bolt11)},${p.created_at},${csvCell(p.completed_at)},` +
    `${csvCell(p.payment_preimage)},`
  );
}

/** The part's 12 cells (columns part_id to route), without a line end. The route comes as a CSV field already. */
function csvPartCells(part: ExportPart): string {
  const f = part.failure;
  return (
    `${part.id},${csvCell(part.status)},${part.msatoshi},${part.msatoshi_sent},${part.created_at},` +
    `${csvCell(part.completed_at)},${csvCell(f?.code)},${csvCell(f?.message)},${csvCell(f?.erring_index)},` +
    `${csvCell(f?.erring_node)},${csvCell(f?.erring_channel)},${part.route}`
  );
}

/** The part's cells of a payment without parts: all empty. */
const CSV_NO_PART = ','.repeat(CSV_COLUMNS.length - 11);

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
