import { toFailureCode } from '../../../shared/failures.ts';
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

// exportpayments' JSON: each payment written straight from the ledger's rows as read (export-reader.ts), with no
// Payment or part object in between. export.ts writes the file around it (`{"payments":[`, the lines, `]}`). Loaded
// by the export worker too (export-worker.ts): its imports are named with their .ts extension.
//
// Each payment is what `toJson({ ...payment, partialpayments: parts })` writes for the API's Payment and
// PartialPayment objects (ledger/rows.ts paymentOf, partOf): the same members in the same order, absent members left
// out, bigints as their digits. ledger.test.ts checks the two agree, byte for byte.
//
// The text is made as its UTF-8 bytes (export-bytes.ts): what the ledger checks (hashes, ids, preimages, routes:
// hex and digits; statuses; failure codes, a closed set) is ASCII and goes in as it is; the free text (description,
// bolt11, failure message, erring node and channel) goes through utf8Bytes once JSON.stringify has quoted it.

/**
 * Writes a payment's JSON after a line end (and a comma before all but the first it writes), unless `search` leaves
 * it out (`names`: for the search only).
 */
export function jsonWriter(names: NodeNames, search: string | undefined): RecordWriter {
  const matches = searchFor(search, names);
  let first = true;
  return (out, { payment, parts }) => {
    if (!matches(payment[P.hash], payment[P.destination], payment[P.description])) return undefined;
    out.write(asBytes(`${first ? '' : ','}\n${paymentJson(payment, parts)}`));
    first = false;
    return parts.length;
  };
}

/** A payment's JSON with its parts as `partialpayments`. */
function paymentJson(p: RawPaymentRow, parts: RawPartRow[]): ByteText {
  let sent = 0n;
  let pending = 0;
  let complete = 0;
  let failed = 0;
  for (const part of parts) {
    const status = part[Q.status];
    if (status === 'failed') failed += 1;
    else {
      sent += part[Q.sent];
      if (status === 'complete') complete += 1;
      else pending += 1;
    }
  }
  const status = p[P.status];
  const preimage = status === 'complete' ? p[P.preimage] : null;
  // Written once, used again by each part: the payment hash, and normally the destination and preimage too.
  const same: Same = {
    hash: JSON.stringify(p[P.hash]),
    destination: p[P.destination],
    destinationJson: JSON.stringify(p[P.destination]),
    preimage,
    preimageJson: preimage === null ? '' : JSON.stringify(preimage),
  };
  let json =
    `{"payment_hash":${same.hash},"status":${jsonStatus(status)},"msatoshi":${p[P.msatoshi]},` +
    `"msatoshi_sent":${sent},"destination":${same.destinationJson}`;
  const description = p[P.description];
  if (description !== null) json += `,"description":${utf8Bytes(JSON.stringify(description))}`;
  const bolt11 = p[P.bolt11];
  if (bolt11 !== null) json += `,"bolt11":${utf8Bytes(JSON.stringify(bolt11))}`;
  json += `,"created_at":${p[P.created]}`;
  const completed = p[P.completed];
  if (completed !== null) json += `,"completed_at":${completed}`;
  if (preimage !== null) json += `,"payment_preimage":${same.preimageJson}`;
  json += `,"parts":{"pending":${pending},"complete":${complete},"failed":${failed}},"partialpayments":[`;
  for (let i = 0; i < parts.length; i++) json += `${i === 0 ? '' : ','}${partJson(parts[i] as RawPartRow, same)}`;
  return asBytes(`${json}]}`);
}

/** What a payment's parts normally share with it, as JSON text made once. */
interface Same {
  hash: string;
  destination: string;
  destinationJson: string;
  preimage: string | null;
  preimageJson: string;
}

function partJson(part: RawPartRow, same: Same): string {
  const destination = part[Q.destination];
  const status = part[Q.status];
  let json =
    `{"id":${part[Q.id]},"payment_hash":${same.hash},"status":${jsonStatus(status)},` +
    `"msatoshi":${part[Q.msatoshi]},"msatoshi_sent":${part[Q.sent]},` +
    `"destination":${destination === same.destination ? same.destinationJson : JSON.stringify(destination)},` +
    `"route":${routeJson(part[Q.route])},"created_at":${part[Q.created]}`;
  const completed = part[Q.completed];
  if (completed !== null) json += `,"completed_at":${completed}`;
  const preimage = part[Q.preimage];
  if (status === 'complete' && preimage !== null) {
    json += `,"payment_preimage":${preimage === same.preimage ? same.preimageJson : JSON.stringify(preimage)}`;
  }
  if (status === 'failed') {
    json +=
      `,"failure":{"code":${JSON.stringify(toFailureCode(part[Q.failureCode]))},` +
      `"message":${utf8Bytes(JSON.stringify(part[Q.failureMessage] ?? ''))}`;
    const erringIndex = part[Q.erringIndex];
    if (erringIndex !== null) json += `,"erring_index":${erringIndex}`;
    const erringNode = part[Q.erringNode];
    if (erringNode !== null) json += `,"erring_node":${utf8Bytes(JSON.stringify(erringNode))}`;
    const erringChannel = part[Q.erringChannel];
    if (erringChannel !== null) json += `,"erring_channel":${utf8Bytes(JSON.stringify(erringChannel))}`;
    json += '}';
  }
  return `${json}}`;
}

/**
 * The stored route (routeToJson) as the export writes it: the same JSON with each hop's msatoshi a JSON number
 * rather than a decimal string, exactly what toJson(routeFromJson(text)) writes, without parsing the route and
 * writing it again. One replace is exact: the stored text is only ever written by routeToJson, whose hop ids and
 * channels are checked hex and digits (checkRoute), so `"msatoshi":"` occurs nowhere but at the hops' amounts.
 */
export function routeJson(stored: string): string {
  return stored.replace(QUOTED_MSATOSHI, '"msatoshi":$1');
}
const QUOTED_MSATOSHI = /"msatoshi":"(\d+)"/g;

const STATUS_JSON: Readonly<Record<string, string>> = {
  pending: '"pending"',
  complete: '"complete"',
  failed: '"failed"',
};

function jsonStatus(status: string): string {
  return STATUS_JSON[status] ?? JSON.stringify(status);
}
