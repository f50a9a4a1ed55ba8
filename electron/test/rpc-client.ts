import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { parseJson, stringifyJson } from '../../shared/api/json';

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** The code a call gets when its connection closed before the answer (not a JSON-RPC code). */
export const CONNECTION_CLOSED = -99;

/** A minimal JSON-RPC 2.0 client over a unix socket, newline-delimited: what a script would write. */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: RpcErrorObject) => void }>();
  readonly notifications: { method: string; params: unknown }[] = [];
  private readonly listeners = new Set<(n: { method: string; params: unknown }) => void>();

  private constructor(private readonly socket: Socket) {
    const lines = createInterface({ input: socket });
    lines.on('line', (line) => {
      const message = parseJson(line, { amounts: true }) as {
        id?: number;
        result?: unknown;
        error?: RpcErrorObject;
        method?: string;
        params?: unknown;
      };
      if (message.method) {
        const n = { method: message.method, params: message.params };
        this.notifications.push(n);
        for (const l of this.listeners) l(n);
        return;
      }
      const waiter = this.pending.get(message.id as number);
      if (!waiter) return;
      this.pending.delete(message.id as number);
      if (message.error) waiter.reject(message.error);
      else waiter.resolve(message.result);
    });
    // A call whose connection goes (the daemon killed) is told so rather than left waiting.
    socket.on('close', () => {
      for (const waiter of this.pending.values())
        waiter.reject({ code: CONNECTION_CLOSED, message: 'connection closed' });
      this.pending.clear();
    });
    socket.on('error', () => {});
    lines.on('error', () => {});
  }

  static connect(path: string): Promise<RpcClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path, () => resolve(new RpcClient(socket)));
      socket.once('error', reject);
    });
  }

  call<T = Record<string, unknown>>(method: string, params: unknown = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.socket.destroyed) return reject({ code: CONNECTION_CLOSED, message: 'connection closed' });
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(`${stringifyJson({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  onNotification(listener: (n: { method: string; params: unknown }) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.socket.destroy();
  }
}
