import { type ClientReadableStream, connectivityState, credentials, status } from '@grpc/grpc-js';
import type { NodeConnectionState } from '../../../shared/types';
import { type LndConfig, type LndCredentials, resolveLndCredentials } from './config';
import { NodeConnectError, toConnectError } from './lnd-errors';
import { LndGrpc, type LndGrpcClient, type Services, stateClientConstructor } from './lnd-rpc';
import { type LndProtos, lndProtos } from './protos';
import { type TlsTargetOptions, tlsTargetOptions } from './tls-target';

// The connection to LND and its state machine: first contact, wallet state, lnd-grpc, then watching the channel and
// the wallet; a lost connection is retried with backoff until disconnect().

export interface LndConnectionOptions {
  /** Protos already laid out (Electron: an extra resource); default: laid out once in the temp folder. */
  protoDir?: string;
  /** How long the first contact of a connection attempt may take (default 10 s). */
  connectTimeoutMs?: number;
  /** Reconnection backoff: first delay, doubling up to the maximum, jittered (default 250 ms to 10 s). */
  backoff?: { initialMs: number; maxMs: number };
}

export interface Session {
  client: LndGrpcClient;
  services: Services;
  closed: boolean;
  stateStream?: ClientReadableStream<{ state: string }>;
  stateTimer?: NodeJS.Timeout;
}

/** What rides on a session (the payment subscriptions): told when one opens and when it closes. */
export interface SessionHooks {
  /** A session is open; 'connected' is announced right after. */
  opened(session: Session): void;
  /** The session is closing (lost, superseded or disconnected). */
  closing(): void;
}

const LOCKED_STATES = new Set(['NON_EXISTING', 'LOCKED']);
const STARTING_STATES = new Set(['UNLOCKED', 'WAITING_TO_START']);

export class LndConnection {
  private current: NodeConnectionState = 'connecting';
  private readonly stateListeners = new Set<(state: NodeConnectionState) => void>();
  private openSession: Session | undefined;
  /** Bumped by connect() and disconnect(): work begun under an older run stops. */
  private run = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Pauses and first-contact clients of connection attempts, ended by disconnect(). */
  private readonly pending = new Set<() => void>();
  private readonly protos: LndProtos;
  private address: string;
  private error: NodeConnectError | undefined;

  constructor(
    private readonly config: LndConfig,
    private readonly options: LndConnectionOptions,
    private readonly hooks: SessionHooks,
  ) {
    this.protos = lndProtos({ protoDir: options.protoDir });
    this.address = config.kind === 'lnd' ? config.host : 'lndconnect';
  }

  get state(): NodeConnectionState {
    return this.current;
  }

  /** The host of LND (known once an lndconnect URL is resolved). */
  get host(): string {
    return this.address;
  }

  /** The open session, if connected. */
  get session(): Session | undefined {
    return this.openSession;
  }

  /** Why the last connection attempt failed (cleared once connected). */
  get lastError(): NodeConnectError | undefined {
    return this.error;
  }

  onState(listener: (state: NodeConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  private setState(state: NodeConnectionState): void {
    if (state === this.current) return;
    this.current = state;
    for (const listener of [...this.stateListeners]) {
      try {
        listener(state);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  /**
   * Connects, or throws a NodeConnectError. With a locked wallet it throws (reason 'locked') but keeps watching:
   * the state goes 'locked' → 'connected' once the wallet is unlocked. Other failures end the attempt.
   */
  async connect(): Promise<void> {
    const run = ++this.run;
    this.clearReconnect();
    await this.closeSession();
    if (run !== this.run) throw new NodeConnectError('other', 'connect() was superseded');
    this.setState('connecting');
    try {
      await this.attempt(run);
    } catch (error) {
      const failure = toConnectError(error, this.host);
      if (run === this.run) {
        this.error = failure;
        if (failure.reason === 'locked') {
          this.setState('locked');
          this.scheduleReconnect(run, 0);
        } else {
          this.run++;
          this.setState('lost');
        }
      }
      throw failure;
    }
  }

  async disconnect(): Promise<void> {
    this.run++;
    this.clearReconnect();
    await this.closeSession();
    this.setState('lost');
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    for (const end of [...this.pending]) end();
  }

  /** A pause within a connection attempt; cut short (the attempt then sees it was superseded) by disconnect(). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.pending.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.pending.add(end);
    });
  }

  /** A delay after `failures` failures in a row: doubling from the first, up to the maximum, jittered. */
  backoff(failures: number): number {
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 250, maxMs: 10_000 };
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(failures, 30));
    return Math.round(base * (0.5 + Math.random() * 0.5));
  }

  private scheduleReconnect(run: number, failures: number): void {
    this.clearReconnect();
    // A locked wallet is polled often: the user is about to unlock it.
    const delay = this.current === 'locked' ? Math.min(this.backoff(failures), 1000) : this.backoff(failures);
    this.reconnectTimer = setTimeout(async () => {
      this.reconnectTimer = undefined;
      if (run !== this.run) return;
      try {
        await this.attempt(run);
      } catch (error) {
        if (run !== this.run) return;
        this.error = toConnectError(error, this.host);
        this.setState(this.error.reason === 'locked' ? 'locked' : 'lost');
        this.scheduleReconnect(run, failures + 1);
      }
    }, delay);
  }

  private superseded(): NodeConnectError {
    return new NodeConnectError('other', 'the connection attempt was cancelled');
  }

  /** One connection attempt: first contact, wallet state, then lnd-grpc. */
  private async attempt(run: number): Promise<void> {
    const creds = resolveLndCredentials(this.config);
    this.address = creds.host;
    const tlsTarget = tlsTargetOptions(creds.host, creds.certPem);
    let walletState = await this.probeState(creds, tlsTarget);
    if (run !== this.run) throw this.superseded();
    if (LOCKED_STATES.has(walletState)) {
      this.setState('locked');
      throw new NodeConnectError(
        'locked',
        `the wallet of LND at ${creds.host} is ${walletState === 'LOCKED' ? 'locked: unlock it (lncli unlock)' : 'not created yet (lncli create)'}`,
      );
    }
    if (STARTING_STATES.has(walletState)) {
      this.setState('unlocked');
      const until = Date.now() + 60_000;
      while (STARTING_STATES.has(walletState) && Date.now() < until) {
        await this.pause(400);
        if (run !== this.run) throw this.superseded();
        walletState = await this.probeState(creds, tlsTarget);
      }
      if (STARTING_STATES.has(walletState) || LOCKED_STATES.has(walletState)) {
        throw new NodeConnectError('other', `LND at ${creds.host} is still starting (${walletState})`);
      }
    }

    const client = new LndGrpc({
      host: creds.host,
      cert: creds.certPem,
      macaroon: creds.macaroonHex,
      protoDir: this.protos.protoDir,
      grpcOptions: { ...this.protos.grpcOptions, includeDirs: [...this.protos.grpcOptions.includeDirs] },
      connectionOptions: {
        // Detect a dead TCP connection (LND accepts pings every 5 s or more). Calls do not wait for it: they have
        // deadlines of their own (CALL_TIMEOUT_MS).
        'grpc.keepalive_time_ms': 30_000,
        'grpc.keepalive_timeout_ms': 20_000,
        // A channel never goes idle by itself: leaving READY always means the connection was lost.
        'grpc.client_idle_timeout_ms': 2_147_483_647,
        ...tlsTarget,
      },
    });
    try {
      await client.connect();
    } catch (error) {
      await client.disconnect().catch(() => {});
      throw error;
    }
    if (run !== this.run) {
      await client.disconnect().catch(() => {});
      throw this.superseded();
    }
    if (client.state !== 'active') {
      await client.disconnect().catch(() => {});
      if (client.state === 'locked')
        throw new NodeConnectError('locked', `the wallet of LND at ${creds.host} is locked`);
      throw new NodeConnectError(
        'unreachable',
        `LND at ${creds.host} did not become active (lnd-grpc: ${client.state})`,
      );
    }
    this.open(client);
  }

  /** State.GetState through a fail-fast client: the wallet state, or the reason LND cannot be reached. */
  private probeState(creds: LndCredentials, tlsTarget: TlsTargetOptions): Promise<string> {
    const State = stateClientConstructor(this.protos);
    const client = new State(
      creds.host,
      credentials.createSsl(creds.certPem ? Buffer.from(creds.certPem) : null),
      tlsTarget,
    );
    const timeout = this.options.connectTimeoutMs ?? 10_000;
    // disconnect() closes it, which ends the call at once.
    const end = () => {
      this.pending.delete(end);
      client.close();
    };
    this.pending.add(end);
    return new Promise<string>((resolve, reject) => {
      client.getState({}, { deadline: Date.now() + timeout }, (error, response) => {
        end();
        if (!error) resolve(response?.state ?? 'SERVER_ACTIVE');
        // An LND older than 0.13 has no State service: lnd-grpc finds out the rest.
        else if (error.code === status.UNIMPLEMENTED) resolve('SERVER_ACTIVE');
        else reject(toConnectError(error, creds.host));
      });
    });
  }

  private open(client: LndGrpcClient): void {
    const session: Session = { client, services: client.services, closed: false };
    this.openSession = session;
    this.error = undefined;
    this.watchChannel(session);
    this.watchWalletState(session, 0);
    // Subscriptions first: whoever hears 'connected' may act at once (settle a held HTLC, look payments up), and
    // what happens after that must reach the reopened streams.
    this.hooks.opened(session);
    this.setState('connected');
  }

  /** Leaving READY means the transport went away (LND stopped, network cut, keepalive timed out). */
  private watchChannel(session: Session): void {
    const channel = session.services.Lightning.service?.getChannel();
    if (!channel) return;
    const watch = (from: connectivityState) => {
      channel.watchConnectivityState(from, Number.POSITIVE_INFINITY, () => {
        if (session.closed) return;
        const now = channel.getConnectivityState(false);
        if (now !== connectivityState.READY) this.lose(session);
        else watch(now);
      });
    };
    const now = channel.getConnectivityState(true);
    if (now === connectivityState.READY) watch(now);
    else this.lose(session);
  }

  /**
   * State.SubscribeState: a wallet reported locked means LND restarted and waits for its password. The stream ending
   * (a proxy's timeout, say) is not a loss by itself: it is reopened after a check that LND answers.
   */
  private watchWalletState(session: Session, failures: number): void {
    if (session.closed) return;
    const stream = session.services.State.subscribeState({});
    session.stateStream = stream;
    stream.on('data', ({ state }) => {
      failures = 0;
      if (LOCKED_STATES.has(state) && !session.closed) {
        this.lose(session);
        this.setState('locked');
      }
    });
    const ended = () => {
      if (session.stateStream !== stream || session.closed) return;
      session.stateStream = undefined;
      session.services.State.getState({}, { deadline: Date.now() + 5_000 }).then(
        () => {
          if (session.closed) return;
          session.stateTimer = setTimeout(() => {
            session.stateTimer = undefined;
            this.watchWalletState(session, failures + 1);
          }, this.backoff(failures));
        },
        () => this.lose(session),
      );
    };
    stream.on('error', ended);
    stream.on('end', ended);
  }

  /** The connection is gone: say so, and reconnect with backoff. */
  private lose(session: Session): void {
    if (session.closed || this.openSession !== session) return;
    void this.closeSession();
    this.setState('lost');
    this.scheduleReconnect(this.run, 0);
  }

  private async closeSession(): Promise<void> {
    const session = this.openSession;
    this.openSession = undefined;
    this.hooks.closing();
    if (!session || session.closed) return;
    session.closed = true;
    if (session.stateTimer) clearTimeout(session.stateTimer);
    const stream = session.stateStream;
    session.stateStream = undefined;
    stream?.cancel();
    await session.client.disconnect().catch(() => {});
  }
}
