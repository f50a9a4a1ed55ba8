import { SimLnd } from './lnd';
import { Network, type NetworkOptions } from './network';

export interface SimOptions extends NetworkOptions {
  /** Hold time of each HTLC of an incomplete set at a receiver, LND's 120 s by default. */
  mppTimeoutMs?: number;
  /** Time a SendToRouteV2 takes to record its payment and attempt (LND's database writes); 0 by default. */
  registerDelayMs?: number;
}

/** The whole simulated network: the graph and, created when first needed, each node's daemon. */
export class Sim {
  readonly net: Network;
  private readonly daemons = new Map<number, SimLnd>();
  private readonly mppTimeoutMs: number;
  private readonly registerDelayMs: number;

  constructor(options: SimOptions) {
    this.net = new Network(options);
    this.mppTimeoutMs = options.mppTimeoutMs ?? 120_000;
    this.registerDelayMs = options.registerDelayMs ?? 0;
  }

  lnd(nodeIndex: number): SimLnd {
    let daemon = this.daemons.get(nodeIndex);
    if (!daemon) {
      daemon = new SimLnd(this.net, this.net.node(nodeIndex), (index, htlc) => this.lnd(index).invoices.accept(htlc), {
        mppTimeoutMs: this.mppTimeoutMs,
        registerDelayMs: this.registerDelayMs,
      });
      this.daemons.set(nodeIndex, daemon);
    }
    return daemon;
  }

  lndByAlias(alias: string): SimLnd {
    const node = this.net.nodeByAlias(alias);
    if (!node) throw new Error(`no node named ${alias}`);
    return this.lnd(node.index);
  }

  stop(): void {
    this.net.stop();
    for (const daemon of this.daemons.values()) daemon.invoices.close();
  }
}
