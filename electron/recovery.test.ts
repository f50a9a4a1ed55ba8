import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PartialPayment, Payment, Route } from '../shared/types';
import { Ledger } from './core/ledger/ledger';
import { LndNode } from './core/node/lnd';
import { type Harness, startHarness } from './test/harness';
import { RpcClient } from './test/rpc-client';

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
  });
}

function spawnTs(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

describe('the wallet dies with parts in flight (SIGKILL), the node lives on', () => {
  let simnet: ChildProcess;
  let nodes: Record<string, { lndconnect: string; pubkey: string }>;
  const dataDir = mkdtempSync(join(tmpdir(), 'braid-kill-'));
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // Slow hops keep the HTLCs out long enough to kill the wallet under them.
    simnet = spawnTs([
      'simnet/cli.ts',
      '--seed',
      '4',
      '--hop-delay-ms',
      '700-700',
      '--mpp-timeout-s',
      '60',
      // LND takes a moment to record a payment and its attempt: an answer given before that is caught out.
      '--register-delay-ms',
      '30',
    ]);
    nodes = JSON.parse(await firstLine(simnet)).nodes;
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGKILL');
        await new Promise((r) => c.once('exit', r));
      }
    }
  });
  afterAll(() => {
    simnet?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const daemon = async () => {
    const child = spawnTs([
      'electron/daemon.ts',
      '--lndconnect',
      nodes.alice?.lndconnect as string,
      '--data-dir',
      dataDir,
      '--rpc-socket',
      join(dataDir, 'rpc.sock'),
    ]);
    children.push(child);
    const ready = JSON.parse(await firstLine(child)) as { rpc_socket: string };
    return { child, rpc: await RpcClient.connect(ready.rpc_socket) };
  };

  it('after a restart every part ends as the node says, none lost, none sent twice', async () => {
    const bob = new LndNode({ kind: 'lndconnect', uri: nodes.bob?.lndconnect as string });
    await bob.connect();
    const invoice = await bob.addInvoice(600_000_000n, 'killed mid-flight');
    const first = await daemon();
    const d = await first.rpc.call<{ payment_hash: string; destination: string }>('decodepay', [invoice.bolt11]);
    const graph = await bob.describeGraph();
    const key = (alias: string) => graph.nodes.find((n) => n.alias === alias)?.id as string;
    // Two paths that have the liquidity (simnet's small topology), so that only the kill can get in the way.
    const paths: [string[], number][] = [
      [[key('atlas'), key('fjord'), key('bob')], 350_000_000],
      [[key('bolt'), key('gale'), key('bob')], 250_000_000],
    ];
    const parts: PartialPayment[] = [];
    for (const [hops, msatoshi] of paths) {
      const { route } = await first.rpc.call<{ route: Route }>('buildroute', [hops, msatoshi]);
      parts.push(
        await first.rpc.call<PartialPayment>('sendpartialpay', {
          route,
          payment_hash: d.payment_hash,
          intended_msatoshi: 600_000_000,
          bolt11: invoice.bolt11,
        }),
      );
    }
    // Kill once the node holds both HTLCs (they take seconds to cross the slow hops).
    const alice = new LndNode({ kind: 'lndconnect', uri: nodes.alice?.lndconnect as string });
    await alice.connect();
    for (let i = 0; i < 100 && ((await alice.lookupPayment(d.payment_hash))?.htlcs.length ?? 0) < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await alice.lookupPayment(d.payment_hash))?.status).toBe('IN_FLIGHT');
    expect(parts.map((p) => p.status)).toEqual(['pending', 'pending']);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    first.rpc.close();

    const second = await daemon();
    const waited = await Promise.all(parts.map((p) => second.rpc.call<PartialPayment>('waitpartialpay', [p.id, 30])));
    expect(waited.map((p) => p.status)).toEqual(['complete', 'complete']);
    const payment = await second.rpc.call<Payment>('waitsendpay', [d.payment_hash, 10]);
    expect(payment.status).toBe('complete');

    // The node saw exactly the two HTLCs the ledger holds: nothing re-sent by the recovery.
    const nodePayment = await alice.lookupPayment(d.payment_hash);
    expect(nodePayment?.htlcs).toHaveLength(2);
    expect(nodePayment?.status).toBe('SUCCEEDED');
    const { partialpayments } = await second.rpc.call<{ partialpayments: PartialPayment[] }>('listpartialpayments', [
      null,
      d.payment_hash,
    ]);
    expect(partialpayments).toHaveLength(2);
    await alice.disconnect();
    await bob.disconnect();
    second.child.kill('SIGTERM');
    second.rpc.close();
    await new Promise((r) => second.child.once('exit', r));
  }, 60_000);

  it('a SIGKILL right after sendpartialpay answers loses nothing: the node has every part it called pending', async () => {
    const bob = new LndNode({ kind: 'lndconnect', uri: nodes.bob?.lndconnect as string });
    await bob.connect();
    const first = await daemon();
    const graph = await bob.describeGraph();
    const key = (alias: string) => graph.nodes.find((n) => n.alias === alias)?.id as string;
    const { route } = await first.rpc.call<{ route: Route }>('buildroute', [
      [key('atlas'), key('fjord'), key('bob')],
      10_000_000,
    ]);
    // Several invoices, their parts sent at once; the daemon dies the moment the last answer arrives.
    const invoices = await Promise.all([0, 1, 2, 3].map((i) => bob.addInvoice(40_000_000n, `kill at answer ${i}`)));
    const answers = await Promise.all(
      invoices.flatMap((invoice) =>
        [0, 1].map(() =>
          first.rpc.call<PartialPayment>('sendpartialpay', {
            route,
            payment_hash: invoice.payment_hash,
            intended_msatoshi: 40_000_000,
            payment_secret: invoice.payment_secret,
          }),
        ),
      ),
    );
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    first.rpc.close();
    expect(answers.map((p) => p.status)).toEqual(Array(8).fill('pending'));

    const alice = new LndNode({ kind: 'lndconnect', uri: nodes.alice?.lndconnect as string });
    await alice.connect();
    for (const invoice of invoices) {
      // Each part the daemon called pending is an HTLC of the node's.
      expect((await alice.lookupPayment(invoice.payment_hash))?.htlcs.length).toBe(2);
    }
    const second = await daemon();
    for (const part of answers) {
      const { partialpayments } = await second.rpc.call<{ partialpayments: PartialPayment[] }>('listpartialpayments', [
        part.id,
      ]);
      expect(partialpayments[0]?.failure?.code).not.toBe('NEVER_SENT');
    }
    await alice.disconnect();
    await bob.disconnect();
    second.child.kill('SIGTERM');
    second.rpc.close();
    await new Promise((r) => second.child.once('exit', r));
  }, 60_000);

  it('a part written but never handed to the node is failed at start, saying so', async () => {
    const bob = new LndNode({ kind: 'lndconnect', uri: nodes.bob?.lndconnect as string });
    await bob.connect();
    const invoice = await bob.addInvoice(100_000_000n, 'never sent');
    // The wallet wrote the part and died before its HTLC left: only the ledger knows it.
    const ledger = Ledger.open(dataDir);
    const begun = ledger.beginPart({
      paymentHash: invoice.payment_hash,
      route: [{ id: nodes.bob?.pubkey as string, channel: '800000x1x0', msatoshi: 100_000_000n, delay: 83 }],
      intendedMsat: 100_000_000n,
      destination: nodes.bob?.pubkey as string,
      paymentSecret: invoice.payment_secret,
      now: Math.floor(Date.now() / 1000),
    });
    // And enough other forgotten parts (hashes the node never saw) that recovery reads the node's whole list at once.
    const others: number[] = [];
    for (let i = 0; i < 25; i++) {
      const other = ledger.beginPart({
        paymentHash: randomBytes(32).toString('hex'),
        route: [{ id: nodes.bob?.pubkey as string, channel: '800000x1x0', msatoshi: 1_000_000n, delay: 83 }],
        intendedMsat: 1_000_000n,
        destination: nodes.bob?.pubkey as string,
        paymentSecret: randomBytes(32).toString('hex'),
        now: Math.floor(Date.now() / 1000),
      });
      if (other.kind === 'created') others.push(other.part.id);
    }
    ledger.close();
    expect(begun.kind).toBe('created');
    const id = begun.kind === 'created' ? begun.part.id : 0;

    const restarted = await daemon();
    const part = await restarted.rpc.call<PartialPayment>('waitpartialpay', [id, 10]);
    expect(part.status).toBe('failed');
    expect(part.failure?.code).toBe('NEVER_SENT');
    const payment = await restarted.rpc.call<Payment>('waitsendpay', [invoice.payment_hash, 10]);
    expect(payment.status).toBe('failed');
    expect(others).toHaveLength(25);
    for (const other of others) {
      const forgotten = await restarted.rpc.call<PartialPayment>('waitpartialpay', [other, 10]);
      expect(forgotten.failure?.code).toBe('NEVER_SENT');
    }
    await bob.disconnect();
    restarted.child.kill('SIGTERM');
    restarted.rpc.close();
    await new Promise((r) => restarted.child.once('exit', r));
  }, 60_000);
});

describe('the node connection is cut and restored with parts in flight', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ mppTimeoutMs: 30_000 });
  });
  afterAll(async () => {
    await h?.stop();
  });
  let release: (() => void) | undefined;
  afterEach(() => release?.());

  it('a part whose SendToRouteV2 call was cut completes from the node’s own record', async () => {
    const { bolt11 } = await h.rpc.call<{ bolt11: string }>('testinvoice', [200_000_000]);
    const d = await h.rpc.call<{ payment_hash: string }>('decodepay', [bolt11]);
    const key = (alias: string) => h.simnet.sim.net.nodeByAlias(alias)?.pubkey as string;
    const { route } = await h.rpc.call<{ route: Route }>('buildroute', [
      [key('atlas'), key('fjord'), key('bob')],
      200_000_000,
    ]);
    release = h.simnet.holdAt('fjord');
    const part = await h.rpc.call<PartialPayment>('sendpartialpay', [
      route,
      d.payment_hash,
      200_000_000,
      null,
      null,
      bolt11,
    ]);
    // Cut the connection once the node has the HTLC (a cut before that is the never-sent case).
    const model = h.simnet.sim.lndByAlias('alice').payments;
    for (let i = 0; i < 100 && !model.get(Buffer.from(d.payment_hash, 'hex')); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const states: string[] = [];
    const off = h.node.onState((s) => states.push(s));
    await h.simnet.restart('alice');
    await new Promise<void>((resolve) => {
      const check = h.node.onState((s) => {
        if (s === 'connected') {
          check();
          resolve();
        }
      });
    });
    off();
    expect(states).toContain('lost');
    // The cut call told nothing; the HTLC is still held at fjord.
    expect(
      (await h.rpc.call<{ partialpayments: PartialPayment[] }>('listpartialpayments', [part.id])).partialpayments[0]
        ?.status,
    ).toBe('pending');
    release();
    release = undefined;
    const done = await h.rpc.call<PartialPayment>('waitpartialpay', [part.id, 20]);
    expect(done.failure).toBeUndefined();
    expect(done.status).toBe('complete');
    expect((await h.rpc.call<Payment>('waitsendpay', [d.payment_hash, 5])).status).toBe('complete');
  }, 40_000);
});
