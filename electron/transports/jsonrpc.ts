import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { Core } from '../core/core';
import { RpcSession } from './rpc-session';

/**
 * One connection: newline-delimited messages into its own RpcSession (and its subscriptions), closed with it. A client
 * that half-closes after its requests (`echo … | nc -U -q1 rpc.sock`) still gets every answer; then this side ends.
 */
class Connection {
  private readonly session: RpcSession;
  /** Requests read and not yet answered. */
  private inFlight = 0;
  /** The client has sent all it will (its end of the stream closed). */
  private ended = false;

  constructor(
    private readonly socket: Socket,
    core: Core,
  ) {
    this.session = new RpcSession(core, (text) => {
      if (!this.socket.destroyed) this.socket.write(`${text}\n`);
    });
    const lines = createInterface({ input: socket, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => {
      if (line.trim() === '') return;
      this.inFlight++;
      void this.session.handleText(line).finally(() => {
        this.inFlight--;
        this.finishIfDone();
      });
    });
    // readline closes once every line of the ended input is out.
    lines.on('close', () => {
      this.ended = true;
      this.finishIfDone();
    });
    socket.on('close', () => this.close());
    socket.on('error', () => this.close());
  }

  /** After the client's end and the last answer: our end too (subscriptions end with it). */
  private finishIfDone(): void {
    if (!this.ended || this.inFlight > 0) return;
    this.session.close();
    this.socket.end();
  }

  close(): void {
    this.session.close();
    this.socket.destroy();
  }
}

/**
 * JSON-RPC 2.0 over a unix socket, newline-delimited, for scripts and other tools. The socket is created with
 * mode 0600 (the umask is narrowed while it is made, so that no other user can connect in between).
 */
export class JsonRpcServer {
  private readonly connections = new Set<Connection>();
  private server: Server | undefined;

  constructor(
    private readonly core: Core,
    readonly path: string,
  ) {}

  async start(): Promise<void> {
    if (existsSync(this.path)) unlinkSync(this.path);
    // allowHalfOpen: a client's end of the stream is not ours; Connection ends its side once it has answered.
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      const connection = new Connection(socket, this.core);
      this.connections.add(connection);
      socket.on('close', () => this.connections.delete(connection));
    });
    const previous = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.path, () => resolve());
      });
    } finally {
      process.umask(previous);
    }
    chmodSync(this.path, 0o600);
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const connection of this.connections) connection.close();
    this.connections.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (existsSync(this.path)) unlinkSync(this.path);
  }
}
