import { ApiError, ErrorCode } from '../../shared/api/errors';
import { EVENT_NAMES, type EventName } from '../../shared/api/events';
import { parseJson, stringifyJson } from '../../shared/api/json';
import { type Caller, REMOTE_CALLER } from '../core/commands/context';
import type { Core } from '../core/core';
import { MAX_BATCH, tooManyInBatch } from './limits';

// JSON-RPC 2.0 over any message stream (docs/commands.md): one RpcSession per connection, whatever
// carries it (jsonrpc.ts: newline-delimited over a unix socket; websocket.ts: one message per WebSocket frame).
// The session owns the connection's subscriptions and drops them on close.

interface RpcRequest {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

/** An error as the wire carries it: `{ code, message, data? }`; anything not an ApiError is -1. */
export function errorObject(error: unknown): { code: number; message: string; data?: unknown } {
  if (error instanceof ApiError) {
    return error.data === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, data: error.data };
  }
  return { code: ErrorCode.Internal, message: error instanceof Error ? error.message : String(error) };
}

export class RpcSession {
  private readonly subscriptions = new Map<EventName, () => void>();
  private closed = false;

  /** `send` gets one serialized JSON-RPC message (no trailing newline); it is never called after `close()`. */
  constructor(
    private readonly core: Core,
    private readonly send: (text: string) => void,
    /** Where this connection's caller may have files written: the exports folder only unless told otherwise. */
    private readonly caller: Caller = REMOTE_CALLER,
  ) {}

  private write(message: unknown): void {
    if (!this.closed) this.send(stringifyJson(message));
  }

  /** One incoming message (a request, a notification or a batch) as text; answers through `send`. */
  async handleText(text: string): Promise<void> {
    let parsed: unknown;
    try {
      parsed = parseJson(text);
    } catch {
      this.write({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.ParseError, message: 'parse error: not JSON' } });
      return;
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) {
        this.write({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.InvalidRequest, message: 'empty batch' } });
        return;
      }
      if (parsed.length > MAX_BATCH) {
        const message = tooManyInBatch(parsed.length);
        this.write({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.InvalidRequest, message } });
        return;
      }
      const answers = (await Promise.all(parsed.map((r) => this.handle(r)))).filter((a) => a !== undefined);
      if (answers.length > 0) this.write(answers);
      return;
    }
    const answer = await this.handle(parsed);
    if (answer !== undefined) this.write(answer);
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
          if (method === 'subscribe' && !this.subscriptions.has(event) && !this.closed) {
            this.subscriptions.set(
              event,
              this.core.events.on(event, (payload) => this.write({ jsonrpc: '2.0', method: event, params: payload })),
            );
          } else if (method === 'unsubscribe') {
            this.subscriptions.get(event)?.();
            this.subscriptions.delete(event);
          }
        }
        return { events: EVENT_NAMES.filter((e) => this.subscriptions.has(e)) };
      });
    }
    return this.core.call(method, params, this.caller);
  }

  /** Drops the connection's subscriptions; nothing is sent afterwards. Idempotent. */
  close(): void {
    this.closed = true;
    for (const unsubscribe of this.subscriptions.values()) unsubscribe();
    this.subscriptions.clear();
  }
}
