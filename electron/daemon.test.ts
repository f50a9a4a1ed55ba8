import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartialPayment, Payment } from '../shared/types';
import { RpcClient } from './test/rpc-client';
import { payInParts } from './test/script';

interface Ready {
  ready: boolean;
  rpc_socket: string;
  data_dir: string;
  node: { id: string; alias: string; simulated: boolean };
}

function startDaemon(dataDir: string): { child: ChildProcess; ready: Promise<Ready>; stderr: () => string } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'electron/daemon.ts', '--data-dir', dataDir, '--rpc-socket', join(dataDir, 'rpc.sock')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr?.on('data', (d) => {
    err += String(d);
  });
  const ready = new Promise<Ready>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (l) => resolve(JSON.parse(l)));
    child.once('exit', (code) => reject(new Error(`daemon exited with ${code}: ${err}`)));
  });
  return { child, ready, stderr: () => err };
}

describe('npm run daemon, driven only over JSON-RPC', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'braid-daemon-'));
  let daemon: ReturnType<typeof startDaemon>;
  let ready: Ready;
  let rpc: RpcClient;

  beforeAll(async () => {
    daemon = startDaemon(dataDir);
    ready = await daemon.ready;
    rpc = await RpcClient.connect(ready.rpc_socket);
  });
  afterAll(async () => {
    rpc?.close();
    daemon?.child.kill('SIGTERM');
    await new Promise((r) => daemon?.child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says it is ready, on the simulated network, with a private socket', () => {
    expect(ready).toMatchObject({ ready: true, data_dir: dataDir, node: { alias: 'alice', simulated: true } });
    expect(statSync(ready.rpc_socket).mode & 0o777).toBe(0o600);
  });

  it('pays a bob invoice in three parts over getroutes routes; the parts are listed and exported', async () => {
    const { bolt11 } = await rpc.call<{ bolt11: string }>('testinvoice', [900_000_000, 'three parts, "quoted", too']);
    const { payment, parts, paymentHash } = await payInParts(rpc, bolt11, [400_000_000n, 300_000_000n, 200_000_000n]);
    expect(payment.status).toBe('complete');
    expect(payment.payment_preimage).toMatch(/^[0-9a-f]{64}$/);
    const complete = parts.filter((p) => p.status === 'complete');
    expect(complete).toHaveLength(3);
    expect(complete.reduce((s, p) => s + p.msatoshi, 0n)).toBe(900_000_000n);

    const { partialpayments } = await rpc.call<{ partialpayments: PartialPayment[] }>('listpartialpayments', {
      payment_hash: paymentHash,
    });
    expect(partialpayments.map((p) => [p.id, p.status])).toEqual(
      parts.map((p) => [p.id, p.status]).sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    const { payments } = await rpc.call<{ payments: Payment[] }>('listpayments', [paymentHash]);
    expect(payments[0]?.status).toBe('complete');
    expect(payments[0]?.parts.complete).toBe(3);

    const exported = await rpc.call<{ path: string; payments: number; partialpayments: number }>('exportpayments', [
      'csv',
    ]);
    expect(exported.partialpayments).toBe(parts.length);
    const csv = readFileSync(exported.path, 'utf8');
    for (const part of complete) expect(csv).toContain(part.payment_preimage as string);
    expect(csv).toContain('"three parts, ""quoted"", too"');
  });

  it('a second daemon on the same data directory refuses to start, saying why', async () => {
    const second = startDaemon(dataDir);
    await expect(second.ready).rejects.toThrow(/in use by another Braid process/);
  });
});
