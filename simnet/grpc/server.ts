import * as grpc from '@grpc/grpc-js';
import { checkMacaroon } from '../crypto/macaroon';
import type { Handlers, NodeContext, Stream, StreamHandler, UnaryHandler } from './context';
import { toServiceError } from './errors';
import { invoicesHandlers } from './invoicesrpc';
import { lightningHandlers } from './lightning';
import { lndServices } from './protos';
import { routerHandlers } from './router';
import { stateHandlers, versionerHandlers } from './state';
import { refusalFor, refuse, refuseService, unknownMethod } from './unserved';

export interface ServerCredentials {
  certPem: string;
  keyPem: string;
  macaroonHex: string;
}

/** Live server-streaming calls, so that a restart can end them as a real LND's shutdown would. */
type Live = Set<grpc.ServerWritableStream<unknown, unknown>>;

function authorize(metadata: grpc.Metadata, macaroonHex: string): void {
  const values = metadata.get('macaroon');
  if (values.length !== 1) throw new Error(`expected 1 macaroon, got ${values.length}`);
  const value = String(values[0]);
  if (!/^[0-9a-fA-F]+$/.test(value)) throw new Error('unable to decode macaroon: encoding/hex: invalid byte');
  if (!checkMacaroon(value, macaroonHex)) {
    throw new Error('verification failed: signature mismatch after caveat verification');
  }
}

function implement(
  service: grpc.ServiceDefinition,
  handlers: Handlers,
  macaroonHex: string | undefined,
  live: Live,
  serviceName: string,
) {
  const impl: grpc.UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(service)) {
    const handler = handlers[name];
    if (!handler) {
      impl[name] = refuse(method, unknownMethod(name, serviceName));
      continue;
    }
    if (method.responseStream) {
      const run = (handler as { stream: StreamHandler }).stream;
      impl[name] = (call: grpc.ServerWritableStream<unknown, unknown>) => {
        live.add(call);
        const closers: (() => void)[] = [];
        let closed = false;
        const close = () => {
          if (closed) return;
          closed = true;
          live.delete(call);
          for (const closer of closers) closer();
        };
        call.on('cancelled', close);
        call.on('close', close);
        call.on('error', close);
        const stream: Stream = {
          write: (message) => {
            if (!closed) call.write(message);
          },
          end: () => {
            if (!closed) call.end();
            close();
          },
          onClose: (listener) => {
            if (closed) listener();
            else closers.push(listener);
          },
          get closed() {
            return closed;
          },
        };
        (async () => {
          if (macaroonHex) authorize(call.metadata, macaroonHex);
          await run(call.request as never, stream);
        })().catch((error) => {
          if (!closed) call.emit('error', toServiceError(error));
          close();
        });
      };
    } else {
      const run = handler as UnaryHandler;
      impl[name] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        (async () => {
          if (macaroonHex) authorize(call.metadata, macaroonHex);
          return run(call.request as never);
        })().then(
          (response) => callback(null, response),
          (error) => callback(toServiceError(error)),
        );
      };
    }
  }
  return impl;
}

/**
 * One node's gRPC endpoint: TLS with the node's own certificate, the admin macaroon checked on every call but the
 * State service's (LND serves it before the wallet is unlocked, without a macaroon).
 */
export class NodeServer {
  private server: grpc.Server | undefined;
  private readonly live: Live = new Set();
  port = 0;

  constructor(
    private readonly ctx: NodeContext,
    private readonly credentials: ServerCredentials,
    private readonly host = '127.0.0.1',
  ) {}

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  async start(port = this.port): Promise<void> {
    const services = lndServices();
    const server = new grpc.Server({ 'grpc.max_send_message_length': 256 * 1024 * 1024 });
    const mac = this.credentials.macaroonHex;
    const served: Record<string, [Handlers, string | undefined]> = {
      'lnrpc.Lightning': [lightningHandlers(this.ctx), mac],
      'routerrpc.Router': [routerHandlers(this.ctx), mac],
      'invoicesrpc.Invoices': [invoicesHandlers(this.ctx), mac],
      'verrpc.Versioner': [versionerHandlers(), mac],
      'lnrpc.State': [stateHandlers(), undefined],
    };
    for (const [name, definition] of services.all) {
      const entry = served[name];
      server.addService(
        definition,
        entry
          ? implement(definition, entry[0], entry[1], this.live, name)
          : refuseService(definition, refusalFor(name)),
      );
    }
    const creds = grpc.ServerCredentials.createSsl(
      null,
      [{ cert_chain: Buffer.from(this.credentials.certPem), private_key: Buffer.from(this.credentials.keyPem) }],
      false,
    );
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${this.host}:${port}`, creds, (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    this.server = server;
  }

  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    for (const call of [...this.live]) call.emit('error', { code: 14, details: 'server shutting down' });
    this.live.clear();
    // Like a node going down: calls in progress (a SendToRouteV2 waiting on its HTLC) are cut, not awaited.
    server.forceShutdown();
    return Promise.resolve();
  }
}
