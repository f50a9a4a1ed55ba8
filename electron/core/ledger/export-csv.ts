import { toFailureCode } from '../../../shared/failures.ts';
import type { Status } from '../../../shared/types';
import { csvCell, csvPlain } from './csv.ts';
import { asBytes, type ByteText, utf8Bytes } from './export-bytes.ts';
import {
  type NodeNames,
  RAW_PAYMENT as P,
  RAW_PART as Q,
  type RawPartRow,
  type RawPaymentRow,
  type RecordWriter,
  searchFor,
} from './export-reader.ts';

// exportpayments' CSV: its columns, and its rows made straight from the ledger's rows as read (export-reader.ts:
// arrays of the columns read, no Payment or part object in between). export.ts writes the file. Loaded by the export
// worker too (export-worker.ts): its imports are named with their .ts extension.

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

/**
 * The names as the CSV export writes them (in bytes: export-bytes.ts), each made the first time it is written: of a
 * graph's thousands of nodes, an export names those on its payments' routes.
 */
export class CsvNames {
  /**
   * Every name is a CSV field as it stands (csvPlain): then so is every route's text, names and hex ids (checked when
   * the route was stored) joined by arrows, and it needs no quoting pass.
   */
  readonly plain: boolean;
  /** Whether any node is named (else a route's text is its ids). */
  readonly any: boolean;
  private readonly names: NodeNames;
  private readonly cells = new Map<string, ByteText>();
  private readonly hops = new Map<string, ByteText>();

  // (No parameter property: an export worker loads this file with Node's own type stripping, which has none.)
  constructor(names: NodeNames) {
    this.names = names;
    this.any = names.size > 0;
    let plain = true;
    for (const name of names.values()) {
      if (!csvPlain(name)) {
        plain = false;
        break;
      }
    }
    this.plain = plain;
  }

  /** The node's alias as a CSV cell (csvCell); undefined when it has none. */
  cell(id: string): ByteText | undefined {
    let cell = this.cells.get(id);
    if (cell === undefined) {
      const name = this.names.get(id);
      if (name === undefined) return undefined;
      cell = utf8Bytes(csvCell(name));
      this.cells.set(id, cell);
    }
    return cell;
  }

  /** The node as a route's text names it: its alias, else its id (hex: its own bytes). */
  hop(id: string): ByteText {
    let hop = this.hops.get(id);
    if (hop === undefined) {
      const name = this.names.get(id);
      hop = name === undefined ? asBytes(id) : utf8Bytes(name);
      this.hops.set(id, hop);
    }
    return hop;
  }
}

/**
 * The CsvNames of `names`, made once for the same map: an export worker writes each of its ranges with a writer of
 * its own, all from the one map of names it was given for the export.
 */
function csvNamesOf(names: NodeNames): CsvNames {
  let csvNames = made.get(names);
  if (csvNames === undefined) {
    csvNames = new CsvNames(names);
    made.set(names, csvNames);
  }
  return csvNames;
}
const made = new WeakMap<NodeNames, CsvNames>();

/** A payment's destination as its rows name it: its id, its alias's cell ('' when unnamed), its name in a route. */
interface Destination {
  id: string;
  cell: ByteText;
  hop: ByteText;
}

/**
 * Writes a payment's CSV rows, its nodes named by `names`, unless `search` leaves it out; `rebalances`: the hashes of
 * the ledger's rebalances (Ledger.rebalances.hashes()).
 */
export function csvWriter(names: NodeNames, search: string | undefined, rebalances: ReadonlySet<string>): RecordWriter {
  const matches = searchFor(search, names);
  const csvNames = csvNamesOf(names);
  return (out, { payment, parts }) => {
    if (!matches(payment[P.hash], payment[P.destination], payment[P.description])) return undefined;
    out.write(csvRows(payment, parts, csvNames, rebalances.has(payment[P.hash])));
    return parts.length;
  };
}

/**
 * The payment's row then its parts' rows, one text (one copy into the file). The destination is named once: it is
 * normally every part's and every route's last hop. (Hashes, ids, routes and amounts are ASCII: hex and digits the
 * ledger checks; statuses and failure codes are closed sets; the rest goes through utf8Bytes or comes from CsvNames.)
 */
function csvRows(payment: RawPaymentRow, parts: RawPartRow[], names: CsvNames, rebalance: boolean): ByteText {
  const id = payment[P.destination];
  const destination: Destination = { id, cell: names.cell(id) ?? EMPTY, hop: names.hop(id) };
  // The parts' rows first: the payment's row, before them, carries the sum of their fees.
  let fee = 0n;
  let rows = '';
  for (const part of parts) {
    const partFee = partFeePaid(part[Q.status], part[Q.msatoshi], part[Q.sent]);
    fee += partFee;
    const route = routeBytes(part[Q.route], names, destination);
    const routeCell = names.plain ? route : csvCell(route);
    rows += `${csvPartRow(part, partFee, payment[P.hash], names, destination)}${routeCell},\r\n`;
  }
  return asBytes(csvPaymentRow(payment, fee, destination.cell, rebalance) + rows);
}

const EMPTY = asBytes('');

/**
 * The payment's row, CRLF ended. `fee`: what its complete parts paid in fees; `alias`: its destination's name's cell.
 * A rebalance (a payment to ourselves between our own channels) is `kind` `rebalance` with no amount, since nothing
 * left the wallet but the fee: its fee is a cost like any payment's; what it moved is on its part rows. The preimage
 * is written for a complete payment only.
 */
function csvPaymentRow(p: RawPaymentRow, fee: bigint, alias: ByteText, rebalance: boolean): string {
  const kind = rebalance ? 'rebalance' : 'payment';
  const status = p[P.status];
  const amount = rebalance ? ',' : amountCells(p[P.msatoshi]);
  const preimage = status === 'complete' ? (p[P.preimage] ?? '') : '';
  return (
    `${kind},${p[P.hash]},,${status},${time(p[P.created])},${time(p[P.completed])},` +
    `${alias},${p[P.destination]},${textCell(p[P.description])},` +
    `${amount},${amountCells(fee)},,,,,${preimage},,,,,,${textCell(p[P.bolt11])}\r\n`
  );
}

/**
 * A part's row up to its route (csvRows writes the route and the line's end); `fee`: what it paid (partFeePaid);
 * `hash`: its payment's. A failure is written for a failed part only, its code as the API has it (an unknown one is
 * UNKNOWN_FAILURE).
 */
function csvPartRow(part: RawPartRow, fee: bigint, hash: string, names: CsvNames, destination: Destination): string {
  const status = part[Q.status];
  const failure = status !== 'failed' ? ',,,' : failureCells(part, names);
  const partDestination = part[Q.destination];
  const alias = partDestination === destination.id ? destination.cell : (names.cell(partDestination) ?? EMPTY);
  return (
    `part,${hash},${part[Q.id]},${status},${time(part[Q.created])},${time(part[Q.completed])},` +
    `${alias},${partDestination},,,,,,${amountCells(part[Q.msatoshi])},${amountCells(fee)},,${failure},`
  );
}

/** A failed part's failure_code, failure_message, failed_at_hop and failed_at_node cells. */
function failureCells(part: RawPartRow, names: CsvNames): string {
  const erringIndex = part[Q.erringIndex];
  const erringNode = part[Q.erringNode];
  const node = erringNode === null ? EMPTY : (names.cell(erringNode) ?? textCell(erringNode));
  return (
    `${csvCell(toFailureCode(part[Q.failureCode]))},${textCell(part[Q.failureMessage] ?? '')},` +
    `${erringIndex === null ? '' : erringIndex},${node}`
  );
}

/** A text cell (csvCell) in bytes; empty when absent. */
function textCell(text: string | null): ByteText {
  return text === null ? EMPTY : utf8Bytes(csvCell(text));
}

/** An amount's two cells: sat, then msat. */
function amountCells(msat: bigint): string {
  const digits = `${msat}`;
  return `${satDigits(digits)},${digits}`;
}

/** A stored time (Unix seconds) as the CSV writes it; empty when absent. */
function time(seconds: bigint | null): string {
  return seconds === null ? '' : isoTime(Number(seconds));
}

/** The fee a part paid: a complete part's; a failed or pending one has paid none. */
function partFeePaid(status: Status, msatoshi: bigint, sent: bigint): bigint {
  return status === 'complete' ? sent - msatoshi : 0n;
}

const HOP_ID = '"id":"';
/** " → " in UTF-8 bytes. */
const ARROW = utf8Bytes(' → ');

/**
 * "atlas → carol → bob" (in bytes): the route's nodes (ours left out) by name (CsvNames.hop), from the stored route's
 * text. `known`: a node already named (the destination), told by its id without a look-up.
 */
export function routeBytes(stored: string, names: CsvNames, known?: Pick<Destination, 'id' | 'hop'>): ByteText {
  const lookUp = names.any;
  let text = '';
  // Each hop's id is the 66 hex characters after `"id":"` (routes are stored by routeToJson, ids checked hex).
  for (let at = stored.indexOf(HOP_ID); at !== -1; at = stored.indexOf(HOP_ID, at + 72)) {
    const end = stored.indexOf('"', at + 6);
    const id = stored.slice(at + 6, end);
    const name = !lookUp ? id : id === known?.id ? known.hop : names.hop(id);
    text += text === '' ? name : `${ARROW}${name}`;
  }
  return asBytes(text);
}

/** Millisatoshi as sat, exact: "700000", "0.001", "12.345" (from the digits: no bigint division per cell). */
export function sat(msat: bigint): string {
  return satDigits(`${msat}`);
}

/** sat of millisatoshi written in decimal digits. */
function satDigits(digits: string): string {
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
