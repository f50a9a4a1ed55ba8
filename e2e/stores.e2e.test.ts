import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../electron/test/harness';
import type { BraidApi } from '../renderer/api';
import { boot } from '../renderer/boot';
import { payViewNow } from '../renderer/pay/view';
import { useNode } from '../renderer/stores/node';
import { partsOf, usePayments } from '../renderer/stores/payments';
import { defaultFeeLimit, planKey, planRoutes, usePlanner } from '../renderer/stores/planner';
import type { CommandArgs, CommandName, CommandResult } from '../shared/api/commands';
import type { EventName } from '../shared/api/events';
import { routeFee } from '../shared/route';
import type { PartialPayment } from '../shared/types';

// The renderer's stores (what the Pay screen runs on, without the DOM) against the real core on simnet over gRPC:
// the names they ask for, the one pay they send, the confirmation a real node asks for and the fee limit the core
// holds them to. The API is the core's own `call` and event bus, as the IPC transport hands them over.

let h: Harness;
let stopBoot: () => void;
/** Every part the core created, as its events said. */
const created: PartialPayment[] = [];
/** The commands the stores called, in order. */
const calls: string[] = [];

function coreApi(harness: Harness): BraidApi {
  return {
    call: (<N extends CommandName>(name: N, params?: CommandArgs[N] | unknown[]) => {
      calls.push(name);
      return harness.core.call(name, params) as Promise<CommandResult[N]>;
    }) as BraidApi['call'],
    subscribe(events: EventName[], listener) {
      const offs = events.map((event) => harness.core.events.on(event, (data) => listener({ event, data } as never)));
      return () => {
        for (const off of offs) off();
      };
    },
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A fresh test invoice from bob in the Pay screen's store, with its proposal checked by the core. */
async function invoice(sat: number): Promise<string> {
  await usePlanner.getState().getTestInvoice(String(sat), 'stores e2e');
  await until(() => usePlanner.getState().rows.length > 0, 'a proposal');
  await until(() => usePlanner.getState().check !== undefined, "the core's check of the proposal");
  return usePlanner.getState().decoded?.payment_hash as string;
}

beforeAll(async () => {
  h = await startHarness();
  h.core.events.on('partialpayment', (p) => {
    if (!created.some((c) => c.id === p.id)) created.push(p);
  });
  stopBoot = boot(coreApi(h));
  await until(() => useNode.getState().info !== undefined && useNode.getState().channels.length > 0, 'getinfo');
}, 120_000);

afterAll(async () => {
  stopBoot?.();
  await h?.stop();
}, 60_000);

describe('the Pay screen stores over the real core', () => {
  it('names the receiver and every hop of the proposal by alias: one listnodes for the invoice, one for the plan', async () => {
    const from = calls.length;
    await invoice(20_000);
    const s = usePlanner.getState();
    const ids = [s.decoded?.destination as string, ...s.rows.flatMap((r) => (r.route ?? []).map((hop) => hop.id))];
    await until(() => ids.every((id) => useNode.getState().aliases[id] !== undefined), 'the aliases');
    expect(useNode.getState().aliases[s.decoded?.destination as string]).toBe('bob');
    expect(calls.slice(from).filter((c) => c === 'listnodes').length).toBeLessThanOrEqual(2);
    const verdict = s.check;
    expect(verdict?.probability).toBeGreaterThan(0);
    expect(verdict?.probability).toBeLessThanOrEqual(1);
    expect(verdict?.parts).toHaveLength(s.rows.length);
  }, 60_000);

  it('on the simulated network Send pays at once with one pay: the plan leaves first, and completes', async () => {
    const hash = await invoice(30_000);
    const planned = planRoutes(usePlanner.getState().rows) ?? [];
    const before = created.length;
    await usePlanner.getState().send();
    expect(usePlanner.getState().run?.state).toBe('complete');
    expect(usePayments.getState().payments.get(hash)?.status).toBe('complete');
    const mine = created.slice(before);
    expect(mine.slice(0, planned.length).map((p) => p.route)).toEqual(planned);
    await until(() => partsOf(usePayments.getState(), hash).length === mine.length, 'the parts in the store');
  }, 60_000);

  it('on a real node Send waits for the one confirmation; nothing leaves before it', async () => {
    const info = useNode.getState().info;
    if (!info) throw new Error('no getinfo');
    useNode.setState({ info: { ...info, simulated: false } });
    try {
      const hash = await invoice(25_000);
      const before = created.length;
      await usePlanner.getState().send();
      expect(usePlanner.getState().confirming).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      expect(created.length).toBe(before);
      usePlanner.getState().cancelSend();
      await usePlanner.getState().confirmSend();
      expect(created.length).toBe(before);
      await usePlanner.getState().send();
      await usePlanner.getState().confirmSend();
      expect(usePlanner.getState().run?.state).toBe('complete');
      expect(usePayments.getState().payments.get(hash)?.status).toBe('complete');
    } finally {
      useNode.setState({ info });
    }
  }, 60_000);

  it('holds the payment to the fee limit: below the plan’s fees nothing leaves; at them the core keeps to it', async () => {
    const hash = await invoice(40_000);
    const fee = (planRoutes(usePlanner.getState().rows) ?? []).reduce((sum, r) => sum + routeFee(r), 0n);
    expect(fee).toBeGreaterThan(0n);
    const before = created.length;
    usePlanner.getState().setFeeLimitText(((fee - 1n) / 1000n).toString());
    await usePlanner.getState().send();
    expect(usePlanner.getState().planError?.what).toMatch(/over your fee limit/);
    expect(created.length).toBe(before);
    // Exactly the plan's fees: the core may send nothing beyond them, however the parts fare.
    const sat = fee / 1000n;
    const limit = fee % 1000n === 0n ? `${sat}` : `${sat}.${(fee % 1000n).toString().padStart(3, '0')}`;
    usePlanner.getState().setFeeLimitText(limit);
    await usePlanner.getState().send();
    const payment = usePayments.getState().payments.get(hash);
    expect(['complete', 'gave-up']).toContain(usePlanner.getState().run?.state);
    const spent = partsOf(usePayments.getState(), hash)
      .filter((p) => p.status !== 'failed')
      .reduce((sum, p) => sum + (p.msatoshi_sent - p.msatoshi), 0n);
    expect(spent).toBeLessThanOrEqual(fee);
    if (payment?.status === 'complete') expect(payment.msatoshi_sent - payment.msatoshi).toBeLessThanOrEqual(fee);
    usePlanner.getState().setFeeLimitText('');
    // The default limit is pay's: 0.5% of the amount or 5 sat, whichever is larger.
    expect(defaultFeeLimit(40_000_000n)).toBe(200_000n);
  }, 60_000);
  it('parts by hand that share a channel are checked together: the core flags the overdrawn channel, Send refuses', async () => {
    await invoice(200_000);
    const echo = useNode.getState().channels.find((c) => c.peer_alias === 'echo');
    if (!echo) throw new Error('no channel to echo');
    // Each part alone fits the channel; the two together do not.
    expect(echo.local_msatoshi).toBeGreaterThan(100_000_000n);
    expect(echo.local_msatoshi).toBeLessThan(200_000_000n);
    const planner = usePlanner.getState();
    for (const row of planner.rows) planner.removeRow(row.key);
    planner.addRow();
    planner.addRow();
    for (const row of usePlanner.getState().rows) {
      usePlanner.getState().setRowChannel(row.key, echo.channel);
      usePlanner.getState().setRowAmount(row.key, '100000');
    }
    await until(() => {
      const s = usePlanner.getState();
      const routes = planRoutes(s.rows);
      return routes !== undefined && routes.length === 2 && s.check?.for === planKey(routes);
    }, "the core's check of both parts");
    const view = payViewNow();
    expect(view.verdict?.overdrawn.map((o) => o.channel)).toContain(echo.channel);
    expect(view.overdrawnOwn).toBe(true);
    expect(view.check.ok).toBe(false);
    expect(view.check.reasons.join(' ')).toMatch(
      new RegExp(`^Your channel to echo \\(${echo.channel}\\) is asked for 200,[\\d,.]+ sat but can send about`),
    );
    const before = created.length;
    await usePlanner.getState().send();
    expect(usePlanner.getState().planError?.what).toMatch(/^Not sent: Your channel to echo .* is asked for 200,/);
    expect(created.length).toBe(before);
  }, 60_000);
});
