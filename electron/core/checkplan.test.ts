// listnodes and checkplan through JSON-RPC, over the simulated network (small topology, seed 21).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckPlanResult, ListChannelsResult, ListNodesResult, SplitPayResult } from '../../shared/api/results';
import { usable } from '../../shared/planner/allocate';
import { type Harness, startHarness } from '../test/harness';
import { invoice, nodeId, routeVia, rpcError, SAT, snapshot } from './rpc-test-helpers';

describe('listnodes and checkplan', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ mppTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('listnodes names the graph’s nodes by alias, ours and the merchants included, from one graph load', async () => {
    const { nodes } = await h.rpc.call<ListNodesResult>('listnodes', []);
    const byAlias = new Map(nodes.map((n) => [n.alias, n]));
    for (const alias of ['alice', 'bob', 'carol', 'dave', 'atlas', 'cobalt', 'fjord', 'gale', 'harbor', 'iris']) {
      expect(byAlias.get(alias)?.id, alias).toBe(nodeId(h, alias));
      expect(byAlias.get(alias)?.color, alias).toMatch(/^#[0-9a-f]{6}$/);
    }
    // By ids, in the order asked; an id the graph does not know is left out.
    const unknown = `02${'ab'.repeat(32)}`;
    const ids = [nodeId(h, 'iris'), unknown, nodeId(h, 'fjord')];
    const some = await h.rpc.call<ListNodesResult>('listnodes', { ids });
    expect(some.nodes.map((n) => n.alias)).toEqual(['iris', 'fjord']);
    // By alias, whatever its case.
    const iris = await h.rpc.call<ListNodesResult>('listnodes', { alias: 'IRIS' });
    expect(iris.nodes).toEqual([byAlias.get('iris')]);
    expect((await h.rpc.call<ListNodesResult>('listnodes', { alias: 'nobody' })).nodes).toEqual([]);
    // Cached: later calls do not ask the node for its graph again.
    const node = h.node;
    const describe = node.describeGraph.bind(node);
    let loads = 0;
    node.describeGraph = () => {
      loads += 1;
      return describe();
    };
    for (let i = 0; i < 5; i++) await h.rpc.call('listnodes', { ids: [nodeId(h, 'gale')] });
    expect(loads).toBe(0);
    node.describeGraph = describe;
    const error = await rpcError(h.rpc.call('listnodes', { ids: ['iris'] }));
    expect(error.code).toBe(-32602);
    expect(error.message).toMatch(/^ids\[0\]: must be a node id/);
  });

  it('checkplan gives splitpay’s own numbers for splitpay’s parts, and sends nothing', async () => {
    const inv = await invoice(h.rpc, 900_000n * SAT, 'check');
    const plan = await h.rpc.call<SplitPayResult>('splitpay', [inv.bolt11]);
    const before = await snapshot(h.rpc);
    const check = await h.rpc.call<CheckPlanResult>('checkplan', {
      bolt11: inv.bolt11,
      parts: plan.parts.map((p) => ({ route: p.route })),
    });
    expect(check.probability).toBeCloseTo(plan.probability, 9);
    expect(check.fee_msatoshi).toBe(plan.fee_msatoshi);
    expect(check.parts).toHaveLength(plan.parts.length);
    for (const [i, part] of plan.parts.entries()) {
      expect(check.parts[i]?.probability).toBeCloseTo(part.probability, 9);
      expect(check.parts[i]?.fee_msatoshi).toBe(part.fee_msatoshi);
    }
    expect(check.overdrawn).toEqual([]);
    // The same answer every time.
    const again = await h.rpc.call<CheckPlanResult>('checkplan', [
      inv.bolt11,
      null,
      plan.parts.map((p) => ({ route: p.route })),
    ]);
    expect(again.probability).toBeCloseTo(check.probability, 9);
    expect(await snapshot(h.rpc)).toEqual(before);
  });

  it('checkplan counts two parts through one channel together, and flags the channel they overdraw', async () => {
    const inv = await invoice(h.rpc, 600_000n * SAT, 'shared channel');
    const { channels } = await h.rpc.call<ListChannelsResult>('listchannels', []);
    const cobalt = channels.find((c) => c.peer_id === nodeId(h, 'cobalt'));
    if (!cobalt) throw new Error('no channel to cobalt');
    // ~540k sat on our side of alice→cobalt: each 300k part fits, both together do not.
    const route = await routeVia(h, ['cobalt', 'harbor', 'bob'], 300_000n * SAT);
    expect(route[0]?.channel).toBe(cobalt.channel);
    const one = await h.rpc.call<CheckPlanResult>('checkplan', { bolt11: inv.bolt11, parts: [{ route }] });
    expect(one.overdrawn.find((o) => o.channel === cobalt.channel)).toBeUndefined();
    const two = await h.rpc.call<CheckPlanResult>('checkplan', { bolt11: inv.bolt11, parts: [{ route }, { route }] });
    expect(two.overdrawn).toContainEqual({
      channel: cobalt.channel,
      from: nodeId(h, 'alice'),
      asked_msatoshi: 2n * (route[0]?.msatoshi ?? 0n),
      available_msatoshi: usable(cobalt.local_msatoshi),
    });
    // Alone, each part may pass; together they cannot.
    expect(two.parts[0]?.probability).toBe(one.parts[0]?.probability);
    expect(one.parts[0]?.probability).toBeGreaterThan(0);
    expect(two.probability).toBe(0);
    expect(two.fee_msatoshi).toBe(2n * one.fee_msatoshi);
  });

  it('checkplan refuses a part that does not reach the payee or leaves the graph, naming it', async () => {
    const inv = await invoice(h.rpc, 10_000n * SAT, 'bad parts');
    const toGale = await routeVia(h, ['atlas', 'gale'], 10_000n * SAT);
    let error = await rpcError(h.rpc.call('checkplan', { bolt11: inv.bolt11, parts: [{ route: toGale }] }));
    expect(error.code).toBe(-32602);
    expect(error.message).toMatch(/^parts\[0\]\.route: must end at the invoice's destination/);
    const route = await routeVia(h, ['atlas', 'fjord', 'bob'], 10_000n * SAT);
    const wrong = route.map((hop, i) => (i === 1 ? { ...hop, channel: '1x2x3' } : hop));
    error = await rpcError(h.rpc.call('checkplan', { bolt11: inv.bolt11, parts: [{ route }, { route: wrong }] }));
    expect(error.code).toBe(-32602);
    expect(error.message).toMatch(/^parts\[1\]\.route\[1\]\.channel: is not a channel of the graph from /);
    error = await rpcError(h.rpc.call('checkplan', { bolt11: inv.bolt11, parts: [] }));
    expect(error.message).toMatch(/^parts: must list at least one part/);
  });
});
