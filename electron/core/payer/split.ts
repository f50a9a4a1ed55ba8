import { ApiError, ErrorCode } from '../../../shared/api/errors';
import type { SplitPart, SplitPayResult } from '../../../shared/api/results';
import { allocate, usable } from '../../../shared/planner/allocate';
import { fromLndRoute, routeFee } from '../../../shared/route';
import { formatScid, parseScid } from '../../../shared/scid';
import type { LightningNode, NodeInfo } from '../node/types';

export interface SplitRequest {
  destination: string;
  amount: bigint;
  finalCltv: number;
  maxParts: number;
  /**
   * Directed pairs learned to fail (from earlier parts of the same payment): avoided for parts of at least their
   * `msatoshi`, or for every part when it is not given.
   */
  avoid?: { from: string; to: string; msatoshi?: bigint }[];
  maxFee?: bigint;
}

/** A channel's part with no route is halved (on the same channel) down to this, before the channel is dropped. */
const MIN_SPLIT_MSAT = 10_000_000n;

/**
 * The simple planner: our channels' known balances decide how much each first hop carries, the node's path
 * finding picks the rest of each path. A channel's part that no path carries is split in halves over the same
 * channel (while maxParts allows, down to MIN_SPLIT_MSAT); a channel where even that fails is dropped and the amount
 * spread again.
 */
export async function planSplit(node: LightningNode, info: NodeInfo, req: SplitRequest): Promise<SplitPayResult> {
  const channels = (await node.listChannels()).filter((c) => c.active);
  let candidates = channels.map((c) => ({ channel: formatScid(c.chan_id), sendable: c.local_msat }));
  for (let round = 0; round < channels.length + 1; round++) {
    const allocation = allocate(req.amount, candidates, req.maxParts);
    if (!allocation) {
      if (round === 0) {
        const sendable = candidates.reduce((s, c) => s + usable(c.sendable), 0n);
        throw new ApiError(
          ErrorCode.PayGaveUp,
          `msatoshi: ${req.amount} msat is more than our active channels can send now (${sendable} msat)`,
        );
      }
      break;
    }
    const parts: SplitPart[] = [];
    let failedChannel: string | undefined;
    const queue = [...allocation];
    for (let item = queue.shift(); item; item = queue.shift()) {
      const { channel, amount } = item;
      try {
        const found = await node.queryRoutes({
          destination: req.destination,
          amt_msat: amount,
          final_cltv_delta: req.finalCltv,
          outgoing_chan_ids: [parseScid(channel)],
          ignored_pairs: req.avoid
            ?.filter((a) => a.msatoshi === undefined || a.msatoshi <= amount)
            .map(({ from, to }) => ({ from, to })),
          fee_limit_msat: req.maxFee,
        });
        const route = fromLndRoute(found.route, info.blockheight, info.id);
        parts.push({ route, msatoshi: amount, fee_msatoshi: routeFee(route), probability: found.probability });
      } catch {
        const half = amount / 2n;
        if (half >= MIN_SPLIT_MSAT && parts.length + queue.length + 2 <= req.maxParts) {
          queue.unshift({ channel, amount: amount - half }, { channel, amount: half });
          continue;
        }
        failedChannel = channel;
        break;
      }
    }
    if (!failedChannel) {
      return {
        parts,
        fee_msatoshi: parts.reduce((s, p) => s + p.fee_msatoshi, 0n),
        probability: parts.reduce((p, part) => p * part.probability, 1),
      };
    }
    candidates = candidates.filter((c) => c.channel !== failedChannel);
  }
  const withinFees = req.maxFee === undefined ? '' : ` with fees of at most ${req.maxFee} msat`;
  throw new ApiError(
    ErrorCode.PayGaveUp,
    `msatoshi: no split of ${req.amount} msat to ${req.destination} found over our channels${withinFees}`,
  );
}
