// The renderer's view of Braid's command API (docs/commands.md): one typed interface, whichever
// transport carries it (ipc.ts inside Electron, websocket.ts in a plain browser; select.ts picks). Only shared/
// is imported here: no Node APIs in the renderer.

import type { CommandArgs, CommandName, CommandResult } from '../../shared/api/commands';
import { ApiError, ErrorCode } from '../../shared/api/errors';
import type { ApiEvent, EventName } from '../../shared/api/events';

export type { CommandArgs, CommandName, CommandResult } from '../../shared/api/commands';
export { ApiError, ErrorCode } from '../../shared/api/errors';
export type { ApiEvent, EventName } from '../../shared/api/events';

export interface BraidApi {
  /**
   * Runs a command: params by name (an object) or by position (an array), none for a command without any.
   * Resolves with its result (amounts as bigint); rejects with an ApiError `{ code, message, data? }`.
   */
  call<N extends CommandName>(name: N, params?: CommandArgs[N] | unknown[]): Promise<CommandResult[N]>;
  /**
   * Listens to events. The returned function removes this listener (calling it again does nothing); when the last
   * listener of an event goes, the server stops sending that event.
   */
  subscribe(events: EventName[], listener: (event: ApiEvent) => void): () => void;
}

/** Whatever a transport rejected with, as an ApiError: `{ code, message, data? }` kept, anything else code -1. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (typeof error === 'object' && error !== null) {
    const { code, message, data } = error as { code?: unknown; message?: unknown; data?: unknown };
    if (typeof code === 'number' && typeof message === 'string') return new ApiError(code, message, data);
    if (typeof message === 'string') return new ApiError(ErrorCode.Internal, message);
  }
  return new ApiError(ErrorCode.Internal, String(error));
}

type Listener = (event: ApiEvent) => void;

/**
 * Listeners per event, kept in step with what the server sends: one change at a time and in order, `sync` is asked
 * to `subscribe` the events that gained their first listener and to `unsubscribe` those that lost their last.
 */
export class Subscriptions {
  private readonly listeners = new Map<EventName, Set<Listener>>();
  /** What the server was last asked to send. */
  private readonly remote = new Set<EventName>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly sync: (method: 'subscribe' | 'unsubscribe', events: EventName[]) => Promise<unknown>,
    private readonly onSyncError: (error: ApiError) => void = () => {},
  ) {}

  add(events: EventName[], listener: Listener): () => void {
    // Wrapped, so that the same function subscribed twice is two subscriptions, each removed by its own call.
    const entry: Listener = (event) => listener(event);
    const names = [...new Set(events)];
    for (const name of names) {
      let set = this.listeners.get(name);
      if (!set) {
        set = new Set();
        this.listeners.set(name, set);
      }
      set.add(entry);
    }
    this.reconcile();
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      for (const name of names) {
        const set = this.listeners.get(name);
        set?.delete(entry);
        if (set?.size === 0) this.listeners.delete(name);
      }
      this.reconcile();
    };
  }

  /** Hands an event to its listeners; one throwing does not stop the others. */
  dispatch(event: ApiEvent): void {
    for (const listener of [...(this.listeners.get(event.event) ?? [])]) {
      try {
        listener(event);
      } catch (error) {
        console.error('braid: event listener failed', error);
      }
    }
  }

  listenerCount(event?: EventName): number {
    if (event) return this.listeners.get(event)?.size ?? 0;
    let total = 0;
    for (const set of this.listeners.values()) total += set.size;
    return total;
  }

  /** Forgets every listener (the connection is gone); nothing is sent. */
  clear(): void {
    this.listeners.clear();
    this.remote.clear();
  }

  /** Queues one sync that brings the server's set to the wanted set, as of when it runs. */
  private reconcile(): void {
    this.chain = this.chain.then(async () => {
      const wanted = new Set(this.listeners.keys());
      const subscribe = [...wanted].filter((e) => !this.remote.has(e));
      const unsubscribe = [...this.remote].filter((e) => !wanted.has(e));
      if (subscribe.length === 0 && unsubscribe.length === 0) return;
      try {
        if (subscribe.length > 0) {
          await this.sync('subscribe', subscribe);
          for (const e of subscribe) this.remote.add(e);
        }
        if (unsubscribe.length > 0) {
          await this.sync('unsubscribe', unsubscribe);
          for (const e of unsubscribe) this.remote.delete(e);
        }
      } catch (error) {
        this.onSyncError(toApiError(error));
      }
    });
  }

  /** Resolves when every queued sync has run (for tests and orderly shutdown). */
  settled(): Promise<void> {
    return this.chain;
  }
}
