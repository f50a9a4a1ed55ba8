import type { CommandName, CommandParams, CommandResult } from '../../../shared/api/commands';
import type { Clock } from '../clock';
import type { EventBus } from '../events';
import type { Ledger } from '../ledger/ledger';
import type { LightningNode, NodeInfo } from '../node/types';
import type { PartDispatcher } from '../payer/parts';
import type { PayRegistry } from '../payer/registry';
import type { PlannerService } from '../planner/service';

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
}

export type Handler<N extends CommandName> = (ctx: CoreContext, params: CommandParams[N]) => Promise<CommandResult[N]>;
export type Handlers = { [N in CommandName]: Handler<N> };
