import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ApiError, ErrorCode, invalidParam } from '../../../shared/api/errors';
import type { Payment } from '../../../shared/types';
import { csvCell, csvPlain } from './csv';
import { Writer } from './export-writer';
import type { ExportFilter, ExportPart, Ledger } from './ledger';

export { csvCell };

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
  const records = ledger.exportRecords(filter, format === 'csv' ? 'stored' : 'json');
  const rebalances = format === 'csv' ? ledger.rebalances.hashes() : new Set<string>();
  const names = options.names ?? new Map<string, string>();
  const matches = searchFor(options.search, names);
  const csvNames = namesForCsv(format === 'csv' ? names : new Map());
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
    if (format === 'csv') out.write(`${CSV_COLUMNS.join(',')}\r\n`);
    else out.write('{"payments":[');
    for (const { payment, parts } of records) {
      progress.scanned += 1;
      if (matches(payment)) {
        const full =
          format === 'csv'
            ? writeCsvRows(out, payment, parts, csvNames, rebalances.has(payment.payment_hash))
            : out.write(`${progress.payments === 0 ? '' : ','}\n${paymentJson(payment, parts)}`);
        progress.payments += 1;
        partialpayments += parts.length;
        if (full) {
          await pause();
          continue;
        }
      }
      if (progress.scanned % YIELD_EVERY === 0) await pause();
    }
    if (format === 'json') out.write(`${progress.payments === 0 ? '' : '\n'}]}\n`);
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

/** History's search: the text in the payment's hash, destination (id or name) or description, any case. */
export function searchFor(search: string | undefined, names: NodeNames): (p: Payment) => boolean {
  const text = search?.trim().toLowerCase() ?? '';
  if (text === '') return () => true;
  return (p) =>
    p.payment_hash.includes(text) ||
    p.destination.includes(text) ||
    (names.get(p.destination)?.toLowerCase().includes(text) ?? false) ||
    (p.description?.toLowerCase().includes(text) ?? false);
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

// ---- CSV ---------------------------------------------------------------------------------------------------------

/**
 * One file, a `kind` column telling payment rows (`payment`, or `rebalance` for a payment to ourselves between our
 * channels, see csvPaymentRow) from part rows (`part`). Each amount has its own columns on its own kind of
 * row only (a part row never repeats its payment's amount), so that summing a column gives a true total: `amount_*`
 * and `fee_paid_*` on payment rows, `part_amount_*` and `part_fee_paid_*` on part rows. A fee is what was paid: a
 * complete part's `msatoshi_sent - msatoshi`, nothing for a failed or pending one; a payment's is its complete parts'
 * fees. Times are ISO-8601 UTC. Amounts in sat (exact, up to three decimals) and in msat.
 */
export const CSV_COLUMNS = [
  'kind',
  'payment_hash',
  'part_id',
  'status',
  'created_at',
  'completed_at',
  'destination_alias',
  'destination',
  'description',
  'amount_sat',
  'amount_msat',
  'fee_paid_sat',
  'fee_paid_msat',
  'part_amount_sat',
  'part_amount_msat',
  'part_fee_paid_sat',
  'part_fee_paid_msat',
  'payment_preimage',
  'failure_code',
  'failure_message',
  'failed_at_hop',
  'failed_at_node',
  'route',
  'bolt11',
] as const;

/** Names of nodes for the CSV: an alias when the graph has one, else the id. */
export type NodeNames = ReadonlyMap<string, string>;

/** The names as the CSV export uses them, looked at once per export. */
export interface CsvNames {
  names: NodeNames;
  /**
   * Every name is a CSV field as it stands (csvPlain): then so is every route's text, names and hex ids (checked when
   * the route was stored) joined by arrows, and it needs no quoting pass.
   */
  plain: boolean;
}

export function namesForCsv(names: NodeNames): CsvNames {
  let plain = true;
  for (const name of names.values()) {
    if (!csvPlain(name)) {
      plain = false;
      break;
    }
  }
  return { names, plain };
}

/** A node's id with its name (undefined when the graph has none). */
interface Named {
  id: string;
  name: string | undefined;
}

/**
 * The payment's row then its parts' rows, into `out`; true when `out` wants a flush. Each part's route goes in apart
 * from the rest of its row: JS keeps a string holding any character past Latin-1 (the route's arrows) at two bytes a
 * character, so a row joined to its route would be copied into two bytes and encoded to UTF-8 from there, which cost
 * more than making the row. The destination is named once: it is normally every part's and every route's last hop.
 */
function writeCsvRows(
  out: Writer,
  payment: Payment,
  parts: ExportPart[],
  names: CsvNames,
  rebalance: boolean,
): boolean {
  let fee = 0n;
  for (const part of parts) fee += partFeePaid(part);
  const destination: Named = { id: payment.destination, name: names.names.get(payment.destination) };
  let full = out.write(csvPaymentRow(payment, fee, destination.name, rebalance));
  for (const part of parts) {
    out.write(csvPartRow(part, names.names, destination));
    const route = routeText(part.route, names.names, destination);
    full = out.write(`${names.plain ? route : csvCell(route)},\r\n`);
  }
  return full;
}

/**
 * The payment's row, CRLF ended. `fee`: what its complete parts paid in fees; `alias`: its destination's name. A
 * rebalance (a payment to ourselves between our own channels) is `kind` `rebalance` with no amount, since nothing left
 * the wallet but the fee: its fee is a cost like any payment's; what it moved is on its part rows.
 */
function csvPaymentRow(p: Payment, fee: bigint, alias: string | undefined, rebalance: boolean): string {
  const kind = rebalance ? 'rebalance' : 'payment';
  const amount = rebalance ? ',' : `${sat(p.msatoshi)},${p.msatoshi}`;
  return (
    `${kind},${p.payment_hash},,${p.status},${isoTime(p.created_at)},${isoTime(p.completed_at)},` +
    `${csvCell(alias)},${p.destination},${csvCell(p.description)},` +
    `${amount},${sat(fee)},${fee},,,,,${p.payment_preimage ?? ''},,,,,,${csvCell(p.bolt11)}\r\n`
  );
}

/** A part's row up to its route (writeCsvRows writes the route and the rest). */
function csvPartRow(part: ExportPart, names: NodeNames, destination: Named): string {
  const f = part.failure;
  const fee = partFeePaid(part);
  const failure =
    f === undefined
      ? ',,,'
      : `${csvCell(f.code)},${csvCell(f.message)},${f.erring_index ?? ''},` +
        `${f.erring_node === undefined ? '' : csvCell(nameOf(f.erring_node, names))}`;
  const alias = part.destination === destination.id ? destination.name : names.get(part.destination);
  return (
    `part,${part.payment_hash},${part.id},${part.status},${isoTime(part.created_at)},${isoTime(part.completed_at)},` +
    `${csvCell(alias)},${part.destination},,,,,,` +
    `${sat(part.msatoshi)},${part.msatoshi},${sat(fee)},${fee},,${failure},`
  );
}

/** The fee a part paid: a complete part's; a failed or pending one has paid none. */
function partFeePaid(part: { status: string; msatoshi: bigint; msatoshi_sent: bigint }): bigint {
  return part.status === 'complete' ? part.msatoshi_sent - part.msatoshi : 0n;
}

function nameOf(id: string, names: NodeNames): string {
  return names.get(id) ?? id;
}

const HOP_ID = '"id":"';

/**
 * "atlas → carol → bob": the route's nodes (ours left out) by name, from the stored route's text. `known`: a node
 * already named (the destination), told by its id without a look-up.
 */
export function routeText(stored: string, names: NodeNames, known?: Named): string {
  const lookUp = names.size > 0;
  let text = '';
  // Each hop's id is the 66 hex characters after `"id":"` (routes are stored by routeToJson, ids checked hex).
  for (let at = stored.indexOf(HOP_ID); at !== -1; at = stored.indexOf(HOP_ID, at + 72)) {
    const end = stored.indexOf('"', at + 6);
    const id = stored.slice(at + 6, end);
    const name = !lookUp ? id : id === known?.id ? (known.name ?? id) : nameOf(id, names);
    text += text === '' ? name : ` → ${name}`;
  }
  return text;
}

/** Millisatoshi as sat, exact: "700000", "0.001", "12.345" (from the digits: no bigint division per cell). */
export function sat(msat: bigint): string {
  const digits = `${msat}`;
  if (digits.length <= 3) return digits === '0' ? '0' : `0.${digits.padStart(3, '0').replace(/0+$/, '')}`;
  const whole = digits.slice(0, -3);
  const frac = digits.slice(-3);
  return frac === '000' ? whole : `${whole}.${frac.replace(/0+$/, '')}`;
}

/** Unix seconds as ISO-8601 UTC ("2026-12-07T07:08:43Z"); empty when absent. */
export function isoTime(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  if (!Number.isSafeInteger(seconds)) return `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
  // Date's toISOString costs more than the rest of a row: the date part is made once per day, the time by table.
  const day = Math.floor(seconds / 86_400);
  if (day !== lastDay.day) {
    lastDay.day = day;
    lastDay.text = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  const rest = seconds - day * 86_400;
  const minutes = Math.floor(rest / 60);
  return `${lastDay.text}${TWO_DIGITS[Math.floor(minutes / 60)]}:${TWO_DIGITS[minutes % 60]}:${TWO_DIGITS[rest % 60]}Z`;
}
const lastDay = { day: Number.NaN, text: '' };
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => `${i}`.padStart(2, '0'));

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
