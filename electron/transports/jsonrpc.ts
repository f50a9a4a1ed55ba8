import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { ApiError, ErrorCode } from '../../shared/api/errors';
import { EVENT_NAMES, type EventName } from '../../shared/api/events';
import { parseJson, stringifyJson } from '../../shared/api/json';
import type { Core } from '../core/core';

interface RpcRequest {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

function errorObject(error: unknown) {
  if (error instanceof ApiError) {
    return error.data === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, data: error.data };
  }
  return { code: ErrorCode.Internal, message: error instanceof Error ? error.message : String(error) };
}

/** One connection: its own subscriptions, removed when it closes. */
class Connection {
  private readonly subscriptions = new Map<EventName, () => void>();

  constructor(
    private readonly socket: Socket,
    private readonly core: Core,
  ) {
    const lines = createInterface({ input: socket, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => {
      if (line.trim() !== '') void this.handleLine(line);
    });
    socket.on('close', () => this.close());
    socket.on('error', () => this.close());
  }

  private send(message: unknown): void {
    if (!this.socket.destroyed) this.socket.write(`${stringifyJson(message)}\n`);
  }

  private async handleLine(line: string): Promise<void> {
    let parsed: unknown;
    try {
      parsed = parseJson(line);
    } catch {
      this.send({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.ParseError, message: 'parse error: not JSON' } });
      return;
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) {
        this.send({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.InvalidRequest, message: 'empty batch' } });
        return;
      }
      const answers = (await Promise.all(parsed.map((r) => this.handle(r)))).filter((a) => a !== undefined);
      if (answers.length > 0) this.send(answers);
      return;
    }
    const answer = await this.handle(parsed);
    if (answer !== undefined) this.send(answer);
  }

  private async handle(raw: unknown): Promise<unknown> {
    const request = (typeof raw === 'object' && raw !== null ? raw : {}) as RpcRequest;
    const id = request.id === undefined ? undefined : request.id;
    const validId = id === undefined || id === null || typeof id === 'string' || typeof id === 'number';
    if (request.jsonrpc !== '2.0' || typeof request.method !== 'string' || !validId) {
      return {
        jsonrpc: '2.0',
        id: validId ? (id ?? null) : null,
        error: { code: ErrorCode.InvalidRequest, message: 'invalid request: expected {"jsonrpc":"2.0","method":...}' },
      };
    }
    try {
      const result = await this.dispatch(request.method, request.params ?? []);
      return id === undefined ? undefined : { jsonrpc: '2.0', id, result };
    } catch (error) {
      return id === undefined ? undefined : { jsonrpc: '2.0', id, error: errorObject(error) };
    }
  }

  private dispatch(method: string, params: unknown): Promise<unknown> {
    // Subscriptions belong to the connection: the core's command only validates the event names.
    if (method === 'subscribe' || method === 'unsubscribe') {
      return this.core.call(method, params).then((result) => {
        const { events } = result as { events: EventName[] };
        for (const event of events) {
          if (method === 'subscribe' && !this.subscriptions.has(event)) {
            this.subscriptions.set(
              event,
              this.core.events.on(event, (payload) => this.send({ jsonrpc: '2.0', method: event, params: payload })),
            );
          } else if (method === 'unsubscribe') {
            this.subscriptions.get(event)?.();
            this.subscriptions.delete(event);
          }
        }
        return { events: EVENT_NAMES.filter((e) => this.subscriptions.has(e)) };
      });
    }
    return this.core.call(method, params);
  }

  close(): void {
    for (const unsubscribe of this.subscriptions.values()) unsubscribe();
    this.subscriptions.clear();
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
    const server = createServer((socket) => {
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
