// What the core's main thread and the planner's worker say to each other. Type-only: the worker loads this file as
// plain TypeScript (type stripping), so nothing here may produce code.
import type { GraphInput } from '../../../shared/planner/mcf/graph.ts';
import type { PartFailure, Route, Status } from '../../../shared/types.ts';
import type { BeliefRow } from '../ledger/beliefs.ts';

export type { BeliefRow };

/** One of our channels as the node reports it at planning time. */
export interface OwnChannelState {
  scid: string;
  localMsat: number;
  active: boolean;
}

export interface PlanArgs {
  destination: string;
  amountMsat: bigint;
  maxFeeMsat: bigint;
  maxParts: number;
  /** CLTV delta the last hop must receive (the invoice's plus LND's padding). */
  finalCltv: number;
  own: OwnChannelState[];
}

/** Parts to check (checkplan): their routes as given, over our channels as the node reports them now. */
export interface CheckArgs {
  routes: Route[];
  own: OwnChannelState[];
}

/** A channel direction the parts together ask more of than it can send. */
export interface Overdrawn {
  scid: string;
  from: string;
  askedMsat: bigint;
  availableMsat: bigint;
}

export type CheckReply =
  | { ok: true; parts: number[]; probability: number; overdrawn: Overdrawn[] }
  /** `part`/`hop`: where the route leaves the graph as the planner knows it. */
  | { ok: false; part: number; hop?: number; message: string };

/** A part as the planner learns from it: its route, what it delivers and where it stands. */
export interface PartEvent {
  id: number;
  status: Status;
  msatoshi: bigint;
  route: Route;
  failure?: PartFailure;
}

export interface PlannedPart {
  route: Route;
  msatoshi: bigint;
  feeMsat: bigint;
  probability: number;
}

export type PlanReply =
  | { ok: true; parts: PlannedPart[]; feeMsat: bigint; probability: number }
  | { ok: false; reason: string; message: string };

export type ToWorker =
  | { type: 'setup'; ownId: string; halfLifeSeconds: number; beliefs: BeliefRow[] }
  | { type: 'graph'; input: GraphInput; now: number }
  | { type: 'plan'; id: number; args: PlanArgs; now: number }
  | { type: 'check'; id: number; args: CheckArgs; now: number }
  | { type: 'part'; part: PartEvent; now: number }
  | { type: 'threadId'; id: number };

export type FromWorker =
  | { type: 'plan'; id: number; reply: PlanReply }
  | { type: 'check'; id: number; reply: CheckReply }
  | { type: 'beliefs'; rows: BeliefRow[] }
  | { type: 'threadId'; id: number; threadId: number }
  | { type: 'error'; id?: number; message: string };
