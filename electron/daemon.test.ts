import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../shared/api/commands';
import { parseJson } from '../shared/api/json';
import type { HelpResult } from '../shared/api/results';
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

/** The README's JSON-RPC example: `echo '<request>' | nc -U -q1 rpc.sock`, the whole line and the request. */
function readmeNcLine(): { line: string; request: string } {
  const readme = readFileSync(join(dirname(new URL(import.meta.url).pathname), '..', 'README.md'), 'utf8');
  const match = /^(echo '(\{.*\})' \| nc -U -q1 rpc\.sock)$/m.exec(readme);
  if (!match) throw new Error('README.md has no `echo … | nc -U -q1 rpc.sock` line');
  return { line: match[1] as string, request: match[2] as string };
}

/** A client that writes its request, half-closes (as `nc -q1` does after echo's EOF), and reads to the end. */
function halfClosingClient(socketPath: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath, () => socket.end(`${text}\n`));
    let answer = '';
    socket.on('data', (d) => {
      answer += String(d);
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    setTimeout(() => reject(new Error(`no end of the answer in 15 s (got ${JSON.stringify(answer)})`)), 15_000);
  });
}

const nc = (process.env.PATH ?? '').split(delimiter).find((dir) => dir !== '' && existsSync(join(dir, 'nc')));

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

  it('answers the README’s request from a client that half-closes after writing it, then ends the connection', async () => {
    const { request } = readmeNcLine();
    const answer = await halfClosingClient(ready.rpc_socket, request);
    const lines = answer.trim().split('\n');
    expect(lines).toHaveLength(1);
    const reply = parseJson(lines[0] as string) as { id: number; result: { bolt11: string; merchant: string } };
    expect(reply.id).toBe((JSON.parse(request) as { id: number }).id);
    expect(reply.result.bolt11).toMatch(/^lnbcrt9m1/);
    expect(reply.result.merchant).toBe('bob');
  });

  it.skipIf(!nc)(
    `answers the README’s \`nc\` line run as written${nc ? '' : ' (skipped: no nc on PATH; ./braid test installs netcat-openbsd)'}`,
    async () => {
      const { line } = readmeNcLine();
      const { stdout } = await promisify(execFile)('sh', ['-c', line], {
        cwd: dirname(ready.rpc_socket),
        timeout: 20_000,
      });
      const reply = parseJson(stdout.trim()) as { result: { bolt11: string } };
      expect(reply.result.bolt11).toMatch(/^lnbcrt9m1/);
    },
  );

  it('help lists every command with a one-line summary, and help COMMAND gives its parameters', async () => {
    const all = await rpc.call<HelpResult>('help', []);
    expect(all.help.map((h) => h.command.split(' ')[0])).toEqual(COMMANDS);
    for (const entry of all.help) {
      expect(entry.summary.length).toBeGreaterThan(10);
      expect(entry.summary).not.toContain('\n');
      expect(entry.params).toBeUndefined();
    }
    const pay = await rpc.call<HelpResult>('help', ['pay']);
    const [entry] = pay.help;
    expect(entry?.command).toBe(
      'pay bolt11 [msatoshi] [maxfeepercent] [exemptfee] [max_parts] [retry_for] [plan] [mode]',
    );
    expect(entry?.params?.map((p) => [p.position, p.name, p.required])).toEqual([
      [0, 'bolt11', true],
      [1, 'msatoshi', false],
      [2, 'maxfeepercent', false],
      [3, 'exemptfee', false],
      [4, 'max_parts', false],
      [5, 'retry_for', false],
      [6, 'plan', false],
      [7, 'mode', false],
    ]);
    expect(entry?.params?.find((p) => p.name === 'retry_for')?.default).toBe('60');
    expect(entry?.params?.find((p) => p.name === 'maxfeepercent')?.default).toBe('0.5');
    expect(entry?.errors?.map((e) => e.code)).toContain(210);
    const byName = await rpc.call<HelpResult>('help', { command: 'getinfo' });
    expect(byName.help[0]?.params).toEqual([]);
    await expect(rpc.call('help', ['nosuch'])).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('command: no such command'),
    });
  });

  it('a second daemon on the same data directory refuses to start, saying why', async () => {
    const second = startDaemon(dataDir);
    await expect(second.ready).rejects.toThrow(/in use by another Braid process/);
  });
});
