import { Rng } from './rng';
import { realTimers, type Scheduler } from './scheduler';
import type { Channel, Policy, SimNode } from './types';

export interface NetworkOptions {
  seed: number;
  /** Per-hop forwarding delay in ms, drawn uniformly from [min, max] for each hop crossed. */
  hopDelayMs?: { min: number; max: number };
  startHeight?: number;
  /** Block interval in ms; 0 keeps the height still until mineBlocks() is called. */
  blockIntervalMs?: number;
  /** The clock of hop delays, hold timers, deadlines and mission control: the real timers by default. */
  scheduler?: Scheduler;
}

/**
 * The graph and its hidden state: balances, in-flight reservations, the block height and the faults switched on.
 * Nodes' daemons (invoices, payments) live beside it in SimLnd; this holds only what the wire would see.
 */
export class Network {
  readonly nodes: SimNode[] = [];
  readonly channels: Channel[] = [];
  readonly rng: Rng;
  height: number;
  hopDelayMs: { min: number; max: number };
  readonly scheduler: Scheduler;
  private readonly byPubkey = new Map<string, SimNode>();
  private readonly byAlias = new Map<string, SimNode>();
  private readonly byChanId = new Map<bigint, Channel>();
  private blockTimer: NodeJS.Timeout | undefined;
  private readonly blockListeners = new Set<(height: number) => void>();
  /** Extra latency (ms) added at each node an HTLC crosses. */
  readonly extraLatencyMs = new Map<number, number>();
  /** Nodes holding every HTLC that reaches them until release() is called. */
  private readonly holds = new Map<number, { release: () => void; gate: Promise<void> }>();

  constructor(options: NetworkOptions) {
    this.rng = new Rng(options.seed);
    this.height = options.startHeight ?? 870_000;
    this.hopDelayMs = options.hopDelayMs ?? { min: 0, max: 0 };
    this.scheduler = options.scheduler ?? realTimers;
    if (options.blockIntervalMs && options.blockIntervalMs > 0) {
      this.blockTimer = setInterval(() => this.mineBlocks(1), options.blockIntervalMs);
      this.blockTimer.unref();
    }
  }

  addNode(node: Omit<SimNode, 'index' | 'channels' | 'online'>): SimNode {
    const full: SimNode = { ...node, index: this.nodes.length, channels: [], online: true };
    this.nodes.push(full);
    this.byPubkey.set(full.pubkey, full);
    this.byAlias.set(full.alias, full);
    return full;
  }

  addChannel(channel: Omit<Channel, 'inFlight'>): Channel {
    if (this.byChanId.has(channel.id)) throw new Error(`duplicate channel id ${channel.id}`);
    const full: Channel = { ...channel, inFlight: [0n, 0n] };
    const index = this.channels.length;
    this.channels.push(full);
    this.byChanId.set(full.id, full);
    this.node(full.node1).channels.push(index);
    this.node(full.node2).channels.push(index);
    return full;
  }

  node(index: number): SimNode {
    const node = this.nodes[index];
    if (!node) throw new Error(`no node ${index}`);
    return node;
  }

  nodeByPubkey(pubkey: string): SimNode | undefined {
    return this.byPubkey.get(pubkey);
  }

  nodeByAlias(alias: string): SimNode | undefined {
    return this.byAlias.get(alias);
  }

  channel(id: bigint): Channel | undefined {
    return this.byChanId.get(id);
  }

  /** Channels of a node, each with the direction in which that node sends. */
  *channelsOf(nodeIndex: number): Generator<{ channel: Channel; dir: 0 | 1; peer: number }> {
    for (const ci of this.node(nodeIndex).channels) {
      const channel = this.channels[ci] as Channel;
      const dir = channel.node1 === nodeIndex ? 0 : 1;
      yield { channel, dir, peer: dir === 0 ? channel.node2 : channel.node1 };
    }
  }

  /** What `dir`'s side can still send on the channel. */
  available(channel: Channel, dir: 0 | 1): bigint {
    return channel.balance[dir] - channel.inFlight[dir];
  }

  setPolicy(chanId: bigint, dir: 0 | 1, change: Partial<Policy>): void {
    const channel = this.byChanId.get(chanId);
    if (!channel) throw new Error(`no channel ${chanId}`);
    const now = Math.floor(Date.now() / 1000);
    const old = channel.policy[dir];
    // A newer update must carry a newer timestamp, as gossip requires.
    channel.policy[dir] = { ...old, ...change, lastUpdate: Math.max(now, old.lastUpdate + 1) };
  }

  mineBlocks(count: number): void {
    this.height += count;
    for (const listener of this.blockListeners) listener(this.height);
  }

  onBlock(listener: (height: number) => void): () => void {
    this.blockListeners.add(listener);
    return () => this.blockListeners.delete(listener);
  }

  // --- faults ---

  setOnline(nodeIndex: number, online: boolean): void {
    this.node(nodeIndex).online = online;
  }

  setExtraLatency(nodeIndex: number, ms: number): void {
    if (ms > 0) this.extraLatencyMs.set(nodeIndex, ms);
    else this.extraLatencyMs.delete(nodeIndex);
  }

  /** Hold every HTLC that reaches the node until the returned function is called. */
  holdAt(nodeIndex: number): () => void {
    const existing = this.holds.get(nodeIndex);
    if (existing) return existing.release;
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const release = () => {
      this.holds.delete(nodeIndex);
      open();
    };
    this.holds.set(nodeIndex, { release, gate });
    return release;
  }

  /** Waits as long as crossing this node takes: the hop delay, the node's extra latency, and any hold. */
  async cross(nodeIndex: number): Promise<void> {
    const { min, max } = this.hopDelayMs;
    const ms = (max > 0 ? min + this.rng.next() * (max - min) : 0) + (this.extraLatencyMs.get(nodeIndex) ?? 0);
    if (ms > 0) await new Promise<void>((resolve) => this.scheduler.setTimeout(resolve, ms));
    const hold = this.holds.get(nodeIndex);
    if (hold) await hold.gate;
  }

  stop(): void {
    if (this.blockTimer) clearInterval(this.blockTimer);
    for (const hold of [...this.holds.values()]) hold.release();
    this.blockListeners.clear();
  }
}

/** LND's channel id layout. */
export function shortChannelId(block: number, tx: number, output: number): bigint {
  return (BigInt(block) << 40n) | (BigInt(tx) << 16n) | BigInt(output);
}
