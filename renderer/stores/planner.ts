// The Pay screen's state: the invoice being paid and the plan of its parts. Only what the user is planning lives
// here; what was sent, and what became of it, is the payments store's (what the main process says).

import { create } from 'zustand';
import type { DecodePayResult, RouteCandidate, SplitPayResult } from '../../shared/api/results';
import { finalCltvFor } from '../../shared/policy';
import type { PartialPayment, Route } from '../../shared/types';
import { toApiError } from '../api';
import { formatMsat, parseSat, satInput } from '../format';
import { resolveNodes } from '../names';
import { checkSend, missingAmount, type PlannedPart } from '../planner/arithmetic';
import { api, errorText } from './api';
import { useNode } from './node';
import { partsOf, usePayments } from './payments';

export interface PlanRow {
  /** Stable identity (React key, request bookkeeping). */
  key: number;
  amountText: string;
  /** Our channel the part leaves on. */
  channel?: string;
  route?: Route;
  probability?: number;
  routing: boolean;
  routeError?: string;
  chooserOpen: boolean;
  candidates?: RouteCandidate[];
  /** `channel:amount` the candidates were found for. */
  candidatesFor?: string;
  candidatesLoading: boolean;
  /** The hop-by-hop box: node ids or aliases. */
  hopsText: string;
  /** sendpartialpay is in flight. */
  sending: boolean;
  /** Once sent: the partial payment's id; its status is the payments store's. */
  partId?: number;
  /** Local time (ms) the part was handed to sendpartialpay. */
  sentAt?: number;
  /** sendpartialpay refused it: nothing was sent. */
  rejected?: { code: number; message: string };
  /** sendpartialpay answered that the payment was already complete. */
  alreadyPaid?: boolean;
}

export interface PlannerStore {
  invoiceText: string;
  /** The normalised BOLT11 that `decoded` belongs to. */
  bolt11?: string;
  decoded?: DecodePayResult;
  invoiceError?: string;
  decoding: boolean;
  /** For an invoice without an amount. */
  amountText: string;
  rows: PlanRow[];
  proposing: boolean;
  planError?: string;
  /** Local time (ms) of the first Send for this invoice. */
  sentAt?: number;
  auto: boolean;
  autoAttempts: number;
  /** Failed parts already answered by an automatic re-route. */
  autoHandledFailures: number;
  testInvoiceBusy: boolean;
  testInvoiceError?: string;

  setInvoiceText(text: string): void;
  decodeNow(): Promise<void>;
  setAmountText(text: string): void;
  getTestInvoice(amountText: string, description: string): Promise<void>;
  propose(): Promise<void>;
  addRow(): void;
  removeRow(key: number): void;
  setRowAmount(key: number, text: string): void;
  setRowChannel(key: number, channel: string): void;
  toggleChooser(key: number): void;
  chooseCandidate(key: number, candidate: RouteCandidate): void;
  setHopsText(key: number, text: string): void;
  buildFromHops(key: number): Promise<void>;
  send(): Promise<void>;
  rerouteMissing(sendNow: boolean): Promise<void>;
  setAuto(on: boolean): void;
  reset(): void;
}

/** Parts the receiver could take at most, as splitpay does by default. */
const MAX_PARTS = 8;

let nextKey = 1;
const timers = new Map<string, ReturnType<typeof setTimeout>>();
const sequences = new Map<string, number>();

function debounce(name: string, ms: number, run: () => void): void {
  const old = timers.get(name);
  if (old) clearTimeout(old);
  timers.set(
    name,
    setTimeout(() => {
      timers.delete(name);
      run();
    }, ms),
  );
}

function cancel(name: string): void {
  const old = timers.get(name);
  if (old) clearTimeout(old);
  timers.delete(name);
}

/** A new request number for `name`; `isCurrent` tells later whether a newer one was made since. */
function begin(name: string): () => boolean {
  const n = (sequences.get(name) ?? 0) + 1;
  sequences.set(name, n);
  return () => sequences.get(name) === n;
}

export function newRow(fields: Partial<PlanRow> = {}): PlanRow {
  return {
    key: nextKey++,
    amountText: '',
    routing: false,
    chooserOpen: false,
    candidatesLoading: false,
    hopsText: '',
    sending: false,
    ...fields,
  };
}

/** "lightning:LNBC…" or a pasted invoice with spaces → the BOLT11 in lower case. */
export function normalizeInvoice(text: string): string {
  let s = text.trim().replace(/\s+/g, '');
  s = s.replace(/^lightning:(\/\/)?/i, '');
  return s.toLowerCase();
}

export function isPlanned(row: PlanRow): boolean {
  return row.partId === undefined && !row.rejected && !row.sending && !row.alreadyPaid;
}

export function rowAmount(row: PlanRow): bigint | undefined {
  return parseSat(row.amountText);
}

export function toPlannedPart(row: PlanRow, number?: number): PlannedPart {
  return {
    amount: rowAmount(row),
    channel: row.channel,
    route: row.route,
    probability: row.probability,
    routing: row.routing,
    number,
  };
}

/** The invoice's amount, or for an amountless invoice what was typed. */
export function intendedAmount(s: Pick<PlannerStore, 'decoded' | 'amountText'>): bigint | undefined {
  if (!s.decoded) return undefined;
  if (s.decoded.msatoshi !== undefined) return s.decoded.msatoshi;
  const typed = parseSat(s.amountText);
  return typed !== undefined && typed > 0n ? typed : undefined;
}

export function isExpired(decoded: DecodePayResult, nowSeconds = Date.now() / 1000): boolean {
  return decoded.created_at + decoded.expiry <= nowSeconds;
}

/** The final CLTV delta routes are built for: the invoice's, with the margin the core's planner keeps. */
export function finalCltv(decoded: DecodePayResult): number {
  return finalCltvFor(decoded.min_final_cltv_expiry);
}

/**
 * What the planned (unsent) parts must add up to: the intended amount minus what parts already sent carry (those
 * not failed, by the payments store; those in flight, by the plan).
 */
export function planTarget(
  intended: bigint | undefined,
  rows: readonly PlanRow[],
  sentParts: readonly PartialPayment[],
): bigint | undefined {
  if (intended === undefined) return undefined;
  const known = new Set(sentParts.map((p) => p.id));
  let inFlight = 0n;
  for (const row of rows) {
    if (row.sending || (row.partId !== undefined && !known.has(row.partId))) inFlight += rowAmount(row) ?? 0n;
  }
  return missingAmount(intended, sentParts) - inFlight;
}

function sameNodes(a: Route, b: Route): boolean {
  return (
    a.length === b.length && a.every((hop, i) => hop.id === b[i]?.id && (i === 0 || hop.channel === b[i]?.channel))
  );
}

function paymentParts(hash: string | undefined): PartialPayment[] {
  return hash ? partsOf(usePayments.getState(), hash) : [];
}

async function loadParts(hash: string): Promise<void> {
  try {
    const { partialpayments } = await api().call('listpartialpayments', { payment_hash: hash });
    usePayments.getState().applyParts(partialpayments, false);
    usePayments.getState().markPartsLoaded(hash);
  } catch {
    // Nothing sent for it yet, or the wallet is away: the events fill in what comes.
  }
}

const CLEARED = {
  bolt11: undefined,
  decoded: undefined,
  invoiceError: undefined,
  decoding: false,
  amountText: '',
  rows: [] as PlanRow[],
  proposing: false,
  planError: undefined,
  sentAt: undefined,
  auto: false,
  autoAttempts: 0,
  autoHandledFailures: 0,
};

export const usePlanner = create<PlannerStore>()((set, get) => {
  const updateRow = (key: number, fields: Partial<PlanRow>) =>
    set((s) => ({ rows: s.rows.map((r) => (r.key === key ? { ...r, ...fields } : r)) }));
  const findRow = (key: number) => get().rows.find((r) => r.key === key);

  /** Finds a route for the row's amount over its channel, keeping its path when that still works. */
  async function routeRow(key: number): Promise<void> {
    const row = findRow(key);
    const { decoded } = get();
    if (!row || !decoded || !isPlanned(row)) return;
    const amount = rowAmount(row);
    if (amount === undefined || amount <= 0n || !row.channel) {
      updateRow(key, { routing: false, routeError: undefined });
      return;
    }
    const channel = row.channel;
    const isCurrent = begin(`route:${key}`);
    updateRow(key, { routing: true, routeError: undefined });
    const keepPath = row.route && row.route[0]?.channel === channel ? row.route : undefined;
    try {
      const { routes } = await api()
        .call('getroutes', {
          destination: decoded.destination,
          msatoshi: amount,
          count: 3,
          first_channel: channel,
          final_cltv: finalCltv(decoded),
        })
        .catch(() => ({ routes: [] as RouteCandidate[] }));
      if (!isCurrent()) return;
      const same = keepPath ? routes.find((c) => sameNodes(c.route, keepPath)) : undefined;
      let pick: { route: Route; probability?: number } | undefined = same;
      if (!pick && keepPath) {
        pick = await api()
          .call('buildroute', {
            hops: keepPath.map((h) => h.id),
            msatoshi: amount,
            first_channel: channel,
            final_cltv: finalCltv(decoded),
          })
          .then((r) => ({ route: r.route, probability: undefined }))
          .catch(() => undefined);
        if (!isCurrent()) return;
      }
      pick ??= routes[0];
      if (pick) {
        updateRow(key, {
          routing: false,
          route: pick.route,
          probability: pick.probability,
          candidates: routes,
          candidatesFor: `${channel}:${amount}`,
        });
      } else {
        updateRow(key, {
          routing: false,
          route: undefined,
          probability: undefined,
          routeError: `No route found for ${formatMsat(amount)} over this channel.`,
        });
      }
    } catch (error) {
      if (isCurrent()) updateRow(key, { routing: false, routeError: errorText(error) });
    }
  }

  async function loadCandidates(key: number): Promise<void> {
    const row = findRow(key);
    const { decoded } = get();
    const amount = row ? rowAmount(row) : undefined;
    if (!row || !decoded || !row.channel || amount === undefined || amount <= 0n) return;
    const isCurrent = begin(`candidates:${key}`);
    updateRow(key, { candidatesLoading: true });
    try {
      const { routes } = await api().call('getroutes', {
        destination: decoded.destination,
        msatoshi: amount,
        count: 5,
        first_channel: row.channel,
        final_cltv: finalCltv(decoded),
      });
      if (!isCurrent()) return;
      updateRow(key, {
        candidatesLoading: false,
        candidates: routes,
        candidatesFor: `${row.channel}:${amount}`,
        routeError: routes.length === 0 ? `No route found for ${formatMsat(amount)} over this channel.` : undefined,
      });
    } catch (error) {
      if (isCurrent()) updateRow(key, { candidatesLoading: false, routeError: errorText(error) });
    }
  }

  function target(): bigint | undefined {
    const s = get();
    return planTarget(intendedAmount(s), s.rows, paymentParts(s.decoded?.payment_hash));
  }

  /** Rows from one of splitpay's plans, each part on the channel its route leaves by. */
  function splitRows(split: SplitPayResult): PlanRow[] {
    return split.parts.map((p) =>
      newRow({
        amountText: satInput(p.msatoshi),
        channel: p.route[0]?.channel,
        route: p.route,
        probability: p.probability,
      }),
    );
  }

  /** Rows for what is missing: the core plans it around the parts in flight and what the failed ones taught. */
  async function remainderRows(amount: bigint): Promise<PlanRow[]> {
    const s = get();
    const { decoded, bolt11 } = s;
    const intended = intendedAmount(s);
    if (!decoded || !bolt11 || intended === undefined) return [];
    const pending = paymentParts(decoded.payment_hash).filter((p) => p.status === 'pending').length;
    if (pending >= MAX_PARTS) {
      throw new Error(
        `${pending} parts are already in flight, the most a payment is split into: wait for one to resolve.`,
      );
    }
    const [split] = await Promise.all([
      api().call('splitpay', {
        bolt11,
        msatoshi: decoded.msatoshi === undefined ? intended : undefined,
        parts: MAX_PARTS - pending,
        missing_msatoshi: amount,
      }),
      // The Send check weighs the new parts against the balances the parts in flight left.
      useNode.getState().refreshChannels(),
    ]);
    return splitRows(split);
  }

  return {
    invoiceText: '',
    ...CLEARED,
    testInvoiceBusy: false,

    setInvoiceText(text) {
      set({ invoiceText: text });
      debounce('decode', 250, () => void get().decodeNow());
    },

    async decodeNow() {
      const bolt11 = normalizeInvoice(get().invoiceText);
      if (bolt11 === get().bolt11 && (get().decoded || get().invoiceError)) return;
      const isCurrent = begin('decode');
      if (bolt11 === '') {
        set({ ...CLEARED });
        return;
      }
      set({ ...CLEARED, bolt11, decoding: true });
      try {
        const decoded = await api().call('decodepay', { bolt11 });
        if (!isCurrent()) return;
        set({ decoded, decoding: false });
        // What was sent for it before (another session, `pay`) counts: the proposal is for what is still missing.
        await loadParts(decoded.payment_hash);
        if (!isCurrent()) return;
        const paid = usePayments.getState().payments.get(decoded.payment_hash)?.status === 'complete';
        if (!paid && !isExpired(decoded) && intendedAmount(get()) !== undefined) void get().propose();
      } catch (error) {
        if (!isCurrent()) return;
        set({ decoding: false, invoiceError: `This is not a valid invoice: ${toApiError(error).message}` });
      }
    },

    setAmountText(text) {
      set({ amountText: text });
      debounce('amount', 400, () => {
        const s = get();
        if (
          s.decoded &&
          !isExpired(s.decoded) &&
          intendedAmount(s) !== undefined &&
          !s.rows.some((r) => !isPlanned(r))
        ) {
          void s.propose();
        }
      });
    },

    async getTestInvoice(amountText, description) {
      const msatoshi = parseSat(amountText);
      if (msatoshi === undefined || msatoshi <= 0n) {
        set({ testInvoiceError: 'Enter the test invoice’s amount in sat, for example 25000.' });
        return;
      }
      set({ testInvoiceBusy: true, testInvoiceError: undefined });
      try {
        const { bolt11, merchant } = await api().call('testinvoice', {
          msatoshi,
          description: description.trim() === '' ? undefined : description.trim(),
        });
        set({ testInvoiceBusy: false, invoiceText: bolt11 });
        await get().decodeNow();
        const dest = get().decoded?.destination;
        if (dest) useNode.getState().addAlias(dest, merchant);
      } catch (error) {
        set({ testInvoiceBusy: false, testInvoiceError: `No test invoice: ${errorText(error)}` });
      }
    },

    async propose() {
      const s = get();
      const { decoded, bolt11 } = s;
      const intended = intendedAmount(s);
      if (!decoded || !bolt11 || intended === undefined) return;
      if (isExpired(decoded)) {
        set({ planError: 'The invoice has expired: nothing to plan.' });
        return;
      }
      const amount = target();
      if (amount === undefined || amount <= 0n) {
        set({ rows: s.rows.filter((r) => !isPlanned(r)), planError: undefined });
        return;
      }
      const isCurrent = begin('propose');
      set({ proposing: true, planError: undefined });
      try {
        let rows: PlanRow[];
        if (amount === intended) {
          const split = await api().call('splitpay', {
            bolt11,
            msatoshi: decoded.msatoshi === undefined ? intended : undefined,
          });
          rows = splitRows(split);
        } else {
          rows = await remainderRows(amount);
        }
        if (!isCurrent() || get().bolt11 !== bolt11) return;
        set((st) => ({ rows: [...st.rows.filter((r) => !isPlanned(r)), ...rows], proposing: false }));
      } catch (error) {
        if (isCurrent()) set({ proposing: false, planError: `No proposal: ${errorText(error)}` });
      }
    },

    addRow() {
      const s = get();
      const amount = target();
      const planned = s.rows.filter(isPlanned);
      const used = planned.reduce((sum, r) => sum + (rowAmount(r) ?? 0n), 0n);
      const left = amount === undefined ? 0n : amount - used;
      // The active channel with the most left once the other planned parts are taken out.
      const taken = new Map<string, bigint>();
      for (const r of planned) if (r.channel) taken.set(r.channel, (taken.get(r.channel) ?? 0n) + (rowAmount(r) ?? 0n));
      let best: { channel: string; free: bigint } | undefined;
      for (const c of useNode.getState().channels) {
        if (!c.active) continue;
        const free = c.local_msatoshi - (taken.get(c.channel) ?? 0n);
        if (!best || free > best.free) best = { channel: c.channel, free };
      }
      const row = newRow({ amountText: left > 0n ? satInput(left) : '', channel: best?.channel });
      set((st) => ({ rows: [...st.rows, row] }));
      void routeRow(row.key);
    },

    removeRow(key) {
      set((s) => ({ rows: s.rows.filter((r) => r.key !== key || !isPlanned(r)) }));
    },

    setRowAmount(key, text) {
      updateRow(key, { amountText: text });
      debounce(`row:${key}`, 350, () => void routeRow(key));
    },

    setRowChannel(key, channel) {
      updateRow(key, { channel, candidates: undefined, candidatesFor: undefined });
      void routeRow(key);
      if (findRow(key)?.chooserOpen) void loadCandidates(key);
    },

    toggleChooser(key) {
      const row = findRow(key);
      if (!row) return;
      const open = !row.chooserOpen;
      updateRow(key, { chooserOpen: open });
      if (open && row.candidatesFor !== `${row.channel}:${rowAmount(row)}`) void loadCandidates(key);
      else if (open && (row.candidates?.length ?? 0) < 2) void loadCandidates(key);
    },

    chooseCandidate(key, candidate) {
      const row = findRow(key);
      if (!row || !isPlanned(row)) return;
      // A route request still to come or in flight for this row must not overwrite the choice.
      cancel(`row:${key}`);
      begin(`route:${key}`);
      updateRow(key, {
        route: candidate.route,
        probability: candidate.probability,
        channel: candidate.route[0]?.channel ?? row.channel,
        routing: false,
        routeError: undefined,
      });
    },

    setHopsText(key, text) {
      updateRow(key, { hopsText: text });
    },

    async buildFromHops(key) {
      const row = findRow(key);
      const { decoded } = get();
      if (!row || !decoded) return;
      const amount = rowAmount(row);
      if (amount === undefined || amount <= 0n) {
        updateRow(key, { routeError: 'Enter the part’s amount first.' });
        return;
      }
      const resolved = resolveNodes(row.hopsText, useNode.getState().aliases);
      if ('unknown' in resolved) {
        updateRow(key, { routeError: `Unknown node “${resolved.unknown}”: give its id (66 hex) or a known alias.` });
        return;
      }
      const hops = [...resolved.ids];
      if (hops[hops.length - 1] !== decoded.destination) hops.push(decoded.destination);
      cancel(`row:${key}`);
      const isCurrent = begin(`route:${key}`);
      updateRow(key, { routing: true, routeError: undefined });
      try {
        const { route } = await api().call('buildroute', {
          hops,
          msatoshi: amount,
          first_channel: row.channel,
          final_cltv: finalCltv(decoded),
        });
        if (!isCurrent()) return;
        updateRow(key, { routing: false, route, probability: undefined, channel: route[0]?.channel ?? row.channel });
      } catch (error) {
        if (isCurrent()) updateRow(key, { routing: false, routeError: `No such route: ${errorText(error)}` });
      }
    },

    async send() {
      const s = get();
      const { decoded, bolt11 } = s;
      const intended = intendedAmount(s);
      if (!decoded || !bolt11 || intended === undefined || isExpired(decoded)) return;
      const rows = s.rows.filter(isPlanned);
      const node = useNode.getState();
      const check = checkSend(
        target(),
        rows.map((r) => toPlannedPart(r)),
        node.channels,
      );
      if (!check.ok || rows.length === 0) {
        set({ planError: `Not sent: ${check.reasons.join(' ')}` });
        return;
      }
      const now = Date.now();
      const keys = new Set(rows.map((r) => r.key));
      set((st) => ({
        sentAt: st.sentAt ?? now,
        rows: st.rows.map((r) => (keys.has(r.key) ? { ...r, sending: true, sentAt: now, chooserOpen: false } : r)),
      }));
      await Promise.all(
        rows.map(async (row) => {
          try {
            const result = await api().call('sendpartialpay', {
              route: row.route as Route,
              payment_hash: decoded.payment_hash,
              intended_msatoshi: intended,
              bolt11,
            });
            if ('id' in result) {
              usePayments.getState().applyParts([result], true);
              updateRow(row.key, { sending: false, partId: result.id });
            } else {
              usePayments.getState().applyPayments([result], true);
              updateRow(row.key, { sending: false, alreadyPaid: true });
            }
          } catch (error) {
            const e = toApiError(error);
            updateRow(row.key, { sending: false, rejected: { code: e.code, message: e.message } });
          }
        }),
      );
      void useNode.getState().refreshChannels();
    },

    async rerouteMissing(sendNow) {
      const amount = target();
      if (amount === undefined || amount <= 0n) return;
      const bolt11 = get().bolt11;
      const isCurrent = begin('propose');
      set({ proposing: true, planError: undefined });
      try {
        const rows = await remainderRows(amount);
        if (!isCurrent() || get().bolt11 !== bolt11) return;
        set((st) => ({ rows: [...st.rows.filter((r) => !isPlanned(r)), ...rows], proposing: false }));
        if (sendNow) await get().send();
      } catch (error) {
        if (isCurrent()) set({ proposing: false, planError: `No re-route: ${errorText(error)}` });
      }
    },

    setAuto(on) {
      const failed = paymentParts(get().decoded?.payment_hash).filter((p) => p.status === 'failed').length;
      set({ auto: on, autoAttempts: 0, autoHandledFailures: failed });
      if (on) void get().rerouteMissing(true);
    },

    reset() {
      begin('decode');
      set({ invoiceText: '', ...CLEARED });
    },
  };
});

/** With automatic re-routing on: each new failure while the receiver still holds parts re-routes what is missing. */
const MAX_AUTO_ATTEMPTS = 12;

export function autoRerouteStep(): void {
  const s = usePlanner.getState();
  if (!s.auto || !s.decoded || s.proposing) return;
  if (s.rows.some((r) => r.sending || (isPlanned(r) && r.routing))) return;
  const parts = paymentParts(s.decoded.payment_hash);
  const payment = usePayments.getState().payments.get(s.decoded.payment_hash);
  if (payment?.status === 'complete') return;
  const failed = parts.filter((p) => p.status === 'failed').length;
  if (failed <= s.autoHandledFailures) return;
  const intended = intendedAmount(s);
  const amount = planTarget(intended, s.rows, parts);
  if (amount === undefined || amount <= 0n || isExpired(s.decoded)) return;
  if (s.autoAttempts >= MAX_AUTO_ATTEMPTS) {
    usePlanner.setState({
      auto: false,
      planError: `Stopped re-routing automatically after ${MAX_AUTO_ATTEMPTS} tries.`,
    });
    return;
  }
  usePlanner.setState({ autoHandledFailures: failed, autoAttempts: s.autoAttempts + 1 });
  void s.rerouteMissing(true);
}
