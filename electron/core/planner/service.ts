import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { threadId as mainThreadId, Worker } from 'node:worker_threads';
import { usable } from '../../../shared/planner/allocate';
import { formatScid } from '../../../shared/scid';
import type { PartialPayment, Route } from '../../../shared/types';
import type { EventBus } from '../events';
import type { BeliefRow } from '../ledger/beliefs';
import type { Ledger } from '../ledger/ledger';
import type { GraphNode, LightningNode, OwnChannel } from '../node/types';
import { graphInput } from './graph-input';
import type { CheckReply, FromWorker, OwnChannelState, PartEvent, PlanReply, ToWorker } from './messages';
import { PlannerState } from './planner-state';

/** The graph changes slowly; reloading it costs a DescribeGraph (large on mainnet). */
const GRAPH_TTL_MS = 10 * 60_000;
/** LND's mission control forgets with this half-life; so does the planner. */
const HALF_LIFE_SECONDS = 3600;

export interface PlanRequest {
  destination: string;
  amountMsat: bigint;
  maxFeeMsat: bigint;
  maxParts: number;
  /** CLTV delta the last hop must receive: the invoice's min_final_cltv_expiry plus LND's padding. */
  finalCltv: number;
}

/** The worker, or (where no worker file can be found) the same state in this thread. */
interface Port {
  post(msg: ToWorker): void;
  close(): Promise<void>;
  readonly inThread: boolean;
}

/**
 * The min-cost-flow planner, owned by the core. It plans over the node's graph with what every part taught
 * (whoever sent it: every 'partialpayment' event is learned from), keeps that knowledge in the ledger's file, and
 * does the work in a worker thread so that the main process never stalls.
 */
export class PlannerService {
  private port: Port | undefined;
  private ownId = '';
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (m: FromWorker) => void; reject: (e: Error) => void }>();
  private graphAt = 0;
  private graphStale = true;
  private graphChannels = new Set<bigint>();
  private graphNodes = new Map<string, GraphNode>();
  private loading: Promise<void> | undefined;
  private readonly dirty = new Map<string, BeliefRow>();
  private flushScheduled = false;
  private offs: (() => void)[] = [];

  constructor(
    private readonly node: LightningNode,
    private readonly ledger: Ledger,
    private readonly events: EventBus,
  ) {}

  /** Starts the worker with what the ledger learned before, and learns from every part from now on. */
  start(ownId: string): void {
    this.ownId = ownId;
    this.spawn();
    this.offs.push(
      this.events.on('partialpayment', (part) => {
        this.post({ type: 'part', part: event(part), now: now() });
        // An outcome teaches only over a graph: load it now if no plan has yet (parts sent by hand).
        if (part.status !== 'pending' && this.graphAt === 0) void this.ensureGraph().catch(() => {});
      }),
    );
    let wasLost = false;
    this.offs.push(
      this.node.onState((state) => {
        if (state === 'lost') wasLost = true;
        if (state === 'connected' && wasLost) {
          wasLost = false;
          // Channels may have opened, closed or changed policy while we were away.
          this.graphStale = true;
        }
      }),
    );
  }

  /** The parts the ledger still has pending (after recovery at start): their amounts are out on their routes. */
  reservePending(): void {
    for (const part of this.ledger.pendingParts()) this.post({ type: 'part', part: event(part), now: now() });
  }

  /** Plans `amountMsat` to the destination with the parts in flight accounted for. Sends nothing. */
  async plan(req: PlanRequest): Promise<PlanReply> {
    const channels = await this.node.listChannels();
    const active = channels.filter((c) => c.active);
    const sendable = active.reduce((s, c) => s + usable(c.local_msat), 0n);
    if (req.amountMsat > sendable) {
      return {
        ok: false,
        reason: 'insufficient-balance',
        message: `${req.amountMsat} msat is more than our active channels can send now (${sendable} msat)`,
      };
    }
    await this.ensureGraph(channels);
    const reply = await this.request((id) => ({
      type: 'plan',
      id,
      args: { ...req, own: ownState(channels) },
      now: now(),
    }));
    if (reply.type !== 'plan') throw new Error(`planner: unexpected answer ${reply.type}`);
    return reply.reply;
  }

  /** The planner's probabilities for these routes as given (checkplan), and the channels they overdraw together. */
  async check(routes: Route[]): Promise<CheckReply> {
    const channels = await this.node.listChannels();
    await this.ensureGraph(channels);
    const reply = await this.request((id) => ({
      type: 'check',
      id,
      args: { routes, own: ownState(channels) },
      now: now(),
    }));
    if (reply.type !== 'check') throw new Error(`planner: unexpected answer ${reply.type}`);
    return reply.reply;
  }

  /** The graph's nodes (alias, color) by id, as last loaded for planning (loaded now if it never was, or is old). */
  async nodes(): Promise<ReadonlyMap<string, GraphNode>> {
    await this.ensureGraph();
    return this.graphNodes;
  }

  /** The thread the planning runs on: differs from the main thread's unless the worker could not be started. */
  async threadId(): Promise<number> {
    const reply = await this.request((id) => ({ type: 'threadId', id }));
    if (reply.type !== 'threadId') throw new Error(`planner: unexpected answer ${reply.type}`);
    return this.port?.inThread ? mainThreadId : reply.threadId;
  }

  /** Writes what the last parts taught, then stops the worker. */
  async stop(): Promise<void> {
    for (const off of this.offs) off();
    this.offs = [];
    // A graph being loaded lets the outcomes waiting for it be learned, and written below.
    await this.loading?.catch(() => {});
    if (this.port) {
      // Answers come in order: once this one is back, every belief sent before it is here too.
      await this.threadId().catch(() => {});
      await this.port.close();
      this.port = undefined;
    }
    this.flush();
  }

  private spawn(): void {
    // Bundled (main.cjs), the worker is built as planner-worker.cjs next to the bundle; from source, it is this
    // folder's .ts file (tsx's loader is inherited through execArgv, or Node strips the types itself).
    const file = import.meta.url.endsWith('.ts') ? './planner-worker.ts' : './planner-worker.cjs';
    const url = new URL(file, import.meta.url);
    this.port = existsSync(fileURLToPath(url)) ? this.workerPort(url) : this.inThreadPort();
    this.graphStale = true;
    this.post({
      type: 'setup',
      ownId: this.ownId,
      halfLifeSeconds: HALF_LIFE_SECONDS,
      beliefs: this.ledger.isOpen ? this.ledger.beliefs.all() : [],
    });
  }

  private workerPort(url: URL): Port {
    const worker = new Worker(url);
    // The core's own lifetime decides when the process ends, not the planner's.
    worker.unref();
    worker.on('message', (m: FromWorker) => this.receive(m));
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`planner worker exited with code ${code}`)));
    return {
      post: (msg) => worker.postMessage(msg),
      close: async () => {
        worker.removeAllListeners();
        await worker.terminate();
      },
      inThread: false,
    };
  }

  private inThreadPort(): Port {
    const state = new PlannerState();
    return {
      post: (msg) =>
        queueMicrotask(() => {
          for (const m of state.handle(msg)) this.receive(m);
        }),
      close: async () => {},
      inThread: true,
    };
  }

  /** The worker died: what waited for it fails; the next request starts a new one, from the ledger's beliefs. */
  private lost(worker: Worker, error: Error): void {
    worker.removeAllListeners();
    void worker.terminate();
    this.port = undefined;
    for (const w of this.waiting.values()) w.reject(new Error(`planner: ${error.message}`));
    this.waiting.clear();
  }

  private post(msg: ToWorker): void {
    if (!this.port) {
      if (!this.ownId) return;
      this.flush();
      this.spawn();
      this.reservePending();
    }
    this.port?.post(msg);
  }

  private request(make: (id: number) => ToWorker): Promise<FromWorker> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post(make(id));
    });
  }

  private receive(m: FromWorker): void {
    if (m.type === 'beliefs') {
      for (const row of m.rows) this.dirty.set(`${row.scid}/${row.direction}`, row);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // After the event, batched: learning must not slow the dispatch of parts.
        setImmediate(() => this.flush());
      }
      return;
    }
    const w = m.id === undefined ? undefined : this.waiting.get(m.id);
    if (!w || m.id === undefined) return;
    this.waiting.delete(m.id);
    if (m.type === 'error') w.reject(new Error(`planner: ${m.message}`));
    else w.resolve(m);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.dirty.size === 0 || !this.ledger.isOpen) return;
    const rows = [...this.dirty.values()];
    this.dirty.clear();
    try {
      this.ledger.beliefs.write(rows);
    } catch {
      // Only knowledge is lost: the next outcomes on those channels teach it again.
    }
  }

  /** Loads the graph on first use, when it is old, after a reconnection, or when one of our channels is not in it. */
  private ensureGraph(known?: readonly OwnChannel[]): Promise<void> {
    const unknownChannel = known?.some((c) => c.active && !this.graphChannels.has(c.chan_id)) ?? false;
    const old = Date.now() - this.graphAt > GRAPH_TTL_MS;
    if (!this.graphStale && !old && !unknownChannel) return Promise.resolve();
    this.loading ??= (async () => {
      try {
        const channels = known ?? (await this.node.listChannels());
        const graph = await this.node.describeGraph();
        const input = graphInput(graph, this.ownId, channels);
        this.graphChannels = new Set([...graph.edges.map((e) => e.chan_id), ...channels.map((c) => c.chan_id)]);
        this.graphNodes = new Map(graph.nodes.map((n) => [n.id, n]));
        this.graphAt = Date.now();
        this.graphStale = false;
        this.post({ type: 'graph', input, now: now() });
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }
}

const now = () => Date.now();

/** Our channels as the planner takes them: what each can send now, and whether it is active. */
function ownState(channels: readonly OwnChannel[]): OwnChannelState[] {
  return channels.map((c) => ({
    scid: formatScid(c.chan_id),
    localMsat: Number(usable(c.local_msat)),
    active: c.active,
  }));
}

function event(part: PartialPayment): PartEvent {
  const e: PartEvent = { id: part.id, status: part.status, msatoshi: part.msatoshi, route: part.route };
  if (part.failure) e.failure = part.failure;
  return e;
}
