import { isCommandName, parseParams } from '../../shared/api/commands';
import { ApiError, ErrorCode } from '../../shared/api/errors';
import { type Clock, systemClock } from './clock';
import type { CoreContext, Merchant } from './commands/context';
import { HANDLERS } from './commands/index';
import { EventBus } from './events';
import type { Ledger } from './ledger/ledger';
import type { LightningNode, NodeInfo } from './node/types';
import { PartDispatcher } from './payer/parts';
import { PayRegistry } from './payer/registry';
import { PlannerService } from './planner/service';

export interface CoreOptions {
  node: LightningNode;
  ledger: Ledger;
  dataDir: string;
  simulated: boolean;
  merchants?: Record<string, Merchant>;
  /** The payer's time; the system's unless a benchmark or test injects a virtual one. */
  clock?: Clock;
}

/** How long a getinfo answer is reused: block height and channel counts change slowly. */
const INFO_TTL_MS = 1000;

/**
 * The wallet's core, free of Electron: the node connection, the ledger (control tower) and the payer, and one
 * handler per command. Transports call `call`; they hear back through `events`.
 */
export class Core {
  readonly events = new EventBus();
  private readonly ctx: CoreContext;
  private readonly parts: PartDispatcher;
  /** The payment planner (a worker thread), for splitpay and pay; public so that tests can see where it runs. */
  readonly planner: PlannerService;
  private info: { value: NodeInfo; at: number } | undefined;
  private ownId = '';
  private offState: (() => void) | undefined;

  private constructor(private readonly options: CoreOptions) {
    this.parts = new PartDispatcher(
      options.ledger,
      options.node,
      this.events,
      () => this.ownId,
      () => this.nodeInfo(),
    );
    this.planner = new PlannerService(options.node, options.ledger, this.events);
    this.ctx = {
      node: options.node,
      ledger: options.ledger,
      events: this.events,
      parts: this.parts,
      planner: this.planner,
      payers: new PayRegistry(this.events),
      info: () => this.nodeInfo(),
      clock: options.clock ?? systemClock,
      simulated: options.simulated,
      merchants: options.merchants ?? {},
      dataDir: options.dataDir,
    };
  }

  /** Connects, learns who we are, then reconciles every pending part with the node before taking commands. */
  static async start(options: CoreOptions): Promise<Core> {
    const core = new Core(options);
    core.offState = options.node.onState((state) => core.events.emit('node', { state }));
    await options.node.connect();
    core.ownId = (await core.nodeInfo()).id;
    // Before recovery, so that the outcomes recovery finds are learned from too.
    core.planner.start(core.ownId);
    await core.parts.start();
    core.planner.reservePending();
    return core;
  }

  private async nodeInfo(): Promise<NodeInfo> {
    if (this.info && Date.now() - this.info.at < INFO_TTL_MS) return this.info.value;
    const value = await this.options.node.getInfo();
    this.info = { value, at: Date.now() };
    return value;
  }

  async call(method: string, params: unknown): Promise<unknown> {
    if (!isCommandName(method)) throw new ApiError(ErrorCode.MethodNotFound, `unknown command: ${method}`);
    const parsed = parseParams(method, params);
    const handler = HANDLERS[method] as (ctx: CoreContext, p: typeof parsed) => Promise<unknown>;
    try {
      return await handler(this.ctx, parsed);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new ApiError(ErrorCode.Internal, `${method}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Lets go of the node and the ledger. Parts still in flight stay pending on disk; the next start reconciles them. */
  async stop(): Promise<void> {
    await this.ctx.payers.stopAll();
    this.parts.stop();
    await this.planner.stop();
    this.offState?.();
    await this.options.node.disconnect();
    this.options.ledger.close();
  }
}
