import { Simnet } from '../simnet';
import { type LndTarget, TestLnd, targetFromLndconnect } from './client';

/** The two nodes the LND-behaviour tests pay between: simnet's alice and bob, or two real LNDs. */
export interface Backend {
  kind: 'simnet' | 'lnd';
  alice: TestLnd;
  bob: TestLnd;
  /** Only on simnet: the model, for faults and for checks a real node cannot offer. */
  simnet?: Simnet;
  stop(): Promise<void>;
}

export const realLnd = (): { alice: LndTarget; bob: LndTarget } | undefined => {
  const alice = process.env.BRAID_LND_ALICE;
  const bob = process.env.BRAID_LND_BOB;
  if (!alice || !bob) return undefined;
  return { alice: targetFromLndconnect(alice), bob: targetFromLndconnect(bob) };
};

export async function simnetBackend(mppTimeoutMs = 1500): Promise<Backend> {
  const simnet = await Simnet.start({ seed: 7, hopDelayMs: { min: 0, max: 0 }, mppTimeoutMs, blockIntervalMs: 0 });
  const alice = new TestLnd(simnet.nodes.alice);
  const bob = new TestLnd(simnet.nodes.bob);
  return {
    kind: 'simnet',
    alice,
    bob,
    simnet,
    stop: async () => {
      alice.close();
      bob.close();
      await simnet.stop();
    },
  };
}

export function lndBackend(): Backend | undefined {
  const targets = realLnd();
  if (!targets) return undefined;
  const alice = new TestLnd(targets.alice);
  const bob = new TestLnd(targets.bob);
  return {
    kind: 'lnd',
    alice,
    bob,
    stop: async () => {
      alice.close();
      bob.close();
    },
  };
}
