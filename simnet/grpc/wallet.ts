import { createHash } from 'node:crypto';
import { closedOnChainSat } from '../model/closing';
import type { Handlers, NodeContext } from './context';

/** LND keeps this much on-chain per anchor channel for fee bumping, up to ten channels' worth. */
const ANCHOR_RESERVE_SAT = 10_000n;
const MAX_ANCHOR_RESERVE_SAT = 100_000n;

/**
 * A node's simulated on-chain wallet: a confirmed balance between 0.01 and 1 BTC, fixed by the node's key (and so
 * by the seed that made it), nothing unconfirmed or locked; what channel closes paid it comes on top.
 */
export function onChainBalanceSat(pubkey: string): bigint {
  const draw = createHash('sha256').update(`wallet:${pubkey}`).digest().readUInt32BE(0);
  return 1_000_000n + (BigInt(draw) % 99_000_000n);
}

export function walletHandlers(ctx: NodeContext): Handlers {
  const self = ctx.lnd.node;
  return {
    WalletBalance: () => {
      const confirmed = onChainBalanceSat(self.pubkey) + closedOnChainSat(ctx.sim.net, self.index);
      const reserve = BigInt(self.channels.length) * ANCHOR_RESERVE_SAT;
      return {
        total_balance: confirmed.toString(),
        confirmed_balance: confirmed.toString(),
        unconfirmed_balance: '0',
        locked_balance: '0',
        reserved_balance_anchor_chan: (reserve < MAX_ANCHOR_RESERVE_SAT ? reserve : MAX_ANCHOR_RESERVE_SAT).toString(),
        account_balance: { default: { confirmed_balance: confirmed.toString(), unconfirmed_balance: '0' } },
      };
    },
  };
}
