import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Backend, simnetBackend } from './test/backend';
import { addInvoice, type PaymentMsg, type RouteMsg } from './test/flows';

describe('QueryRoutes and SendPaymentV2, LND’s own path finding and splitter', () => {
  let backend: Backend;
  beforeEach(async () => {
    backend = await simnetBackend(1000);
  });
  afterEach(async () => {
    await backend.stop();
  });

  it('QueryRoutes finds one route that delivers exactly the amount, and honours ignored pairs', async () => {
    const bob = backend.simnet?.nodes.bob.pubkey as string;
    const found = await backend.alice.call<{ routes: RouteMsg[]; success_prob: number }>('Lightning', 'QueryRoutes', {
      pub_key: bob,
      amt: '100000',
    });
    expect(found.routes).toHaveLength(1);
    const route = found.routes[0] as RouteMsg;
    expect(route.hops.at(-1)?.pub_key).toBe(bob);
    expect(route.hops.at(-1)?.amt_to_forward_msat).toBe('100000000');
    expect(BigInt(route.total_amt_msat) - BigInt(route.total_fees_msat)).toBe(100_000_000n);
    expect(found.success_prob).toBeGreaterThan(0);
    expect(found.success_prob).toBeLessThanOrEqual(1);

    const alice = backend.simnet?.nodes.alice.pubkey as string;
    const first = route.hops[0]?.pub_key as string;
    const other = await backend.alice.call<{ routes: RouteMsg[] }>('Lightning', 'QueryRoutes', {
      pub_key: bob,
      amt: '100000',
      ignored_pairs: [{ from: Buffer.from(alice, 'hex'), to: Buffer.from(first, 'hex') }],
    });
    expect(other.routes[0]?.hops[0]?.pub_key).not.toBe(first);
    // More than any channel into bob lets one HTLC carry (htlc_max), yet less than alice holds.
    await expect(
      backend.alice.call('Lightning', 'QueryRoutes', { pub_key: bob, amt: '700000', fee_limit: { fixed: '100000' } }),
    ).rejects.toMatchObject({ details: expect.stringContaining('unable to find a path to destination') });
    await expect(
      backend.alice.call('Lightning', 'QueryRoutes', { pub_key: bob, amt: '100000000' }),
    ).rejects.toMatchObject({ details: expect.stringContaining('insufficient local balance') });
  });

  it('SendPaymentV2 splits a payment no single path carries, streaming updates until SUCCEEDED', async () => {
    const invoice = await addInvoice(backend.bob, 1_000_000_000n, 'lnd splitter');
    const stream = backend.alice.stream<PaymentMsg>('Router', 'SendPaymentV2', {
      payment_request: invoice.request,
      timeout_seconds: 30,
      fee_limit_sat: '10000',
    });
    expect(await stream.done).toEqual({ code: 0, details: '' });
    const last = stream.messages.at(-1) as PaymentMsg;
    expect(last.status).toBe('SUCCEEDED');
    const settled = last.htlcs.filter((h) => h.status === 'SUCCEEDED');
    expect(settled.length).toBeGreaterThan(1);
    expect(settled.reduce((sum, h) => sum + BigInt(h.route.hops.at(-1)?.amt_to_forward_msat ?? '0'), 0n)).toBe(
      1_000_000_000n,
    );
    expect(BigInt(last.fee_msat)).toBeLessThanOrEqual(10_000_000n);
    const lookup = await backend.bob.call<{ state: string }>('Lightning', 'LookupInvoice', { r_hash: invoice.hash });
    expect(lookup.state).toBe('SETTLED');
  });

  it('SendPaymentV2 refuses without timeout_seconds, and fails an impossible payment with NO_ROUTE', async () => {
    const invoice = await addInvoice(backend.bob, 5_000_000_000n, 'too big');
    const refused = backend.alice.stream('Router', 'SendPaymentV2', { payment_request: invoice.request });
    expect((await refused.done).details).toContain('timeout_seconds must be specified');

    const stream = backend.alice.stream<PaymentMsg>('Router', 'SendPaymentV2', {
      payment_request: invoice.request,
      timeout_seconds: 30,
      fee_limit_sat: '100000',
    });
    expect((await stream.done).code).toBe(0);
    const last = stream.messages.at(-1) as PaymentMsg;
    expect(last.status).toBe('FAILED');
    expect(['FAILURE_REASON_NO_ROUTE', 'FAILURE_REASON_INSUFFICIENT_BALANCE']).toContain(last.failure_reason);
    expect(last.htlcs.every((h) => h.status !== 'IN_FLIGHT')).toBe(true);
  });
});
