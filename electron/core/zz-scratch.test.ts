import { afterAll, beforeAll, describe, it } from 'vitest';
import { stringifyJson } from '../../shared/api/json';
import { type Harness, startHarness } from '../test/harness';

describe('scratch', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ mppTimeoutMs: 1500 });
  });
  afterAll(async () => {
    await h?.stop();
  });
  it('explores', async () => {
    const id = (a: string) => h.simnet.sim.net.nodeByAlias(a)?.pubkey as string;
    console.log(stringifyJson(await h.rpc.call('listchannels', []), 1));
    const { bolt11 } = await h.rpc.call<{ bolt11: string }>('testinvoice', [100_000_000, 'x']);
    const d = await h.rpc.call('decodepay', [bolt11]);
    console.log(stringifyJson(d));
    const r = await h.rpc.call('buildroute', [[id('atlas'), id('fjord'), id('bob')], 50_000_000]);
    console.log(stringifyJson(r));
    const r2 = await h.rpc.call('buildroute', [[id('bolt'), id('harbor'), id('bob')], 100_000_000]);
    console.log(stringifyJson(r2));
    const p = await h.rpc.call('sendpartialpay', {
      route: (r2 as any).route,
      payment_hash: (d as any).payment_hash,
      intended_msatoshi: 100_000_000,
      bolt11,
    });
    console.log(stringifyJson(p));
    console.log(stringifyJson(await h.rpc.call('waitpartialpay', [(p as any).id])));
    console.log(stringifyJson(await h.rpc.call('listpayments', [])));
    const p2 = await h.rpc.call('sendpartialpay', {
      route: (r as any).route,
      payment_hash: (d as any).payment_hash,
      intended_msatoshi: 100_000_000,
    });
    console.log(stringifyJson(await h.rpc.call('waitpartialpay', [(p2 as any).id])));
    console.log(stringifyJson(await h.rpc.call('listpayments', [])));
  });
});
