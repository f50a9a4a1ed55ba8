import { Simnet } from '../../simnet/simnet';

/** How the core reaches a node: the same fields whether the node is a real LND or the embedded simulation. */
export interface NodeConnection {
  host: string;
  cert: string;
  macaroon: string;
  lndconnect: string;
  /** True for the embedded simulated network: no real money moves. */
  simulated: boolean;
}

export interface EmbeddedNetwork {
  wallet: NodeConnection;
  stop(): Promise<void>;
}

/**
 * With no node configured the wallet runs on simnet's small network, as its node `alice`, reached over the same
 * gRPC path (TLS, macaroon) as a real LND.
 */
export async function startEmbeddedNetwork(seed = 1): Promise<EmbeddedNetwork> {
  const simnet = await Simnet.start({ seed, hopDelayMs: { min: 20, max: 80 } });
  const alice = simnet.nodes.alice;
  return {
    wallet: {
      host: alice.grpc,
      cert: alice.cert,
      macaroon: alice.macaroon,
      lndconnect: alice.lndconnect,
      simulated: true,
    },
    stop: () => simnet.stop(),
  };
}
