import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../shared/api/errors';
import type { DecodePayResult, SplitPayResult } from '../../shared/api/results';
import type { PartialPayment, Route } from '../../shared/types';
import type { BraidApi } from '../api';
import { setApi } from './api';
import { useNode } from './node';
import { usePayments } from './payments';
import { intendedAmount, normalizeInvoice, planTarget, usePlanner } from './planner';

// The planner store against a stand-in wallet: what it asks for, what it sends, and what it shows as left.

const DEST = `02${'dd'.repeat(32)}`;
const PEER_A = `02${'aa'.repeat(32)}`;
const PEER_B = `03${'bb'.repeat(32)}`;
const HASH = 'ab'.repeat(32);

function route(channel: string, peer: string, amount: bigint, fee = 100n): Route {
  return [
    { id: peer, channel, msatoshi: amount + fee, delay: 120, direction: 0 },
    { id: DEST, channel: '9x9x9', msatoshi: amount, delay: 43, direction: 1 },
  ];
}

const DECODED: DecodePayResult = {
  payment_hash: HASH,
  msatoshi: 1_000_000n,
  destination: DEST,
  description: 'coffee',
  created_at: Math.floor(Date.now() / 1000),
  expiry: 3600,
  min_final_cltv_expiry: 40,
  features: { mpp: true },
  route_hints: [],
};

const SPLIT: SplitPayResult = {
  parts: [
    { route: route('1x1x1', PEER_A, 600_000n), msatoshi: 600_000n, fee_msatoshi: 100n, probability: 0.5 },
    { route: route('2x2x2', PEER_B, 400_000n), msatoshi: 400_000n, fee_msatoshi: 100n, probability: 0.8 },
  ],
  fee_msatoshi: 200n,
  probability: 0.4,
};

function fakeApi(overrides: Record<string, (params: never) => unknown> = {}) {
  const calls: { name: string; params: unknown }[] = [];
  let nextId = 1;
  const handlers: Record<string, (params: never) => unknown> = {
    decodepay: () => DECODED,
    splitpay: () => SPLIT,
    listpartialpayments: () => ({ partialpayments: [] }),
    listchannels: () => ({ channels: [] }),
    getroutes: (p: { msatoshi: bigint; first_channel: string }) => ({
      routes: [
        {
          route: route(p.first_channel, p.first_channel === '1x1x1' ? PEER_A : PEER_B, BigInt(p.msatoshi)),
          fee_msatoshi: 100n,
          delay: 120,
          probability: 0.6,
        },
      ],
    }),
    sendpartialpay: (p: { route: Route; payment_hash: string }): PartialPayment => {
      const last = p.route[p.route.length - 1] as Route[number];
      return {
        id: nextId++,
        payment_hash: p.payment_hash,
        status: 'pending',
        msatoshi: last.msatoshi,
        msatoshi_sent: (p.route[0] as Route[number]).msatoshi,
        destination: DEST,
        route: p.route,
        created_at: Math.floor(Date.now() / 1000),
      };
    },
    ...overrides,
  };
  const api: BraidApi = {
    call: (async (name: string, params: unknown) => {
      calls.push({ name, params });
      const handler = handlers[name];
      if (!handler) throw new ApiError(-32601, `unknown command: ${name}`);
      return handler(params as never);
    }) as BraidApi['call'],
    subscribe: () => () => {},
  };
  return { api, calls };
}

const CHANNELS = [
  {
    channel: '1x1x1',
    peer_id: PEER_A,
    peer_alias: 'atlas',
    capacity_msatoshi: 2_000_000n,
    local_msatoshi: 900_000n,
    remote_msatoshi: 0n,
    active: true,
  },
  {
    channel: '2x2x2',
    peer_id: PEER_B,
    peer_alias: 'bolt',
    capacity_msatoshi: 2_000_000n,
    local_msatoshi: 900_000n,
    remote_msatoshi: 0n,
    active: true,
  },
];

async function settle() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

beforeEach(() => {
  usePlanner.getState().reset();
  usePayments.setState({ parts: new Map(), partsByHash: new Map(), payments: new Map(), order: [] });
  useNode.setState({ channels: CHANNELS });
});

afterEach(() => {
  setApi(undefined);
  vi.useRealTimers();
});

describe('planner store', () => {
  it('reads lightning: links', () => {
    expect(normalizeInvoice('  lightning:LNBCRT5M1P4\n SDA7M ')).toBe('lnbcrt5m1p4sda7m');
    expect(normalizeInvoice('LIGHTNING://lnbc1')).toBe('lnbc1');
  });

  it('decodes, proposes at once, and keeps "left to assign" as parts are edited', async () => {
    vi.useFakeTimers();
    const { api, calls } = fakeApi();
    setApi(api);
    const planner = usePlanner.getState();
    planner.setInvoiceText('lightning:LNBCRT1FAKE');
    await vi.advanceTimersByTimeAsync(300);
    await settle();
    expect(calls.map((c) => c.name)).toEqual(expect.arrayContaining(['decodepay', 'splitpay', 'listpartialpayments']));
    expect(calls.find((c) => c.name === 'decodepay')?.params).toEqual({ bolt11: 'lnbcrt1fake' });
    let s = usePlanner.getState();
    expect(s.rows.map((r) => r.amountText)).toEqual(['600', '400']);
    expect(planTarget(intendedAmount(s), s.rows, [])).toBe(1_000_000n);

    s.setRowAmount(s.rows[1]?.key as number, '300');
    await vi.advanceTimersByTimeAsync(400);
    await settle();
    s = usePlanner.getState();
    // A new route for the new amount over the same channel.
    const getroutes = calls.filter((c) => c.name === 'getroutes').at(-1)?.params as Record<string, unknown>;
    expect(getroutes).toMatchObject({ msatoshi: 300_000n, first_channel: '2x2x2', final_cltv: 43, destination: DEST });
    expect(s.rows[1]?.route?.at(-1)?.msatoshi).toBe(300_000n);

    s.addRow();
    await settle();
    s = usePlanner.getState();
    expect(s.rows).toHaveLength(3);
    expect(s.rows[2]?.amountText).toBe('100');
    s.removeRow(s.rows[2]?.key as number);
    expect(usePlanner.getState().rows).toHaveLength(2);
  });

  it('sends one sendpartialpay per part, all at once, with the invoice amount as intended', async () => {
    vi.useFakeTimers();
    const { api, calls } = fakeApi();
    setApi(api);
    usePlanner.getState().setInvoiceText('lnbcrt1fake');
    await vi.advanceTimersByTimeAsync(300);
    await settle();
    await usePlanner.getState().send();
    const sends = calls.filter((c) => c.name === 'sendpartialpay').map((c) => c.params as Record<string, unknown>);
    expect(sends).toHaveLength(2);
    for (const p of sends) {
      expect(p).toMatchObject({ payment_hash: HASH, intended_msatoshi: 1_000_000n, bolt11: 'lnbcrt1fake' });
    }
    const s = usePlanner.getState();
    expect(s.rows.map((r) => r.partId)).toEqual([1, 2]);
    expect(usePayments.getState().parts.get(1)?.status).toBe('pending');
    // Nothing is left to plan: the parts in flight carry the whole amount.
    expect(planTarget(intendedAmount(s), s.rows, [...usePayments.getState().parts.values()])).toBe(0n);
  });

  it('does not send a plan that does not add up, and records a refused part with its code', async () => {
    vi.useFakeTimers();
    let first = true;
    const { api, calls } = fakeApi({
      sendpartialpay: () => {
        if (first) {
          first = false;
          throw new ApiError(200, 'would overpay');
        }
        throw new ApiError(-1, 'node not connected');
      },
    });
    setApi(api);
    usePlanner.getState().setInvoiceText('lnbcrt1fake');
    await vi.advanceTimersByTimeAsync(300);
    await settle();
    const rows = usePlanner.getState().rows;
    usePlanner.setState({ rows: rows.slice(0, 1) });
    await usePlanner.getState().send();
    expect(calls.some((c) => c.name === 'sendpartialpay')).toBe(false);
    expect(usePlanner.getState().planError).toMatch(/400 sat still to assign/);

    usePlanner.setState({ rows });
    await usePlanner.getState().send();
    const rejected = usePlanner.getState().rows.map((r) => r.rejected);
    expect(rejected).toEqual([
      { code: 200, message: 'would overpay' },
      { code: -1, message: 'node not connected' },
    ]);
  });

  it('re-routes what is missing with splitpay: the missing amount, the parts left, rows with probabilities', async () => {
    vi.useFakeTimers();
    let refuse = false;
    const { api, calls } = fakeApi({
      splitpay: (p: { missing_msatoshi?: bigint }) => {
        if (p.missing_msatoshi === undefined) return SPLIT;
        if (refuse) throw new ApiError(210, `missing_msatoshi: no split of ${p.missing_msatoshi} msat found`);
        const half = p.missing_msatoshi / 2n;
        return {
          parts: [
            { route: route('1x1x1', PEER_A, half), msatoshi: half, fee_msatoshi: 100n, probability: 0.9 },
            {
              route: route('2x2x2', PEER_B, p.missing_msatoshi - half),
              msatoshi: p.missing_msatoshi - half,
              fee_msatoshi: 100n,
              probability: 0.7,
            },
          ],
          fee_msatoshi: 200n,
          probability: 0.63,
        };
      },
    });
    setApi(api);
    usePlanner.getState().setInvoiceText('lnbcrt1fake');
    await vi.advanceTimersByTimeAsync(300);
    await settle();
    await usePlanner.getState().send();
    const second = usePayments.getState().parts.get(2) as PartialPayment;
    usePayments.getState().applyParts([{ ...second, status: 'failed' }], true);

    await usePlanner.getState().rerouteMissing(false);
    const asked = calls.filter((c) => c.name === 'splitpay').at(-1)?.params;
    // One part still pending of the 8 the receiver takes.
    expect(asked).toEqual({ bolt11: 'lnbcrt1fake', parts: 7, missing_msatoshi: 400_000n });
    expect(calls.some((c) => c.name === 'getroutes')).toBe(false);
    const planned = usePlanner.getState().rows.filter((r) => r.partId === undefined);
    expect(planned.map((r) => [r.amountText, r.channel, r.probability])).toEqual([
      ['200', '1x1x1', 0.9],
      ['200', '2x2x2', 0.7],
    ]);
    expect(usePlanner.getState().planError).toBeUndefined();

    refuse = true;
    await usePlanner.getState().rerouteMissing(false);
    expect(usePlanner.getState().planError).toBe(
      'No re-route: missing_msatoshi: no split of 400000 msat found (code 210)',
    );
  });

  it('says what is wrong with an invoice it cannot read', async () => {
    const { api } = fakeApi({
      decodepay: () => {
        throw new ApiError(-32602, 'bolt11: invalid checksum');
      },
    });
    setApi(api);
    usePlanner.setState({ invoiceText: 'lnbc1nonsense' });
    await usePlanner.getState().decodeNow();
    expect(usePlanner.getState().invoiceError).toBe('This is not a valid invoice: bolt11: invalid checksum');
    expect(usePlanner.getState().rows).toEqual([]);
  });

  it('asks the amount of an amountless invoice before proposing, and proposes for it', async () => {
    vi.useFakeTimers();
    const { api, calls } = fakeApi({ decodepay: () => ({ ...DECODED, msatoshi: undefined }) });
    setApi(api);
    usePlanner.getState().setInvoiceText('lnbcrt1fake');
    await vi.advanceTimersByTimeAsync(300);
    await settle();
    expect(calls.some((c) => c.name === 'splitpay')).toBe(false);
    usePlanner.getState().setAmountText('1000');
    await vi.advanceTimersByTimeAsync(500);
    await settle();
    expect(calls.find((c) => c.name === 'splitpay')?.params).toEqual({ bolt11: 'lnbcrt1fake', msatoshi: 1_000_000n });
  });

  it('proposes nothing for an expired invoice', async () => {
    const { api, calls } = fakeApi({ decodepay: () => ({ ...DECODED, created_at: 1000 }) });
    setApi(api);
    usePlanner.setState({ invoiceText: 'lnbcrt1fake' });
    await usePlanner.getState().decodeNow();
    await settle();
    expect(calls.some((c) => c.name === 'splitpay')).toBe(false);
    await usePlanner.getState().send();
    expect(calls.some((c) => c.name === 'sendpartialpay')).toBe(false);
  });
});
