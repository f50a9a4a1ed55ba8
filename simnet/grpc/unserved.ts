import * as grpc from '@grpc/grpc-js';
import { RpcError, toServiceError } from './errors';

/**
 * What LND answers for what it does not serve. grpc-go writes `unknown service X` for a service that was not
 * compiled in (a sub-server without its build tag) and `unknown method M for service X` for a method the
 * running version lacks, both with code UNIMPLEMENTED; client libraries read these texts to say "unsupported".
 * Once the wallet is unlocked, the WalletUnlocker service answers every call with LND's ErrWalletUnlocked.
 */
export function unknownMethod(method: string, service: string): RpcError {
  return new RpcError(grpc.status.UNIMPLEMENTED, `unknown method ${method} for service ${service}`);
}

export function refusalFor(service: string): RpcError {
  if (service === 'lnrpc.WalletUnlocker') {
    return new RpcError(grpc.status.UNKNOWN, 'wallet already unlocked, WalletUnlocker service is no longer available');
  }
  return new RpcError(grpc.status.UNIMPLEMENTED, `unknown service ${service}`);
}

/** A handler of the method's shape (unary or stream) that answers with `error`. */
export function refuse(method: grpc.MethodDefinition<unknown, unknown>, error: RpcError) {
  if (method.requestStream) {
    // Client- and bidi-streaming calls: fail at once, whatever the client sends.
    return (call: grpc.ServerDuplexStream<unknown, unknown>) => call.emit('error', toServiceError(error));
  }
  if (method.responseStream) {
    return (call: grpc.ServerWritableStream<unknown, unknown>) => call.emit('error', toServiceError(error));
  }
  return (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) =>
    callback(toServiceError(error));
}

/** Every method of a service refused with the same error. */
export function refuseService(service: grpc.ServiceDefinition, error: RpcError): grpc.UntypedServiceImplementation {
  const impl: grpc.UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(service)) impl[name] = refuse(method, error);
  return impl;
}
