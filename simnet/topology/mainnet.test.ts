import { beforeAll, describe, expect, it } from 'vitest';
import { nodeKey } from '../crypto/keys';
import { Sim } from '../model/sim';
import type { Channel } from '../model/types';
import { buildMainnet, MAINNET_GRAPH_DEFAULT, mainnetGraphAvailable, mainnetGraphPath } from './mainnet';
import { NAMED_NODES } from './small';

const FILE_NODES = 17_324;
const FILE_CHANNELS = 50_808;
const TWO_53 = 2n ** 53n;

function load(seed: number, balances: 'uniform' | 'bimodal' = 'uniform') {
  const sim = new Sim({ seed });
  const built = buildMainnet(sim, { seed, balances });
  return { sim, ...built };
}

/** What a load must reproduce for its seed. */
function fingerprint(sim: Sim) {
  return {
    pubkeys: sim.net.nodes.map((n) => n.pubkey),
    ids: sim.net.channels.map((c) => c.id),
    balances: sim.net.channels.map((c) => c.balance[0]),
  };
}

it('says where the mainnet graph is missing and how to provide it', () => {
  const sim = new Sim({ seed: 1 });
  const path = 'no/such/dir/graph.csv.gz';
  expect(() => buildMainnet(sim, { seed: 1, balances: 'uniform', path })).toThrow(
    /mainnet graph file is missing at .*no\/such\/dir\/graph\.csv\.gz.*BRAID_MAINNET_GRAPH/,
  );
  expect(mainnetGraphAvailable(path)).toBe(false);
  expect(MAINNET_GRAPH_DEFAULT).toMatch(/simnet[/\\]data[/\\]mainnet-2026-02-03\.channels\.csv\.gz$/);
});

it('finds the graph file the repository keeps (or the one BRAID_MAINNET_GRAPH names)', () => {
  expect(mainnetGraphAvailable(), `no graph file at ${mainnetGraphPath()}`).toBe(true);
});

describe('mainnet topology', () => {
  let a: ReturnType<typeof load>;
  let again: ReturnType<typeof fingerprint>;
  let other: ReturnType<typeof fingerprint>;

  beforeAll(() => {
    // Each load of a new seed derives 17,324 keys (~5 s on a slow machine); the repeat reuses them.
    a = load(7);
    again = fingerprint(load(7).sim);
    other = fingerprint(load(8).sim);
  }, 120_000);

  it('loads every node and channel of the file plus the named nodes and their channels', () => {
    const { net } = a.sim;
    expect(net.nodes.length).toBe(FILE_NODES + 4);
    const extra = net.channels.length - FILE_CHANNELS;
    // alice's 5 and 3 or 4 for each merchant.
    expect(extra).toBeGreaterThanOrEqual(5 + 3 * 3);
    expect(extra).toBeLessThanOrEqual(5 + 3 * 4);
    expect(net.node(0).alias).toBe('node-0');
    expect(net.node(FILE_NODES - 1).alias).toBe(`node-${FILE_NODES - 1}`);
    for (const alias of NAMED_NODES) expect(net.nodeByAlias(alias)?.index).toBe(a.named[alias]);
  });

  it('derives keys from the seed and the file index', () => {
    const { net } = a.sim;
    for (const i of [0, 1, 4321, FILE_NODES - 1]) expect(net.node(i).pubkey).toBe(nodeKey(7, `mainnet-${i}`).pubkey);
    expect(net.node(a.named.alice).pubkey).toBe(nodeKey(7, 'alice').pubkey);
    expect(new Set(net.nodes.map((n) => n.pubkey)).size).toBe(net.nodes.length);
  });

  it('is deterministic for a seed and differs for another', () => {
    const mine = fingerprint(a.sim);
    expect(again.pubkeys).toEqual(mine.pubkeys);
    expect(again.ids).toEqual(mine.ids);
    expect(again.balances).toEqual(mine.balances);
    const same = (x: unknown[], y: unknown[]) => x.filter((v, i) => v === y[i]).length;
    expect(same(other.pubkeys, mine.pubkeys)).toBe(0);
    expect(same(other.ids, mine.ids)).toBeLessThan(10);
    expect(same(other.balances, mine.balances)).toBeLessThan(FILE_CHANNELS / 100);
  });

  it('gives unique LND-style channel ids above 2^53', () => {
    const ids = a.sim.net.channels.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id > TWO_53).toBe(true);
      const block = Number(id >> 40n);
      expect(block).toBeGreaterThanOrEqual(600_000);
      expect(block).toBeLessThanOrEqual(930_000);
    }
  });

  it('keeps balances summing to capacity and policies as in the file', () => {
    let disabled = 0;
    for (const c of a.sim.net.channels) {
      const capacityMsat = c.capacitySat * 1000n;
      expect(c.balance[0] >= 0n && c.balance[1] >= 0n).toBe(true);
      expect(c.balance[0] + c.balance[1]).toBe(capacityMsat);
      expect(c.policy[0].htlcMaxMsat <= capacityMsat && c.policy[1].htlcMaxMsat <= capacityMsat).toBe(true);
      // LND's order: node1 has the smaller key.
      expect(a.sim.net.node(c.node1).pubkey < a.sim.net.node(c.node2).pubkey).toBe(true);
      disabled += Number(c.policy[0].disabled) + Number(c.policy[1].disabled);
    }
    // shared/data/README.md: 17,924 + 17,882 disabled directions.
    expect(disabled).toBe(17_924 + 17_882);
  });

  it('matches the README: 6,568 nodes reachable from node 0 over enabled directions', () => {
    const { net } = a.sim;
    const seen = new Set([0]);
    const queue = [0];
    for (let q = 0; q < queue.length; q++) {
      for (const { channel, dir, peer } of net.channelsOf(queue[q] as number)) {
        if (peer < FILE_NODES && !channel.policy[dir].disabled && !seen.has(peer)) {
          seen.add(peer);
          queue.push(peer);
        }
      }
    }
    expect(seen.size).toBe(6_568);
    // The core the named nodes attach to also reaches back to node 0, so it is a subset.
    for (const node of a.core) expect(seen.has(node)).toBe(true);
  });

  it('attaches alice and the merchants to well-connected core nodes', () => {
    const { net } = a.sim;
    const channelsOf = (alias: (typeof NAMED_NODES)[number]) => [...net.channelsOf(a.named[alias])];
    const peersSeen = new Set<number>();
    const alice = channelsOf('alice');
    expect(alice).toHaveLength(5);
    expect(new Set(alice.map((x) => x.channel.capacitySat)).size).toBe(5);
    for (const { channel, dir, peer } of alice) {
      expect(channel.capacitySat >= 1_800_000n && channel.capacitySat <= 55_000_000n).toBe(true);
      expect(channel.balance[dir] * 100n >= channel.capacitySat * 1000n * 79n).toBe(true);
      peersSeen.add(peer);
    }
    for (const merchant of ['bob', 'carol', 'dave'] as const) {
      const own = channelsOf(merchant);
      expect(own.length === 3 || own.length === 4).toBe(true);
      for (const { channel, dir, peer } of own) {
        const remote = channel.balance[dir === 0 ? 1 : 0];
        expect(remote * 100n >= channel.capacitySat * 1000n * 79n).toBe(true);
        expect(channel.policy[dir === 0 ? 1 : 0].disabled).toBe(false);
        peersSeen.add(peer);
      }
    }
    // Every peer distinct, in the core, and among the best-connected nodes of the file.
    expect(peersSeen.size).toBe(net.channels.length - FILE_CHANNELS);
    const channelCount = (i: number) => net.node(i).channels.filter((ci) => ci < FILE_CHANNELS).length;
    const threshold = [...a.core].map(channelCount).sort((x, y) => y - x)[29] as number;
    for (const peer of peersSeen) {
      expect(a.core.has(peer)).toBe(true);
      expect(a.hubs).toContain(peer);
      expect(channelCount(peer)).toBeGreaterThanOrEqual(threshold);
    }
  });

  it('puts bimodal balances within 10% of one end', () => {
    const { sim } = load(7, 'bimodal');
    const fileChannels = sim.net.channels.slice(0, FILE_CHANNELS) as Channel[];
    let node1Small = 0;
    for (const c of fileChannels) {
      const capacityMsat = c.capacitySat * 1000n;
      const smallSide = c.balance[0] <= c.balance[1] ? 0 : 1;
      expect(c.balance[smallSide] * 10n <= capacityMsat).toBe(true);
      if (smallSide === 0) node1Small++;
    }
    // A fair coin picks the depleted side.
    expect(node1Small / FILE_CHANNELS).toBeGreaterThan(0.45);
    expect(node1Small / FILE_CHANNELS).toBeLessThan(0.55);
  });
});
