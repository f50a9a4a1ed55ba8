import { invalidParam } from '../../../shared/api/errors';
import { usable } from '../../../shared/planner/allocate';
import { formatScid } from '../../../shared/scid';
import type { OwnChannel } from '../node/types';

/** The channels a rebalance runs between. */
export interface Picked {
  sources: string[];
  targets: string[];
}

/** How far a channel's local balance is above the target share of its capacity (negative: below), msat. */
export function excessOf(c: OwnChannel, ratioPercent: number): bigint {
  const aim = (c.capacity_msat * BigInt(Math.round(ratioPercent * 100))) / 10_000n;
  return c.local_msat - aim;
}

/**
 * Checks the sources and targets given (our active channels, none in both lists) and picks the ones left out: every
 * channel whose local balance is above `ratioPercent` of its capacity as a source, every one below it as a target,
 * ranked from the furthest off; the planner then takes what the network can carry (a peer no loop reaches moves
 * nothing). -32602 naming the field when there is none to pick, or when
 * the sources cannot send (or the targets receive) the amount.
 */
export function pickChannels(
  channels: readonly OwnChannel[],
  given: { sources?: string[]; targets?: string[] },
  amount: bigint,
  ratioPercent: number,
): Picked {
  const byScid = new Map(channels.map((c) => [formatScid(c.chan_id), c]));
  for (const field of ['sources', 'targets'] as const) {
    for (const [i, scid] of (given[field] ?? []).entries()) {
      const c = byScid.get(scid);
      if (!c) throw invalidParam(`${field}[${i}]`, scid, 'is not a channel of our node');
      if (!c.active) throw invalidParam(`${field}[${i}]`, scid, 'is not active (its peer is offline)');
      const other = field === 'sources' ? given.targets : given.sources;
      if (other?.includes(scid)) throw invalidParam(`${field}[${i}]`, scid, 'is both a source and a target');
    }
  }
  const taken = new Set([...(given.sources ?? []), ...(given.targets ?? [])]);
  const free = channels.filter((c) => c.active && !taken.has(formatScid(c.chan_id)));
  const pick = (score: (c: OwnChannel) => bigint, field: 'sources' | 'targets'): string[] => {
    const candidates = free
      .map((c) => ({ c, score: score(c) }))
      .filter((x) => x.score > 0n)
      .sort((a, b) => (a.score === b.score ? 0 : a.score > b.score ? -1 : 1));
    const out = candidates.map((x) => formatScid(x.c.chan_id));
    if (out.length === 0) {
      const side = field === 'sources' ? 'above' : 'below';
      throw invalidParam(
        field,
        undefined,
        `none given, and none of our active channels has its local balance ${side} ${ratioPercent}% of its capacity`,
      );
    }
    return out;
  };
  const sources = given.sources ?? pick((c) => excessOf(c, ratioPercent), 'sources');
  const targets =
    given.targets ??
    pick((c) => (sources.includes(formatScid(c.chan_id)) ? 0n : -excessOf(c, ratioPercent)), 'targets');
  const can = (list: string[], side: 'local_msat' | 'remote_msat') =>
    list.reduce((s, scid) => s + usable((byScid.get(scid) as OwnChannel)[side]), 0n);
  const out = can(sources, 'local_msat');
  if (amount > out) {
    throw invalidParam('msatoshi', amount, `is more than the sources ${sources.join(', ')} can send now (${out} msat)`);
  }
  const into = can(targets, 'remote_msat');
  if (amount > into) {
    throw invalidParam(
      'msatoshi',
      amount,
      `is more than the targets ${targets.join(', ')} can receive now (${into} msat on their peers' side)`,
    );
  }
  return { sources, targets };
}
