// Error codes of Braid's API (docs/commands.md "Error codes"), the same on every transport.

export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  /** In progress: sendpay on a pending payment, a part that would overpay, a wait that timed out. */
  InProgress: 200,
  /** The destination or the payment secret differs from the payment's. */
  Mismatch: 201,
  /** The receiver refused the payment for good (unknown or paid, wrong amount, expired): no re-route helps. */
  DestinationRefused: 203,
  NotFound: 208,
  /** pay found no way to deliver the rest (data: the Payment, still open); in manual mode, its parts ran out. */
  PayGaveUp: 210,
  /** pay was stopped by stoppay (data: the Payment; parts in flight resolve as the network decides). */
  PayStopped: 212,
  /** An export was cancelled (cancelexport): no file was written. */
  ExportCancelled: 220,
  /** The node is not connected, or an internal error. */
  Internal: -1,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An answer that is an error: the message names the field and the value at fault. Nothing was changed. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const invalidParam = (field: string, value: unknown, why: string) =>
  new ApiError(ErrorCode.InvalidParams, `${field}: ${why} (got ${describe(value)})`);

function describe(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  try {
    const text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 80)}…` : text;
  } catch {
    return String(value);
  }
}
