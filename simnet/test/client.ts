import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_OPTIONS } from '../grpc/protos';

/** Where an LND (real or simulated) listens and how to authenticate to it. */
export interface LndTarget {
  grpc: string;
  cert: string;
  macaroon: string;
}

/** Reads an lndconnect URI (cert: base64url DER, macaroon: base64url bytes) as every lndconnect client does. */
export function targetFromLndconnect(uri: string): LndTarget {
  const url = new URL(uri.replace(/^lndconnect:/, 'http:'));
  const cert = url.searchParams.get('cert');
  const macaroon = url.searchParams.get('macaroon');
  if (!macaroon) throw new Error(`lndconnect URI has no macaroon: ${uri}`);
  const der = cert ? Buffer.from(cert, 'base64url').toString('base64') : '';
  const pem = der
    ? `-----BEGIN CERTIFICATE-----\n${der.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`
    : '';
  return { grpc: url.host, cert: pem, macaroon: Buffer.from(macaroon, 'base64url').toString('hex') };
}

type Service = 'Lightning' | 'Router' | 'State' | 'Versioner' | 'Invoices';
type Obj = Record<string, unknown>;

/**
 * TLS names the server `localhost`, which simnet's certificates (and LND's) list, rather than the 127.0.0.1 of the
 * target: grpc-js would send the IP as the SNI name, which Node refuses with a DEP0123 warning.
 */
export const CHANNEL_OPTIONS = { 'grpc.ssl_target_name_override': 'localhost' };

let definitions: Record<Service, grpc.ServiceClientConstructor> | undefined;

function clients(): Record<Service, grpc.ServiceClientConstructor> {
  if (definitions) return definitions;
  const pkg = grpc.loadPackageDefinition(
    protoLoader.loadSync(
      ['lightning.proto', 'router.proto', 'stateservice.proto', 'verrpc.proto', 'invoices.proto'],
      PROTO_OPTIONS,
    ),
  ) as unknown as {
    lnrpc: { Lightning: grpc.ServiceClientConstructor; State: grpc.ServiceClientConstructor };
    routerrpc: { Router: grpc.ServiceClientConstructor };
    verrpc: { Versioner: grpc.ServiceClientConstructor };
    invoicesrpc: { Invoices: grpc.ServiceClientConstructor };
  };
  definitions = {
    Lightning: pkg.lnrpc.Lightning,
    Router: pkg.routerrpc.Router,
    State: pkg.lnrpc.State,
    Versioner: pkg.verrpc.Versioner,
    Invoices: pkg.invoicesrpc.Invoices,
  };
  return definitions;
}

/** A plain grpc-js client of LND's protos, independent of the app's own LND client. */
export class TestLnd {
  private readonly stubs: Record<Service, grpc.Client & Record<string, unknown>>;

  constructor(readonly target: LndTarget) {
    const macaroon = target.macaroon;
    const callCreds = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
      const metadata = new grpc.Metadata();
      metadata.add('macaroon', macaroon);
      callback(null, metadata);
    });
    const creds = grpc.credentials.combineChannelCredentials(
      grpc.credentials.createSsl(Buffer.from(target.cert)),
      callCreds,
    );
    const ctors = clients();
    const make = (s: Service) =>
      new ctors[s](target.grpc, creds, CHANNEL_OPTIONS) as grpc.Client & Record<string, unknown>;
    this.stubs = {
      Lightning: make('Lightning'),
      Router: make('Router'),
      State: make('State'),
      Versioner: make('Versioner'),
      Invoices: make('Invoices'),
    };
  }

  call<T = Obj>(service: Service, method: string, request: Obj = {}, metadata = new grpc.Metadata()): Promise<T> {
    const stub = this.stubs[service];
    const fn = stub[method] as (req: Obj, md: grpc.Metadata, cb: (e: grpc.ServiceError | null, r: T) => void) => void;
    if (typeof fn !== 'function') throw new Error(`no method ${service}.${method}`);
    return new Promise((resolve, reject) => fn.call(stub, request, metadata, (e, r) => (e ? reject(e) : resolve(r))));
  }

  /** Opens a server stream and collects its messages; `done` settles when the server ends it. */
  stream<T = Obj>(service: Service, method: string, request: Obj = {}) {
    const stub = this.stubs[service];
    const fn = stub[method] as (req: Obj) => grpc.ClientReadableStream<T>;
    const call = fn.call(stub, request);
    const messages: T[] = [];
    const waiters: { count: number; resolve: () => void }[] = [];
    call.on('data', (m: T) => {
      messages.push(m);
      for (const w of waiters.filter((w) => messages.length >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
    const done = new Promise<{ code: number; details: string }>((resolve) => {
      call.on('error', (e: grpc.ServiceError) => resolve({ code: e.code, details: e.details }));
      call.on('end', () => resolve({ code: 0, details: '' }));
    });
    return {
      messages,
      done,
      /** Resolves once at least `count` messages have arrived. */
      until: (count: number) =>
        messages.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })),
      cancel: () => call.cancel(),
    };
  }

  close(): void {
    for (const stub of Object.values(this.stubs)) stub.close();
  }
}
