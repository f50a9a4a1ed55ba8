import { chmodSync, lstatSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { ErrorCode } from '../../shared/api/errors';
import { LOCAL_CALLER } from '../core/commands/context';
import type { Core } from '../core/core';
import { LineSplitter, MAX_CONNECTIONS, MAX_MESSAGE_BYTES, tooLong, tooManyConnections } from './limits';
import { RpcSession } from './rpc-session';
import { claimSocketPath, releaseSocketPath } from './socket-path';

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
    // The local socket (mode 0600) is the user's own: files may be written anywhere the export rules allow.
    this.session = new RpcSession(
      core,
      (text) => {
        if (!this.socket.destroyed) this.socket.write(`${text}\n`);
      },
      LOCAL_CALLER,
    );
    // A line past the limit is answered once, then the connection is closed (memory held stays bounded).
    const lines = new LineSplitter(
      MAX_MESSAGE_BYTES,
      (line) => {
        if (line.trim() === '') return;
        this.inFlight++;
        void this.session.handleText(line).finally(() => {
          this.inFlight--;
          this.finishIfDone();
        });
      },
      () => this.refuse(tooLong()),
    );
    socket.on('data', (chunk: Buffer) => lines.push(chunk));
    // The client's end: its last line (even without a newline) is read, answered, then our end follows.
    socket.on('end', () => {
      lines.end();
      this.ended = true;
      this.finishIfDone();
    });
    socket.on('close', () => this.close());
    socket.on('error', () => this.close());
  }

  /** Answers one error (id null: it belongs to no request) and ends the connection. */
  refuse(message: string): void {
    this.session.close();
    if (this.socket.destroyed) return;
    const error = { jsonrpc: '2.0', id: null, error: { code: ErrorCode.InvalidRequest, message } };
    // Nothing more is read: the connection goes once the answer is out.
    this.socket.write(`${JSON.stringify(error)}\n`, () => this.socket.destroy());
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
  /** The inode of the socket this server made: only that one is removed at stop. */
  private ino: number | undefined;

  constructor(
    private readonly core: Core,
    readonly path: string,
  ) {}

  async start(): Promise<void> {
    await claimSocketPath(this.path);
    // allowHalfOpen: a client's end of the stream is not ours; Connection ends its side once it has answered.
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      if (this.connections.size >= MAX_CONNECTIONS) {
        socket.on('error', () => {});
        socket.end(
          `${JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.InvalidRequest, message: tooManyConnections() } })}\n`,
        );
        return;
      }
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
    this.ino = lstatSync(this.path).ino;
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const connection of this.connections) connection.close();
    this.connections.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    releaseSocketPath(this.path, this.ino);
  }
}
