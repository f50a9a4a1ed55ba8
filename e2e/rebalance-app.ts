import { addRebalanceChannels } from '../simnet/topology/rebalance';
import { closeSuite, openSuite, type Suite } from './browser';
import { buildRenderer, type Stack, startStack } from './stack';

// The rebalance suites' app: the in-process browser harness on simnet's small network with alice's two nearly empty
// channels (simnet/topology/rebalance.ts), open in headless Chromium (openSuite: what started is closed on a failure).

export interface RebalanceApp extends Suite<Stack> {
  /** The harness, by the name the rebalance suites use. */
  stack: Stack;
}

export async function openRebalanceApp(): Promise<RebalanceApp> {
  const rendererDir = await buildRenderer();
  const suite = await openSuite(
    startStack({ rendererDir }).then((stack) => {
      addRebalanceChannels(stack.simnet.sim, 1);
      return stack;
    }),
  );
  return { ...suite, stack: suite.harness };
}

export function closeRebalanceApp(r: RebalanceApp | undefined): Promise<void> {
  return closeSuite(r);
}

/** Alice's side of each of her channels, msat, by the network's channel id, as the network holds it. */
export function ownBalances(stack: Stack): Map<bigint, bigint> {
  const net = stack.simnet.sim.net;
  const alice = net.nodeByAlias('alice')?.index;
  return new Map(
    net.channels
      .filter((c) => c.node1 === alice || c.node2 === alice)
      .map((c) => [c.id, c.node1 === alice ? c.balance[0] : c.balance[1]]),
  );
}
