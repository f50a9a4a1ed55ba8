import { asBytes, type ByteText } from './export-bytes.ts';
import { CSV_COLUMNS, csvWriter } from './export-csv.ts';
import { jsonWriter } from './export-json.ts';
import type { NodeNames, PartColumns, RawRecord, RecordWriter, TextSink } from './export-reader.ts';

// What an export writes into its file, whether one thread writes the whole file or each export worker one range of
// payments (export.ts): the file's head and tail, and the loop over a range's records. Loaded by the export worker
// (export-worker.ts): imports named with their .ts extension.

export type ExportFormat = 'csv' | 'json';

/** Payments looked at between two turns of the event loop (for a cancel or progress request to be heard). */
const YIELD_EVERY = 4096;

/** How far a range's writing got. */
export interface RangeTally {
  /** Payments looked at; `payments` of them passed the search and were written, with `partialpayments` parts. */
  scanned: number;
  payments: number;
  partialpayments: number;
}

// (Heads, tails and joints are ASCII: their own bytes.)

/** What the file starts with. */
export function fileHead(format: ExportFormat): ByteText {
  return asBytes(format === 'csv' ? `${CSV_COLUMNS.join(',')}\r\n` : '{"payments":[');
}

/** What the file ends with, after `payments` payments. */
export function fileTail(format: ExportFormat, payments: number): ByteText {
  return asBytes(format === 'csv' ? '' : `${payments === 0 ? '' : '\n'}]}\n`);
}

/**
 * Between two ranges' payments, when both wrote some: a JSON range's payments are separated by commas, each on its
 * line (export-json.ts jsonWriter), but its first has none before it.
 */
export function rangeJoint(format: ExportFormat): ByteText {
  return asBytes(format === 'csv' ? '' : ',');
}

/** What the format writes of each part, and so what is read of it. */
export function partColumns(format: ExportFormat): PartColumns {
  return format === 'csv' ? 'csv' : 'all';
}

/** The format's writer of a payment (with its parts), or of nothing when the search leaves it out. */
export function recordWriter(
  format: ExportFormat,
  names: NodeNames,
  search: string | undefined,
  rebalances: ReadonlySet<string>,
): RecordWriter {
  return format === 'csv' ? csvWriter(names, search, rebalances) : jsonWriter(names, search);
}

/**
 * Writes each of `records` through `write` into `out`, counting into `tally`. `pause` is awaited after each chunk
 * the writer fills and every YIELD_EVERY payments looked at: it flushes the writer (and may report progress, or
 * throw to stop).
 */
export async function writeRecords(
  out: TextSink,
  records: Iterable<RawRecord>,
  write: RecordWriter,
  tally: RangeTally,
  pause: () => Promise<void>,
): Promise<void> {
  for (const record of records) {
    tally.scanned += 1;
    const parts = write(out, record);
    if (parts !== undefined) {
      tally.payments += 1;
      tally.partialpayments += parts;
      if (out.wantsFlush) {
        await pause();
        continue;
      }
    }
    if (tally.scanned % YIELD_EVERY === 0) await pause();
  }
}
