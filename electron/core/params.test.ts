// Parameters and the JSON-RPC envelope, through the unix socket: by position and by name alike; every bad input
// answered with -32602 naming the field and the value, nothing written; the protocol's own errors; notifications;
// subscriptions.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartialPayment, Payment, Route } from '../../shared/types';
import { type Harness, startHarness } from '../test/harness';
import type { RpcClient } from '../test/rpc-client';
import { invoice, nodeId, partsOf, RawConnection, routeVia, rpcError, SAT, snapshot } from './rpc-test-helpers';

describe('parameters and the JSON-RPC envelope', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ mppTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('getroutes: by position and by name, the same routes', async () => {
    const bob = nodeId(h, 'bob');
    const byPosition = await h.rpc.call<{ routes: unknown[] }>('getroutes', [bob, 50_000_000, 2]);
    const byName = await h.rpc.call('getroutes', { msatoshi: '50000000', destination: bob, count: 2 });
    expect(byPosition.routes.length).toBeGreaterThan(0);
    expect(byName).toEqual(byPosition);
    // null counts as not given, by position.
    expect(await h.rpc.call('getroutes', [bob, 50_000_000, 2, null, null, null])).toEqual(byPosition);
  });

  it('sendpartialpay and listpartialpayments: by position and by name, the same results', async () => {
    const amount = 20_000n * SAT;
    const route = await routeVia(h, ['atlas', 'fjord', 'bob'], amount);
    const a = await invoice(h.rpc, amount, 'same');
    const b = await invoice(h.rpc, amount, 'same');
    const byPosition = await h.rpc.call<PartialPayment>('sendpartialpay', [
      route,
      a.payment_hash,
      a.msatoshi,
      null,
      null,
      a.bolt11,
    ]);
    const byName = await h.rpc.call<PartialPayment>('sendpartialpay', {
      bolt11: b.bolt11,
      intended_msatoshi: b.msatoshi.toString(),
      payment_hash: b.payment_hash.toUpperCase(),
      route,
    });
    expect(byName.payment_hash).toBe(b.payment_hash);
    const comparable = (p: PartialPayment) => ({ ...p, id: 0, payment_hash: '', created_at: 0 });
    expect(comparable(byName)).toEqual(comparable(byPosition));
    expect(byName.id).toBe(byPosition.id + 1);

    for (const part of [byPosition, byName]) await h.rpc.call('waitpartialpay', [part.id, 20]);
    expect(await h.rpc.call('listpartialpayments', [byName.id])).toEqual(
      await h.rpc.call('listpartialpayments', { id: byName.id }),
    );
    const listed = await h.rpc.call<{ partialpayments: PartialPayment[] }>('listpartialpayments', [
      null,
      a.payment_hash,
    ]);
    expect(listed.partialpayments.map((p) => p.id)).toEqual([byPosition.id]);
    expect(listed).toEqual(await h.rpc.call('listpartialpayments', { payment_hash: a.payment_hash }));
    expect(await h.rpc.call('listpartialpayments', [byPosition.id, b.payment_hash])).toEqual({ partialpayments: [] });
    expect(await h.rpc.call('listpartialpayments', [])).toEqual(await h.rpc.call('listpartialpayments', {}));
    expect(listed.partialpayments[0]?.status).toBe('complete');
  });

  it('every bad input is -32602 naming the field and the value, and writes nothing', async () => {
    const amount = 20_000n * SAT;
    const inv = await invoice(h.rpc, amount, 'bad input');
    const route = await routeVia(h, ['atlas', 'fjord', 'bob'], amount);
    const hop = (i: number, change: Record<string, unknown>) =>
      route.map((x, k) => (k === i ? { ...x, ...change } : x)) as unknown as Route;
    const good = { route, payment_hash: inv.payment_hash, intended_msatoshi: inv.msatoshi, bolt11: inv.bolt11 };
    const before = await snapshot(h.rpc);

    const cases: { what: string; method: string; params: unknown; field: string; value?: string }[] = [
      {
        what: 'missing route',
        method: 'sendpartialpay',
        params: { payment_hash: inv.payment_hash, intended_msatoshi: inv.msatoshi },
        field: 'route',
      },
      { what: 'empty route', method: 'sendpartialpay', params: { ...good, route: [] }, field: 'route', value: '[]' },
      {
        what: 'hop with a fractional msatoshi',
        method: 'sendpartialpay',
        params: { ...good, route: hop(2, { msatoshi: 20_000_000.5 }) },
        field: 'route[2].msatoshi',
        value: '20000000.5',
      },
      {
        what: 'hop with a negative msatoshi',
        method: 'sendpartialpay',
        params: { ...good, route: hop(0, { msatoshi: -1 }) },
        field: 'route[0].msatoshi',
        value: '-1',
      },
      {
        what: 'negative intended_msatoshi',
        method: 'sendpartialpay',
        params: { ...good, intended_msatoshi: -20_000_000 },
        field: 'intended_msatoshi',
        value: '-20000000',
      },
      {
        what: 'fractional intended_msatoshi',
        method: 'sendpartialpay',
        params: { ...good, intended_msatoshi: 20_000_000.25 },
        field: 'intended_msatoshi',
        value: '20000000.25',
      },
      {
        what: 'bad channel id',
        method: 'sendpartialpay',
        params: { ...good, route: hop(1, { channel: '801492y74x0' }) },
        field: 'route[1].channel',
        value: '"801492y74x0"',
      },
      {
        what: 'bad node id',
        method: 'sendpartialpay',
        params: { ...good, route: hop(1, { id: `04${'1'.repeat(64)}` }) },
        field: 'route[1].id',
        value: `"04${'1'.repeat(64)}"`,
      },
      {
        what: 'payment_hash of 63 characters',
        method: 'sendpartialpay',
        params: { ...good, payment_hash: inv.payment_hash.slice(1) },
        field: 'payment_hash',
        value: JSON.stringify(inv.payment_hash.slice(1)),
      },
      {
        what: 'too many positional parameters',
        method: 'sendpartialpay',
        params: [route, inv.payment_hash, inv.msatoshi, null, null, inv.bolt11, 'extra'],
        field: 'params',
        value: '7 given',
      },
      {
        what: 'an unknown named parameter',
        method: 'sendpartialpay',
        params: { ...good, amount_msat: 5 },
        field: 'amount_msat',
        value: '5',
      },
      {
        what: 'bolt11 that is not an invoice',
        method: 'decodepay',
        params: ['hello'],
        field: 'bolt11',
        value: '"hello"',
      },
      {
        what: 'bolt11 that looks like one but does not decode',
        method: 'decodepay',
        params: ['lnbcrt1qqqqqqqqqqqqqqqq'],
        field: 'bolt11',
      },
      { what: 'waitpartialpay id 0', method: 'waitpartialpay', params: [0], field: 'id', value: '0' },
      {
        what: 'waitpartialpay negative timeout',
        method: 'waitpartialpay',
        params: { id: 1, timeout: -1 },
        field: 'timeout',
        value: '-1',
      },
      { what: 'params neither array nor object', method: 'listpayments', params: 'x', field: 'params', value: '"x"' },
      {
        what: 'sendpay msatoshi that is not what the route delivers',
        method: 'sendpay',
        params: { route, payment_hash: inv.payment_hash, msatoshi: amount + 1n, bolt11: inv.bolt11 },
        field: 'msatoshi',
        value: String(amount + 1n),
      },
    ];
    for (const c of cases) {
      const error = await rpcError(h.rpc.call(c.method, c.params));
      expect({ what: c.what, code: error.code }).toEqual({ what: c.what, code: -32602 });
      expect(error.message.startsWith(`${c.field}:`), `${c.what}: ${error.message}`).toBe(true);
      if (c.value !== undefined) expect(error.message, c.what).toContain(c.value);
    }
    expect(await snapshot(h.rpc)).toEqual(before);
    // The good call still goes through.
    const part = await h.rpc.call<PartialPayment>('sendpartialpay', good);
    expect(await h.rpc.call('waitpartialpay', [part.id, 20])).toMatchObject({ status: 'complete' });
  });

  it('unknown method -32601, not JSON -32700, not a request -32600; a notification gets no answer', async () => {
    const error = await rpcError(h.rpc.call('sendmoneyplease', []));
    expect(error.code).toBe(-32601);
    expect(error.message).toContain('sendmoneyplease');

    const raw = await RawConnection.open(h.socketPath);
    try {
      raw.write('{"jsonrpc":"2.0","id":1,"method":"getinfo"'); // cut short
      raw.write('[1,2');
      raw.write('{"jsonrpc":"2.0","id":3,"params":[]}'); // no method
      raw.write('{"jsonrpc":"1.0","id":4,"method":"getinfo"}'); // wrong version
      raw.write('42');
      raw.write('[]'); // empty batch
      const answers = (await raw.until(6)) as { id: unknown; error?: { code: number } }[];
      // Answers need not come in the order of the requests.
      expect(answers.map((a) => `${a.id} ${a.error?.code}`).sort()).toEqual(
        ['3 -32600', '4 -32600', 'null -32600', 'null -32600', 'null -32700', 'null -32700'].sort(),
      );

      // Notifications (no id), good or bad, are not answered: the next answer is the request's after them.
      const before = await snapshot(h.rpc);
      raw.write('{"jsonrpc":"2.0","method":"listpayments","params":[]}');
      raw.write('{"jsonrpc":"2.0","method":"nosuchmethod","params":[]}');
      raw.write('{"jsonrpc":"2.0","method":"waitpartialpay","params":[0]}');
      raw.write('{"jsonrpc":"2.0","method":"sendpartialpay","params":{"route":[]}}');
      raw.write('{"jsonrpc":"2.0","id":"after","method":"listpayments","params":[]}');
      const all = (await raw.until(7)) as { id: unknown; result?: unknown }[];
      expect(all[6]).toMatchObject({ id: 'after', result: { payments: expect.any(Array) } });
      // A last round trip: nothing else came in between.
      raw.write('{"jsonrpc":"2.0","id":"last","method":"getinfo"}');
      const final = (await raw.until(8)) as { id: unknown }[];
      expect(final.map((a) => a.id).slice(6)).toEqual(['after', 'last']);
      expect(await snapshot(h.rpc)).toEqual(before);

      // A batch is answered as one array, notifications left out.
      raw.write(
        '[{"jsonrpc":"2.0","id":10,"method":"getinfo"},{"jsonrpc":"2.0","method":"getinfo"},{"jsonrpc":"2.0","id":11,"method":"nope"}]',
      );
      const batch = ((await raw.until(9))[8] ?? []) as { id: number; error?: { code: number } }[];
      expect(batch.map((a) => [a.id, a.error?.code])).toEqual([
        [10, undefined],
        [11, -32601],
      ]);
    } finally {
      raw.close();
    }
  });

  it('subscribe: a part’s creation and resolution arrive as notifications; unsubscribe stops them', async () => {
    const client: RpcClient = await h.connect();
    expect(await client.call('subscribe', [['partialpayment', 'payment']])).toEqual({
      events: ['partialpayment', 'payment'],
    });
    const amount = 20_000n * SAT;
    const inv = await invoice(h.rpc, amount, 'events');
    const route = await routeVia(h, ['atlas', 'fjord', 'bob'], amount);
    const part = await client.call<PartialPayment>('sendpartialpay', {
      route,
      payment_hash: inv.payment_hash,
      intended_msatoshi: amount,
      bolt11: inv.bolt11,
    });
    await client.call('waitpartialpay', [part.id, 20]);
    // Events are sent as they are written, before any answer that follows them.
    const mine = client.notifications.filter(
      (n) => (n.params as { payment_hash?: string }).payment_hash === inv.payment_hash,
    );
    const partEvents = mine.filter((n) => n.method === 'partialpayment').map((n) => n.params as PartialPayment);
    expect(partEvents.map((p) => [p.id, p.status])).toEqual([
      [part.id, 'pending'],
      [part.id, 'complete'],
    ]);
    expect(partEvents[1]?.payment_preimage).toMatch(/^[0-9a-f]{64}$/);
    const paymentEvents = mine.filter((n) => n.method === 'payment').map((n) => n.params as Payment);
    expect(paymentEvents.map((p) => p.status)).toEqual(['pending', 'complete']);
    expect(paymentEvents[1]?.msatoshi).toBe(amount);

    expect(await client.call('unsubscribe', { events: 'partialpayment' })).toEqual({ events: ['payment'] });
    expect(await client.call('unsubscribe', ['payment'])).toEqual({ events: [] });
    const count = client.notifications.length;
    const next = await invoice(h.rpc, amount, 'no events');
    const quiet = await client.call<PartialPayment>('sendpartialpay', {
      route,
      payment_hash: next.payment_hash,
      intended_msatoshi: amount,
      bolt11: next.bolt11,
    });
    expect(await client.call('waitpartialpay', [quiet.id, 20])).toMatchObject({ status: 'complete' });
    expect(client.notifications.length).toBe(count);
    expect((await partsOf(h.rpc, next.payment_hash)).map((p) => p.status)).toEqual(['complete']);

    const bad = await rpcError(client.call('subscribe', [['partialpayments']]));
    expect(bad.code).toBe(-32602);
    expect(bad.message).toMatch(/^events:.*partialpayments/);
  });
});
