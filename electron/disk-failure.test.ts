import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import type { PartialPayment, Payment, Route } from '../shared/types';
import { Ledger } from './core/ledger/ledger';
import { RpcClient, type RpcErrorObject } from './test/rpc-client';

/**
 * The daemon with SIGXFSZ ignored, so that a file-size limit set on it later (prlimit, RLIMIT_FSIZE) makes every
 * write past the limit fail with EFBIG: the disk as good as full, for this process only.
 */
function startDaemon(dataDir: string) {
  const socket = join(dataDir, 'rpc.sock');
  const child = spawn(
    'bash',
    [
      '-c',
      `trap '' XFSZ; exec "$0" --import tsx electron/daemon.ts --data-dir "$1" --rpc-socket "$2"`,
      process.execPath,
      dataDir,
      socket,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', () => resolve());
    child.once('exit', (code) => reject(new Error(`daemon exited with ${code}`)));
  });
  return { child, ready, socket };
}

// The soft limit only: raising a hard limit again needs a privilege a container may not have.
const limitWrites = (pid: number, bytes: number | 'unlimited') =>
  execFileSync('prlimit', ['--pid', String(pid), `--fsize=${bytes}:`]);

// Issue 12: a damaged or failing disk let `pay` retry on "database disk image is malformed" for its whole
// retry_for. Now a failed write stops new sends at once with a clear error, and nothing written is lost.
describe('the disk fails under a running daemon', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'braid-disk-'));
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGKILL');
        await new Promise((r) => c.once('exit', r));
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops new sends at once, keeps answering, and loses nothing', async () => {
    const daemon = startDaemon(dataDir);
    children.push(daemon.child);
    await daemon.ready;
    const rpc = await RpcClient.connect(daemon.socket);
    // Some history first.
    const { bolt11 } = await rpc.call<{ bolt11: string }>('testinvoice', [5_000_000]);
    const paid = await rpc.call<Payment>('pay', { bolt11, retry_for: 20 });
    expect(paid.status).toBe('complete');

    const { bolt11: next } = await rpc.call<{ bolt11: string }>('testinvoice', [5_000_000]);
    const d = await rpc.call<{ payment_hash: string; destination: string }>('decodepay', [next]);
    const { routes } = await rpc.call<{ routes: { route: Route }[] }>('getroutes', [d.destination, 5_000_000]);
    limitWrites(daemon.child.pid as number, 1024);
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: RpcErrorObject) => e,
      );
    const first = await failure(
      rpc.call<PartialPayment>('sendpartialpay', [routes[0]?.route, d.payment_hash, 5_000_000, null, null, next]),
    );
    expect(first?.code).toBe(-1);
    expect(first?.message).toMatch(/the ledger cannot be written \(SQLITE_(IOERR|FULL)/);
    expect(first?.message).toMatch(/new sends are stopped/);
    // pay stops at once, not after retry_for.
    const started = Date.now();
    const payFailure = await failure(rpc.call('pay', { bolt11: next, retry_for: 60 }));
    expect(payFailure?.message).toMatch(/new sends are stopped/);
    expect(Date.now() - started).toBeLessThan(5_000);
    // Reads still answer.
    expect(await rpc.call<{ alias: string }>('getinfo', [])).toMatchObject({ alias: 'alice' });

    limitWrites(daemon.child.pid as number, 'unlimited');
    // Stopped until restarted: room on the disk again is not enough by itself.
    expect((await failure(rpc.call('pay', { bolt11: next, retry_for: 5 })))?.message).toMatch(/new sends are stopped/);
    rpc.close();
    daemon.child.kill('SIGKILL');
    await new Promise((r) => daemon.child.once('exit', r));

    // Everything written before is there, the file sound.
    const ledger = Ledger.open(dataDir);
    const payment = ledger.payment(paid.payment_hash);
    expect(payment?.status).toBe('complete');
    expect(ledger.payment(d.payment_hash)).toBeUndefined();
    ledger.close();
    const again = startDaemon(dataDir);
    children.push(again.child);
    await again.ready;
    const rpc2 = await RpcClient.connect(again.socket);
    // Sends again (the embedded network is new with each start: a new invoice).
    expect((await rpc2.call<{ payments: Payment[] }>('listpayments', [paid.payment_hash])).payments[0]?.status).toBe(
      'complete',
    );
    const { bolt11: fresh } = await rpc2.call<{ bolt11: string }>('testinvoice', [5_000_000]);
    expect((await rpc2.call<Payment>('pay', { bolt11: fresh, retry_for: 20 })).status).toBe('complete');
    rpc2.close();
    again.child.kill('SIGTERM');
    await new Promise((r) => again.child.once('exit', r));
  }, 90_000);
});
