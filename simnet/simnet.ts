import { createHash } from 'node:crypto';
import { lndconnectUri } from './crypto/lndconnect';
import { makeAdminMacaroon } from './crypto/macaroon';
import { makeTlsCertificate } from './crypto/tls';
import { NodeServer } from './grpc/server';
import { activityOf } from './model/activity';
import { closeChannel } from './model/closing';
import { Sim } from './model/sim';
import { buildMainnet } from './topology/mainnet';
import { buildSmall, NAMED_NODES } from './topology/small';

export interface SimnetOptions {
  topology?: 'small' | 'mainnet';
  seed?: number;
  /** Per-hop forwarding delay range in ms; 0-0 for fast tests. */
  hopDelayMs?: { min: number; max: number };
  /** Receiver hold time of each HTLC of an incomplete set (LND: 120 s). */
  mppTimeoutMs?: number;
  /** A new block every this many ms (default 10 minutes); 0 stops the clock. */
  blockIntervalMs?: number;
  /** mainnet only: how balances are drawn. */
  balances?: 'uniform' | 'bimodal';
  /** mainnet only: where the channel graph file is. */
  graphPath?: string;
}

export interface NodeCredentials {
  pubkey: string;
  grpc: string;
  cert: string;
  macaroon: string;
  lndconnect: string;
}

export type NodeName = (typeof NAMED_NODES)[number];

/** A running simulated network: the model, one LND-compatible gRPC endpoint per named node, and its faults. */
export class Simnet {
  private constructor(
    readonly sim: Sim,
    private readonly servers: Map<NodeName, NodeServer>,
    readonly nodes: Record<NodeName, NodeCredentials>,
  ) {}

  static async start(options: SimnetOptions = {}): Promise<Simnet> {
    const seed = options.seed ?? 1;
    const sim = new Sim({
      seed,
      hopDelayMs: options.hopDelayMs,
      mppTimeoutMs: options.mppTimeoutMs,
      blockIntervalMs: options.blockIntervalMs ?? 600_000,
    });
    if (options.topology === 'mainnet') {
      buildMainnet(sim, { seed, balances: options.balances ?? 'uniform', path: options.graphPath });
    } else {
      buildSmall(sim, seed);
    }
    const servers = new Map<NodeName, NodeServer>();
    const nodes = {} as Record<NodeName, NodeCredentials>;
    try {
      for (const name of NAMED_NODES) {
        const lnd = sim.lndByAlias(name);
        const tls = await makeTlsCertificate();
        const macaroon = makeAdminMacaroon(createHash('sha256').update(`macaroon-root:${seed}:${name}`).digest());
        const server: NodeServer = new NodeServer(
          { sim, lnd },
          { certPem: tls.certPem, keyPem: tls.keyPem, macaroonHex: macaroon },
        );
        await server.start(0);
        servers.set(name, server);
        nodes[name] = {
          pubkey: lnd.node.pubkey,
          grpc: server.address,
          cert: tls.certPem,
          macaroon,
          lndconnect: lndconnectUri({
            host: '127.0.0.1',
            port: server.port,
            certPem: tls.certPem,
            macaroonHex: macaroon,
          }),
        };
      }
    } catch (error) {
      await Promise.all([...servers.values()].map((s) => s.stop()));
      sim.stop();
      throw error;
    }
    return new Simnet(sim, servers, nodes);
  }

  private index(name: string): number {
    const node = this.sim.net.nodeByAlias(name);
    if (!node) throw new Error(`no node named ${name}`);
    return node.index;
  }

  // --- faults ---

  /** Takes a node off the network: HTLCs to it fail, and a named node's gRPC endpoint goes away. */
  async setOnline(name: string, online: boolean): Promise<void> {
    const index = this.index(name);
    const was = this.sim.net.node(index).online;
    this.sim.net.setOnline(index, online);
    // Each peer sees its channels with this node go inactive (or active again), as SubscribeChannelEvents reports.
    if (was !== online) activityOf(this.sim.net).nodeOnline(index, online, this.sim.net.channelsOf(index));
    const server = this.servers.get(name as NodeName);
    if (server && !online) await server.stop();
    if (server && online) await server.start();
  }

  /**
   * Closes a channel cooperatively, as `closer` (by name; node1 by default) would: it leaves the graph and both
   * nodes' ListChannels, its balances go on chain, and both nodes list it in ClosedChannels.
   */
  closeChannel(chanId: bigint, closer?: string): void {
    const channel = this.sim.net.channel(chanId);
    if (!channel) throw new Error(`no channel ${chanId}`);
    closeChannel(this.sim.net, chanId, closer === undefined ? channel.node1 : this.index(closer));
    activityOf(this.sim.net).channelClosed(channel);
  }

  /** Disables a channel's direction (or both), as its owner's channel_update would. */
  setChannelDisabled(chanId: bigint, disabled: boolean, direction?: 0 | 1): void {
    for (const dir of direction === undefined ? ([0, 1] as const) : [direction]) {
      this.sim.net.setPolicy(chanId, dir, { disabled });
    }
  }

  /** Every HTLC reaching the node waits until the returned function is called. */
  holdAt(name: string): () => void {
    return this.sim.net.holdAt(this.index(name));
  }

  setExtraLatency(name: string, ms: number): void {
    this.sim.net.setExtraLatency(this.index(name), ms);
  }

  /**
   * Restarts a named node: its gRPC endpoint drops every call and comes back on the same port, and its payments
   * are resumed as LND resumes them (routing/router.go resumePayments).
   */
  async restart(name: NodeName): Promise<void> {
    const server = this.servers.get(name);
    if (!server) throw new Error(`${name} has no gRPC endpoint`);
    await server.stop();
    this.sim.lndByAlias(name).restart();
    await server.start();
  }

  mineBlocks(count: number): void {
    this.sim.net.mineBlocks(count);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.servers.values()].map((s) => s.stop()));
    this.sim.stop();
  }
}
