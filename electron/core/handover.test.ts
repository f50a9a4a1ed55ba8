import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartialPayment, Payment, Route } from '../../shared/types';
import { type Harness, startHarness } from '../test/harness';

// sendpartialpay / sendpay answer only once the node has the HTLC: its attempt is in the node's payment records at
// the moment of the answer. The simulated LND takes 40 ms to record a payment and its attempt (as LND's database
// writes take time), so an answer given when the HTLC was merely handed to the gRPC call is caught out.
describe('an answer of "pending" means the node has the HTLC', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ registerDelayMs: 40, hopDelayMs: { min: 200, max: 200 } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const key = (alias: string) => h.simnet.sim.net.nodeByAlias(alias)?.pubkey as string;
  const nodeAttempts = (hash: string) =>
    h.simnet.sim.lndByAlias('alice').payments.get(Buffer.from(hash, 'hex'))?.htlcs.length ?? 0;

  it('sendpartialpay: every part answered is an attempt of the node, concurrent calls too', async () => {
    const { route } = await h.rpc.call<{ route: Route }>('buildroute', [[key('atlas'), key('fjord'), key('bob')], 1e6]);
    const invoices: { hash: string; bolt11: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const { bolt11 } = await h.rpc.call<{ bolt11: string }>('testinvoice', [2e6]);
      invoices.push({ bolt11, hash: (await h.rpc.call<{ payment_hash: string }>('decodepay', [bolt11])).payment_hash });
    }
    const seen: number[] = [];
    await Promise.all(
      invoices.flatMap(({ hash, bolt11 }) =>
        [0, 1].map(async () => {
          const part = await h.rpc.call<PartialPayment>('sendpartialpay', [route, hash, 2e6, null, null, bolt11]);
          expect(part.status).not.toBe('failed');
          // Read in the same turn as the answer: the node's own records.
          seen.push(nodeAttempts(hash));
        }),
      ),
    );
    expect(seen.every((n) => n >= 1)).toBe(true);
    for (const { hash } of invoices) expect(nodeAttempts(hash)).toBe(2);
  }, 30_000);

  it('sendpay: the payment answered pending is in flight at the node', async () => {
    const { bolt11 } = await h.rpc.call<{ bolt11: string }>('testinvoice', [1e6]);
    const d = await h.rpc.call<{ payment_hash: string }>('decodepay', [bolt11]);
    const { route } = await h.rpc.call<{ route: Route }>('buildroute', [[key('atlas'), key('fjord'), key('bob')], 1e6]);
    const payment = await h.rpc.call<Payment>('sendpay', { route, payment_hash: d.payment_hash, bolt11 });
    expect(nodeAttempts(d.payment_hash)).toBe(1);
    expect(payment.status).toBe('pending');
    expect((await h.rpc.call<Payment>('waitsendpay', [d.payment_hash, 10])).status).toBe('complete');
  }, 30_000);
});
