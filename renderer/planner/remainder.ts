// Planning an amount over our channels in the window: for what is still missing after parts failed (splitpay plans
// only a whole invoice's amount). As the core's simple planner does: our channels' local balances decide how much
// each first hop carries (shared/planner/allocate); getroutes finds the rest of each path, avoiding where earlier
// parts of at most that amount failed; a channel's part with no path is halved on the same channel (down to
// 10,000 sat, while the part limit allows) before the channel is dropped and the amount spread again.

import type { ChannelInfo, RouteCandidate } from '../../shared/api/results';
import { allocate, usable } from '../../shared/planner/allocate';
import type { BraidApi } from '../api';
import { formatMsat } from '../format';
import { type Avoid, exclusionsFor, lastHops } from './arithmetic';

export interface RemainderRequest {
  destination: string;
  amount: bigint;
  finalCltv: number;
  channels: readonly ChannelInfo[];
  avoid: readonly Avoid[];
  /** Last hops into the receiver that parts in flight already use: other paths are tried first. */
  busy: readonly string[];
  ownId?: string;
  /**
   * By first channel: what failed beyond it for this payment. Channels are first weighed by their balance less
   * this (so that after failures through one peer, others are tried), then, if that cannot carry the amount, by
   * their balance alone.
   */
  failedVia?: ReadonlyMap<string, bigint>;
  maxParts: number;
}

export interface PlannedRoute {
  channel: string;
  amount: bigint;
  candidate: RouteCandidate;
}

const MIN_SPLIT_MSAT = 10_000_000n;

/** Throws an Error in words when the channels cannot carry the amount or no path is found. */
export async function planRemainder(api: BraidApi, req: RemainderRequest): Promise<PlannedRoute[]> {
  let candidates = req.channels
    .filter((c) => c.active)
    .map((c) => ({ channel: c.channel, sendable: c.local_msatoshi }));
  const sendable = candidates.reduce((s, c) => s + usable(c.sendable), 0n);
  for (let round = 0; round <= req.channels.length; round++) {
    const allocation = allocate(req.amount, candidates, req.maxParts);
    if (!allocation) {
      if (round === 0) {
        throw new Error(
          `${formatMsat(req.amount)} is more than our channels can send now (${formatMsat(sendable)}, keeping a margin for fees).`,
        );
      }
      break;
    }
    const planned: PlannedRoute[] = [];
    let failed: string | undefined;
    const queue = [...allocation];
    const find = async (amount: bigint, channel: string, exclude: string[]) =>
      (
        await api
          .call('getroutes', {
            destination: req.destination,
            msatoshi: amount,
            count: 1,
            first_channel: channel,
            exclude: exclude.length > 0 ? exclude : undefined,
            final_cltv: req.finalCltv,
          })
          .catch(() => ({ routes: [] as RouteCandidate[] }))
      ).routes[0];
    for (let item = queue.shift(); item; item = queue.shift()) {
      const { channel, amount } = item;
      const exclude = exclusionsFor(req.avoid, amount);
      // Into the receiver by a way no other part uses, if there is one; else by any.
      const busy = [
        ...new Set([
          ...req.busy,
          ...lastHops(
            planned.map((p) => p.candidate.route),
            req.ownId,
          ),
        ]),
      ].filter((e) => !exclude.includes(e));
      const candidate =
        (busy.length > 0 ? await find(amount, channel, [...exclude, ...busy]) : undefined) ??
        (await find(amount, channel, exclude));
      if (candidate) {
        planned.push({ channel, amount, candidate });
        continue;
      }
      const half = amount / 2n;
      if (half >= MIN_SPLIT_MSAT && planned.length + queue.length + 2 <= req.maxParts) {
        queue.unshift({ channel, amount: amount - half }, { channel, amount: half });
        continue;
      }
      failed = channel;
      break;
    }
    if (!failed) return planned;
    candidates = candidates.filter((c) => c.channel !== failed);
  }
  throw new Error(`No path found for ${formatMsat(req.amount)} from the channels we have.`);
}
