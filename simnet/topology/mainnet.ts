import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { type NodeKey, nodeKey } from '../crypto/keys';
import { type Network, shortChannelId } from '../model/network';
import { Rng } from '../model/rng';
import type { Sim } from '../model/sim';
import type { Policy } from '../model/types';
import { fundingOutpoint, NAMED_NODES } from './small';

/** The public channel graph of 2026-02-03, kept in the repository (simnet/data/README.md: source, date, format). */
export const MAINNET_GRAPH_DEFAULT: string = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../data/mainnet-2026-02-03.channels.csv.gz',
);

/** The graph file to read: an explicit path first, then $BRAID_MAINNET_GRAPH, then the repository's copy. */
export function mainnetGraphPath(path?: string): string {
  return path || process.env.BRAID_MAINNET_GRAPH || MAINNET_GRAPH_DEFAULT;
}

export function mainnetGraphAvailable(path?: string): boolean {
  return existsSync(mainnetGraphPath(path));
}

export type NamedNode = (typeof NAMED_NODES)[number];

export interface MainnetOptions {
  seed: number;
  /**
   * How each channel's capacity is split, since balances are not public:
   * 'uniform': node1's side is uniform on [0, capacity];
   * 'bimodal': the smaller side holds capacity × 0.1 × u² (u uniform on [0, 1)), so always within 10% of one end,
   * mean 3.3%, density highest at the very end; a fair coin picks which side is the small one. This mimics the
   * depleted channels that probing studies find on mainnet.
   */
  balances: 'uniform' | 'bimodal';
  /** The gzip CSV; defaults to $BRAID_MAINNET_GRAPH, then MAINNET_GRAPH_DEFAULT. */
  path?: string;
}

const HEADER =
  'node1,node2,capacity_sat,' +
  'disabled_1to2,htlc_min_msat_1to2,htlc_max_msat_1to2,base_fee_msat_1to2,fee_ppm_1to2,cltv_delta_1to2,' +
  'disabled_2to1,htlc_min_msat_2to1,htlc_max_msat_2to1,base_fee_msat_2to1,fee_ppm_2to1,cltv_delta_2to1';

/** Heights of the channel ids: real mainnet funding blocks lie in this span, so every id exceeds 2^53. */
const MIN_BLOCK = 600_000;
const MAX_BLOCK = 930_000;

/** How many of the best-connected core nodes the named nodes may open channels to. */
const HUB_POOL = 30;

/** alice's channels: capacity in sat (each jittered by ±10%), her share drawn from [0.8, 0.95]. */
const ALICE_CAPACITIES = [2_000_000, 5_000_000, 10_000_000, 20_000_000, 50_000_000];
/** A merchant's channels: 3 or 4, capacity picked from these, the merchant's own share from [0.05, 0.2]. */
const MERCHANT_CAPACITIES = [3_000_000, 5_000_000, 10_000_000, 16_777_215, 25_000_000];

/**
 * Keys of the file's nodes per seed. nodeKey is ~0.3 ms (one secp256k1 multiplication), ~5 s for the whole graph,
 * so a process that loads the same seed again (tests, a restarted sim) reuses them. Only the last two seeds are kept.
 */
const keyCache = new Map<number, NodeKey[]>();
const KEY_CACHE_SEEDS = 2;

export function clearMainnetKeyCache(): void {
  keyCache.clear();
}

function fileNodeKeys(seed: number, count: number): NodeKey[] {
  const cached = keyCache.get(seed);
  if (cached && cached.length >= count) return cached;
  const keys: NodeKey[] = new Array(count);
  for (let i = 0; i < count; i++) keys[i] = nodeKey(seed, `mainnet-${i}`);
  keyCache.delete(seed);
  keyCache.set(seed, keys);
  while (keyCache.size > KEY_CACHE_SEEDS) keyCache.delete(keyCache.keys().next().value as number);
  return keys;
}

interface FileChannel {
  node1: number;
  node2: number;
  capacitySat: number;
  /** Two directions, six fields each, as in the file. */
  dirs: [string[], string[]];
}

function readGraph(path: string): { nodeCount: number; channels: FileChannel[] } {
  if (!existsSync(path)) {
    throw new Error(
      `The mainnet graph file is missing at ${path}. The repository keeps it at ${MAINNET_GRAPH_DEFAULT} ` +
        '(restore it with `git checkout -- simnet/data`), or set BRAID_MAINNET_GRAPH to its path (or pass `path` ' +
        'to buildMainnet, --graph FILE to `npm run simnet`).',
    );
  }
  const text = gunzipSync(readFileSync(path)).toString('latin1');
  const lines = text.split('\n');
  if (lines[0]?.trim() !== HEADER) throw new Error(`${path}: unexpected header ${JSON.stringify(lines[0])}`);
  const channels: FileChannel[] = [];
  let nodeCount = 0;
  for (let n = 1; n < lines.length; n++) {
    const line = (lines[n] as string).trim();
    if (line === '') continue;
    const f = line.split(',');
    const node1 = Number(f[0]);
    const node2 = Number(f[1]);
    const capacitySat = Number(f[2]);
    if (f.length !== 15 || !Number.isInteger(node1) || !Number.isInteger(node2) || !(capacitySat > 0)) {
      throw new Error(`${path}:${n + 1}: malformed line ${JSON.stringify(line)}`);
    }
    channels.push({ node1, node2, capacitySat, dirs: [f.slice(3, 9), f.slice(9, 15)] });
    nodeCount = Math.max(nodeCount, node1 + 1, node2 + 1);
  }
  return { nodeCount, channels };
}

function filePolicy(fields: string[], capacityMsat: bigint, now: number): Policy {
  const [disabled, min, max, base, ppm, cltv] = fields as [string, string, string, string, string, string];
  const htlcMax = BigInt(max);
  return {
    disabled: disabled === '1',
    htlcMinMsat: BigInt(min),
    htlcMaxMsat: htlcMax > capacityMsat ? capacityMsat : htlcMax,
    baseFeeMsat: BigInt(base),
    feePpm: BigInt(ppm),
    cltvDelta: Number(cltv),
    lastUpdate: now,
  };
}

/**
 * The strongly connected core around `root` over enabled directions: the nodes that `root` can reach and that can
 * reach `root`, so any two of them can pay each other on gossip alone (liquidity permitting).
 */
export function enabledCore(net: Network, root: number): Set<number> {
  const forward = new Set<number>([root]);
  const backward = new Set<number>([root]);
  for (const [seen, sending] of [
    [forward, true],
    [backward, false],
  ] as const) {
    const queue = [root];
    for (let q = 0; q < queue.length; q++) {
      const at = queue[q] as number;
      for (const { channel, dir, peer } of net.channelsOf(at)) {
        // Forward: `at` must be able to send to peer; backward: peer must be able to send to `at`.
        const usable = sending ? !channel.policy[dir].disabled : !channel.policy[dir === 0 ? 1 : 0].disabled;
        if (usable && !seen.has(peer)) {
          seen.add(peer);
          queue.push(peer);
        }
      }
    }
  }
  const core = new Set<number>();
  for (const node of forward) if (backward.has(node)) core.add(node);
  return core;
}

/**
 * The mainnet graph of 2026-02-03 with generated keys and balances, plus alice (the wallet's node) and three
 * merchants attached to the best-connected nodes of its core. Everything random comes from `opts.seed` alone (not
 * from the Sim's own rng), so the same seed gives the same keys, channel ids and balances.
 *
 * File node i becomes `node-<i>` with key nodeKey(seed, 'mainnet-<i>'). As LND orders them, node1 of each channel is
 * the node with the smaller pubkey; a line whose keys come out the other way round is swapped with its policies.
 */
export function buildMainnet(
  sim: Sim,
  opts: MainnetOptions,
): { named: Record<NamedNode, number>; hubs: number[]; core: Set<number> } {
  const { net } = sim;
  const { seed } = opts;
  const path = mainnetGraphPath(opts.path);
  const graph = readGraph(path);
  // Independent streams so that, e.g., switching the balance mode leaves the channel ids alone.
  const idRng = new Rng(seed ^ 0x1d5eed01);
  const balanceRng = new Rng(seed ^ 0x0ba1a2ce);
  const attachRng = new Rng(seed ^ 0x0a77ac11);
  const now = Math.floor(Date.now() / 1000);

  const base = net.nodes.length;
  const keys = fileNodeKeys(seed, graph.nodeCount);
  for (let i = 0; i < graph.nodeCount; i++) {
    const key = keys[i] as NodeKey;
    net.addNode({
      alias: `node-${i}`,
      pubkey: key.pubkey,
      privateKey: key.privateKey,
      color: `#${key.pubkey.slice(2, 8)}`,
    });
  }

  const usedIds = new Set<bigint>();
  for (const c of net.channels) usedIds.add(c.id);
  const nextId = (): bigint => {
    for (;;) {
      const id = shortChannelId(idRng.int(MIN_BLOCK, MAX_BLOCK), idRng.int(0, 3999), idRng.int(0, 3));
      if (!usedIds.has(id)) {
        usedIds.add(id);
        return id;
      }
    }
  };
  const split = (capacityMsat: bigint): bigint => {
    const cap = Number(capacityMsat);
    if (opts.balances === 'uniform') return BigInt(Math.floor(balanceRng.next() * (cap + 1)));
    const u = balanceRng.next();
    const small = BigInt(Math.floor(0.1 * u * u * cap));
    return balanceRng.next() < 0.5 ? small : capacityMsat - small;
  };

  const degree = new Array<number>(graph.nodeCount).fill(0);
  for (const line of graph.channels) {
    degree[line.node1] = (degree[line.node1] as number) + 1;
    degree[line.node2] = (degree[line.node2] as number) + 1;
    const id = nextId();
    const capacityMsat = BigInt(line.capacitySat) * 1000n;
    const side1 = split(capacityMsat);
    let node1 = base + line.node1;
    let node2 = base + line.node2;
    let balance: [bigint, bigint] = [side1, capacityMsat - side1];
    let policy: [Policy, Policy] = [
      filePolicy(line.dirs[0], capacityMsat, now),
      filePolicy(line.dirs[1], capacityMsat, now),
    ];
    if (net.node(node1).pubkey > net.node(node2).pubkey) {
      [node1, node2] = [node2, node1];
      balance = [balance[1], balance[0]];
      policy = [policy[1], policy[0]];
    }
    net.addChannel({
      id,
      node1,
      node2,
      capacitySat: BigInt(line.capacitySat),
      balance,
      policy,
      chanPoint: fundingOutpoint(seed, id),
    });
  }

  // The best-connected nodes (most channels in the file) of the core around the file's node 0, which has the most.
  const core = enabledCore(net, base);
  const ranked = [...core].sort((a, b) => (degree[b - base] as number) - (degree[a - base] as number) || a - b);
  const hubs = ranked.slice(0, HUB_POOL);
  // Shuffle the pool (Fisher–Yates) and deal it out: alice's peers and each merchant's peers are all distinct.
  const deck = [...hubs];
  for (let i = deck.length - 1; i > 0; i--) {
    const j = attachRng.int(0, i);
    [deck[i], deck[j]] = [deck[j] as number, deck[i] as number];
  }
  const deal = () => {
    const hub = deck.pop();
    if (hub === undefined) throw new Error('mainnet core has too few well-connected nodes');
    return hub;
  };

  const named = {} as Record<NamedNode, number>;
  for (const alias of NAMED_NODES) {
    const key = nodeKey(seed, alias);
    named[alias] = net.addNode({ alias, pubkey: key.pubkey, privateKey: key.privateKey, color: '#3399ff' }).index;
  }
  const policy = (capacityMsat: bigint): Policy => ({
    disabled: false,
    htlcMinMsat: 1000n,
    htlcMaxMsat: (capacityMsat * 99n) / 100n,
    baseFeeMsat: BigInt(attachRng.pick([0, 1000])),
    feePpm: BigInt(attachRng.int(1, 500)),
    cltvDelta: attachRng.pick([40, 80, 144]),
    lastUpdate: now,
  });
  /** A channel between a named node and a hub, `share` of it on the named node's side. */
  const attach = (own: number, hub: number, capacitySat: number, share: number) => {
    const capacityMsat = BigInt(capacitySat) * 1000n;
    const ownMsat = (BigInt(Math.round(capacitySat * share)) * 1000n) as bigint;
    const ownFirst = net.node(own).pubkey < net.node(hub).pubkey;
    const id = nextId();
    const pair: [Policy, Policy] = [policy(capacityMsat), policy(capacityMsat)];
    net.addChannel({
      id,
      node1: ownFirst ? own : hub,
      node2: ownFirst ? hub : own,
      capacitySat: BigInt(capacitySat),
      balance: ownFirst ? [ownMsat, capacityMsat - ownMsat] : [capacityMsat - ownMsat, ownMsat],
      policy: pair,
      chanPoint: fundingOutpoint(seed, id),
    });
  };
  for (const capacity of ALICE_CAPACITIES) {
    const jittered = Math.round(capacity * (0.9 + 0.2 * attachRng.next()));
    attach(named.alice, deal(), jittered, 0.8 + 0.15 * attachRng.next());
  }
  for (const merchant of ['bob', 'carol', 'dave'] as const) {
    const count = attachRng.int(3, 4);
    for (let k = 0; k < count; k++) {
      attach(named[merchant], deal(), attachRng.pick(MERCHANT_CAPACITIES), 0.05 + 0.15 * attachRng.next());
    }
  }
  return { named, hubs, core };
}
