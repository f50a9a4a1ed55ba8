import type Database from 'better-sqlite3';
import type { Status } from '../../../shared/types';
import type { ByteText } from './export-bytes.ts';
import type { ExportParams } from './export-filter.ts';
import { EXPORT_FILTER, EXPORT_FILTER_BY_TIME } from './statements.ts';

// Reading the ledger for the export files: the rows as read (arrays of the columns written, no Payment or part
// object made of them), in batches of payments, each batch one read transaction, so that no cursor stays open between
// batches and the ledger keeps working meanwhile. On the ledger's own connection (Ledger.exportRawRecords) and on an
// export worker's (export-worker.ts), which is why this file imports only what that worker may load: files named with
// their .ts extension and nothing of the rest of the ledger.

/** A payment as the exports read it (RawReader, raw): the columns they write, in this order. */
export type RawPaymentRow = [
  id: bigint,
  payment_hash: string,
  status: Status,
  msatoshi: bigint,
  destination: string,
  description: string | null,
  bolt11: string | null,
  created_at: bigint,
  completed_at: bigint | null,
  payment_preimage: string | null,
];

/**
 * A part as the exports read it (RawReader, raw): the columns they write, in this order. No
 * payment_hash: it is its payment's (payment_id is the payment of that hash, see schema 4).
 */
export type RawPartRow = [
  id: bigint,
  payment_id: bigint,
  status: Status,
  msatoshi: bigint,
  msatoshi_sent: bigint,
  destination: string,
  route: string,
  created_at: bigint,
  completed_at: bigint | null,
  failure_code: string | null,
  failure_message: string | null,
  erring_index: bigint | null,
  erring_node: string | null,
  erring_channel: string | null,
  payment_preimage: string | null,
];

/** Where each column is in a RawPaymentRow: the order of RawReader's SELECT of payments. */
export const RAW_PAYMENT = {
  id: 0,
  hash: 1,
  status: 2,
  msatoshi: 3,
  destination: 4,
  description: 5,
  bolt11: 6,
  created: 7,
  completed: 8,
  preimage: 9,
} as const;

/** Where each column is in a RawPartRow: the order of RawReader's SELECT of parts. */
export const RAW_PART = {
  id: 0,
  paymentId: 1,
  status: 2,
  msatoshi: 3,
  sent: 4,
  destination: 5,
  route: 6,
  created: 7,
  completed: 8,
  failureCode: 9,
  failureMessage: 10,
  erringIndex: 11,
  erringNode: 12,
  erringChannel: 13,
  preimage: 14,
} as const;

/**
 * An export's filter and batch size (checked: export-filter.ts exportParams), and the range of payment ids it reads:
 * payments after id `after` (0: from the first) up to id `upTo` (null: to the last).
 */
export interface RawParams extends ExportParams {
  after: number;
  upTo: number | null;
}

/** A payment as read for the exports' files, with its parts (ascending id). */
export interface RawRecord {
  payment: RawPaymentRow;
  parts: RawPartRow[];
}

/** Where an export's text goes: a file (export-writer.ts Writer) or an export worker's chunks (ChunkWriter). */
export interface TextSink {
  /** Takes `text` (its UTF-8 bytes, export-bytes.ts); true when the caller should flush before writing more. */
  write(text: ByteText): boolean;
  readonly wantsFlush: boolean;
}

/** What the export loop needs of a format: how to write one record; its number of parts, or undefined when the
 * search leaves it out. */
export type RecordWriter = (out: TextSink, record: RawRecord) => number | undefined;

/** Names of nodes for the exports: an alias when the graph has one, else the id. */
export type NodeNames = ReadonlyMap<string, string>;

/** History's search: the text in the payment's hash, destination (id or name) or description, any case. */
export function searchFor(
  search: string | undefined,
  names: NodeNames,
): (hash: string, destination: string, description: string | null | undefined) => boolean {
  const text = search?.trim().toLowerCase() ?? '';
  if (text === '') return () => true;
  return (hash, destination, description) =>
    hash.includes(text) ||
    destination.includes(text) ||
    (names.get(destination)?.toLowerCase().includes(text) ?? false) ||
    (description?.toLowerCase().includes(text) ?? false);
}

interface RawBatch {
  payments: RawPaymentRow[];
  parts: RawPartRow[];
}

/**
 * A batch of a range's payments: the next `limit` after id `after` that pass the filter, up to the range's end. Both
 * ends are bounds of the rowid's range, so that the range's last batch stops at `upTo`: written as
 * `(@upTo IS NULL OR p.id <= @upTo)`, the end was only a filter, and each range's last batch read every payment after
 * it to the end of the table (an export in 20 ranges read the payments ten times over).
 */
export const BATCH_PAYMENTS = `SELECT p.id, p.payment_hash, p.status, p.msatoshi, p.destination, p.description, p.bolt11,
    p.created_at, p.completed_at, p.payment_preimage
  FROM payments p WHERE p.id > @after AND p.id <= coalesce(@upTo, 9223372036854775807) AND ${EXPORT_FILTER}
  ORDER BY p.id LIMIT @limit`;

/**
 * What an export reads of each part: every column (the JSON writes them all), or those the CSV writes, its preimage
 * and erring channel read as NULL (about 15% less to read and make JS values of).
 */
export type PartColumns = 'all' | 'csv';

/** The export's reads on one connection (every INTEGER a bigint: the ledger's defaultSafeIntegers). */
export class RawReader {
  private readonly batches: Record<PartColumns, Database.Transaction<(params: Record<string, unknown>) => RawBatch>>;
  private readonly ids: Database.Statement<[Record<string, unknown>], number>;

  constructor(db: Database.Database) {
    const payments = db.prepare<[Record<string, unknown>], RawPaymentRow>(BATCH_PAYMENTS).raw(true);
    // The parts of exactly the batch's payments, in payment order then part id, so that each payment's parts follow
    // one another: those of the payments passing the filter in the batch's id range (up to its last); without a
    // filter, every payment of that range is the batch's, and its parts are a range of partial_payments_by_payment.
    const partsOf = (columns: PartColumns, payments: string) =>
      db
        .prepare<[Record<string, unknown>], RawPartRow>(
          `SELECT q.id, q.payment_id, q.status, q.msatoshi, q.msatoshi_sent, q.destination, q.route, q.created_at,
             q.completed_at, q.failure_code, q.failure_message, q.erring_index, q.erring_node,
             ${columns === 'all' ? 'q.erring_channel, q.payment_preimage' : 'NULL, NULL'}
           FROM partial_payments q WHERE ${payments} ORDER BY q.payment_id, q.id`,
        )
        .raw(true);
    const batch = (columns: PartColumns) => {
      const filtered = partsOf(
        columns,
        `q.payment_id IN (SELECT p.id FROM payments p WHERE p.id > @after AND p.id <= @last AND ${EXPORT_FILTER})`,
      );
      const all = partsOf(columns, 'q.payment_id > @after AND q.payment_id <= @last');
      return db.transaction((params: Record<string, unknown>): RawBatch => {
        const read = payments.all(params);
        const last = read.at(-1)?.[RAW_PAYMENT.id];
        if (last === undefined) return { payments: read, parts: [] };
        const unfiltered = params.since === null && params.until === null && params.status === null;
        return { payments: read, parts: (unfiltered ? all : filtered).all({ ...params, last }) };
      });
    };
    this.batches = { all: batch('all'), csv: batch('csv') };
    // In the index's order (time), sorted here: a sort of 100k numbers costs less than SQLite's ordering by id.
    this.ids = db
      .prepare<[Record<string, unknown>], number>(`SELECT p.id FROM payments p WHERE ${EXPORT_FILTER_BY_TIME}`)
      .pluck()
      .safeIntegers(false);
  }

  /** The payments in `params`' range that pass its filter, oldest first, each with its parts (`columns` of them). */
  *records(params: RawParams, columns: PartColumns = 'all'): Generator<RawRecord, void, undefined> {
    const batch = this.batches[columns];
    let after: number | bigint = params.after;
    for (;;) {
      const { payments, parts } = batch.deferred({ ...params, after });
      let j = 0;
      for (const payment of payments) {
        const start = j;
        while (j < parts.length && (parts[j] as RawPartRow)[RAW_PART.paymentId] === payment[RAW_PAYMENT.id]) j += 1;
        yield { payment, parts: parts.slice(start, j) };
      }
      if (payments.length < params.limit) return;
      after = (payments[payments.length - 1] as RawPaymentRow)[RAW_PAYMENT.id];
    }
  }

  /** The id of every `every`th payment passing `params`' filter, in order: where an export is cut into ranges. */
  cutIds(params: Pick<RawParams, 'since' | 'until' | 'status'>, every: number): number[] {
    const { since, until, status } = params;
    const ids = Float64Array.from(this.ids.all({ since, until, status })).sort();
    const cuts: number[] = [];
    for (let i = every - 1; i < ids.length; i += every) cuts.push(ids[i] as number);
    return cuts;
  }
}
