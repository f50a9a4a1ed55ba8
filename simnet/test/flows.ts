import { expect } from 'vitest';
import type { Backend } from './backend';
import type { TestLnd } from './client';

type Obj = Record<string, unknown>;

/** The final CLTV delta the tests' invoices ask for. */
export const INVOICE_CLTV = 40;

export interface RouteMsg {
  total_amt_msat: string;
  total_fees_msat: string;
  total_time_lock: number;
  hops: { chan_id: string; pub_key: string; amt_to_forward_msat: string; mpp_record: Obj | null }[];
}

export interface AttemptMsg {
  attempt_id: string;
  status: 'IN_FLIGHT' | 'SUCCEEDED' | 'FAILED';
  route: RouteMsg;
  failure: { code: string; failure_source_index: number; channel_update: Obj | null } | null;
  preimage: Buffer;
}

export interface PaymentMsg {
  payment_hash: string;
  status: string;
  value_msat: string;
  fee_msat: string;
  payment_preimage: string;
  failure_reason: string;
  htlcs: AttemptMsg[];
  payment_index: string;
}

export interface Invoice {
  hash: Buffer;
  addr: Buffer;
  request: string;
  valueMsat: bigint;
}

export async function addInvoice(node: TestLnd, valueMsat: bigint, memo = 'braid test'): Promise<Invoice> {
  const res = await node.call<{ r_hash: Buffer; payment_request: string; payment_addr: Buffer }>(
    'Lightning',
    'AddInvoice',
    { value_msat: valueMsat.toString(), memo, cltv_expiry: String(INVOICE_CLTV) },
  );
  return { hash: res.r_hash, addr: res.payment_addr, request: res.payment_request, valueMsat };
}

/** A route over the given hops for `amtMsat`, with the MPP record rewritten to the payment's total, as LND wants it on every shard. */
export async function buildShard(
  alice: TestLnd,
  hopPubkeys: string[],
  amtMsat: bigint,
  invoice: Invoice,
  total = invoice.valueMsat,
): Promise<RouteMsg> {
  const { route } = await alice.call<{ route: RouteMsg }>('Router', 'BuildRoute', {
    amt_msat: amtMsat.toString(),
    // Three blocks of padding over the invoice's delta, as LND's own payer adds.
    final_cltv_delta: INVOICE_CLTV + 3,
    hop_pubkeys: hopPubkeys.map((k) => Buffer.from(k, 'hex')),
    payment_addr: invoice.addr,
  });
  const last = route.hops[route.hops.length - 1];
  if (last?.mpp_record) last.mpp_record.total_amt_msat = total.toString();
  return route;
}

export function sendShard(alice: TestLnd, invoice: Invoice, route: RouteMsg, skipTempErr = true) {
  return alice.call<AttemptMsg>('Router', 'SendToRouteV2', {
    payment_hash: invoice.hash,
    route,
    skip_temp_err: skipTempErr,
  });
}

export async function alicePayment(alice: TestLnd, hash: Buffer): Promise<PaymentMsg | undefined> {
  const { payments } = await alice.call<{ payments: PaymentMsg[] }>('Lightning', 'ListPayments', {
    include_incomplete: true,
    max_payments: '1000',
  });
  return payments.find((p) => p.payment_hash === hash.toString('hex'));
}

/** Paths from alice to bob by alias on simnet's small topology, or the routes a real LND finds. */
export async function pathsToBob(backend: Backend, amtMsat: bigint, count: number): Promise<string[][]> {
  const { simnet } = backend;
  if (simnet) {
    const key = (alias: string) => simnet.sim.net.nodeByAlias(alias)?.pubkey as string;
    return [
      [key('atlas'), key('fjord'), key('bob')],
      [key('bolt'), key('gale'), key('bob')],
    ].slice(0, count);
  }
  const bobKey = (await backend.bob.call<{ identity_pubkey: string }>('Lightning', 'GetInfo')).identity_pubkey;
  const paths: string[][] = [];
  const ignored: { from: Buffer; to: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    const found = await backend.alice
      .call<{ routes: RouteMsg[] }>('Lightning', 'QueryRoutes', {
        pub_key: bobKey,
        amt_msat: amtMsat.toString(),
        ignored_pairs: ignored,
      })
      .catch(() => undefined);
    const route = found?.routes[0];
    if (!route) break;
    paths.push(route.hops.map((h) => h.pub_key));
    const first = route.hops[0]?.pub_key as string;
    const alice = (await backend.alice.call<{ identity_pubkey: string }>('Lightning', 'GetInfo')).identity_pubkey;
    ignored.push({ from: Buffer.from(alice, 'hex'), to: Buffer.from(first, 'hex') });
  }
  // A real pair with a single channel has one path; shards then share it.
  while (paths.length < count && paths[0]) paths.push(paths[0]);
  return paths;
}

export function expectRpcError(promise: Promise<unknown>, code: number, text: string) {
  return expect(promise).rejects.toMatchObject({ code, details: expect.stringContaining(text) });
}
