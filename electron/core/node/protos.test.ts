import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSync } from '@grpc/proto-loader';
import { afterAll, describe, expect, it } from 'vitest';
import { LND_GRPC_PROTO_VERSION, layOutProtos, lightningProtoSource, lndProtos, PROTO_LAYOUT } from './protos';

describe('LND protos for lnd-grpc', () => {
  const dir = mkdtempSync(join(tmpdir(), 'braid-protos-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lays the lightning package protos out under 0.14.4-beta, once', () => {
    layOutProtos(dir);
    const source = lightningProtoSource();
    for (const [file, folder] of Object.entries(PROTO_LAYOUT)) {
      const path = join(dir, LND_GRPC_PROTO_VERSION, folder, file);
      expect(readFileSync(path).equals(readFileSync(join(source.dir, file))), file).toBe(true);
    }
    const router = join(dir, LND_GRPC_PROTO_VERSION, 'routerrpc', 'router.proto');
    const before = statSync(router).mtimeMs;
    layOutProtos(dir);
    expect(statSync(router).mtimeMs).toBe(before);
  });

  it('defaults to a temp folder named after the package version, and gives options keeping 64-bit ids exact', () => {
    const protos = lndProtos();
    expect(protos.protoDir).toBe(join(tmpdir(), `braid-lnd-protos-${lightningProtoSource().version}`));
    expect(existsSync(join(protos.protoDir, LND_GRPC_PROTO_VERSION, 'signrpc', 'signer.proto'))).toBe(true);
    expect(protos.grpcOptions).toMatchObject({
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    // router.proto and walletkit.proto import "lightning.proto" / "signer.proto" flat: they load with includeDirs.
    const file = (folder: string, name: string) => join(protos.protoDir, LND_GRPC_PROTO_VERSION, folder, name);
    const definition = loadSync([file('routerrpc', 'router.proto'), file('walletrpc', 'walletkit.proto')], {
      ...protos.grpcOptions,
    });
    expect(Object.keys(definition)).toContain('routerrpc.Router');
    const type = definition['lnrpc.Hop'];
    if (!type || !('type' in type)) throw new Error('no lnrpc.Hop');
  });

  it('uses a given protoDir as is, and says what it lacks', () => {
    expect(lndProtos({ protoDir: dir }).protoDir).toBe(dir);
    expect(() => lndProtos({ protoDir: join(dir, 'empty') })).toThrow(/lacks 0\.14\.4-beta\/lnrpc\/lightning\.proto/);
  });
});
