import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListPartialPaymentsResult, ListPaymentsResult } from '../../shared/api/results';
import type { PartialPayment, Route } from '../../shared/types';
import { paymentStatus } from '../../simnet/model/payments';
import { Simnet } from '../../simnet/simnet';
import { Core } from './core';
import { Ledger } from './ledger/ledger';
import { LndNode } from './node/lnd';

// Stopping Braid while the receiver holds a part: the node's answer for that HTLC can come after the ledger is closed
// (gRPC lets calls in progress finish when the connection is closed). The answer must not crash the process; the part
// stays pending on disk, and the next start settles it from the node's own records, as after a crash.
describe('a node answer that arrives after the core stopped', () => {
  let simnet: Simnet;
  let dataDir: string;
  const errors: unknown[] = [];
  const onError = (error: unknown) => errors.push(error);

  beforeAll(async () => {
    simnet = await Simnet.start({ seed: 21, hopDelayMs: { min: 0, max: 0 }, blockIntervalMs: 0 });
    dataDir = mkdtempSync(join(tmpdir(), 'braid-stop-'));
    process.on('unhandledRejection', onError);
    process.on('uncaughtException', onError);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onError);
    process.off('uncaughtException', onError);
    await simnet?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = () =>
    Core.start({
      node: new LndNode({ kind: 'lndconnect', uri: simnet.nodes.alice.lndconnect }, { simulated: true }),
      ledger: Ledger.open(dataDir),
      dataDir,
      simulated: true,
    });

  it('is not written to the closed ledger, does not crash, and is settled from the node at the next start', async () => {
    const core = await start();
    const key = (alias: string) => simnet.sim.net.nodeByAlias(alias)?.pubkey as string;
    const bob = new LndNode({ kind: 'lndconnect', uri: simnet.nodes.bob.lndconnect }, { simulated: true });
    await bob.connect();
    const { bolt11 } = await bob.addInvoice(500_000_000n, 'stop while held');
    await bob.disconnect();
    const { payment_hash: hash } = (await core.call('decodepay', [bolt11])) as { payment_hash: string };
    const { route } = (await core.call('buildroute', [[key('atlas'), key('fjord'), key('bob')], 500_000_000])) as {
      route: Route;
    };
    const release = simnet.holdAt('bob');
    const part = (await core.call('sendpartialpay', [route, hash, 500_000_000, null, null, bolt11])) as PartialPayment;
    expect(part.status).toBe('pending');

    await core.stop();
    release();
    const nodeStatus = () => {
      const record = simnet.sim.lndByAlias('alice').payments.get(Buffer.from(hash, 'hex'));
      return record && paymentStatus(record);
    };
    for (let i = 0; i < 100 && nodeStatus() !== 'SUCCEEDED'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(nodeStatus()).toBe('SUCCEEDED');
    // Time for the node's answer to reach the stopped core.
    await new Promise((r) => setTimeout(r, 500));
    expect(errors).toEqual([]);

    const again = await start();
    try {
      const settled = async () =>
        ((await again.call('listpayments', [hash])) as ListPaymentsResult).payments[0]?.status;
      for (let i = 0; i < 100 && (await settled()) !== 'complete'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await settled()).toBe('complete');
      const { partialpayments } = (await again.call('listpartialpayments', [null, hash])) as ListPartialPaymentsResult;
      expect(partialpayments.map((p) => [p.id, p.status])).toEqual([[part.id, 'complete']]);
    } finally {
      await again.stop();
    }
  }, 60_000);
});
