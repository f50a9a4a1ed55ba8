// A rebalance in the history (issue 16): a payment like any other in listpayments, marked as a rebalance by
// listrebalances with the fee its parts paid and what each channel moved, and in the exports: the CSV marks its row
// `rebalance` with the fee as a cost and no amount; the JSON keeps its parts' routes whole. Over the simulated
// network (small topology, seed 21, with two channels of alice's that hold almost nothing on her side).

import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson } from '../../shared/api/json';
import type { ListRebalancesResult, RebalanceResult } from '../../shared/api/rebalance';
import type { ListChannelsResult } from '../../shared/api/results';
import { formatScid } from '../../shared/scid';
import type { PartialPayment, Payment, Route } from '../../shared/types';
import { addRebalanceChannels } from '../../simnet/topology/rebalance';
import { type Harness, startHarness } from '../test/harness';
import { invoice, nodeId, partsOf, paymentOf, SAT } from './rpc-test-helpers';

describe('a rebalance in the history and the exports', () => {
  let h: Harness;
  let toCarol: string;
  beforeAll(async () => {
    h = await startHarness({ mppTimeoutMs: 60_000 });
    toCarol = formatScid(addRebalanceChannels(h.simnet.sim, 21).carol);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const channels = async () => (await h.rpc.call<ListChannelsResult>('listchannels', [])).channels;
  const local = async () => new Map((await channels()).map((c) => [c.channel, c.local_msatoshi]));
  const channelTo = async (alias: string) => {
    const c = (await channels()).find((x) => x.peer_id === nodeId(h, alias));
    if (!c) throw new Error(`no channel to ${alias}`);
    return c.channel;
  };
  /** What each channel moved by the complete parts' routes: out over the first hop, in over the last. */
  const movedByRoutes = (parts: readonly { status: string; route: Route }[]) => {
    const moved = new Map<string, bigint>();
    for (const p of parts.filter((x) => x.status === 'complete')) {
      const first = p.route[0];
      const last = p.route.at(-1);
      if (!first || !last) throw new Error('a part without hops');
      moved.set(first.channel, (moved.get(first.channel) ?? 0n) - first.msatoshi);
      moved.set(last.channel, (moved.get(last.channel) ?? 0n) + last.msatoshi);
    }
    return moved;
  };
  const feePaid = (parts: readonly PartialPayment[]) =>
    parts.filter((p) => p.status === 'complete').reduce((sum, p) => sum + p.msatoshi_sent - p.msatoshi, 0n);

  it('is listed as a payment, marked as a rebalance with the fee paid and what each channel moved, in both exports', async () => {
    // A payment to someone else first: it stays a payment in the export, with its amount.
    const inv = await invoice(h.rpc, 20_000n * SAT, 'coffee');
    const paid = await h.rpc.call<Payment>('pay', { bolt11: inv.bolt11 });
    expect(paid.status).toBe('complete');

    const atlas = await channelTo('atlas');
    const bolt = await channelTo('bolt');
    const before = await local();
    const amount = 300_000n * SAT;
    const result = await h.rpc.call<RebalanceResult>('rebalance', {
      msatoshi: amount,
      sources: [atlas, bolt],
      targets: [toCarol],
      maxfeeppm: 3000,
    });
    expect(result.status).toBe('complete');
    const after = await local();
    const hash = result.payment_hash;

    // listpayments: a payment like any other, to ourselves.
    const { id: ownId } = await h.rpc.call<{ id: string }>('getinfo', []);
    const payment = await paymentOf(h.rpc, hash);
    expect(payment?.status).toBe('complete');
    expect(payment?.destination).toBe(ownId);
    expect(payment?.msatoshi).toBe(amount);

    // listrebalances marks it (and only it): the fee is what its parts paid, each channel moved what its parts carried
    // and what the node's balances say (the node tells balances in whole sat).
    const parts = await partsOf(h.rpc, hash);
    const fee = feePaid(parts);
    expect(fee).toBeGreaterThan(0n);
    expect(fee).toBe((payment?.msatoshi_sent ?? 0n) - amount);
    const listed = (await h.rpc.call<ListRebalancesResult>('listrebalances', {})).rebalances;
    expect(listed.map((r) => r.payment_hash)).toEqual([hash]);
    const [marked] = listed;
    expect(marked?.sources.sort()).toEqual([atlas, bolt].sort());
    expect(marked?.targets).toEqual([toCarol]);
    expect(marked?.fee_msatoshi).toBe(fee);
    expect(marked?.fee_ppm).toBe(Number((fee * 1_000_000n) / amount));
    const moved = movedByRoutes(parts);
    expect(moved.get(toCarol)).toBe(amount);
    // Every channel the parts used is one of the rebalance's; a source no part used moved nothing.
    const shown = new Map(marked?.channels.map((c) => [c.channel, c.moved_msatoshi]));
    expect([...moved.keys()].every((channel) => shown.has(channel))).toBe(true);
    for (const [channel, msat] of shown) {
      expect(msat, channel).toBe(moved.get(channel) ?? 0n);
      const seen = (after.get(channel) ?? 0n) - (before.get(channel) ?? 0n);
      expect(seen - msat, channel).toBeGreaterThan(-1000n);
      expect(seen - msat, channel).toBeLessThan(1000n);
    }

    // The CSV: the rebalance's row says so, with the fee as a cost and no amount; its parts follow as parts; the
    // payment to bob stays a payment with its amount.
    const csv = await h.rpc.call<{ path: string; payments: number }>('exportpayments', { format: 'csv' });
    const [header, ...rows] = parse(readFileSync(csv.path, 'utf8'), { record_delimiter: '\r\n' }) as string[][];
    const cell = (row: string[] | undefined, column: string) => row?.[header?.indexOf(column) ?? -1];
    const paymentRows = rows.filter((r) => cell(r, 'kind') !== 'part');
    expect(paymentRows.map((r) => [cell(r, 'payment_hash'), cell(r, 'kind')]).sort()).toEqual(
      [
        [hash, 'rebalance'],
        [inv.payment_hash, 'payment'],
      ].sort(),
    );
    const rebalanceRow = paymentRows.find((r) => cell(r, 'payment_hash') === hash);
    expect(cell(rebalanceRow, 'fee_paid_msat')).toBe(`${fee}`);
    expect(cell(rebalanceRow, 'amount_msat')).toBe('');
    expect(cell(rebalanceRow, 'amount_sat')).toBe('');
    expect(cell(rebalanceRow, 'destination')).toBe(ownId);
    const coffeeRow = paymentRows.find((r) => cell(r, 'payment_hash') === inv.payment_hash);
    expect(cell(coffeeRow, 'amount_msat')).toBe(`${inv.msatoshi}`);
    const rebalanceParts = rows.filter((r) => cell(r, 'kind') === 'part' && cell(r, 'payment_hash') === hash);
    expect(rebalanceParts.map((r) => Number(cell(r, 'part_id')))).toEqual(parts.map((p) => p.id));
    const feeOfParts = rebalanceParts.reduce((sum, r) => sum + BigInt(cell(r, 'part_fee_paid_msat') ?? ''), 0n);
    expect(feeOfParts).toBe(fee);

    // The JSON: its parts with their routes whole, from which each channel's move reads as listrebalances says.
    const json = await h.rpc.call<{ path: string }>('exportpayments', { format: 'json' });
    const exported = parseJson(readFileSync(json.path, 'utf8'), { amounts: true }) as {
      payments: (Payment & { partialpayments: PartialPayment[] })[];
    };
    const inJson = exported.payments.find((p) => p.payment_hash === hash);
    expect(movedByRoutes(inJson?.partialpayments ?? [])).toEqual(moved);
  });
});
