import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simnet } from '../../../simnet/simnet';
import { lndProtos } from './protos';
import { tlsTargetOptions } from './tls-target';

// lnd-grpc is CommonJS without types; this is the surface the test touches.
interface LndGrpcClient {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  state: string;
  services: {
    Lightning: {
      getInfo(req?: object): Promise<{ identity_pubkey: string; alias: string; version: string }>;
      listChannels(req?: object): Promise<{ channels: { chan_id: string }[] }>;
    };
  };
}
const LndGrpc = createRequire(import.meta.url)('lnd-grpc') as new (options: object) => LndGrpcClient;

// lnd-grpc itself, below our LndNode: it must reach simnet with LND's current protos both ways it is configured.
describe('lnd-grpc, the client the wallet uses, against simnet', () => {
  let simnet: Simnet;
  beforeAll(async () => {
    simnet = await Simnet.start({ seed: 3, blockIntervalMs: 0 });
  });
  afterAll(async () => {
    await simnet?.stop();
  });

  const check = async (client: LndGrpcClient) => {
    await client.connect();
    try {
      expect(client.state).toBe('active');
      const info = await client.services.Lightning.getInfo();
      expect(info.identity_pubkey).toBe(simnet.nodes.alice.pubkey);
      expect(info.alias).toBe('alice');
      expect(info.version).toMatch(/^0\.(1[89]|[2-9]\d)\.\d+-beta/);
      // Channel ids above 2^53 must arrive exactly: compare with the model's own.
      const { channels } = await client.services.Lightning.listChannels();
      const ids = [...simnet.sim.net.channelsOf(simnet.sim.lndByAlias('alice').node.index)].map((c) => c.channel.id);
      expect(channels.map((c) => c.chan_id).sort()).toEqual(ids.map(String).sort());
      expect(ids.every((id) => id > 2n ** 53n)).toBe(true);
    } finally {
      await client.disconnect();
    }
  };

  it('connects with an lndconnect URI', async () => {
    // As LndNode does: the TLS server named by the certificate's DNS name, not by the IP (no DEP0123).
    const connectionOptions = tlsTargetOptions(simnet.nodes.alice.grpc, simnet.nodes.alice.cert);
    await check(new LndGrpc({ lndconnectUri: simnet.nodes.alice.lndconnect, connectionOptions, ...lndProtos() }));
  });

  it('connects with host, certificate and macaroon', async () => {
    const { grpc, cert, macaroon } = simnet.nodes.alice;
    const connectionOptions = tlsTargetOptions(grpc, cert);
    await check(new LndGrpc({ host: grpc, cert, macaroon, connectionOptions, ...lndProtos() }));
  });
});
