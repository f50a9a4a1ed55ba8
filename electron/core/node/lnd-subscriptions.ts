import type { ClientReadableStream } from '@grpc/grpc-js';
import type { LndConnection, Session } from './lnd-connection';
import { fromRpcPayment, isTerminal } from './lnd-convert';
import type { RpcPayment } from './lnd-rpc';
import type { NodePayment } from './types';

// The trackPayments subscriptions: one TrackPayments stream each, reopened with backoff while the connection holds,
// reopened on each new connection, and caught up on the payments that ended while no stream was open.

interface Subscription {
  listener: (payment: NodePayment) => void;
  active: boolean;
  stream?: ClientReadableStream<RpcPayment>;
  timer?: NodeJS.Timeout;
  failures: number;
  /** Payments this subscription reported and that have not ended yet: looked up again whenever its stream reopens. */
  unsettled: Set<string>;
}

export class PaymentSubscriptions {
  private readonly subscriptions = new Set<Subscription>();

  constructor(
    private readonly connection: Pick<LndConnection, 'session' | 'backoff'>,
    private readonly lookupPayment: (paymentHash: string) => Promise<NodePayment | undefined>,
  ) {}

  /** LightningNode.trackPayments. */
  add(listener: (payment: NodePayment) => void): () => void {
    const subscription: Subscription = { listener, active: true, failures: 0, unsettled: new Set() };
    this.subscriptions.add(subscription);
    if (this.connection.session) this.openSubscription(subscription, this.connection.session);
    return () => {
      subscription.active = false;
      this.subscriptions.delete(subscription);
      this.closeSubscriptionStream(subscription);
    };
  }

  /** A new session: every subscription's stream opens on it. */
  openAll(session: Session): void {
    for (const subscription of this.subscriptions) this.openSubscription(subscription, session);
  }

  /** The session is closing: every stream with it. */
  closeAll(): void {
    for (const subscription of this.subscriptions) this.closeSubscriptionStream(subscription);
  }

  private openSubscription(subscription: Subscription, session: Session): void {
    this.closeSubscriptionStream(subscription);
    if (!subscription.active || session.closed) return;
    const stream = session.services.Router.trackPayments({ no_inflight_updates: false });
    subscription.stream = stream;
    stream.on('data', (payment: RpcPayment) => {
      if (subscription.stream !== stream) return;
      subscription.failures = 0;
      this.deliver(subscription, fromRpcPayment(payment));
    });
    // TrackPayments replays the payments still in flight, not those that ended while no stream was open (the
    // connection was down, or LND had not yet registered this stream when the payment ended): look those up.
    if (subscription.unsettled.size > 0) void this.catchUp(subscription, stream);
    // TrackPayments never ends by itself: reopen it, with backoff, while the connection holds. A lost connection
    // closes every stream and the next connection reopens them.
    const ended = () => {
      if (subscription.stream !== stream) return;
      subscription.stream = undefined;
      if (!subscription.active || session.closed || this.connection.session !== session) return;
      subscription.timer = setTimeout(
        () => {
          subscription.timer = undefined;
          if (this.connection.session === session) this.openSubscription(subscription, session);
        },
        this.connection.backoff(subscription.failures++),
      );
    };
    stream.on('error', ended);
    stream.on('end', ended);
  }

  private deliver(subscription: Subscription, payment: NodePayment): void {
    if (isTerminal(payment)) subscription.unsettled.delete(payment.payment_hash);
    else subscription.unsettled.add(payment.payment_hash);
    try {
      subscription.listener(payment);
    } catch {
      // A listener's failure is its own.
    }
  }

  /**
   * After a (re)opened stream's request has gone out: the payments the subscription saw unsettled, as the node has
   * them now; those that ended in the gap are reported. A failed lookup is left to the next reopening.
   */
  private async catchUp(subscription: Subscription, stream: ClientReadableStream<RpcPayment>): Promise<void> {
    for (const hash of [...subscription.unsettled]) {
      if (subscription.stream !== stream) return;
      const payment = await this.lookupPayment(hash).catch(() => undefined);
      if (payment && isTerminal(payment) && subscription.stream === stream && subscription.unsettled.has(hash)) {
        this.deliver(subscription, payment);
      }
    }
  }

  private closeSubscriptionStream(subscription: Subscription): void {
    if (subscription.timer) clearTimeout(subscription.timer);
    subscription.timer = undefined;
    const stream = subscription.stream;
    subscription.stream = undefined;
    stream?.cancel();
  }
}
