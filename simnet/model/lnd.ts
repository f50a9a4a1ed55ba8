import { createHash } from 'node:crypto';
import { type ExitHandler, forwardHtlc } from './forward';
import { terminalReason } from './interpret';
import { InvoiceRegistry } from './invoices';
import { MissionControl } from './mission';
import type { Network } from './network';
import { type Attempt, PaymentError, PaymentStore, paymentStatus } from './payments';
import { buildRouteFromPath, forwardingFee, policyFrom } from './route';
import type { Channel, Route, SimNode } from './types';

/** LND's default bitcoin.timelockdelta, used when BuildRoute gets final_cltv_delta 0 (0.18+). */
export const DEFAULT_FINAL_CLTV_DELTA = 80;

export interface LndOptions {
  mppTimeoutMs: number;
  /** Time SendToRouteV2 takes before its attempt is recorded (LND writes the payment and attempt to its database). */
  registerDelayMs?: number;
}

/**
 * One node's daemon: what LND keeps beside the graph (invoices, payments, mission control) and the router calls
 * that act on them. The gRPC layer translates messages; every rule lives here.
 */
export class SimLnd {
  readonly invoices: InvoiceRegistry;
  readonly payments = new PaymentStore();
  readonly mission: MissionControl;

  constructor(
    readonly net: Network,
    readonly node: SimNode,
    readonly exit: ExitHandler,
    private readonly options: LndOptions,
  ) {
    this.invoices = new InvoiceRegistry({
      mppTimeoutMs: options.mppTimeoutMs,
      height: () => net.height,
      scheduler: net.scheduler,
    });
    this.mission = new MissionControl(net);
  }

  /** routerrpc.SendToRouteV2: blocks until the HTLC resolves; a failed HTLC is an answer, not an error. */
  async sendToRoute(hash: Buffer, route: Route | undefined, skipTempErr: boolean): Promise<Attempt> {
    if (hash.length !== 32) throw new PaymentError(`invalid hash length of ${hash.length}, want 32`);
    if (!route) throw new PaymentError('unable to send, no routes provided');
    if (route.hops.length === 0) throw new PaymentError('empty route hops provided');
    const last = route.hops[route.hops.length - 1] as Route['hops'][number];
    if (skipTempErr && !last.mpp) throw new PaymentError('cannot skip temp error for non-MPP');
    const amount = last.mpp ? last.mpp.totalAmtMsat : last.amtToForwardMsat;
    if (this.options.registerDelayMs) await new Promise((r) => setTimeout(r, this.options.registerDelayMs));
    try {
      this.payments.initPayment(hash, amount);
    } catch (error) {
      const tolerated = error instanceof PaymentError && /in transition|already exists/.test(error.message);
      if (!last.mpp || !tolerated) throw error;
    }
    const attempt = this.payments.registerAttempt(hash, this.payments.nextAttemptId(), route);
    const outcome = await forwardHtlc(this.net, this.node.index, hash, route, this.exit);
    if (outcome.settled) {
      this.mission.reportAttempt(this.node.index, route, undefined);
      this.payments.settleAttempt(hash, attempt, outcome.preimage);
      return attempt;
    }
    this.mission.reportAttempt(this.node.index, route, outcome.failure);
    const reason = terminalReason(outcome.failure, route.hops.length);
    const payment = this.payments.get(hash);
    if (reason && payment?.failureReason === 'FAILURE_REASON_NONE') this.payments.failPayment(hash, reason);
    this.payments.failAttempt(hash, attempt, outcome.failure);
    // Since 0.19 a reason already set (a terminal one) is kept rather than overwritten by ERROR.
    if (!skipTempErr && this.payments.get(hash)?.failureReason === 'FAILURE_REASON_NONE') {
      this.payments.failPayment(hash, 'FAILURE_REASON_ERROR');
    }
    return attempt;
  }

  /** routerrpc.BuildRoute over the given hops (our own node excluded), pricing each with the graph's policies. */
  buildRoute(args: {
    amtMsat: bigint;
    finalCltvDelta: number;
    outgoingChanId: bigint;
    hopPubkeys: string[];
    paymentAddr?: Buffer;
  }): Route {
    if (args.hopPubkeys.length === 0) throw new PaymentError('no hops specified');
    const nodes = args.hopPubkeys.map((key) => {
      const node = this.net.nodeByPubkey(key);
      if (!node) throw new PaymentError(`unable to find node ${key}`);
      return node.index;
    });
    const finalDelta = args.finalCltvDelta === 0 ? DEFAULT_FINAL_CLTV_DELTA : args.finalCltvDelta;
    const receiverAmt = args.amtMsat === 0n ? this.minimumRoutable(nodes, args.outgoingChanId) : args.amtMsat;
    const path = this.pickChannels(nodes, receiverAmt, args.outgoingChanId);
    const mpp = args.paymentAddr ? { paymentAddr: args.paymentAddr, totalAmtMsat: receiverAmt } : undefined;
    return buildRouteFromPath(this.net, path, receiverAmt, finalDelta, mpp);
  }

  /** Backward pass: for each pair, the channel that can carry what the next node must receive. */
  private pickChannels(nodes: number[], receiverAmt: bigint, outgoingChanId: bigint) {
    const path: { chanId: bigint; to: number }[] = new Array(nodes.length);
    let carried = receiverAmt;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const from = i === 0 ? this.node.index : (nodes[i - 1] as number);
      const to = nodes[i] as number;
      const candidates: Channel[] = [];
      for (const { channel, dir, peer } of this.net.channelsOf(from)) {
        if (peer !== to) continue;
        if (i === 0 && outgoingChanId !== 0n && channel.id !== outgoingChanId) continue;
        const policy = channel.policy[dir];
        if (i === 0) {
          // Our own channel: its known bandwidth decides, not gossip.
          if (this.net.available(channel, dir) >= carried) candidates.push(channel);
        } else if (!policy.disabled && carried >= policy.htlcMinMsat && carried <= policy.htlcMaxMsat) {
          candidates.push(channel);
        }
      }
      if (candidates.length === 0) throw new PaymentError(`no matching outgoing channel available for node index ${i}`);
      // Like LND's unified edge, price the hop at the most expensive usable policy so that any of them would pass.
      let chosen = candidates[0] as Channel;
      let chosenFee = -1n;
      for (const channel of candidates) {
        const fee = i === 0 ? 0n : forwardingFee(policyFrom(this.net, channel.id, from), carried);
        if (fee > chosenFee) {
          chosen = channel;
          chosenFee = fee;
        }
      }
      path[i] = { chanId: chosen.id, to };
      if (i > 0) carried += chosenFee;
    }
    return path;
  }

  private minimumRoutable(nodes: number[], outgoingChanId: bigint): bigint {
    let amt = 1n;
    for (let i = 1; i < nodes.length; i++) {
      for (const { channel, dir, peer } of this.net.channelsOf(nodes[i - 1] as number)) {
        if (peer === nodes[i] && (outgoingChanId === 0n || i > 1 || channel.id === outgoingChanId)) {
          if (channel.policy[dir].htlcMinMsat > amt) amt = channel.policy[dir].htlcMinMsat;
        }
      }
    }
    return amt;
  }

  /**
   * What LND does to its payments when it restarts (routing/router.go resumePayments): an in-flight payment that
   * still has an amount left to send gets an empty payment session and fails with NO_ROUTE.
   */
  restart(): void {
    for (const payment of this.payments.list()) {
      if (paymentStatus(payment) !== 'IN_FLIGHT' || payment.failureReason !== 'FAILURE_REASON_NONE') continue;
      const sent = payment.htlcs.reduce(
        (sum, h) => (h.status === 'FAILED' ? sum : sum + (h.route.hops.at(-1)?.amtToForwardMsat ?? 0n)),
        0n,
      );
      if (sent < payment.valueMsat) this.payments.failPayment(payment.hash, 'FAILURE_REASON_NO_ROUTE');
    }
  }
}

export function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}
