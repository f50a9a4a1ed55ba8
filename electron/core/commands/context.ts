import type { CommandName, CommandParams, CommandResult } from '../../../shared/api/commands';
import type { Clock } from '../clock';
import type { EventBus } from '../events';
import type { Ledger } from '../ledger/ledger';
import type { LightningNode, NodeInfo } from '../node/types';
import type { PartDispatcher } from '../payer/parts';
import type { PayRegistry } from '../payer/registry';
import type { RouteGraph } from '../payer/route-check';
import type { PlannerService } from '../planner/service';
import type { FileReach } from './export-path';

/** An invoice maker on the simulated network: one of its merchants. */
export interface Merchant {
  addInvoice(msat: bigint, memo: string): Promise<string>;
}

/** What every command handler may use: injected, so that tests run them over real parts. */
export interface CoreContext {
  node: LightningNode;
  ledger: Ledger;
  events: EventBus;
  parts: PartDispatcher;
  planner: PlannerService;
  /** The pay loops running, one per payment hash (stoppay stops one). */
  payers: PayRegistry;
  info(): Promise<NodeInfo>;
  /** The payer's time (the system's, or a virtual one in benchmarks). */
  clock: Clock;
  simulated: boolean;
  merchants: Record<string, Merchant>;
  dataDir: string;
  /** Routes given by hand are checked against the node's graph before anything is written. */
  routes: RouteGraph;
}

/** Who calls, as far as the core must know: where files may be written for them (export-path.ts). */
export interface Caller {
  files: FileReach;
}
/** The local socket's user, or Electron's save dialog: any path the rules allow. */
export const LOCAL_CALLER: Caller = { files: 'anywhere' };
/** Every other transport (the WebSocket of dev:web): the exports folder only, by file name. */
export const REMOTE_CALLER: Caller = { files: 'exports' };

export type Handler<N extends CommandName> = (
  ctx: CoreContext,
  params: CommandParams[N],
  caller: Caller,
) => Promise<CommandResult[N]>;
export type Handlers = { [N in CommandName]: Handler<N> };
