import { randomBytes } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { parseJson, stringifyJson } from '../../shared/api/json';
import { type Harness, startHarness } from '../test/harness';
import { WebSocketServerTransport } from '../transports/websocket';

// Issue 12: exportpayments with path = the data directory's ledger.sqlite succeeded (and the wallet then could not
// start); over the WebSocket paths were not restricted at all (relative, `..`, absolute; existing files replaced).
describe('exportpayments writes only where the caller meant, never over the wallet', () => {
  let h: Harness;
  let outside: string;
  let transport: WebSocketServerTransport;
  let ws: WebSocket;
  const TOKEN = randomBytes(32).toString('hex');
  const ORIGIN = 'http://127.0.0.1:5999';
  let nextId = 1;
  const waiters = new Map<number, (m: { result?: unknown; error?: { code: number; message: string } }) => void>();
  type Reply = { id?: number; result?: unknown; error?: { code: number; message: string } };

  beforeAll(async () => {
    h = await startHarness();
    outside = mkdtempSync(join(tmpdir(), 'braid-export-out-'));
    transport = new WebSocketServerTransport(h.core, { token: TOKEN, allowedOrigins: [ORIGIN] });
    const { port } = await transport.start();
    ws = new WebSocket(`ws://127.0.0.1:${port}/?token=${TOKEN}`, { origin: ORIGIN });
    ws.on('message', (data) => {
      const m = parseJson(String(data)) as Reply;
      if (m.id !== undefined) waiters.get(m.id)?.(m);
    });
    await new Promise((r) => ws.once('open', r));
  }, 30_000);
  afterAll(async () => {
    ws?.close();
    await transport?.stop();
    await h?.stop();
    rmSync(outside, { recursive: true, force: true });
  });

  type Answer = { ok?: { path: string }; error?: { code: number; message: string } };
  const overSocket = (params: unknown): Promise<Answer> =>
    h.rpc.call<{ path: string }>('exportpayments', params).then(
      (r) => ({ ok: r }),
      (e: { code: number; message: string }) => ({ error: e }),
    );
  const overWebSocket = (params: unknown) =>
    new Promise<Answer>((resolve) => {
      const id = nextId++;
      waiters.set(id, (m) => resolve(m.error ? { error: m.error } : { ok: m.result as { path: string } }));
      ws.send(stringifyJson({ jsonrpc: '2.0', id, method: 'exportpayments', params }));
    });

  it('never over the ledger, nor anywhere else in the data directory, and the wallet still opens', async () => {
    const ledgerPath = join(h.dataDir, 'ledger.sqlite');
    const before = readFileSync(ledgerPath);
    for (const path of [ledgerPath, join(h.dataDir, 'other.csv'), join(h.dataDir, 'exports', '..', 'ledger.sqlite')]) {
      const answer = await overSocket({ format: 'csv', path, overwrite: true });
      expect(answer.error?.code, path).toBe(-32602);
      expect(answer.error?.message).toMatch(/^path: is inside the data directory/);
    }
    expect(readFileSync(ledgerPath).equals(before)).toBe(true);
    // A link elsewhere that leads into the data directory is seen through.
    symlinkSync(h.dataDir, join(outside, 'sneaky'));
    const answer = await overSocket({ format: 'csv', path: join(outside, 'sneaky', 'ledger.sqlite'), overwrite: true });
    expect(answer.error?.message).toMatch(/inside the data directory/);
  });

  it('never follows a symbolic link at the file, never replaces a file that is not an earlier export', async () => {
    const victim = join(outside, 'notes.txt');
    writeFileSync(victim, 'mine');
    symlinkSync(victim, join(outside, 'link.csv'));
    expect(
      (await overSocket({ format: 'csv', path: join(outside, 'link.csv'), overwrite: true })).error?.message,
    ).toMatch(/is a symbolic link/);
    expect((await overSocket({ format: 'csv', path: victim })).error?.message).toMatch(
      /exists and is not an earlier export: pass overwrite: true/,
    );
    expect(readFileSync(victim, 'utf8')).toBe('mine');
    expect(lstatSync(join(outside, 'link.csv')).isSymbolicLink()).toBe(true);
    // Asked to: replaced.
    expect((await overSocket({ format: 'csv', path: victim, overwrite: true })).ok?.path).toBe(victim);
    // An earlier export is replaced without asking; once changed by someone else, it is not.
    const fresh = join(outside, 'history.csv');
    expect((await overSocket({ format: 'csv', path: fresh })).ok?.path).toBe(fresh);
    expect((await overSocket({ format: 'csv', path: fresh })).ok?.path).toBe(fresh);
    writeFileSync(fresh, 'edited by hand, longer than before................................................');
    expect((await overSocket({ format: 'csv', path: fresh })).error?.message).toMatch(/not an earlier export/);
  });

  it('a relative path with folders is refused on the socket; a file name goes to the exports folder', async () => {
    expect((await overSocket({ format: 'csv', path: 'sub/x.csv' })).error?.message).toMatch(/must be an absolute path/);
    const named = await overSocket({ format: 'json', path: 'mine.json' });
    expect(named.ok?.path).toBe(join(h.dataDir, 'exports', 'mine.json'));
  });

  it('over the WebSocket: only a file name in the exports folder', async () => {
    for (const path of [join(outside, 'ws.csv'), '../ws.csv', 'sub/ws.csv', '/tmp/ws.csv', '..\\ws.csv']) {
      const answer = await overWebSocket({ format: 'csv', path });
      expect(answer.error?.code, path).toBe(-32602);
      expect(answer.error?.message).toMatch(/only a file name in the exports folder|hidden/);
    }
    expect(existsSync(join(outside, 'ws.csv'))).toBe(false);
    const ok = await overWebSocket({ format: 'csv', path: 'from-page.csv' });
    expect(ok.ok?.path).toBe(join(h.dataDir, 'exports', 'from-page.csv'));
    const byDefault = await overWebSocket({ format: 'csv' });
    expect(byDefault.ok?.path.startsWith(join(h.dataDir, 'exports'))).toBe(true);
    // The exports folder replaced by a link to elsewhere: refused.
    rmSync(join(h.dataDir, 'exports'), { recursive: true });
    mkdirSync(join(outside, 'elsewhere'));
    symlinkSync(join(outside, 'elsewhere'), join(h.dataDir, 'exports'));
    expect((await overWebSocket({ format: 'csv', path: 'x.csv' })).error?.message).toMatch(
      /exports folder .* symbolic link/,
    );
  });
});
