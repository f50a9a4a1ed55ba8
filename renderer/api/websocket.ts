// BraidApi over the browser harness's WebSocket (electron/transports/websocket.ts): JSON-RPC 2.0, one message per
// text frame, amounts as bigint on arrival (parseJson with `amounts`) and written as exact JSON numbers
// (stringifyJson). No reconnection: once the socket is gone every call rejects with an ApiError.

import type { CommandArgs, CommandName, CommandResult } from '../../shared/api/commands';
import { ApiError, ErrorCode } from '../../shared/api/errors';
import { isEventName } from '../../shared/api/events';
import { parseJson, stringifyJson } from '../../shared/api/json';
import { type BraidApi, Subscriptions, toApiError } from './client';

export interface WebSocketApiOptions {
  /** `ws://127.0.0.1:PORT/?token=…`. */
  url: string;
  /** The WebSocket class; the browser's by default (tests pass one that can set an Origin). */
  WebSocket?: typeof WebSocket;
}

export interface WebSocketApi extends BraidApi {
  /** Resolves once connected; rejects (ApiError -1) if the connection is refused or lost first. */
  readonly ready: Promise<void>;
  /** Closes the connection; pending calls reject. */
  close(): void;
}

interface Waiter {
  resolve: (value: unknown) => void;
  reject: (error: ApiError) => void;
}

interface RpcMessage {
  id?: unknown;
  result?: unknown;
  error?: unknown;
  method?: unknown;
  params?: unknown;
}

/** The URL without its query (where the token is), for messages. */
function safeUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export function connectWebSocketApi(options: WebSocketApiOptions): WebSocketApi {
  const Socket = options.WebSocket ?? globalThis.WebSocket;
  if (typeof Socket !== 'function') throw new Error('no WebSocket in this environment');
  const where = safeUrl(options.url);
  const socket = new Socket(options.url);
  const pending = new Map<number, Waiter>();
  const queue: string[] = [];
  let nextId = 1;
  let closed: ApiError | undefined;
  let opened = false;

  let settleReady: { resolve: () => void; reject: (e: ApiError) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settleReady = { resolve, reject };
  });
  ready.catch(() => {}); // Callers who never await `ready` learn of the failure from their calls.

  const request = (method: string, params: unknown): Promise<unknown> =>
    new Promise<unknown>((resolve, reject) => {
      if (closed) {
        reject(closed);
        return;
      }
      const id = nextId++;
      let text: string;
      try {
        text = stringifyJson({ jsonrpc: '2.0', id, method, params: params ?? {} });
      } catch (error) {
        reject(
          new ApiError(ErrorCode.InvalidParams, `params: cannot be written as JSON (${toApiError(error).message})`),
        );
        return;
      }
      pending.set(id, { resolve, reject });
      if (opened) socket.send(text);
      else queue.push(text);
    });

  const subscriptions = new Subscriptions(
    (method, events) => request(method, { events }),
    (error) => {
      if (!closed) console.error(`braid: ${error.message}`);
    },
  );

  const onMessage = (message: RpcMessage) => {
    if (message.id === undefined || message.id === null) {
      if (typeof message.method === 'string' && isEventName(message.method)) {
        subscriptions.dispatch({ event: message.method, data: message.params } as Parameters<
          typeof subscriptions.dispatch
        >[0]);
        return;
      }
      if (message.error) console.error('braid: error from the wallet without a request id', message.error);
      return;
    }
    const waiter = typeof message.id === 'number' ? pending.get(message.id) : undefined;
    if (!waiter) return;
    pending.delete(message.id as number);
    if (message.error !== undefined) waiter.reject(toApiError(message.error));
    else waiter.resolve(message.result);
  };

  socket.addEventListener('open', () => {
    opened = true;
    settleReady?.resolve();
    for (const text of queue.splice(0)) socket.send(text);
  });
  socket.addEventListener('message', (event: MessageEvent) => {
    if (typeof event.data !== 'string') return;
    let parsed: unknown;
    try {
      parsed = parseJson(event.data, { amounts: true });
    } catch {
      console.error('braid: the wallet sent something that is not JSON');
      return;
    }
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
      if (typeof message === 'object' && message !== null) onMessage(message as RpcMessage);
    }
  });
  // A failed or lost connection is told by the `close` that follows.
  socket.addEventListener('error', () => {});
  socket.addEventListener('close', (event: CloseEvent) => {
    closed ??= new ApiError(
      ErrorCode.Internal,
      opened
        ? `connection to the wallet at ${where} closed (code ${event.code})`
        : `cannot connect to the wallet at ${where} (refused: wrong token or origin, or nothing listening)`,
    );
    settleReady?.reject(closed);
    for (const waiter of pending.values()) waiter.reject(closed);
    pending.clear();
    queue.length = 0;
    subscriptions.clear();
  });

  return {
    ready,
    call<N extends CommandName>(name: N, params?: CommandArgs[N] | unknown[]): Promise<CommandResult[N]> {
      return request(name, params) as Promise<CommandResult[N]>;
    },
    subscribe: (events, listener) => subscriptions.add(events, listener),
    close() {
      closed ??= new ApiError(ErrorCode.Internal, `connection to the wallet at ${where} closed by the page`);
      socket.close(1000);
    },
  };
}
