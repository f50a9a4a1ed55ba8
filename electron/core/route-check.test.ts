import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Route } from '../../shared/types';
import { type Harness, startHarness } from '../test/harness';

// Routes given by hand are checked before anything is written (issue 12: 21- and 100-hop routes, channel 0x0x0, an
// unknown channel, a repeated hop, a hop id that is not a node and delays of 2^32 + n were accepted, written and
// handed to the node). Every refusal is -32602 naming the hop and the field, and leaves no trace in the ledger.
describe('sendpartialpay / sendpay refuse a bad route before writing it', () => {
  let h: Harness;
  let good: Route;
  let bolt11: string;
  let hash: string;
  beforeAll(async () => {
    h = await startHarness();
    ({ bolt11 } = await h.rpc.call<{ bolt11: string }>('testinvoice', [1e6]));
    hash = (await h.rpc.call<{ payment_hash: string }>('decodepay', [bolt11])).payment_hash;
    const key = (alias: string) => h.simnet.sim.net.nodeByAlias(alias)?.pubkey as string;
    ({ route: good } = await h.rpc.call<{ route: Route }>('buildroute', [
      [key('atlas'), key('fjord'), key('bob')],
      1e6,
    ]));
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
  });

  const refused = async (route: unknown, message: RegExp) => {
    for (const method of ['sendpartialpay', 'sendpay'] as const) {
      const params =
        method === 'sendpartialpay'
          ? { route, payment_hash: hash, intended_msatoshi: 1e6, bolt11 }
          : { route, payment_hash: hash, bolt11 };
      const error = await h.rpc.call(method, params).then(
        () => undefined,
        (e: { code: number; message: string }) => e,
      );
      expect(error?.code, `${method} ${message}`).toBe(-32602);
      expect(error?.message).toMatch(message);
    }
    // Nothing written: the ledger never heard of the payment.
    expect((await h.rpc.call<{ payments: unknown[] }>('listpayments', [hash])).payments).toEqual([]);
  };
  const hop = (i: number) => good[i] as Route[number];
  const long = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ ...hop(0), channel: `700000x${i + 1}x0`, msatoshi: 1e6, delay: 100 }));

  it('more than 20 hops', async () => {
    await refused(long(21), /^route: must have at most 20 hops/);
    await refused(long(100), /^route: must have at most 20 hops/);
  });
  it('channel 0x0x0 and channels the graph does not have', async () => {
    await refused([{ ...hop(0), channel: '0x0x0' }, hop(1), hop(2)], /^route\[0\]\.channel: is not a channel/);
    await refused([hop(0), { ...hop(1), channel: '123456x7x8' }, hop(2)], /^route\[1\]\.channel: is not a channel/);
  });
  it('a channel that does not lead to the next hop', async () => {
    await refused(
      [hop(0), { ...hop(1), channel: hop(2).channel }, { ...hop(2), channel: hop(1).channel }],
      /^route\[1\]\.channel: does not lead from route\[0\]\.id/,
    );
    await refused(
      [{ ...hop(0), id: hop(1).id }, { ...hop(1), id: hop(0).id }, hop(2)],
      /^route\[0\]\.channel: does not lead from our node/,
    );
  });
  it('a repeated hop (channel or node)', async () => {
    await refused([hop(0), hop(1), hop(1), hop(2)], /^route\[2\]\.channel: repeats route\[1\]\.channel/);
    await refused([hop(0), hop(1), { ...hop(2), id: hop(0).id }], /^route\[2\]\.id: repeats route\[0\]\.id/);
  });
  it('a hop id that is not a node', async () => {
    const stranger = `02${'ab'.repeat(32)}`;
    await refused([hop(0), { ...hop(1), id: stranger }, hop(2)], /^route\[1\]\.id: is not a node of the graph/);
  });
  it('delays of 2^32 and more, or more than 2016 blocks of CLTV deltas', async () => {
    for (const big of [2 ** 32 + 5, 2 ** 40, 2 ** 52]) {
      await refused([{ ...hop(0), delay: big }, hop(1), hop(2)], /^route\[0\]\.delay: must be below 2\^32/);
    }
    await refused(
      [{ ...hop(0), delay: hop(2).delay + 2017 }, hop(1), hop(2)],
      /^route\[0\]\.delay: is 2017 blocks above the final CLTV/,
    );
    await refused(
      [
        { ...hop(0), delay: 2 ** 32 - 10 },
        { ...hop(1), delay: 2 ** 32 - 20 },
        { ...hop(2), delay: 2 ** 32 - 30 },
      ],
      /^route\[0\]\.delay: added to the block height/,
    );
  });
  it('a direction that is not the way the route goes', async () => {
    const d = hop(1).direction === 0 ? 1 : 0;
    await refused([hop(0), { ...hop(1), direction: d }, hop(2)], /^route\[1\]\.direction: must be/);
  });
  it('amounts increasing toward the destination', async () => {
    await refused([hop(0), hop(1), { ...hop(2), msatoshi: hop(0).msatoshi + 1n }], /^route\[2\]\.msatoshi: exceeds/);
  });
  it('and the good route still goes', async () => {
    const part = await h.rpc.call<{ status: string }>('sendpartialpay', {
      route: good,
      payment_hash: hash,
      intended_msatoshi: 1e6,
      bolt11,
    });
    expect(part.status).not.toBe('failed');
  });
});
