import { ApiError, ErrorCode } from '../../../shared/api/errors';
import type { SplitPart, SplitPayResult } from '../../../shared/api/results';
import { allocate } from '../../../shared/planner/allocate';
import { fromLndRoute, routeFee } from '../../../shared/route';
import { formatScid, parseScid } from '../../../shared/scid';
import type { LightningNode, NodeInfo } from '../node/types';

export interface SplitRequest {
  destination: string;
  amount: bigint;
  finalCltv: number;
  maxParts: number;
  /** Directed pairs learned to fail for these amounts (from earlier parts of the same payment). */
  avoid?: { from: string; to: string }[];
  maxFee?: bigint;
}

/**
 * The simple planner: our channels' known balances decide how much each first hop carries, the node's path
 * finding picks the rest of each path. A channel whose path cannot be found is dropped and the amount spread again.
 */
export async function planSplit(node: LightningNode, info: NodeInfo, req: SplitRequest): Promise<SplitPayResult> {
  const channels = (await node.listChannels()).filter((c) => c.active);
  let candidates = channels.map((c) => ({ channel: formatScid(c.chan_id), sendable: c.local_msat }));
  for (let round = 0; round < channels.length + 1; round++) {
    const allocation = allocate(req.amount, candidates, req.maxParts);
    if (!allocation) break;
    const parts: SplitPart[] = [];
    let failedChannel: string | undefined;
    for (const { channel, amount } of allocation) {
      try {
        const found = await node.queryRoutes({
          destination: req.destination,
          amt_msat: amount,
          final_cltv_delta: req.finalCltv,
          outgoing_chan_ids: [parseScid(channel)],
          ignored_pairs: req.avoid,
          fee_limit_msat: req.maxFee,
        });
        const route = fromLndRoute(found.route, info.blockheight, info.id);
        parts.push({ route, msatoshi: amount, fee_msatoshi: routeFee(route), probability: found.probability });
      } catch {
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
  throw new ApiError(
    ErrorCode.PayGaveUp,
    `msatoshi: no split of ${req.amount} msat to ${req.destination} found over our channels`,
  );
}
