import { nodeKey } from '../crypto/keys';
import { shortChannelId } from '../model/network';
import type { Sim } from '../model/sim';
import type { Policy } from '../model/types';
import { fundingOutpoint } from './small';

/**
 * For rebalance tests on the small topology: two channels of alice's with almost all their balance on the peer's side,
 * so that alice has somewhere to move liquidity to. alice–carol (1,000,000 sat, 5% on alice's side) is reachable
 * the long way round, but no single path brings carol more than ~360k sat (harbor→carol; gale→carol, iris→carol and
 * bob→carol hold less on the way in), so a larger move takes several parts; alice–zed (500,000 sat, 5%) is not:
 * zed has no other channel, so no loop can come back over it.
 */
export function addRebalanceChannels(sim: Sim, seed: number): { carol: bigint; zed: bigint } {
  const { net } = sim;
  const alice = net.nodeByAlias('alice');
  const carol = net.nodeByAlias('carol');
  if (!alice || !carol) throw new Error('addRebalanceChannels: needs the small topology');
  const key = nodeKey(seed, 'zed');
  const zed =
    net.nodeByAlias('zed') ??
    net.addNode({ alias: 'zed', pubkey: key.pubkey, privateKey: key.privateKey, color: '#888888' });
  const now = Math.floor(Date.now() / 1000);
  const policy = (capacityMsat: bigint): Policy => ({
    disabled: false,
    htlcMinMsat: 1000n,
    htlcMaxMsat: (capacityMsat * 99n) / 100n,
    baseFeeMsat: 1000n,
    feePpm: 100n,
    cltvDelta: 40,
    lastUpdate: now,
  });
  const open = (peer: number, capacity: number, tx: number): bigint => {
    const id = shortChannelId(900_000, tx, 0);
    const capacityMsat = BigInt(capacity) * 1000n;
    const ours = capacityMsat / 20n;
    net.addChannel({
      id,
      node1: alice.index,
      node2: peer,
      capacitySat: BigInt(capacity),
      balance: [ours, capacityMsat - ours],
      policy: [policy(capacityMsat), policy(capacityMsat)],
      chanPoint: fundingOutpoint(seed, id),
    });
    return id;
  };
  return { carol: open(carol.index, 1_000_000, 1), zed: open(zed.index, 500_000, 2) };
}
