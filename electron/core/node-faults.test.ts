import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../shared/api/errors';
import { type Harness, startHarness } from '../test/harness';
import { Core } from './core';
import { startEmbeddedNetwork } from './embedded';
import { Ledger } from './ledger/ledger';
import { LndNode } from './node/lnd';

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: ApiError) => e,
  );

// Issue 12: testinvoice with merchant `constructor`, `__proto__` or `toString` answered -1 "merchant.addInvoice is not
// a function"; simultaneous getinfo calls that missed the cache each called the node.
describe('user-given keys and the getinfo cache', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('a merchant name is looked up among the merchants only', async () => {
    for (const merchant of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const error = await failure(h.rpc.call('testinvoice', { msatoshi: 1000, merchant }));
      expect(error?.code, merchant).toBe(-32602);
      expect(error?.message).toMatch(/^merchant: no simulated merchant named/);
    }
  });

  it('callers that miss the getinfo cache together share one node call', async () => {
    const node = h.node;
    const real = node.getInfo.bind(node);
    let calls = 0;
    node.getInfo = () => {
      calls += 1;
      return real();
    };
    try {
      await new Promise((r) => setTimeout(r, 1100)); // the cache's 1 s has passed
      const answers = await Promise.all(Array.from({ length: 50 }, () => h.core.call('getinfo', {})));
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
      expect(calls).toBe(1);
    } finally {
      node.getInfo = real;
    }
  });
});

// Issue 12: 5,000 concurrent testinvoice on the embedded network: 1 succeeded ("connect() was superseded",
// "Channel closed before call started"); 20 concurrent first uses of dave: 1 of 20.
describe('the embedded network’s merchants', () => {
  it('connect once and serve many concurrent testinvoice, first use included', async () => {
    const net = await startEmbeddedNetwork(3);
    try {
      const dave = net.merchants.dave;
      const carol = net.merchants.carol;
      if (!dave || !carol) throw new Error('no dave or carol');
      const first = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => dave.addInvoice(1000n + BigInt(i), 'x')),
      );
      expect(first.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
      const many = await Promise.allSettled(
        Array.from({ length: 1000 }, (_, i) => carol.addInvoice(1000n + BigInt(i), '')),
      );
      const rejected = many.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(rejected.map((r) => String(r.reason)).slice(0, 3)).toEqual([]);
      expect(new Set(many.map((r) => (r as PromiseFulfilledResult<string>).value)).size).toBe(1000);
    } finally {
      await net.stop();
    }
  }, 120_000);
});

// Issue 12: while the node was unreachable, decodepay and sendpartialpay with a bolt11 blocked 47 s, then answered
// -32602 "bolt11: not a valid invoice ... (Connection dropped)": a connection problem reported as bad input.
describe('the node stalls (its process stopped: the connection stays up, nothing answers)', () => {
  let simnet: ChildProcess;
  let core: Core;
  let dataDir: string;
  let bolt11: string;
  beforeAll(async () => {
    simnet = spawn(process.execPath, ['--import', 'tsx', 'simnet/cli.ts', '--seed', '5', '--hop-delay-ms', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: simnet.stdout as NodeJS.ReadableStream }).once('line', resolve),
    );
    const nodes = JSON.parse(line).nodes as Record<string, { lndconnect: string }>;
    const bob = new LndNode({ kind: 'lndconnect', uri: nodes.bob?.lndconnect as string });
    await bob.connect();
    bolt11 = (await bob.addInvoice(1_000_000n, 'stalled')).bolt11;
    await bob.disconnect();
    dataDir = mkdtempSync(join(tmpdir(), 'braid-stall-'));
    const node = new LndNode({ kind: 'lndconnect', uri: nodes.alice?.lndconnect as string });
    core = await Core.start({ node, ledger: Ledger.open(dataDir), dataDir, simulated: false });
  }, 60_000);
  afterAll(async () => {
    simnet?.kill('SIGCONT');
    await core?.stop();
    simnet?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('calls that need the node fail within seconds, as node errors (-1) with the reason', async () => {
    simnet.kill('SIGSTOP');
    try {
      await new Promise((r) => setTimeout(r, 1100)); // past getinfo's cache
      for (const [method, params] of [
        ['decodepay', [bolt11]],
        ['getinfo', {}],
        [
          'sendpartialpay',
          {
            route: [{ id: `02${'33'.repeat(32)}`, channel: '1x1x1', msatoshi: 1000, delay: 50 }],
            payment_hash: '00'.repeat(32),
            intended_msatoshi: 1000,
            bolt11,
          },
        ],
        ['sendpay', { route: [], payment_hash: '00'.repeat(32), bolt11 }],
      ] as const) {
        const started = Date.now();
        const error = await failure(core.call(method, params));
        const took = Date.now() - started;
        if (method === 'sendpay') {
          // Bad input is still bad input, whatever the node's state.
          expect(error?.code).toBe(-32602);
          continue;
        }
        expect(error?.code, method).toBe(-1);
        expect(error?.message, method).toMatch(/deadline|cannot be reached|failed|not connected/i);
        expect(took, method).toBeLessThan(12_000);
      }
    } finally {
      simnet.kill('SIGCONT');
    }
  }, 60_000);
});
