import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { parseJson, stringifyJson } from '../shared/api/json';

// `npm run dev:web` as a developer runs it: one JSON line with the page's URL, the built renderer served from
// loopback with its strict CSP, and the API on a WebSocket that takes the page's origin and token.

interface Started {
  child: ChildProcess;
  url: URL;
  ms: number;
}

/**
 * dev:web's own temporary folder (its TMPDIR): what it leaves behind is told apart from other runs of dev:web on this
 * machine (other tests, other checkouts), which come and go in the shared one.
 */
const TMP = mkdtempSync(join(tmpdir(), 'braid-dev-web-test-'));

function start(): Promise<Started> {
  const t0 = performance.now();
  // Its own process group, so that the end of the test can take everything it started with it.
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/dev-web.ts'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, TMPDIR: TMP },
  });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += String(d);
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      try {
        const { url } = JSON.parse(line) as { url: string };
        resolve({ child, url: new URL(url), ms: performance.now() - t0 });
      } catch (error) {
        reject(new Error(`not the ready line: ${line} (${error})`));
      }
    });
    child.once('exit', (code) => reject(new Error(`dev:web exited with ${code}: ${err}`)));
  });
}

/** A GET with the path sent as written (fetch would normalise `/../`). */
function get(
  url: URL,
  path: string,
): Promise<{ status: number; type: string; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body, headers: res.headers }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** dev:web's temporary directories (renderer build, throwaway data dir). */
function tempDirs(): string[] {
  return readdirSync(TMP)
    .filter((name) => name.startsWith('braid-dev-web-'))
    .sort();
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('npm run dev:web', () => {
  let dev: Started;
  let before: string[];

  beforeAll(async () => {
    before = tempDirs();
    dev = await start();
  }, 120_000);

  afterAll(() => {
    // Only if a test failed before the last one stopped it.
    const pid = dev?.child.pid;
    if (pid && alive(-pid)) process.kill(-pid, 'SIGKILL');
    rmSync(TMP, { recursive: true, force: true });
  });

  it('prints one JSON line with a loopback URL carrying the token and the WebSocket port', () => {
    expect(dev.url.protocol).toBe('http:');
    expect(dev.url.hostname).toBe('127.0.0.1');
    expect(dev.url.searchParams.get('token')).toMatch(/^[0-9a-f]{64}$/);
    expect(dev.url.searchParams.get('ws')).toMatch(/^\d+$/);
    console.log(`dev:web ready in ${Math.round(dev.ms)} ms`);
  });

  it('serves the built page with the strict CSP, its JS, and nothing outside', async () => {
    const page = await get(dev.url, `${dev.url.pathname}${dev.url.search}`);
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(page.body)?.[1];
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:*");
    expect(csp).not.toContain('unsafe-inline');

    const script = /<script type="module"[^>]*src="([^"]+)"/.exec(page.body)?.[1];
    expect(script).toMatch(/^\/assets\/.+\.js$/);
    const js = await get(dev.url, script as string);
    expect(js.status).toBe(200);
    expect(js.type).toMatch(/^text\/javascript/);
    expect(js.body.length).toBeGreaterThan(1000);

    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/..%2fpackage.json',
      '/assets/../../package.json',
    ]) {
      const res = await get(dev.url, path);
      expect([403, 404], path).toContain(res.status);
      expect(res.body).not.toContain('"name"');
    }
    expect((await get(dev.url, '/assets/')).status).toBe(404);
    expect((await get(dev.url, '/nosuch.js')).status).toBe(404);
  });

  it('answers getinfo on the WebSocket to the page origin with the token', async () => {
    const origin = dev.url.origin;
    const ws = new WebSocket(
      `ws://127.0.0.1:${dev.url.searchParams.get('ws')}/?token=${dev.url.searchParams.get('token')}`,
      {
        origin,
      },
    );
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const answer = new Promise<{ id: number; result: { simulated: boolean; alias: string } }>((r) =>
      ws.once('message', (d) => r(parseJson(String(d)) as never)),
    );
    ws.send(stringifyJson({ jsonrpc: '2.0', id: 1, method: 'getinfo', params: [] }));
    expect((await answer).result).toMatchObject({ simulated: true, alias: 'alice' });
    ws.close();

    // Another origin, even with the token, is refused.
    const refused = await new Promise<number>((resolve) => {
      const other = new WebSocket(
        `ws://127.0.0.1:${dev.url.searchParams.get('ws')}/?token=${dev.url.searchParams.get('token')}`,
        { origin: 'http://127.0.0.1:1' },
      );
      other.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        other.terminate();
      });
      other.once('error', () => {});
      other.once('open', () => resolve(101));
    });
    expect(refused).toBe(403);
  });

  it('serves an export the core wrote as a download, to the holder of the token only', async () => {
    const token = dev.url.searchParams.get('token') as string;
    const ws = new WebSocket(`ws://127.0.0.1:${dev.url.searchParams.get('ws')}/?token=${token}`, {
      origin: dev.url.origin,
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const call = (id: number, method: string, params: unknown) => {
      const answer = new Promise<{ result?: { path: string }; error?: unknown }>((r) =>
        ws.on('message', (d) => {
          const message = parseJson(String(d)) as { id?: number };
          if (message.id === id) r(message as never);
        }),
      );
      ws.send(stringifyJson({ jsonrpc: '2.0', id, method, params }));
      return answer;
    };
    const files: Record<string, string> = {};
    for (const [id, format] of [
      [1, 'csv'],
      [2, 'json'],
    ] as const) {
      const answer = await call(id, 'exportpayments', { format });
      expect(answer.error, JSON.stringify(answer.error)).toBeUndefined();
      files[format] = answer.result?.path as string;
    }
    ws.close();

    for (const [format, type] of [
      ['csv', /^text\/csv/],
      ['json', /^application\/json/],
    ] as const) {
      const path = files[format] as string;
      const name = basename(path);
      expect(name).toMatch(new RegExp(`^payments-.+\\.${format}$`));
      const res = await get(dev.url, `/exports/${name}?token=${token}`);
      expect(res.status).toBe(200);
      expect(res.type).toMatch(type);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${name}"`);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toBe(readFileSync(path, 'utf8'));

      expect((await get(dev.url, `/exports/${name}`)).status).toBe(403);
      expect((await get(dev.url, `/exports/${name}?token=${'0'.repeat(64)}`)).status).toBe(403);
      expect((await get(dev.url, `/exports/${name}?token=${token.slice(1)}`)).status).toBe(403);
    }
    for (const path of [
      '/exports/../../package.json',
      '/exports/..%2f..%2fpackage.json',
      '/exports/payments-..%2f..%2fpackage.json',
      '/exports/%2e%2e%2fconfig.json',
      '/exports/payments-nosuch.csv',
      '/exports/other.csv',
    ]) {
      const res = await get(dev.url, `${path}?token=${token}`);
      expect([403, 404], path).toContain(res.status);
      expect(res.body).not.toContain('"name"');
    }
  });

  it('stops on SIGTERM: exit 0, nothing of its process group left, its temporary directories gone', async () => {
    const { child } = dev;
    const pid = child.pid as number;
    expect(tempDirs().length).toBeGreaterThan(before.length);
    const exited = new Promise<number | null>((r) =>
      child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code)),
    );
    const t0 = performance.now();
    process.kill(-pid, 'SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
    console.log(`dev:web stopped in ${Math.round(performance.now() - t0)} ms`);
    expect(code).toBe(0);
    await until(() => !alive(-pid));
    expect(tempDirs()).toEqual(before);
  }, 20_000);
});
