import { createHash } from 'node:crypto';
import { nodeKey } from '../crypto/keys';
import { shortChannelId } from '../model/network';
import type { Sim } from '../model/sim';
import type { Policy } from '../model/types';

/** The merchants and the wallet's node: the nodes that get a gRPC port. */
export const NAMED_NODES = ['alice', 'bob', 'carol', 'dave'] as const;

const ROUTERS = ['atlas', 'bolt', 'cobalt', 'echo', 'fjord', 'gale', 'harbor', 'iris', 'juno', 'kite', 'lumen'];

/**
 * [node1, node2, capacity in sat, share of the capacity on node1's side].
 * Paying bob more than ~630k sat needs a split (alice→atlas→fjord→bob is the widest path); harbor→bob and
 * cobalt→iris hold little on the sending side, so paths through them fail for lack of liquidity.
 */
const CHANNELS: [string, string, number, number][] = [
  ['alice', 'atlas', 2_000_000, 0.8],
  ['alice', 'bolt', 1_000_000, 0.7],
  ['alice', 'cobalt', 600_000, 0.9],
  ['alice', 'echo', 300_000, 0.5],
  ['atlas', 'fjord', 1_500_000, 0.5],
  ['atlas', 'gale', 800_000, 0.6],
  ['atlas', 'juno', 400_000, 0.4],
  ['bolt', 'gale', 700_000, 0.5],
  ['bolt', 'harbor', 900_000, 0.4],
  ['cobalt', 'harbor', 500_000, 0.7],
  ['cobalt', 'iris', 400_000, 0.05],
  ['echo', 'iris', 600_000, 0.6],
  ['echo', 'lumen', 300_000, 0.5],
  ['fjord', 'bob', 700_000, 0.9],
  ['fjord', 'juno', 900_000, 0.5],
  ['gale', 'bob', 500_000, 0.8],
  ['gale', 'carol', 300_000, 0.5],
  ['gale', 'juno', 600_000, 0.5],
  ['harbor', 'bob', 400_000, 0.1],
  ['harbor', 'carol', 600_000, 0.6],
  ['harbor', 'kite', 800_000, 0.6],
  ['iris', 'carol', 800_000, 0.7],
  ['iris', 'lumen', 500_000, 0.6],
  ['juno', 'dave', 700_000, 0.8],
  ['juno', 'kite', 300_000, 0.5],
  ['kite', 'dave', 600_000, 0.7],
  ['lumen', 'dave', 400_000, 0.3],
  ['bob', 'carol', 200_000, 0.5],
];

/** gale→juno is disabled, as a channel whose peer went away would be. */
const DISABLED: [string, string][] = [['gale', 'juno']];

const COLORS = ['#3399ff', '#ff9900', '#33cc66', '#cc3366', '#9966ff', '#ffcc00'];

/** 10 to 30 nodes around alice and three merchants; the seed picks keys, fees and a little jitter in balances. */
export function buildSmall(sim: Sim, seed: number): void {
  const { net } = sim;
  const rng = net.rng;
  for (const alias of [...NAMED_NODES, ...ROUTERS]) {
    const key = nodeKey(seed, alias);
    net.addNode({ alias, pubkey: key.pubkey, privateKey: key.privateKey, color: rng.pick(COLORS) });
  }
  const index = (alias: string) => {
    const node = net.nodeByAlias(alias);
    if (!node) throw new Error(`small topology names an unknown node ${alias}`);
    return node.index;
  };
  const now = Math.floor(Date.now() / 1000);
  let block = 800_000;
  for (const [a, b, capacity, share] of CHANNELS) {
    block += rng.int(1, 500);
    const capacityMsat = BigInt(capacity) * 1000n;
    // Up to 2% of jitter so that seeds differ while every path keeps its role.
    const jitter = 1 + (rng.next() - 0.5) * 0.04;
    const side1 = (BigInt(Math.round(capacity * Math.min(1, share * jitter))) * 1000n) as bigint;
    const policy = (): Policy => ({
      disabled: false,
      htlcMinMsat: 1000n,
      htlcMaxMsat: (capacityMsat * 99n) / 100n,
      baseFeeMsat: BigInt(rng.pick([0, 500, 1000, 1000, 2000])),
      feePpm: BigInt(rng.int(1, 500)),
      cltvDelta: rng.pick([40, 80, 144]),
      lastUpdate: now,
    });
    const id = shortChannelId(block, rng.int(0, 3000), rng.int(0, 3));
    net.addChannel({
      id,
      node1: index(a),
      node2: index(b),
      capacitySat: BigInt(capacity),
      balance: [side1, capacityMsat - side1],
      policy: [policy(), policy()],
      chanPoint: fundingOutpoint(seed, id),
    });
  }
  for (const [a, b] of DISABLED) {
    const from = index(a);
    for (const { channel, dir, peer } of net.channelsOf(from)) {
      if (peer === index(b)) net.setPolicy(channel.id, dir, { disabled: true });
    }
  }
}

/** A made-up but stable funding outpoint: txid from the seed and the channel id, output index from the id. */
export function fundingOutpoint(seed: number, id: bigint): string {
  const txid = createHash('sha256').update(`funding:${seed}:${id}`).digest('hex');
  return `${txid}:${Number(id & 0xffffn)}`;
}
