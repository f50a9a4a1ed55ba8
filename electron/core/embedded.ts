// biome-ignore lint/style/noRestrictedImports: the one place the core starts simnet (the embedded network).
import { Simnet } from '../../simnet/simnet';
import type { Merchant } from './commands/context';
import { LndNode } from './node/lnd';

export interface EmbeddedNetwork {
  /** The wallet's node, alice, reached over gRPC with TLS and a macaroon like any LND. */
  wallet: LndNode;
  /** The simulated merchants, for `testinvoice`. */
  merchants: Record<string, Merchant>;
  lndconnect: string;
  stop(): Promise<void>;
}

/**
 * With no node configured the wallet runs on simnet's small network, as its node `alice`, through the same
 * lnd-grpc path as a real LND. Everything that shows this node says it is simulated.
 */
export async function startEmbeddedNetwork(seed = 1): Promise<EmbeddedNetwork> {
  const simnet = await Simnet.start({ seed, hopDelayMs: { min: 20, max: 80 } });
  const wallet = new LndNode({ kind: 'lndconnect', uri: simnet.nodes.alice.lndconnect }, { simulated: true });
  const merchantNodes = (['bob', 'carol', 'dave'] as const).map(
    (name) =>
      [name, new LndNode({ kind: 'lndconnect', uri: simnet.nodes[name].lndconnect }, { simulated: true })] as const,
  );
  const merchants: Record<string, Merchant> = {};
  for (const [name, node] of merchantNodes) {
    // Connected on first use (most sessions never ask for a test invoice), once: concurrent first uses share the
    // one connection attempt (a second connect() would supersede the first and fail its callers).
    let connecting: Promise<void> | undefined;
    const connected = () => {
      if (node.state === 'connected') return Promise.resolve();
      connecting ??= node.connect().finally(() => {
        connecting = undefined;
      });
      return connecting;
    };
    merchants[name] = {
      addInvoice: async (msat, memo) => {
        await connected();
        return (await node.addInvoice(msat, memo)).bolt11;
      },
    };
  }
  return {
    wallet,
    merchants,
    lndconnect: simnet.nodes.alice.lndconnect,
    stop: async () => {
      await Promise.all(merchantNodes.map(([, node]) => node.disconnect()));
      await simnet.stop();
    },
  };
}
