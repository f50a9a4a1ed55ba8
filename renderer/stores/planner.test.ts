import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../shared/api/errors';
import type { DecodePayResult, SplitPayResult } from '../../shared/api/results';
import type { Payment, Route } from '../../shared/types';
import type { BraidApi } from '../api';
import { setApi } from './api';
import { forgetAskedNames, useNode as nodeStore } from './node';
import { usePayments } from './payments';
import { defaultFeeLimit, intendedAmount, normalizeInvoice, planTarget, usePlanner } from './planner';

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
    checkplan: (p: { parts: { route: Route }[] }) => ({
      probability: 0.42,
      fee_msatoshi: 200n,
      parts: p.parts.map(() => ({ probability: 0.7, fee_msatoshi: 100n })),
      overdrawn: [],
    }),
    pay: (): Payment => PAID,
    stoppay: (p: { payment_hash: string }) => ({ payment_hash: p.payment_hash, stopped: true, pending_parts: 2 }),
    listnodes: (p: { ids?: string[]; alias?: string }) => ({
      nodes: NODES.filter((n) => p.ids?.includes(n.id) || n.alias.toLowerCase() === p.alias?.toLowerCase()),
    }),
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

const MID = `02${'11'.repeat(32)}`;
const NODES = [
  { id: DEST, alias: 'bob', color: '' },
  { id: PEER_A, alias: 'atlas', color: '' },
  { id: PEER_B, alias: 'bolt', color: '' },
  { id: MID, alias: 'iris', color: '' },
];

const PAID: Payment = {
  payment_hash: HASH,
  status: 'complete',
  msatoshi: 1_000_000n,
  msatoshi_sent: 1_000_200n,
  destination: DEST,
  created_at: Math.floor(Date.now() / 1000),
  payment_preimage: 'cd'.repeat(32),
  parts: { pending: 0, complete: 2, failed: 0 },
};

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

const INFO = {
  id: `02${'ee'.repeat(32)}`,
  alias: 'alice',
  network: 'regtest',
  blockheight: 100,
  num_active_channels: 2,
  simulated: true,
  version: 'test',
};

async function settle() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

beforeEach(() => {
  usePlanner.getState().reset();
  usePlanner.setState({ mode: 'auto', feeLimitText: '', maxPartsText: '' });
  forgetAskedNames();
  nodeStore.setState({ aliases: {}, info: { ...INFO, simulated: true } });
  usePayments.setState({ parts: new Map(), partsByHash: new Map(), payments: new Map(), order: [] });
  nodeStore.setState({ channels: CHANNELS });
});

afterEach(() => {
  setApi(undefined);
  vi.useRealTimers();
});

/** A part the core reports as sent over `r`. */
function sentPart(id: number, status: 'complete' | 'failed', r: Route) {
  const last = r[r.length - 1] as Route[number];
  return {
    id,
    payment_hash: HASH,
    status,
    msatoshi: last.msatoshi,
    msatoshi_sent: (r[0] as Route[number]).msatoshi,
    destination: DEST,
    route: r,
    created_at: Math.floor(Date.now() / 1000),
  };
}

/** Decodes the fake invoice and lets the proposal and its check come in. */
async function decoded() {
  usePlanner.getState().setInvoiceText('lnbcrt1fake');
  await vi.advanceTimersByTimeAsync(300);
  await settle();
  await vi.advanceTimersByTimeAsync(200);
  await settle();
}

const params = (calls: { name: string; params: unknown }[], name: string) =>
  calls.filter((c) => c.name === name).map((c) => c.params as Record<string, unknown>);

describe('planner store', () => {
  it('reads lightning: links', () => {
    expect(normalizeInvoice('  lightning:LNBCRT5M1P4\n SDA7M ')).toBe('lnbcrt5m1p4sda7m');
    expect(normalizeInvoice('LIGHTNING://lnbc1')).toBe('lnbc1');
  });

  it('decodes, proposes at once, checks the plan with the core, and keeps "left to assign" as parts are edited', async () => {
    vi.useFakeTimers();
    const { api, calls } = fakeApi();
    setApi(api);
    await decoded();
    expect(calls.map((c) => c.name)).toEqual(
      expect.arrayContaining(['decodepay', 'splitpay', 'listpartialpayments', 'checkplan']),
    );
    expect(calls.find((c) => c.name === 'decodepay')?.params).toEqual({ bolt11: 'lnbcrt1fake' });
    let s = usePlanner.getState();
    expect(s.rows.map((r) => r.amountText)).toEqual(['600', '400']);
    expect(planTarget(intendedAmount(s), [])).toBe(1_000_000n);
    // The probability shown is the core's, for exactly these parts.
    expect(params(calls, 'checkplan').at(-1)).toEqual({
      bolt11: 'lnbcrt1fake',
      parts: SPLIT.parts.map((p) => ({ route: p.route })),
    });
    expect(s.check?.probability).toBe(0.42);

    s.setRowAmount(s.rows[1]?.key as number, '300');
    await vi.advanceTimersByTimeAsync(400);
    await settle();
    s = usePlanner.getState();
    const getroutes = params(calls, 'getroutes').at(-1);
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

  it('sends with one pay call on the simulated network: the plan first, auto mode, the default fee limit', async () => {
    vi.useFakeTimers();
    const { api, calls } = fakeApi();
    setApi(api);
    await decoded();
    await usePlanner.getState().send();
    await settle();
    expect(calls.some((c) => c.name === 'sendpartialpay')).toBe(false);
    const pays = params(calls, 'pay');
    expect(pays).toEqual([
      {
        bolt11: 'lnbcrt1fake',
        maxfeepercent: 0,
        exemptfee: defaultFeeLimit(1_000_000n),
        max_parts: 8,
        plan: SPLIT.parts.map((p) => ({ route: p.route })),
        mode: 'auto',
      },
    ]);
    // 0.5% of 1,000 sat is 5 sat, the exempt fee: the larger of the two.
    expect(defaultFeeLimit(1_000_000n)).toBe(5_000n);
    expect(defaultFeeLimit(10_000_000n)).toBe(50_000n);
    const s = usePlanner.getState();
    expect(s.rows).toEqual([]);
    expect(s.run?.state).toBe('complete');
    expect(usePayments.getState().payments.get(HASH)?.status).toBe('complete');
  });

  it('on a real node asks once before paying, with the limits the form holds', async () => {
    vi.useFakeTimers();
    nodeStore.setState({ info: { ...INFO, simulated: false } });
    const { api, calls } = fakeApi();
    setApi(api);
    await decoded();
    usePlanner.getState().setFeeLimitText('12.5');
    usePlanner.getState().setMaxPartsText('3');
    await usePlanner.getState().send();
    expect(usePlanner.getState().confirming).toBe(true);
    expect(params(calls, 'pay')).toEqual([]);
    usePlanner.getState().cancelSend();
    expect(usePlanner.getState().confirming).toBe(false);
    await usePlanner.getState().confirmSend();
    expect(params(calls, 'pay')).toEqual([]);

    await usePlanner.getState().send();
    await usePlanner.getState().confirmSend();
    expect(params(calls, 'pay')).toHaveLength(1);
    expect(params(calls, 'pay')[0]).toMatchObject({ maxfeepercent: 0, exemptfee: 12_500n, max_parts: 3 });
  });

  it('sends nothing over the fee limit or with more parts than allowed, and says why', async () => {
    vi.useFakeTimers();
    const { api, calls } = fakeApi();
    setApi(api);
    await decoded();
    // The split's fees are 0.2 sat.
    usePlanner.getState().setFeeLimitText('0.1');
    await usePlanner.getState().send();
    expect(usePlanner.getState().planError?.what).toMatch(/fees, 0\.2 sat, are over your fee limit of 0\.1 sat/);
    usePlanner.getState().setFeeLimitText('');
    usePlanner.getState().setMaxPartsText('1');
    await usePlanner.getState().send();
    expect(usePlanner.getState().planError?.what).toMatch(/2 parts are more than your maximum of 1/);
    usePlanner.getState().setMaxPartsText('0');
    await usePlanner.getState().send();
    expect(usePlanner.getState().planError?.what).toMatch(/maximum number of parts is not a whole number/);
    expect(params(calls, 'pay')).toEqual([]);
  });

  it('manual mode: pays exactly the parts; when it waits, re-plans the missing amount and pays it manually', async () => {
    vi.useFakeTimers();
    const half = (m: bigint) => m / 2n;
    let payCalls = 0;
    const { api, calls } = fakeApi({
      pay: () => {
        payCalls += 1;
        if (payCalls === 1) {
          usePayments.getState().applyParts(
            [
              sentPart(1, 'complete', SPLIT.parts[0]?.route as Route),
              {
                ...sentPart(2, 'failed', SPLIT.parts[1]?.route as Route),
                failure: { code: 'TEMPORARY_CHANNEL_FAILURE', message: 'no liquidity', erring_index: 1 },
              },
            ],
            true,
          );
          throw new ApiError(210, 'Part 2 failed: 400 sat missing.', { ...PAID, status: 'pending' });
        }
        return PAID;
      },
      splitpay: (p: { missing_msatoshi?: bigint }) => {
        if (p.missing_msatoshi === undefined) return SPLIT;
        const a = half(p.missing_msatoshi);
        return {
          parts: [
            { route: route('1x1x1', PEER_A, a), msatoshi: a, fee_msatoshi: 100n, probability: 0.9 },
            { route: route('2x2x2', PEER_B, a), msatoshi: a, fee_msatoshi: 100n, probability: 0.7 },
          ],
          fee_msatoshi: 200n,
          probability: 0.63,
        };
      },
    });
    setApi(api);
    await decoded();
    usePlanner.getState().setMode('manual');
    await usePlanner.getState().send();
    let s = usePlanner.getState();
    expect(params(calls, 'pay')[0]).toMatchObject({ mode: 'manual' });
    expect(s.run?.state).toBe('gave-up');
    expect(s.run?.problem?.what).toMatch(/in manual mode nothing is re-planned by itself: the payment waits for you/);
    expect(s.run?.problem?.details).toMatch(/^code 210: Part 2 failed: 400 sat missing/);
    expect(s.run?.problem?.final).toBeFalsy();

    const replanned = usePlanner.getState().replanMissing(true);
    await vi.advanceTimersByTimeAsync(200);
    await replanned;
    await settle();
    s = usePlanner.getState();
    expect(params(calls, 'splitpay').at(-1)).toMatchObject({ missing_msatoshi: 400_000n, parts: 8 });
    const second = params(calls, 'pay')[1];
    expect(second?.mode).toBe('manual');
    expect(((second?.plan ?? []) as { route: Route }[]).map((p) => p.route.at(-1)?.msatoshi)).toEqual([
      200_000n,
      200_000n,
    ]);
    expect(s.run?.state).toBe('complete');
  });

  it('a refusal for good (203) ends the run as refused, with no re-route', async () => {
    vi.useFakeTimers();
    const { api } = fakeApi({
      pay: () => {
        throw new ApiError(203, 'the receiver refused: INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS', PAID);
      },
    });
    setApi(api);
    await decoded();
    await usePlanner.getState().send();
    const run = usePlanner.getState().run;
    expect(run?.state).toBe('refused');
    expect(run?.problem?.final).toBe(true);
    expect(run?.problem?.action).toMatch(/nothing more will be sent/);
  });

  it('a plan the core refuses before sending stays on screen with the reason, by part number', async () => {
    vi.useFakeTimers();
    const { api } = fakeApi({
      pay: () => {
        throw new ApiError(-32602, 'plan[1].route: would overpay the invoice by 5 sat');
      },
    });
    setApi(api);
    await decoded();
    await usePlanner.getState().send();
    const s = usePlanner.getState();
    expect(s.run).toBeUndefined();
    expect(s.rows).toHaveLength(2);
    expect(s.planError?.what).toBe('Part 2: would overpay the invoice by 5 sat');
    expect(s.planError?.details).toMatch(/^code -32602: plan\[1\]/);
  });

  it('stops: stoppay for the payment, and the run says how many parts are still in flight', async () => {
    vi.useFakeTimers();
    let reject: (e: unknown) => void = () => {};
    const { api, calls } = fakeApi({
      pay: () =>
        new Promise((_resolve, r) => {
          reject = r;
        }),
    });
    setApi(api);
    await decoded();
    const paying = usePlanner.getState().send();
    await settle();
    expect(usePlanner.getState().run?.state).toBe('running');
    await usePlanner.getState().stop();
    expect(params(calls, 'stoppay')).toEqual([{ payment_hash: HASH }]);
    expect(usePlanner.getState().run).toMatchObject({ state: 'stopped', pendingAtStop: 2 });
    reject(new ApiError(212, 'stopped', { ...PAID, status: 'pending' }));
    await paying;
    expect(usePlanner.getState().run?.state).toBe('stopped');
  });

  it('builds a route from aliases the core resolves, and a failed build leaves no old route behind', async () => {
    vi.useFakeTimers();
    const built = route('1x1x1', PEER_A, 600_000n);
    const { api, calls } = fakeApi({
      buildroute: (p: { hops: string[] }) => {
        if (p.hops.includes(MID)) throw new ApiError(-32602, `hops[1]: no channel from ${PEER_A} to ${MID}`);
        return { route: built };
      },
    });
    setApi(api);
    await decoded();
    const key = usePlanner.getState().rows[0]?.key as number;
    usePlanner.getState().setHopsText(key, 'ATLAS');
    await usePlanner.getState().buildFromHops(key);
    expect(params(calls, 'buildroute').at(-1)?.hops).toEqual([PEER_A, DEST]);
    expect(usePlanner.getState().rows[0]?.route).toEqual(built);

    usePlanner.getState().setHopsText(key, 'atlas iris');
    await usePlanner.getState().buildFromHops(key);
    let row = usePlanner.getState().rows[0];
    expect(row?.route).toBeUndefined();
    // The error names nodes by alias.
    expect(row?.routeError).toMatch(
      /^No route atlas → iris → bob for 600 sat: .*\(hops\[1\]: no channel from atlas to iris\)$/,
    );

    usePlanner.getState().setHopsText(key, 'atlas nobody');
    await usePlanner.getState().buildFromHops(key);
    row = usePlanner.getState().rows[0];
    expect(row?.routeError).toMatch(/No node is called “nobody”/);
    expect(row?.route).toBeUndefined();
  });

  it('a candidate found for an earlier amount is built again for the part’s amount, not taken as it is', async () => {
    vi.useFakeTimers();
    const { api, calls } = fakeApi({
      buildroute: (p: { msatoshi: bigint; first_channel: string }) => ({
        route: route(p.first_channel, PEER_A, BigInt(p.msatoshi)),
      }),
    });
    setApi(api);
    await decoded();
    const key = usePlanner.getState().rows[0]?.key as number;
    const stale = { route: route('1x1x1', PEER_A, 550_000n), fee_msatoshi: 100n, delay: 120, probability: 0.5 };
    usePlanner.getState().chooseCandidate(key, stale);
    await settle();
    expect(params(calls, 'buildroute').at(-1)).toMatchObject({ hops: [PEER_A, DEST], msatoshi: 600_000n });
    expect(usePlanner.getState().rows[0]?.route?.at(-1)?.msatoshi).toBe(600_000n);
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
    expect(calls.find((c) => c.name === 'splitpay')?.params).toEqual({
      bolt11: 'lnbcrt1fake',
      msatoshi: 1_000_000n,
      parts: 8,
      maxfeepercent: 0,
      exemptfee: 5_000n,
    });
  });

  it('proposes nothing for an expired invoice', async () => {
    const { api, calls } = fakeApi({ decodepay: () => ({ ...DECODED, created_at: 1000 }) });
    setApi(api);
    usePlanner.setState({ invoiceText: 'lnbcrt1fake' });
    await usePlanner.getState().decodeNow();
    await settle();
    expect(calls.some((c) => c.name === 'splitpay')).toBe(false);
    await usePlanner.getState().send();
    expect(calls.some((c) => c.name === 'pay')).toBe(false);
  });
});

describe('node names', () => {
  it('asks listnodes once for all the ids a screen needs, and never again for known ones', async () => {
    vi.useFakeTimers();
    const { api, calls } = fakeApi();
    setApi(api);
    const names = nodeStore.getState();
    names.requestNames([DEST, PEER_A]);
    names.requestNames([MID, DEST]);
    await vi.advanceTimersByTimeAsync(10);
    await settle();
    expect(params(calls, 'listnodes')).toEqual([{ ids: [DEST, PEER_A, MID] }]);
    expect(nodeStore.getState().aliases[MID]).toBe('iris');
    nodeStore.getState().requestNames([DEST, MID]);
    await vi.advanceTimersByTimeAsync(10);
    expect(params(calls, 'listnodes')).toHaveLength(1);
    expect(await nodeStore.getState().lookupAlias('IRIS')).toEqual([MID]);
    expect(params(calls, 'listnodes')).toHaveLength(1);
  });
});
