import { activityOf, type HtlcEvent } from '../model/activity';
import type { Handlers, NodeContext, Stream } from './context';
import { marshalFailure } from './marshal';

/**
 * The Router sub-server beyond payments: the node's HTLC events (SubscribeHtlcEvents) and its mission control
 * (QueryMissionControl, ResetMissionControl), which SendPaymentV2 and QueryRoutes read and every attempt teaches.
 */

const seconds = (ms: number) => Math.floor(ms / 1000).toString();

function marshalHtlcEvent(event: HtlcEvent) {
  const base = {
    incoming_channel_id: event.incomingChanId.toString(),
    outgoing_channel_id: event.outgoingChanId.toString(),
    incoming_htlc_id: event.incomingHtlcId.toString(),
    outgoing_htlc_id: event.outgoingHtlcId.toString(),
    timestamp_ns: event.timestampNs.toString(),
    event_type: event.type,
  };
  const body = event.body;
  const info = (i: {
    incomingTimelock: number;
    outgoingTimelock: number;
    incomingAmtMsat: bigint;
    outgoingAmtMsat: bigint;
  }) => ({
    incoming_timelock: i.incomingTimelock,
    outgoing_timelock: i.outgoingTimelock,
    incoming_amt_msat: i.incomingAmtMsat.toString(),
    outgoing_amt_msat: i.outgoingAmtMsat.toString(),
  });
  switch (body.kind) {
    case 'forward':
      return { ...base, forward_event: { info: info(body.info) } };
    case 'forward_fail':
      return { ...base, forward_fail_event: {} };
    case 'settle':
      return { ...base, settle_event: { preimage: body.preimage } };
    case 'final':
      return { ...base, final_htlc_event: { settled: body.settled, offchain: true } };
    case 'link_fail':
      return {
        ...base,
        link_fail_event: {
          info: info(body.info),
          wire_failure: marshalFailure(body.failure).code,
          failure_detail: body.detail,
          failure_string: body.text,
        },
      };
  }
}

export function routerExtraHandlers(ctx: NodeContext): Handlers {
  const net = ctx.sim.net;
  const lnd = ctx.lnd;
  return {
    /** A subscribed_event first (LND 0.16+), then every HTLC event of this node. */
    SubscribeHtlcEvents: {
      stream: (_req: unknown, stream: Stream) => {
        stream.write({ event_type: 'UNKNOWN', subscribed_event: {} });
        const unsubscribe = activityOf(net).onHtlcEvent((event) => {
          if (event.node === lnd.node.index) stream.write(marshalHtlcEvent(event));
        });
        stream.onClose(unsubscribe);
      },
    },

    QueryMissionControl: () => ({
      pairs: lnd.mission.snapshot().map((pair) => ({
        node_from: Buffer.from(net.node(pair.from).pubkey, 'hex'),
        node_to: Buffer.from(net.node(pair.to).pubkey, 'hex'),
        history: {
          fail_time: seconds(pair.failTime),
          fail_amt_sat: (pair.failAmtMsat / 1000n).toString(),
          fail_amt_msat: pair.failAmtMsat.toString(),
          success_time: seconds(pair.successTime),
          success_amt_sat: (pair.successAmtMsat / 1000n).toString(),
          success_amt_msat: pair.successAmtMsat.toString(),
        },
      })),
    }),

    ResetMissionControl: () => {
      lnd.mission.reset();
      return {};
    },
  };
}
