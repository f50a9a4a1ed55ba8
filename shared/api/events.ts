// Events a client can `subscribe` to (../../shared/reference/api.md "What the wallet adds").

import type { NodeConnectionState, PartialPayment, Payment } from '../types';

export const EVENTS = ['partialpayment', 'payment', 'node', 'pay'] as const;

/** Same list (the name the transports use). */
export const EVENT_NAMES = EVENTS;

export type EventName = (typeof EVENTS)[number];

export interface EventPayloads {
  /** A partial payment was created or changed. */
  partialpayment: PartialPayment;
  /** A payment changed. */
  payment: Payment;
  /** The connection to the node changed state. */
  node: { state: NodeConnectionState };
  /** A pay loop of the core started or ended. */
  pay: PayEvent;
}

/** Where a pay loop stands: running, or how it ended. */
export type PayState = 'running' | 'stopped' | 'complete' | 'gave-up' | 'refused';

export interface PayEvent {
  payment_hash: string;
  state: PayState;
  /** How it ended, when not complete: the ErrorCode pay rejected with (210, 203, 212, ...). */
  code?: number;
  /** The reason in words, when not complete. */
  message?: string;
}

/** Same map (the name the core uses). */
export type EventPayload = EventPayloads;

/** One event with its payload, discriminated by `event`. */
export type ApiEvent = { [K in EventName]: { event: K; data: EventPayloads[K] } }[EventName];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENTS as readonly string[]).includes(name);
}
