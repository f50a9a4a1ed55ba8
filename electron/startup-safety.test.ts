import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger } from './core/ledger/ledger';
import { RpcClient } from './test/rpc-client';

function startDaemon(dataDir: string, socket: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'electron/daemon.ts', '--data-dir', dataDir, '--rpc-socket', socket],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr?.on('data', (d) => {
    err += String(d);
  });
  const ready = new Promise<{ rpc_socket: string }>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (l) => resolve(JSON.parse(l)));
    child.once('exit', (code) => reject(new Error(`daemon exited with ${code}: ${err}`)));
  });
  return { child, ready };
}

const dirs: string[] = [];
const children: ChildProcess[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `braid-${name}-`));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// Issue 12: a second daemon with the same --rpc-socket deleted the first one's socket and took over the path;
// --rpc-socket pointing at a regular file deleted the file.
describe('the RPC socket path', () => {
  it('a second daemon on a live daemon’s socket refuses to start; the first keeps answering', async () => {
    const socket = join(tempDir('sock'), 'rpc.sock');
    const first = startDaemon(tempDir('first'), socket);
    children.push(first.child);
    await first.ready;
    const second = startDaemon(tempDir('second'), socket);
    children.push(second.child);
    await expect(second.ready).rejects.toThrow(/rpc-socket .* is in use: another daemon answers on it/);
    const rpc = await RpcClient.connect(socket);
    expect(await rpc.call<{ alias: string }>('getinfo', [])).toMatchObject({ alias: 'alice' });
    rpc.close();
  }, 60_000);

  it('a regular file at the path is refused and kept; a stale socket is replaced', async () => {
    const dir = tempDir('sockfile');
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'precious');
    const refused = startDaemon(tempDir('data'), file);
    children.push(refused.child);
    await expect(refused.ready).rejects.toThrow(/exists and is not a socket: not removed/);
    expect(readFileSync(file, 'utf8')).toBe('precious');

    // A socket nobody listens on any more: its daemon was killed (SIGKILL leaves the socket file behind).
    const stale = join(dir, 'stale.sock');
    spawnSync(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    expect(statSync(stale).isSocket()).toBe(true);
    const taker = startDaemon(tempDir('data'), stale);
    children.push(taker.child);
    await taker.ready;
    const rpc = await RpcClient.connect(stale);
    expect(await rpc.call<{ alias: string }>('getinfo', [])).toMatchObject({ alias: 'alice' });
    rpc.close();
  }, 60_000);
});

/** A ledger with some history, closed cleanly. */
function ledgerWithHistory(dataDir: string): void {
  const ledger = Ledger.open(dataDir);
  const destination = `02${'11'.repeat(32)}`;
  for (let i = 0; i < 300; i++) {
    ledger.beginPart({
      paymentHash: randomBytes(32).toString('hex'),
      route: [{ id: destination, channel: '800000x1x0', msatoshi: 1_000_000n, delay: 83 }],
      intendedMsat: 1_000_000n,
      destination,
      paymentSecret: randomBytes(32).toString('hex'),
      description: `payment ${i} ${'x'.repeat(100)}`,
      now: 1_700_000_000 + i,
    });
  }
  ledger.close();
}

// Issue 12: a ledger with 4 KiB zeroed mid-file started normally (the damage showed later as "database disk image
// is malformed"); a 0-byte ledger was silently made a new one; a 0400 ledger was chmod-ed to 0600.
describe('the ledger file at start', () => {
  it('damaged mid-file: refused, saying what to do, and not changed', () => {
    const dir = tempDir('damaged');
    ledgerWithHistory(dir);
    const file = join(dir, 'ledger.sqlite');
    expect(statSync(file).size).toBeGreaterThan(40_000);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(4096), 0, 4096, 16_384);
    closeSync(fd);
    const before = readFileSync(file);
    expect(() => Ledger.open(dir)).toThrow(/is damaged \(integrity_check: .*The file was not changed.*backup/s);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('0 bytes: refused, not re-initialised', () => {
    const dir = tempDir('empty');
    writeFileSync(join(dir, 'ledger.sqlite'), '');
    expect(() => Ledger.open(dir)).toThrow(/is empty \(0 bytes\).*restore it from a backup/);
    expect(statSync(join(dir, 'ledger.sqlite')).size).toBe(0);
  });

  it('a foreign file: refused, not changed', () => {
    const dir = tempDir('foreign');
    writeFileSync(join(dir, 'ledger.sqlite'), 'my shopping list\n');
    expect(() => Ledger.open(dir)).toThrow(/is not a SQLite database/);
    expect(readFileSync(join(dir, 'ledger.sqlite'), 'utf8')).toBe('my shopping list\n');
  });

  it('read-only (0400): refused with its mode reported; the mode is not changed', () => {
    const dir = tempDir('readonly');
    ledgerWithHistory(dir);
    const file = join(dir, 'ledger.sqlite');
    chmodSync(file, 0o400);
    expect(() => Ledger.open(dir)).toThrow(/cannot be read and written by this user \(mode 0400.*chmod 600/);
    expect(statSync(file).mode & 0o777).toBe(0o400);
  });

  it('a sound ledger opens, its history intact; the daemon says why it will not start on a damaged one', async () => {
    const dir = tempDir('sound');
    ledgerWithHistory(dir);
    const ledger = Ledger.open(dir);
    expect(ledger.payments()).toHaveLength(300);
    ledger.close();
    writeFileSync(join(dir, 'ledger.sqlite'), '');
    mkdirSync(join(dir, 'x'), { recursive: true });
    const daemon = startDaemon(dir, join(dir, 'x', 'rpc.sock'));
    children.push(daemon.child);
    await expect(daemon.ready).rejects.toThrow(/cannot start: ledger: .* is empty \(0 bytes\)/);
  }, 60_000);
});
