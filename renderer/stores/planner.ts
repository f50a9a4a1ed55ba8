// The Pay screen's state: the invoice being paid, the plan of its parts as the user edits it, the limits on the form
// and the one `pay` call that hands the plan to the core. The core pays: it sends the plan's parts, and (in 'auto'
// mode) re-plans what fails. What was sent, and what became of it, is the payments store's (the core's events).

import { create } from 'zustand';
import type { CheckPlanResult, DecodePayResult, RouteCandidate, SplitPayResult } from '../../shared/api/results';
import type { PayMode } from '../../shared/api/schemas';
import {
  DEFAULT_EXEMPT_FEE_MSAT,
  DEFAULT_MAX_FEE_PERCENT,
  DEFAULT_MAX_PARTS,
  feeBudget,
  finalCltvFor,
} from '../../shared/policy';
import type { PartialPayment, Payment, Route } from '../../shared/types';
import { ErrorCode, toApiError } from '../api';
import { formatMsat, parseSat, satInput } from '../format';
import { errorProblem, overdrawnText, type Problem } from '../messages';
import { nodeName, resolveNodes, withNames } from '../names';
import { checkEdit, missingAmount, type PlanLimits, type PlannedPart } from '../planner/arithmetic';
import { api } from './api';
import { useNode } from './node';
import { partsOf, usePayments } from './payments';

export type { PayMode } from '../../shared/api/schemas';

export interface PlanRow {
  /** Stable identity (React key, request bookkeeping). */
  key: number;
  amountText: string;
  /** Our channel the part leaves on. */
  channel?: string;
  route?: Route;
  routing: boolean;
  routeError?: string;
  chooserOpen: boolean;
  candidates?: RouteCandidate[];
  /** `channel:amount` the candidates were found for. */
  candidatesFor?: string;
  candidatesLoading: boolean;
  /** The hop-by-hop box: node ids or aliases. */
  hopsText: string;
}

/** Where the one `pay` call of this screen stands. */
export type RunState = 'running' | 'stopping' | 'stopped' | 'complete' | 'gave-up' | 'refused' | 'failed';

export interface PayRun {
  payment_hash: string;
  mode: PayMode;
  state: RunState;
  /** Local time (ms) pay was called. */
  startedAt: number;
  /** How pay ended when not complete, in words. */
  problem?: Problem;
  /** stoppay's answer: parts still in flight when it stopped. */
  pendingAtStop?: number;
}

/** checkplan's answer, and the plan (routes) it was for. */
export interface PlanCheck extends CheckPlanResult {
  for: string;
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
  planError?: Problem;
  /** Local time (ms) of the first Send for this invoice. */
  sentAt?: number;
  /** 'auto': the core re-plans what fails; 'manual': it sends exactly these parts. */
  mode: PayMode;
  /** The total fee limit in sat; empty = the default (shared/policy.ts). */
  feeLimitText: string;
  /** The most parts; empty = the default. */
  maxPartsText: string;
  /** The core's verdict on the plan as it stands (probability, fees, overdrawn channels). */
  check?: PlanCheck;
  checkError?: string;
  /** Send was pressed on a real node: the confirmation is open. */
  confirming: boolean;
  run?: PayRun;
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
  setMode(mode: PayMode): void;
  setFeeLimitText(text: string): void;
  setMaxPartsText(text: string): void;
  /** Send: checks the plan, then asks for confirmation on a real node, or pays at once on the simulated network. */
  send(): Promise<void>;
  confirmSend(): Promise<void>;
  cancelSend(): void;
  /** Stop the running payment: no new part leaves. */
  stop(): Promise<void>;
  /** Plans what is still missing around the parts in flight (splitpay missing_msatoshi); `sendNow` pays it too. */
  replanMissing(sendNow: boolean): Promise<void>;
  reset(): void;
}

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
    ...fields,
  };
}

/** "lightning:LNBC…" or a pasted invoice with spaces → the BOLT11 in lower case. */
export function normalizeInvoice(text: string): string {
  let s = text.trim().replace(/\s+/g, '');
  s = s.replace(/^lightning:(\/\/)?/i, '');
  return s.toLowerCase();
}

export function rowAmount(row: PlanRow): bigint | undefined {
  return parseSat(row.amountText);
}

export function toPlannedPart(row: PlanRow, number?: number): PlannedPart {
  return { amount: rowAmount(row), channel: row.channel, route: row.route, routing: row.routing, number };
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

/** The fee limit the form stands for: what was typed, or pay's default for the amount (shared/policy.ts). */
export function feeLimit(s: Pick<PlannerStore, 'feeLimitText' | 'decoded' | 'amountText'>): bigint | undefined {
  if (s.feeLimitText.trim() !== '') return parseSat(s.feeLimitText);
  const amount = intendedAmount(s);
  return amount === undefined ? undefined : defaultFeeLimit(amount);
}

/** pay's default fee limit for an amount: 0.5% of it or 5 sat, whichever is larger. */
export function defaultFeeLimit(amount: bigint): bigint {
  return feeBudget(amount, DEFAULT_MAX_FEE_PERCENT, DEFAULT_EXEMPT_FEE_MSAT);
}

/** The most parts the form allows: what was typed (1 to 100), or the default. */
export function maxParts(s: Pick<PlannerStore, 'maxPartsText'>): number | undefined {
  const text = s.maxPartsText.trim();
  if (text === '') return DEFAULT_MAX_PARTS;
  if (!/^\d{1,3}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 100 ? n : undefined;
}

export function planLimits(
  s: Pick<PlannerStore, 'feeLimitText' | 'maxPartsText' | 'decoded' | 'amountText'>,
): PlanLimits {
  return { feeLimit: feeLimit(s), maxParts: maxParts(s) };
}

/** What the planned parts must add up to: the intended amount minus what parts not failed carry. */
export function planTarget(intended: bigint | undefined, sentParts: readonly PartialPayment[]): bigint | undefined {
  return intended === undefined ? undefined : missingAmount(intended, sentParts);
}

/** The identity of a plan for checkplan: its routes, hop by hop. */
export function planKey(routes: readonly Route[]): string {
  return routes.map((r) => r.map((h) => `${h.channel}:${h.msatoshi}`).join('>')).join('|');
}

/** The rows' routes, when every row has one for its amount. */
export function planRoutes(rows: readonly PlanRow[]): Route[] | undefined {
  const routes: Route[] = [];
  for (const row of rows) {
    const amount = rowAmount(row);
    const route = row.route;
    if (!route || route.length === 0 || amount === undefined || route[route.length - 1]?.msatoshi !== amount) {
      return undefined;
    }
    routes.push(route);
  }
  return routes.length > 0 ? routes : undefined;
}

function sameNodes(a: Route, b: Route): boolean {
  return (
    a.length === b.length && a.every((hop, i) => hop.id === b[i]?.id && (i === 0 || hop.channel === b[i]?.channel))
  );
}

function paymentParts(hash: string | undefined): PartialPayment[] {
  return hash ? partsOf(usePayments.getState(), hash) : [];
}

function isPayment(data: unknown): data is Payment {
  return typeof data === 'object' && data !== null && 'payment_hash' in data && 'parts' in data;
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

/** Asks for the names of every node on these routes, in one call. */
function nameRoutes(routes: readonly Route[]): void {
  useNode.getState().requestNames(routes.flatMap((r) => r.map((h) => h.id)));
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
  check: undefined,
  checkError: undefined,
  confirming: false,
  run: undefined,
};

export const usePlanner = create<PlannerStore>()((set, get) => {
  const updateRow = (key: number, fields: Partial<PlanRow>) => {
    set((s) => ({ rows: s.rows.map((r) => (r.key === key ? { ...r, ...fields } : r)) }));
    if ('route' in fields || 'amountText' in fields) scheduleCheck();
  };
  const findRow = (key: number) => get().rows.find((r) => r.key === key);
  const aliases = () => useNode.getState().aliases;

  /** checkplan for the rows as they stand, once they settle: the core's probability and overdrawn channels. */
  function scheduleCheck(): void {
    debounce('check', 150, () => void checkNow());
  }

  async function checkNow(): Promise<void> {
    const s = get();
    const routes = planRoutes(s.rows);
    if (!s.bolt11 || !s.decoded || !routes) {
      if (s.check) set({ check: undefined });
      return;
    }
    const key = planKey(routes);
    if (s.check?.for === key) return;
    const isCurrent = begin('check');
    nameRoutes(routes);
    try {
      const result = await api().call('checkplan', {
        bolt11: s.bolt11,
        msatoshi: s.decoded.msatoshi === undefined ? intendedAmount(s) : undefined,
        parts: routes.map((route) => ({ route })),
      });
      if (!isCurrent()) return;
      set({ check: { ...result, for: key }, checkError: undefined });
    } catch (error) {
      if (isCurrent()) set({ check: undefined, checkError: errorProblem(toApiError(error), aliases()).what });
    }
  }

  /** Finds a route for the row's amount over its channel, keeping its path when that still works. */
  async function routeRow(key: number): Promise<void> {
    const row = findRow(key);
    const { decoded } = get();
    if (!row || !decoded) return;
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
      let pick: { route: Route } | undefined = same;
      if (!pick && keepPath) {
        pick = await api()
          .call('buildroute', {
            hops: keepPath.map((h) => h.id),
            msatoshi: amount,
            first_channel: channel,
            final_cltv: finalCltv(decoded),
          })
          .then((r) => ({ route: r.route }))
          .catch(() => undefined);
        if (!isCurrent()) return;
      }
      pick ??= routes[0];
      nameRoutes(routes.map((c) => c.route));
      if (pick) {
        updateRow(key, {
          routing: false,
          route: pick.route,
          candidates: routes,
          candidatesFor: `${channel}:${amount}`,
        });
      } else {
        updateRow(key, {
          routing: false,
          route: undefined,
          routeError: `No route found for ${formatMsat(amount)} over this channel.`,
        });
      }
    } catch (error) {
      if (isCurrent()) updateRow(key, { routing: false, routeError: errorProblem(toApiError(error), aliases()).what });
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
      nameRoutes(routes.map((c) => c.route));
      updateRow(key, {
        candidatesLoading: false,
        candidates: routes,
        candidatesFor: `${row.channel}:${amount}`,
        routeError: routes.length === 0 ? `No route found for ${formatMsat(amount)} over this channel.` : undefined,
      });
    } catch (error) {
      if (isCurrent())
        updateRow(key, { candidatesLoading: false, routeError: errorProblem(toApiError(error), aliases()).what });
    }
  }

  function target(): bigint | undefined {
    const s = get();
    return planTarget(intendedAmount(s), paymentParts(s.decoded?.payment_hash));
  }

  /** Rows from one of splitpay's plans, each part on the channel its route leaves by. */
  function splitRows(split: SplitPayResult): PlanRow[] {
    nameRoutes(split.parts.map((p) => p.route));
    return split.parts.map((p) =>
      newRow({ amountText: satInput(p.msatoshi), channel: p.route[0]?.channel, route: p.route }),
    );
  }

  /** The fee limit and part count as pay and splitpay take them: the limit as an exempt fee, no percentage. */
  function limitParams(): { maxfeepercent: number; exemptfee: bigint } | undefined {
    const limit = feeLimit(get());
    return limit === undefined ? undefined : { maxfeepercent: 0, exemptfee: limit };
  }

  /** A plan from the core for `amount` (all of it, or what is missing around the parts in flight). */
  async function planFor(amount: bigint): Promise<PlanRow[]> {
    const s = get();
    const { decoded, bolt11 } = s;
    const intended = intendedAmount(s);
    if (!decoded || !bolt11 || intended === undefined) return [];
    const pending = paymentParts(decoded.payment_hash).filter((p) => p.status === 'pending').length;
    const most = maxParts(s) ?? DEFAULT_MAX_PARTS;
    if (pending >= most) {
      throw new Error(`${pending} parts are already in flight, your maximum: wait for one to resolve.`);
    }
    const [split] = await Promise.all([
      api().call('splitpay', {
        bolt11,
        msatoshi: decoded.msatoshi === undefined ? intended : undefined,
        parts: most - pending,
        ...limitParams(),
        missing_msatoshi: amount === intended ? undefined : amount,
      }),
      useNode.getState().refreshChannels(),
    ]);
    return splitRows(split);
  }

  async function plan(doing: string): Promise<boolean> {
    const amount = target();
    const bolt11 = get().bolt11;
    if (amount === undefined || amount <= 0n) {
      set({ rows: [], planError: undefined });
      return false;
    }
    const isCurrent = begin('propose');
    set({ proposing: true, planError: undefined });
    try {
      const rows = await planFor(amount);
      if (!isCurrent() || get().bolt11 !== bolt11) return false;
      set({ rows, proposing: false });
      scheduleCheck();
      return true;
    } catch (error) {
      if (isCurrent()) set({ proposing: false, planError: errorProblem(toApiError(error), aliases(), { doing }) });
      return false;
    }
  }

  /** The one call: pay with the plan as the first parts, in the form's mode and limits. */
  async function pay(): Promise<void> {
    const s = get();
    const { decoded, bolt11 } = s;
    const routes = planRoutes(s.rows);
    const limits = limitParams();
    if (!decoded || !bolt11 || !routes || !limits) return;
    const mode = s.mode;
    const kept = s.rows;
    const now = Date.now();
    const hash = decoded.payment_hash;
    set((st) => ({
      confirming: false,
      rows: [],
      check: undefined,
      planError: undefined,
      sentAt: st.sentAt ?? now,
      run: { payment_hash: hash, mode, state: 'running', startedAt: now },
    }));
    const setRun = (fields: Partial<PayRun>) =>
      set((st) => (st.run?.startedAt === now ? { run: { ...st.run, ...fields } } : {}));
    try {
      const payment = await api().call('pay', {
        bolt11,
        msatoshi: decoded.msatoshi === undefined ? intendedAmount(s) : undefined,
        ...limits,
        max_parts: maxParts(s),
        plan: routes.map((route) => ({ route })),
        mode,
      });
      usePayments.getState().applyPayments([payment], true);
      setRun({ state: 'complete' });
    } catch (error) {
      const e = toApiError(error);
      if (isPayment(e.data)) usePayments.getState().applyPayments([e.data], true);
      const problem = errorProblem(e, aliases(), { mode });
      if (e.code === ErrorCode.InvalidParams) {
        // The core refused the plan before sending anything: it stays as it was, with the reason.
        set((st) => (st.run?.startedAt === now ? { run: undefined, rows: kept, planError: problem } : {}));
        scheduleCheck();
        return;
      }
      const state: RunState =
        e.code === ErrorCode.PayStopped
          ? 'stopped'
          : e.code === ErrorCode.DestinationRefused
            ? 'refused'
            : e.code === ErrorCode.PayGaveUp
              ? 'gave-up'
              : 'failed';
      setRun({ state, problem });
    } finally {
      void useNode.getState().refreshChannels();
    }
  }

  return {
    invoiceText: '',
    ...CLEARED,
    mode: 'auto',
    feeLimitText: '',
    maxPartsText: '',
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
        useNode.getState().requestNames([decoded.destination]);
        // What was sent for it before (another session, `pay`) counts: the proposal is for what is still missing.
        await loadParts(decoded.payment_hash);
        if (!isCurrent()) return;
        const paid = usePayments.getState().payments.get(decoded.payment_hash)?.status === 'complete';
        const running = usePayments.getState().payRuns.get(decoded.payment_hash)?.state === 'running';
        if (!paid && !running && !isExpired(decoded) && intendedAmount(get()) !== undefined) void get().propose();
      } catch (error) {
        if (!isCurrent()) return;
        set({ decoding: false, invoiceError: `This is not a valid invoice: ${toApiError(error).message}` });
      }
    },

    setAmountText(text) {
      set({ amountText: text });
      debounce('amount', 400, () => {
        const s = get();
        if (s.decoded && !isExpired(s.decoded) && intendedAmount(s) !== undefined && !s.run) void s.propose();
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
        const { bolt11 } = await api().call('testinvoice', {
          msatoshi,
          description: description.trim() === '' ? undefined : description.trim(),
        });
        set({ testInvoiceBusy: false, invoiceText: bolt11 });
        await get().decodeNow();
      } catch (error) {
        set({
          testInvoiceBusy: false,
          testInvoiceError: `No test invoice: ${errorProblem(toApiError(error), aliases()).what}`,
        });
      }
    },

    async propose() {
      const { decoded } = get();
      if (!decoded || intendedAmount(get()) === undefined) return;
      if (isExpired(decoded)) {
        set({
          planError: { what: 'The invoice has expired: nothing to plan.', action: 'Ask the receiver for a new one.' },
        });
        return;
      }
      await plan('No proposal');
    },

    addRow() {
      const s = get();
      const amount = target();
      const used = s.rows.reduce((sum, r) => sum + (rowAmount(r) ?? 0n), 0n);
      const left = amount === undefined ? 0n : amount - used;
      // The active channel with the most left once the other planned parts are taken out.
      const taken = new Map<string, bigint>();
      for (const r of s.rows) if (r.channel) taken.set(r.channel, (taken.get(r.channel) ?? 0n) + (rowAmount(r) ?? 0n));
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
      set((s) => ({ rows: s.rows.filter((r) => r.key !== key) }));
      scheduleCheck();
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
      const { decoded } = get();
      if (!row || !decoded) return;
      // A route request still to come or in flight for this row must not overwrite the choice.
      cancel(`row:${key}`);
      const isCurrent = begin(`route:${key}`);
      const channel = candidate.route[0]?.channel ?? row.channel;
      const amount = rowAmount(row);
      if (amount === undefined || candidate.route[candidate.route.length - 1]?.msatoshi === amount) {
        updateRow(key, { route: candidate.route, channel, routing: false, routeError: undefined });
        return;
      }
      // Found for an earlier amount: the same path, built again for the amount the part has now (the choice shows
      // as made meanwhile; Send waits for the rebuilt route).
      updateRow(key, { route: candidate.route, channel, routing: true, routeError: undefined });
      void api()
        .call('buildroute', {
          hops: candidate.route.map((h) => h.id),
          msatoshi: amount,
          first_channel: channel,
          final_cltv: finalCltv(decoded),
        })
        .then(({ route }) => {
          if (isCurrent()) updateRow(key, { route, routing: false });
        })
        .catch((error: unknown) => {
          if (!isCurrent()) return;
          const raw = withNames(toApiError(error).message, aliases());
          updateRow(key, {
            routing: false,
            route: undefined,
            routeError: `This path cannot carry ${formatMsat(amount)}: choose another (${raw}).`,
          });
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
      // A failed build leaves the part without a route (never the old one, silently).
      const fail = (routeError: string) => updateRow(key, { routing: false, route: undefined, routeError });
      if (amount === undefined || amount <= 0n) {
        fail('Enter the part’s amount first.');
        return;
      }
      cancel(`row:${key}`);
      const isCurrent = begin(`route:${key}`);
      updateRow(key, { routing: true, routeError: undefined });
      let names: string[] = [];
      try {
        const resolved = await resolveNodes(row.hopsText, (alias) => useNode.getState().lookupAlias(alias));
        if (!isCurrent()) return;
        if ('unknown' in resolved) {
          fail(`No node is called “${resolved.unknown}”: give its alias as the network knows it, or its id (66 hex).`);
          return;
        }
        if ('ambiguous' in resolved) {
          fail(`${resolved.ids.length} nodes are called “${resolved.ambiguous}”: give the one you mean by its id.`);
          return;
        }
        const hops = [...resolved.ids];
        // From this part's channel: its peer first, whether or not the user named it.
        const peer = useNode.getState().channels.find((c) => c.channel === row.channel)?.peer_id;
        if (peer && hops[0] !== peer) hops.unshift(peer);
        if (hops[hops.length - 1] !== decoded.destination) hops.push(decoded.destination);
        names = hops;
        const { route } = await api().call('buildroute', {
          hops,
          msatoshi: amount,
          first_channel: row.channel,
          final_cltv: finalCltv(decoded),
        });
        if (!isCurrent()) return;
        nameRoutes([route]);
        updateRow(key, { routing: false, route, channel: route[0]?.channel ?? row.channel });
      } catch (error) {
        if (isCurrent()) {
          const path = names.map((id) => nodeName(id, aliases())).join(' → ');
          const raw = withNames(toApiError(error).message, aliases());
          fail(
            `No route ${path ? `${path} ` : ''}for ${formatMsat(amount)}: two of these nodes have no channel between them that can carry it. Choose other nodes. (${raw})`,
          );
        }
      }
    },

    setMode(mode) {
      set({ mode });
    },

    setFeeLimitText(text) {
      set({ feeLimitText: text });
    },

    setMaxPartsText(text) {
      set({ maxPartsText: text });
    },

    async send() {
      const s = get();
      const { decoded } = s;
      if (!decoded || isExpired(decoded) || s.run?.state === 'running' || s.run?.state === 'stopping') return;
      const check = checkEdit(
        target(),
        s.rows.map((r, i) => toPlannedPart(r, i + 1)),
        planLimits(s),
      );
      // The core's check of these very parts: one of our channels asked for more than it has fails for sure.
      const routes = planRoutes(s.rows);
      const node = useNode.getState();
      const ownId = node.info?.id;
      const verdict = routes && s.check?.for === planKey(routes) ? s.check : undefined;
      for (const o of verdict?.overdrawn ?? []) {
        if (o.from !== ownId) continue;
        check.ok = false;
        check.reasons.push(overdrawnText(o, node.channels, node.aliases, ownId));
      }
      if (!check.ok) {
        set({ planError: { what: `Not sent: ${check.reasons.join(' ')}`, action: 'Change the plan, then Send.' } });
        return;
      }
      // Real money is a decision: one confirmation. The simulated network pays at once (with the same limits).
      if (useNode.getState().info?.simulated !== true) {
        set({ confirming: true });
        return;
      }
      await pay();
    },

    async confirmSend() {
      if (!get().confirming) return;
      await pay();
    },

    cancelSend() {
      set({ confirming: false });
    },

    async stop() {
      const run = get().run;
      const hash = run?.payment_hash ?? get().decoded?.payment_hash;
      if (!hash) return;
      if (run?.state === 'running') set({ run: { ...run, state: 'stopping' } });
      try {
        const result = await api().call('stoppay', { payment_hash: hash });
        set((st) =>
          st.run?.payment_hash === hash
            ? { run: { ...st.run, state: 'stopped', pendingAtStop: result.pending_parts } }
            : {},
        );
      } catch (error) {
        set({ planError: errorProblem(toApiError(error), aliases(), { doing: 'Not stopped' }) });
      }
    },

    async replanMissing(sendNow) {
      const s = get();
      if (!s.decoded || isExpired(s.decoded)) return;
      // What is missing goes in the mode the screen is in; after a manual payment gave up, manual again.
      const planned = await plan('No re-plan');
      if (planned && sendNow) await get().send();
    },

    reset() {
      begin('decode');
      set({ invoiceText: '', ...CLEARED });
    },
  };
});
