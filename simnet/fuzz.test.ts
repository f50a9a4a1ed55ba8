import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LND_PROTO_DIR } from './grpc/protos';
import { Rng } from './model/rng';
import { Simnet } from './simnet';
import { CHANNEL_OPTIONS, TestLnd } from './test/client';

const SERVICES = ['lnrpc.Lightning', 'routerrpc.Router', 'lnrpc.State', 'verrpc.Versioner'];
const CASES_PER_METHOD = 12;

/** Random values by field type, biased towards the edges LND's handlers must refuse cleanly. */
function randomValue(field: protobuf.Field, rng: Rng, depth: number): unknown {
  const pick = <T>(xs: T[]) => rng.pick(xs);
  switch (field.type) {
    case 'string':
      return pick(['', 'zz', '00', 'lnbcrt1invalid', '02'.padEnd(66, 'f'), 'x'.repeat(rng.int(0, 300))]);
    case 'bytes':
      return Buffer.from(Array.from({ length: pick([0, 1, 31, 32, 33, 64, rng.int(0, 100)]) }, () => rng.int(0, 255)));
    case 'bool':
      return rng.next() < 0.5;
    case 'double':
    case 'float':
      return pick([0, -1, 1.5, 1e300, Number.NaN]);
    case 'int32':
    case 'sint32':
      return pick([0, -1, 1, 2 ** 31 - 1, -(2 ** 31), rng.int(0, 1000)]);
    case 'uint32':
    case 'fixed32':
      return pick([0, 1, 2 ** 32 - 1, rng.int(0, 1000)]);
    case 'int64':
    case 'sint64':
      return pick(['0', '-1', '9223372036854775807', '-9223372036854775808', String(rng.int(0, 1e9))]);
    case 'uint64':
    case 'fixed64':
      return pick(['0', '1', '18446744073709551615', '957349876567244801', String(rng.int(0, 1e9))]);
    default: {
      const resolved = field.resolvedType;
      if (resolved instanceof protobuf.Enum) return pick([...Object.values(resolved.values), 12345]);
      if (resolved instanceof protobuf.Type) return depth > 3 ? undefined : randomMessage(resolved, rng, depth + 1);
      return undefined;
    }
  }
}

function randomMessage(type: protobuf.Type, rng: Rng, depth = 0): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (rng.next() < 0.3) continue;
    if (field.map) continue;
    message[field.name] = field.repeated
      ? Array.from({ length: rng.int(0, 3) }, () => randomValue(field, rng, depth))
      : randomValue(field, rng, depth);
  }
  return message;
}

describe('every RPC survives fuzzed requests', () => {
  let simnet: Simnet;
  let client: grpc.Client;
  let lnd: TestLnd;
  let root: protobuf.Root;

  beforeAll(async () => {
    simnet = await Simnet.start({ seed: 5, mppTimeoutMs: 500, blockIntervalMs: 0 });
    const { alice } = simnet.nodes;
    const creds = grpc.credentials.combineChannelCredentials(
      grpc.credentials.createSsl(Buffer.from(alice.cert)),
      grpc.credentials.createFromMetadataGenerator((_p, cb) => {
        const md = new grpc.Metadata();
        md.add('macaroon', alice.macaroon);
        cb(null, md);
      }),
    );
    client = new grpc.Client(alice.grpc, creds, CHANNEL_OPTIONS);
    lnd = new TestLnd(alice);
    root = new protobuf.Root();
    root.resolvePath = (_origin, target) => `${LND_PROTO_DIR}/${target.replace(/^.*\//, '')}`;
    root.loadSync(['lightning.proto', 'router.proto', 'stateservice.proto', 'verrpc.proto'], { keepCase: true });
    root.resolveAll();
  });
  afterAll(async () => {
    client?.close();
    lnd?.close();
    await simnet?.stop();
  });

  const call = (path: string, stream: boolean, body: Buffer) =>
    new Promise<string>((resolve) => {
      const id = (b: Buffer) => b;
      const deadline = Date.now() + 5000;
      if (!stream) {
        client.makeUnaryRequest(path, id, id, body, new grpc.Metadata(), { deadline }, (error) =>
          resolve(error ? `error ${error.code}` : 'ok'),
        );
        return;
      }
      const call = client.makeServerStreamRequest(path, id, id, body, new grpc.Metadata(), { deadline });
      // Streams that stay open (subscriptions) are closed by the client after a moment.
      const timer = setTimeout(() => call.cancel(), 150);
      call.on('data', () => {});
      call.on('error', (e: grpc.ServiceError) => {
        clearTimeout(timer);
        resolve(e.code === grpc.status.CANCELLED ? 'open' : `error ${e.code}`);
      });
      call.on('end', () => {
        clearTimeout(timer);
        resolve('ended');
      });
    });

  for (const serviceName of SERVICES) {
    it(`${serviceName}: garbage bytes and random messages get answers, and the node keeps serving`, async () => {
      const service = root.lookupService(serviceName);
      const rng = new Rng(serviceName.length * 7919);
      const outcomes: Record<string, number> = {};
      for (const method of service.methodsArray) {
        if (method.requestStream) continue;
        const path = `/${serviceName}/${method.name}`;
        const type = root.lookupType(method.requestType);
        const bodies = [Buffer.from(Array.from({ length: 40 }, () => rng.int(0, 255)))];
        for (let i = 0; i < CASES_PER_METHOD; i++) {
          const message = type.fromObject(randomMessage(type, rng));
          bodies.push(Buffer.from(type.encode(message).finish()));
        }
        for (const body of bodies) {
          const outcome = await call(path, Boolean(method.responseStream), body);
          // A hung unary call would come back as DEADLINE_EXCEEDED (4).
          expect(outcome, `${path} hung`).not.toBe('error 4');
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        }
        const info = await lnd.call<{ alias: string }>('Lightning', 'GetInfo');
        expect(info.alias).toBe('alice');
      }
      expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    }, 120_000);
  }
});
