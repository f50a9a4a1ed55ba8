import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Route } from '../types';
import {
  COMMANDS,
  type CommandArgs,
  type CommandParams,
  type CommandResult,
  paramNames,
  parseParams,
} from './commands';
import { ApiError } from './errors';
import { parseJson } from './json';

const B = `03${'bb'.repeat(32)}`;
const D = `02${'11'.repeat(32)}`;
const HASH = 'cd'.repeat(32);
const SECRET = 'ef'.repeat(32);

const rawRoute = [
  { id: B, channel: '870000x1234x1', msatoshi: 101_611, delay: 224 },
  { id: D, channel: '957349876567244801', direction: 1, msatoshi: '100000', delay: 40 },
];
const parsedRoute: Route = [
  { id: B, channel: '870000x1234x1', msatoshi: 101_611n, delay: 224 },
  { id: D, channel: '870704x10745486x1', direction: 1, msatoshi: 100_000n, delay: 40 },
];

/** The ApiError thrown by fn (fails the test if none). */
function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected an ApiError');
}

function expectInvalid(fn: () => unknown, ...parts: string[]) {
  const e = apiError(fn);
  expect(e.code).toBe(-32602);
  for (const part of parts) expect(e.message).toContain(part);
}

describe('the command list', () => {
  it('has every command of docs/commands.md, params in order', () => {
    expect(COMMANDS).toStrictEqual([
      'sendpartialpay',
      'waitpartialpay',
      'listpartialpayments',
      'sendpay',
      'waitsendpay',
      'listpayments',
      'getinfo',
      'listchannels',
      'decodepay',
      'getroutes',
      'buildroute',
      'splitpay',
      'pay',
      'exportpayments',
      'testinvoice',
      'subscribe',
      'unsubscribe',
      'stoppay',
      'listnodes',
      'checkplan',
      'planrebalance',
      'rebalance',
      'listrebalances',
      'probe',
      'help',
      'exportprogress',
      'cancelexport',
    ]);
    expect(paramNames('exportpayments')).toStrictEqual([
      'format',
      'path',
      'since',
      'until',
      'status',
      'overwrite',
      'search',
      'job',
    ]);
    expect(paramNames('sendpartialpay')).toStrictEqual([
      'route',
      'payment_hash',
      'intended_msatoshi',
      'description',
      'payment_secret',
      'bolt11',
    ]);
    expect(paramNames('getroutes')).toStrictEqual([
      'destination',
      'msatoshi',
      'count',
      'first_channel',
      'exclude',
      'final_cltv',
    ]);
  });

  it('is typed end to end', () => {
    expectTypeOf<CommandParams['sendpartialpay']>().toEqualTypeOf<{
      route: Route;
      payment_hash: string;
      intended_msatoshi: bigint;
      description?: string | undefined;
      payment_secret?: string | undefined;
      bolt11?: string | undefined;
    }>();
    expectTypeOf<CommandParams['getroutes']['count']>().toEqualTypeOf<number>();
    expectTypeOf<CommandArgs['getroutes']['msatoshi']>().toEqualTypeOf<number | bigint | string>();
    expectTypeOf<CommandResult['getroutes']['routes'][number]['fee_msatoshi']>().toEqualTypeOf<bigint>();
    expectTypeOf<CommandResult['waitpartialpay']['id']>().toEqualTypeOf<number>();
  });
});

describe('parseParams: sendpartialpay', () => {
  it('accepts positional params', () => {
    const p = parseParams('sendpartialpay', [rawRoute, HASH.toUpperCase(), 300_000]);
    expect(p).toStrictEqual({ route: parsedRoute, payment_hash: HASH, intended_msatoshi: 300_000n });
  });

  it('accepts named params, null meaning not given', () => {
    const p = parseParams('sendpartialpay', {
      route: rawRoute,
      payment_hash: HASH,
      intended_msatoshi: '300000',
      description: 'coffee',
      payment_secret: SECRET,
      bolt11: null,
    });
    expect(p).toStrictEqual({
      route: parsedRoute,
      payment_hash: HASH,
      intended_msatoshi: 300_000n,
      description: 'coffee',
      payment_secret: SECRET,
    });
  });

  it('accepts big amounts read by parseJson', () => {
    const params = parseJson(
      `{"route":[{"id":"${D}","channel":"1x1x1","msatoshi":18446744073709551615,"delay":9}],"payment_hash":"${HASH}","intended_msatoshi":18446744073709551615}`,
    );
    const p = parseParams('sendpartialpay', params);
    expect(p.intended_msatoshi).toBe(2n ** 64n - 1n);
    expect(p.route[0]?.msatoshi).toBe(2n ** 64n - 1n);
  });

  it('refuses a missing required param', () => {
    expectInvalid(
      () => parseParams('sendpartialpay', { route: rawRoute, intended_msatoshi: 1 }),
      'payment_hash',
      'missing',
    );
    expectInvalid(() => parseParams('sendpartialpay', [rawRoute, HASH]), 'intended_msatoshi', 'missing');
    expectInvalid(() => parseParams('sendpartialpay', [rawRoute, HASH, null]), 'intended_msatoshi', 'missing');
  });

  it('refuses wrong types, naming the field and the value', () => {
    expectInvalid(() => parseParams('sendpartialpay', [rawRoute, 123, 1]), 'payment_hash:', '(got 123)');
    expectInvalid(() => parseParams('sendpartialpay', [rawRoute, 'abc', 1]), 'payment_hash:', '"abc"');
    expectInvalid(() => parseParams('sendpartialpay', ['nope', HASH, 1]), 'route:', '"nope"');
    expectInvalid(() => parseParams('sendpartialpay', [[], HASH, 1]), 'route:', 'at least one hop', '[]');
    expectInvalid(() => parseParams('sendpartialpay', [rawRoute, HASH, true]), 'intended_msatoshi:', 'true');
    expectInvalid(() => parseParams('sendpartialpay', [rawRoute, HASH, -5]), 'intended_msatoshi:', 'negative', '-5');
    expectInvalid(() => parseParams('sendpartialpay', [rawRoute, HASH, '1e3']), 'intended_msatoshi:', '"1e3"');
  });

  it('refuses a float amount', () => {
    expectInvalid(
      () => parseParams('sendpartialpay', [rawRoute, HASH, 1000.5]),
      'intended_msatoshi:',
      'fraction',
      '1000.5',
    );
    const floatHop = [rawRoute[0], { ...rawRoute[1], msatoshi: 99_999.9 }];
    expectInvalid(() => parseParams('sendpartialpay', [floatHop, HASH, 1]), 'route[1].msatoshi:', '99999.9');
  });

  it('names nested route fields', () => {
    const badChannel = [rawRoute[0], { ...rawRoute[1], channel: '1x2' }];
    expectInvalid(() => parseParams('sendpartialpay', [badChannel, HASH, 1]), 'route[1].channel:', '"1x2"');
    const noAmount = [{ id: B, channel: '1x1x1', delay: 9 }];
    expectInvalid(() => parseParams('sendpartialpay', [noAmount, HASH, 1]), 'route[0].msatoshi:', 'missing');
    const badDirection = [{ ...rawRoute[0], direction: 2 }];
    expectInvalid(() => parseParams('sendpartialpay', [badDirection, HASH, 1]), 'route[0].direction:', '2');
    const badId = [{ ...rawRoute[0], id: '04aa' }];
    expectInvalid(() => parseParams('sendpartialpay', [badId, HASH, 1]), 'route[0].id:', '"04aa"');
    const rising = [rawRoute[0], { ...rawRoute[1], msatoshi: 200_000 }];
    expectInvalid(() => parseParams('sendpartialpay', [rising, HASH, 1]), 'route[1].msatoshi:', 'must not increase');
    const zero = [{ ...rawRoute[0], msatoshi: 0 }];
    expectInvalid(() => parseParams('sendpartialpay', [zero, HASH, 1]), 'route[0].msatoshi:', 'positive', '(got 0)');
    const risingDelay = [rawRoute[0], { ...rawRoute[1], delay: 300 }];
    expectInvalid(() => parseParams('sendpartialpay', [risingDelay, HASH, 1]), 'route[1].delay:', '300');
  });

  it('refuses too many positional params', () => {
    expectInvalid(
      () => parseParams('sendpartialpay', [rawRoute, HASH, 1, 'd', SECRET, null, 'extra']),
      'params:',
      'at most 6',
      '7 given',
    );
  });

  it('refuses an unknown named param', () => {
    expectInvalid(
      () => parseParams('sendpartialpay', { route: rawRoute, payment_hash: HASH, intended_msatoshi: 1, partid: 2 }),
      'partid:',
      'unknown parameter',
      '(got 2)',
    );
  });
});

describe('parseParams: getroutes', () => {
  it('accepts positional params and applies the default count', () => {
    expect(parseParams('getroutes', [D.toUpperCase().replace('0X', '0x'), '100000'])).toStrictEqual({
      destination: D,
      msatoshi: 100_000n,
      count: 3,
    });
    expect(parseParams('getroutes', [D, 5, 2, '957349876567244801', [`870000x1234x1/1`, B], 40])).toStrictEqual({
      destination: D,
      msatoshi: 5n,
      count: 2,
      first_channel: '870704x10745486x1',
      exclude: [{ channel: '870000x1234x1', direction: 1 }, { node: B }],
      final_cltv: 40,
    });
  });

  it('accepts named params', () => {
    expect(parseParams('getroutes', { msatoshi: 7, destination: D, exclude: [] })).toStrictEqual({
      destination: D,
      msatoshi: 7n,
      count: 3,
      exclude: [],
    });
  });

  it('refuses bad params', () => {
    expectInvalid(() => parseParams('getroutes', [D]), 'msatoshi:', 'missing');
    expectInvalid(() => parseParams('getroutes', { msatoshi: 1 }), 'destination:', 'missing');
    expectInvalid(() => parseParams('getroutes', [D, 1, 0]), 'count:', '(got 0)');
    expectInvalid(() => parseParams('getroutes', [D, 1, 3, null, ['1x1x1']]), 'exclude[0]:', '"1x1x1"');
    expectInvalid(() => parseParams('getroutes', [D, 1.25]), 'msatoshi:', '1.25');
    expectInvalid(() => parseParams('getroutes', [D, 1, 3, null, null, 40, 'x']), 'params:', 'at most 6');
    expectInvalid(() => parseParams('getroutes', { destination: D, msatoshi: 1, amount: 2 }), 'amount:', 'unknown');
    expectInvalid(() => parseParams('getroutes', 'abc'), 'params:', 'array');
  });
});

describe('parseParams: the other commands', () => {
  it('parses a few', () => {
    expect(parseParams('getinfo', undefined)).toStrictEqual({});
    expect(parseParams('getinfo', [])).toStrictEqual({});
    expect(parseParams('waitpartialpay', [3, 1.5])).toStrictEqual({ id: 3, timeout: 1.5 });
    expect(parseParams('pay', ['LNBCRT10N1PJQQQQQQQ'])).toStrictEqual({
      bolt11: 'lnbcrt10n1pjqqqqqqq',
      retry_for: 60,
      mode: 'auto',
    });
    expect(parseParams('subscribe', ['payment'])).toStrictEqual({ events: ['payment'] });
    expect(parseParams('unsubscribe', [['node', 'payment', 'node']])).toStrictEqual({ events: ['node', 'payment'] });
    expect(parseParams('testinvoice', [1000])).toStrictEqual({ msatoshi: 1000n, merchant: 'bob' });
    expect(parseParams('exportpayments', { format: 'csv', status: 'failed' })).toStrictEqual({
      format: 'csv',
      status: 'failed',
    });
  });

  it('refuses a few', () => {
    expectInvalid(() => parseParams('getinfo', [1]), 'params:', 'at most 0');
    expectInvalid(() => parseParams('waitpartialpay', [0]), 'id:', '(got 0)');
    expectInvalid(() => parseParams('waitpartialpay', [1, -1]), 'timeout:', '-1');
    expectInvalid(() => parseParams('subscribe', [['payment', 'bogus']]), 'events:', 'bogus');
    expectInvalid(() => parseParams('exportpayments', ['xml']), 'format:', '"xml"');
    expectInvalid(() => parseParams('pay', ['bitcoin:abc']), 'bolt11:', 'bitcoin:abc');
  });

  it('refuses an unknown command with -32601', () => {
    for (const name of ['nosuchcommand', 'toString', '__proto__']) {
      const e = apiError(() => parseParams(name, []));
      expect(e.code).toBe(-32601);
      expect(e.message).toBe(`unknown command: ${name}`);
    }
  });
});
