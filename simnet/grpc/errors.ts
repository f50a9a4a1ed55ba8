import * as grpc from '@grpc/grpc-js';
import { PaymentError } from '../model/payments';

/** An error with the gRPC status code LND would answer with. */
export class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

/** LND answers a plain Go error as UNKNOWN with its text; mapped sentinel errors carry their own code. */
export function toServiceError(error: unknown): Partial<grpc.ServiceError> & { code: grpc.status; details: string } {
  if (error instanceof RpcError || error instanceof PaymentError) {
    const code = error instanceof RpcError ? error.code : (error.grpcCode as grpc.status);
    return { code, details: error.message, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: grpc.status.UNKNOWN, details: message, message };
}
