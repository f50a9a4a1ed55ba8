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

interface Services {
  Lightning: grpc.ServiceDefinition;
  Router: grpc.ServiceDefinition;
  State: grpc.ServiceDefinition;
  Versioner: grpc.ServiceDefinition;
}

let cached: Services | undefined;

export function lndServices(): Services {
  if (cached) return cached;
  const definition = protoLoader.loadSync(
    ['lightning.proto', 'router.proto', 'stateservice.proto', 'verrpc.proto'],
    PROTO_OPTIONS,
  );
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    lnrpc: { Lightning: { service: grpc.ServiceDefinition }; State: { service: grpc.ServiceDefinition } };
    routerrpc: { Router: { service: grpc.ServiceDefinition } };
    verrpc: { Versioner: { service: grpc.ServiceDefinition } };
  };
  cached = {
    Lightning: loaded.lnrpc.Lightning.service,
    Router: loaded.routerrpc.Router.service,
    State: loaded.lnrpc.State.service,
    Versioner: loaded.verrpc.Versioner.service,
  };
  return cached;
}
