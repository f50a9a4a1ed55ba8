// The Rebalance screen's state: the channels picked, the amount and fee limit, the proposal (planrebalance), and the
// rebalance being sent. The parts in flight are the payments store's (fed by events); the result is the core's.

import { create } from 'zustand';
import type { PlanRebalanceResult, Rebalance, RebalanceResult } from '../../shared/api/rebalance';
import { DEFAULT_REBALANCE_FEE_PPM } from '../../shared/policy';
import { parseSat } from '../format';
import { api, errorText } from '../stores/api';
import { useNode } from '../stores/node';

export type Role = 'source' | 'target';

export interface RebalanceStore {
  sources: readonly string[];
  targets: readonly string[];
  amountText: string;
  feePpmText: string;
  proposal?: PlanRebalanceResult;
  proposing: boolean;
  /** The rebalance being sent: its hash as soon as the core's pay loop starts. */
  sending: boolean;
  /** Unix seconds when Send was pressed: a payment to ourselves from then on is this rebalance's. */
  sentAt?: number;
  paymentHash?: string;
  result?: RebalanceResult | Rebalance;
  error?: string;
  setRole(channel: string, role: Role | undefined): void;
  setAmountText(text: string): void;
  setFeePpmText(text: string): void;
  /** planrebalance with the channels picked (none: the core picks them); the proposal's channels become the picks. */
  propose(pickForMe?: boolean): Promise<void>;
  /** rebalance, the proposal's parts sent first. */
  send(): Promise<void>;
  reset(): void;
}

const numberOr = (text: string, fallback: number) => {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isSafeInteger(n) && n >= 0 ? n : fallback;
};

function limits(s: RebalanceStore) {
  const amount = parseSat(s.amountText);
  if (amount === undefined || amount <= 0n) throw new Error('Amount: enter a positive number of sat');
  return { msatoshi: amount, maxfeeppm: numberOr(s.feePpmText, DEFAULT_REBALANCE_FEE_PPM) };
}

/** Names the nodes along the routes (one listnodes call, from the core's cached graph). */
async function nameHops(routes: readonly { id: string }[][]): Promise<void> {
  const known = useNode.getState().aliases;
  const ids = [...new Set(routes.flatMap((r) => r.map((h) => h.id)))].filter((id) => !known[id]);
  if (ids.length === 0) return;
  try {
    const { nodes } = await api().call('listnodes', { ids });
    for (const n of nodes) if (n.alias) useNode.getState().addAlias(n.id, n.alias);
  } catch {
    // Short ids stay.
  }
}

export const useRebalance = create<RebalanceStore>()((set, get) => ({
  sources: [],
  targets: [],
  amountText: '',
  feePpmText: String(DEFAULT_REBALANCE_FEE_PPM),
  proposing: false,
  sending: false,
  setRole: (channel, role) =>
    set((s) => ({
      sources:
        role === 'source'
          ? [...s.sources.filter((c) => c !== channel), channel]
          : s.sources.filter((c) => c !== channel),
      targets:
        role === 'target'
          ? [...s.targets.filter((c) => c !== channel), channel]
          : s.targets.filter((c) => c !== channel),
      proposal: undefined,
    })),
  setAmountText: (amountText) => set({ amountText, proposal: undefined }),
  setFeePpmText: (feePpmText) => set({ feePpmText, proposal: undefined }),
  propose: async (pickForMe = false) => {
    const s = get();
    set({ proposing: true, error: undefined, result: undefined, paymentHash: undefined });
    try {
      const proposal = await api().call('planrebalance', {
        ...limits(s),
        ...(pickForMe || s.sources.length === 0 ? {} : { sources: [...s.sources] }),
        ...(pickForMe || s.targets.length === 0 ? {} : { targets: [...s.targets] }),
      });
      // Only the channels the parts use: a picked channel no loop reaches is left out.
      const used = (i: 0 | -1) => [...new Set(proposal.parts.map((p) => p.route.at(i)?.channel ?? ''))];
      set({ proposal, sources: used(0), targets: used(-1) });
      void nameHops(proposal.parts.map((p) => p.route));
    } catch (error) {
      set({ error: errorText(error), proposal: undefined });
    } finally {
      set({ proposing: false });
    }
  },
  send: async () => {
    const s = get();
    if (s.sending) return;
    set({
      sending: true,
      sentAt: Math.floor(Date.now() / 1000) - 1,
      error: undefined,
      result: undefined,
      paymentHash: undefined,
    });
    // The core tells when its pay loop starts: that is the rebalance's payment hash (ours is the only one starting).
    const off = api().subscribe(['pay'], (event) => {
      if (event.event === 'pay' && event.data.state === 'running' && !get().paymentHash) {
        set({ paymentHash: event.data.payment_hash });
      }
    });
    try {
      const result = await api().call('rebalance', {
        ...limits(s),
        sources: [...s.sources],
        targets: [...s.targets],
        ...(s.proposal ? { plan: s.proposal.parts.map((p) => ({ route: p.route })) } : {}),
      });
      set({ result, paymentHash: result.payment_hash });
    } catch (error) {
      const data = (error as { data?: Rebalance }).data;
      set({ error: errorText(error), ...(data?.payment_hash ? { result: data, paymentHash: data.payment_hash } : {}) });
    } finally {
      off();
      set({ sending: false, proposal: undefined });
      void useNode.getState().refreshChannels();
    }
  },
  reset: () => set({ proposal: undefined, result: undefined, paymentHash: undefined, error: undefined }),
}));
