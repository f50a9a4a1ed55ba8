import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedHistory } from '../../../bench/seed';
import { ErrorCode } from '../../../shared/api/errors';
import type { ExportPaymentsResult, ExportProgressResult } from '../../../shared/api/results';
import { Simnet } from '../../../simnet/simnet';
import { Core } from '../core';
import { Ledger } from '../ledger/ledger';
import { LndNode } from '../node/lnd';

// exportpayments as a job (exportprogress, cancelexport) on a real core over simnet, with a ledger of 30,000
// payments: long enough to be seen under way and cancelled.

const PAYMENTS = 30_000;

let simnet: Simnet;
let core: Core;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'braid-export-jobs-'));
  seedHistory(dataDir, PAYMENTS);
  simnet = await Simnet.start({ seed: 21, hopDelayMs: { min: 0, max: 0 }, blockIntervalMs: 0 });
  const node = new LndNode({ kind: 'lndconnect', uri: simnet.nodes.alice.lndconnect }, { simulated: true });
  core = await Core.start({ node, ledger: Ledger.open(dataDir), dataDir, simulated: true, merchants: {} });
}, 120_000);

afterAll(async () => {
  await core?.stop();
  await simnet?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const progress = (job: string) => core.call('exportprogress', { job }) as Promise<ExportProgressResult>;

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

describe('exportpayments as a job', () => {
  it('tells how far it got, then that it is done', async () => {
    const seen: ExportProgressResult[] = [];
    const running = core.call('exportpayments', { format: 'csv', job: 'all-1' }) as Promise<ExportPaymentsResult>;
    let done = false;
    void running.finally(() => {
      done = true;
    });
    while (!done) {
      seen.push(await progress('all-1'));
      await new Promise((r) => setTimeout(r, 5));
    }
    const result = await running;
    expect(result.payments).toBe(PAYMENTS);
    const during = seen.filter((p) => p.state === 'running' && p.scanned > 0);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((p) => p.total === PAYMENTS && p.scanned <= p.total)).toBe(true);
    expect(await progress('all-1')).toEqual({
      job: 'all-1',
      state: 'done',
      scanned: PAYMENTS,
      total: PAYMENTS,
      payments: PAYMENTS,
    });
    expect(await progress('never-started')).toMatchObject({ state: 'unknown' });
  }, 120_000);

  it('is cancelled midway: rejects with ExportCancelled, writes no file, says so', async () => {
    const before = readdirSync(join(dataDir, 'exports'));
    const path = join(dataDir, 'exports', 'cancelled.json');
    // A file name: the export goes to the exports folder (the only place a caller other than the local socket may write).
    const running = core.call('exportpayments', { format: 'json', path: 'cancelled.json', job: 'cancel-1' });
    const outcome = running.then(
      () => undefined,
      (e: unknown) => e,
    );
    await until(async () => (await progress('cancel-1')).scanned > 0, 'the export to start');
    expect(await core.call('cancelexport', { job: 'cancel-1' })).toEqual({ job: 'cancel-1', cancelled: true });
    expect(await outcome).toMatchObject({ code: ErrorCode.ExportCancelled });
    const after = await progress('cancel-1');
    expect(after.state).toBe('cancelled');
    expect(after.scanned).toBeLessThan(PAYMENTS);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(join(dataDir, 'exports'))).toEqual(before);
    expect(await core.call('cancelexport', { job: 'cancel-1' })).toEqual({ job: 'cancel-1', cancelled: false });
  }, 120_000);

  it('takes History’s search and refuses a bad job name', async () => {
    const none = (await core.call('exportpayments', {
      format: 'csv',
      search: 'no payment has this text',
    })) as ExportPaymentsResult;
    expect(none).toMatchObject({ payments: 0, partialpayments: 0 });
    await expect(core.call('exportpayments', { format: 'csv', job: 'bad name!' })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('job'),
    });
  }, 120_000);
});
