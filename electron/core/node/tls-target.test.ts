import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simnet } from '../../../simnet/simnet';
import { LndNode, NodeConnectError } from './lnd';
import { tlsTargetOptions } from './tls-target';

// grpc-js would send an IP address as the TLS server name (Node's DEP0123 warning); tls-target.ts names the server
// by the pinned certificate's DNS name instead, after checking that the certificate lists the address.

describe('TLS server name of an LND reached by IP address', () => {
  let simnet: Simnet;
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);

  beforeAll(async () => {
    process.on('warning', onWarning);
    simnet = await Simnet.start({ seed: 3, blockIntervalMs: 0, hopDelayMs: { min: 0, max: 0 } });
  });

  afterAll(async () => {
    process.off('warning', onWarning);
    await simnet?.stop();
  });

  it('overrides the name only for an IP target whose pinned certificate lists it', () => {
    const { grpc, cert } = simnet.nodes.alice;
    const port = grpc.split(':').at(-1);
    expect(grpc.startsWith('127.0.0.1:')).toBe(true);
    expect(tlsTargetOptions(grpc, cert)).toEqual({ 'grpc.ssl_target_name_override': 'localhost' });
    expect(tlsTargetOptions(`[::1]:${port}`, cert)).toEqual({ 'grpc.ssl_target_name_override': 'localhost' });
    expect(tlsTargetOptions(`localhost:${port}`, cert)).toEqual({});
    expect(tlsTargetOptions(grpc, undefined)).toEqual({});
    expect(() => tlsTargetOptions(`10.1.2.3:${port}`, cert)).toThrow(/IP: 10\.1\.2\.3 is not in the cert's list/);
  });

  it('connects to 127.0.0.1 with no DEP0123 warning, and calls work', async () => {
    const { grpc, cert, macaroon, pubkey } = simnet.nodes.alice;
    const node = new LndNode({ kind: 'lnd', host: grpc, cert, macaroon });
    try {
      await node.connect();
      expect((await node.getInfo()).id).toBe(pubkey);
    } finally {
      await node.disconnect();
    }
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(warnings.map((w) => `${(w as Error & { code?: string }).code}: ${w.message}`)).toEqual([]);
  });

  it('refuses an address the certificate does not list, as a certificate error', async () => {
    const { grpc, cert, macaroon } = simnet.nodes.alice;
    const port = grpc.split(':').at(-1);
    // 127.0.0.2 reaches the same loopback listener only where the OS routes 127/8; the check comes first anyway.
    const node = new LndNode({ kind: 'lnd', host: `127.0.0.2:${port}`, cert, macaroon });
    const error = await node.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    await node.disconnect();
    expect(error).toBeInstanceOf(NodeConnectError);
    expect(error).toMatchObject({ reason: 'certificate', message: expect.stringContaining('not valid for 127.0.0.2') });
  });
});
