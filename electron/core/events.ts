import type { EventName, EventPayload } from '../../shared/api/events';

type Listener<E extends EventName> = (payload: EventPayload[E]) => void;

/**
 * The core's outgoing events: what the ledger wrote, told after it was written. Every subscription returns its own
 * unsubscribe, and `listenerCount` lets tests prove that none is left behind.
 */
export class EventBus {
  private readonly listeners = new Map<EventName, Set<Listener<EventName>>>();

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<EventName>);
    return () => {
      set.delete(listener as Listener<EventName>);
    };
  }

  emit<E extends EventName>(event: E, payload: EventPayload[E]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        listener(payload);
      } catch {
        // A failing listener must not stop the others, nor the core's own bookkeeping.
      }
    }
  }

  listenerCount(event?: EventName): number {
    if (event) return this.listeners.get(event)?.size ?? 0;
    let total = 0;
    for (const set of this.listeners.values()) total += set.size;
    return total;
  }
}
