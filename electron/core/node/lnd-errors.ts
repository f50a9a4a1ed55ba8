import { type ServiceError, status } from '@grpc/grpc-js';
import { NodeConfigError } from './config';
import { NodeRefusal, NodeUnavailable } from './types';

// Error classification: what a failed connection attempt or call means, in words for the UI and as the interface
// reports it.

export type NodeConnectReason = 'unreachable' | 'certificate' | 'macaroon' | 'locked' | 'other';

/** Why a connection to LND could not be made, in words for the UI. */
export class NodeConnectError extends Error {
  constructor(
    readonly reason: NodeConnectReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NodeConnectError';
  }
}

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'details' in error;
}

const CERTIFICATE_TEXT =
  /certificate|self[- ]signed|altnames|issuer|handshake|\bSSL\b|\bTLS\b|ERR_SSL|wrong version number/i;
const MACAROON_TEXT = /macaroon|verification failed|permission denied|signature mismatch/i;
const LOCKED_TEXT = /wallet locked|unlock it|waiting to start|RPC services not available/i;
const UNREACHABLE_TEXT = /EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ECONNRESET|EPIPE|No connection established|socket/i;

/** grpc-js wraps the cause: "No connection established. Last error: Error: <cause>. Resolution note: ". */
function cause(text: string): string {
  const match = /Last error: (?:Error: )?(.*?)\.?(?: Resolution note:.*)?$/s.exec(text);
  return (match?.[1] ?? text).trim();
}

/** Turns whatever a connection attempt threw into a NodeConnectError naming the cause, in words for the UI. */
export function toConnectError(error: unknown, host: string): NodeConnectError {
  if (error instanceof NodeConnectError) return error;
  if (error instanceof NodeConfigError) {
    const reason = error.field === 'cert' ? 'certificate' : error.field === 'macaroon' ? 'macaroon' : 'other';
    return new NodeConnectError(reason, error.message, { cause: error });
  }
  const raw = isServiceError(error)
    ? error.details || error.message
    : error instanceof Error
      ? error.message
      : String(error);
  const text = cause(raw);
  const code = isServiceError(error) ? error.code : undefined;
  const fail = (reason: NodeConnectReason, message: string) => new NodeConnectError(reason, message, { cause: error });
  if (MACAROON_TEXT.test(text) && code !== status.UNAVAILABLE) {
    return fail('macaroon', `LND at ${host} refused the macaroon (${text})`);
  }
  if (LOCKED_TEXT.test(text)) return fail('locked', `the wallet of LND at ${host} is locked (${text})`);
  if (/altnames/i.test(text)) {
    return fail(
      'certificate',
      `the TLS certificate of LND is not valid for ${host}: connect by a name or address it lists, or add this one ` +
        `to LND (tlsextraip / tlsextradomain) and renew its certificate (${text})`,
    );
  }
  if (CERTIFICATE_TEXT.test(text)) {
    return fail('certificate', `TLS handshake with ${host} failed: is this LND's tls.cert? (${text})`);
  }
  if (/ECONNREFUSED/.test(text)) {
    return fail(
      'unreachable',
      `cannot reach LND at ${host}: connection refused (is LND running, is the port its gRPC port?)`,
    );
  }
  if (/ENOTFOUND|EAI_AGAIN|Name resolution failed|not accessible/i.test(text)) {
    return fail('unreachable', `cannot reach LND at ${host}: host name not found (${text})`);
  }
  if (code === status.DEADLINE_EXCEEDED || /deadline|timeout|timed out/i.test(text)) {
    return fail('unreachable', `cannot reach LND at ${host}: no answer in time (${text})`);
  }
  if (code === status.UNAVAILABLE || UNREACHABLE_TEXT.test(text)) {
    return fail('unreachable', `cannot reach LND at ${host} (${text})`);
  }
  return fail('other', `cannot connect to LND at ${host} (${text})`);
}

/** A status that says the connection failed rather than LND answered. */
function isTransportFailure(error: ServiceError): boolean {
  switch (error.code) {
    case status.UNAVAILABLE:
    case status.CANCELLED:
    case status.DEADLINE_EXCEEDED:
      return true;
    case status.INTERNAL:
      // grpc-js's own words for a stream cut by the transport; LND's INTERNAL answers are not like these.
      return /RST_STREAM|Protocol error|Connection dropped|connection closed|stream closed|Received HTTP status/i.test(
        error.details,
      );
    default:
      return false;
  }
}

/** A gRPC failure as the interface reports it: LND's answer (NodeRefusal) or a cut connection (NodeUnavailable). */
export function toCallError(error: unknown, host: string): Error {
  if (!isServiceError(error)) return error instanceof Error ? error : new Error(String(error));
  if (isTransportFailure(error)) {
    return new NodeUnavailable(`connection to LND at ${host} failed: ${error.details || error.message}`);
  }
  return new NodeRefusal(error.details || error.message, error.code);
}
