// A simple first planner (issue 6 replaces it with min-cost flow): spread an amount over our channels in
// proportion to what each can send, keeping a margin for fees.

export interface SendableChannel {
  channel: string;
  /** What we can send on it now. */
  sendable: bigint;
}

export interface Allocation {
  channel: string;
  amount: bigint;
}

/** Fees are paid on top of a part's amount out of the same channel: keep 1% + 1 sat of each channel free. */
export function usable(sendable: bigint): bigint {
  const margin = sendable / 100n + 1000n;
  return sendable > margin ? sendable - margin : 0n;
}

/**
 * Splits `amount` over at most `maxParts` channels, largest first, each part proportional to the channel's usable
 * balance. Returns undefined when the channels together cannot carry it. Amounts add up to `amount` exactly.
 */
export function allocate(amount: bigint, channels: SendableChannel[], maxParts: number): Allocation[] | undefined {
  if (amount <= 0n) return [];
  const ranked = channels
    .map((c) => ({ channel: c.channel, usable: usable(c.sendable) }))
    .filter((c) => c.usable > 0n)
    .sort((a, b) => (a.usable === b.usable ? a.channel.localeCompare(b.channel) : a.usable > b.usable ? -1 : 1));
  // Fewest parts that can carry the amount, up to maxParts.
  let chosen = ranked.slice(0, 1);
  for (let n = 1; n <= Math.min(maxParts, ranked.length); n++) {
    chosen = ranked.slice(0, n);
    if (chosen.reduce((s, c) => s + c.usable, 0n) >= amount) break;
  }
  const capacity = chosen.reduce((s, c) => s + c.usable, 0n);
  if (capacity < amount) return undefined;
  const parts = chosen.map((c) => ({ channel: c.channel, amount: (amount * c.usable) / capacity, cap: c.usable }));
  // Integer division leaves a remainder of a few msat: give it to parts that have room, largest first.
  let rest = amount - parts.reduce((s, p) => s + p.amount, 0n);
  for (const part of parts) {
    if (rest === 0n) break;
    const room = part.cap - part.amount;
    // biome-ignore lint/complexity/useMathMinMax: bigint, which Math.min does not take
    const add = room < rest ? room : rest;
    part.amount += add;
    rest -= add;
  }
  return parts.filter((p) => p.amount > 0n).map(({ channel, amount: a }) => ({ channel, amount: a }));
}
