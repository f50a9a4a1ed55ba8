import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/**
 * LND's own current .proto files, as the npm package `lightning` ships them (LND 0.21). They are loaded from there,
 * never copied: simnet must speak exactly the messages a real LND speaks.
 */
export const LND_PROTO_DIR = join(
  dirname(createRequire(import.meta.url).resolve('lightning/package.json')),
  'grpc',
  'protos',
);

/** Decoding as LND's clients should: 64-bit integers as strings, so that channel ids above 2^53 stay exact. */
export const PROTO_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [LND_PROTO_DIR],
};

/** Every gRPC service a full LND build can serve, by proto file. simnet serves some and refuses the rest as LND would. */
export const LND_PROTO_FILES = [
  'lightning.proto',
  'router.proto',
  'stateservice.proto',
  'verrpc.proto',
  'invoices.proto',
  'walletunlocker.proto',
  'walletkit.proto',
  'signer.proto',
  'chainnotifier.proto',
  'chainkit.proto',
  'autopilot.proto',
  'peers.proto',
  'watchtower.proto',
  'wtclient.proto',
];

interface Services {
  Lightning: grpc.ServiceDefinition;
  Router: grpc.ServiceDefinition;
  State: grpc.ServiceDefinition;
  Versioner: grpc.ServiceDefinition;
  Invoices: grpc.ServiceDefinition;
  /** Every service of LND's protos by its full name (`walletrpc.WalletKit`), served or not. */
  all: Map<string, grpc.ServiceDefinition>;
}

let cached: Services | undefined;

export function lndServices(): Services {
  if (cached) return cached;
  const definition = protoLoader.loadSync(LND_PROTO_FILES, PROTO_OPTIONS);
  const all = new Map<string, grpc.ServiceDefinition>();
  for (const [name, value] of Object.entries(grpc.loadPackageDefinition(definition))) {
    if (typeof value !== 'object' || value === null) continue;
    for (const [service, ctor] of Object.entries(value as Record<string, unknown>)) {
      const def = (ctor as { service?: grpc.ServiceDefinition }).service;
      if (typeof ctor === 'function' && def) all.set(`${name}.${service}`, def);
    }
  }
  const get = (name: string) => {
    const def = all.get(name);
    if (!def) throw new Error(`LND's protos have no service ${name}`);
    return def;
  };
  cached = {
    Lightning: get('lnrpc.Lightning'),
    Router: get('routerrpc.Router'),
    State: get('lnrpc.State'),
    Versioner: get('verrpc.Versioner'),
    Invoices: get('invoicesrpc.Invoices'),
    all,
  };
  return cached;
}
