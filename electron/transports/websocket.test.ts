import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientOptions, WebSocket } from 'ws';
import { connectWebSocketApi } from '../../renderer/api/websocket';
import { ApiError } from '../../shared/api/errors';
import type { ApiEvent } from '../../shared/api/events';
import { parseJson, stringifyJson } from '../../shared/api/json';
import type { PartialPayment, Payment } from '../../shared/types';
import { type Harness, startHarness } from '../test/harness';
import { isLoopbackAddress, MAX_PAYLOAD, refusal, tokenMatches, WebSocketServerTransport } from './websocket';

const ORIGIN = 'http://127.0.0.1:5999';
const TOKEN = randomBytes(32).toString('hex');

interface Message {
  id?: number;
  result?: unknown;
  error?: { code: number; message: string };
  method?: string;
  params?: unknown;
}

/** A raw JSON-RPC client over `ws`, as a page would talk (an Origin header, the token in the query). */
class Client {
  readonly notifications: Message[] = [];
  private nextId = 1;
  private readonly waiters = new Map<number, (m: Message) => void>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = parseJson(String(data), { amounts: true }) as Message;
      if (m.id === undefined) this.notifications.push(m);
      else this.waiters.get(m.id)?.(m);
    });
  }

  request(method: string, params: unknown = {}): Promise<Message> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiters.set(id, resolve);
      this.ws.send(stringifyJson({ jsonrpc: '2.0', id, method, params }));
    });
  }

  async call<T>(method: string, params: unknown = {}): Promise<T> {
    const m = await this.request(method, params);
    if (m.error) throw new ApiError(m.error.code, m.error.message);
    return m.result as T;
  }

  closed(): Promise<{ code: number }> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) resolve({ code: -1 });
      else this.ws.once('close', (code) => resolve({ code }));
    });
  }
}

/** Opens a socket: resolves once open, rejects with the HTTP status of a refused upgrade or the socket error. */
function open(url: string, options: ClientOptions = { origin: ORIGIN }): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => resolve(new Client(ws)));
    ws.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

async function refusedWith(promise: Promise<unknown>): Promise<{ status?: number; code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { status?: number; code?: string };
  }
  throw new Error('connected, but should have been refused');
}

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('isLoopbackAddress / tokenMatches / refusal', () => {
  it('tells loopback peers from others', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('127.3.2.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::FFFF:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('10.0.0.5')).toBe(false);
    expect(isLoopbackAddress('::ffff:10.0.0.5')).toBe(false);
    expect(isLoopbackAddress('192.168.1.127')).toBe(false);
    expect(isLoopbackAddress('fe80::1')).toBe(false);
    expect(isLoopbackAddress('')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(`${TOKEN}0`, TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN.slice(1), TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
    expect(tokenMatches(null, TOKEN)).toBe(false);
  });

  it('refuses a foreign peer, origin or token, in that order', () => {
    const request = (remoteAddress: string, url: string, origin?: string) => ({
      socket: { remoteAddress },
      url,
      headers: origin === undefined ? {} : { origin },
    });
    const ok = `/?token=${TOKEN}`;
    expect(refusal(request('127.0.0.1', ok, ORIGIN), TOKEN, [ORIGIN])).toBeUndefined();
    expect(refusal(request('::ffff:127.0.0.1', ok, ORIGIN), TOKEN, [ORIGIN])).toBeUndefined();
    expect(refusal(request('10.0.0.5', ok, ORIGIN), TOKEN, [ORIGIN])).toBe(403);
    expect(refusal(request('127.0.0.1', ok, 'http://evil.example'), TOKEN, [ORIGIN])).toBe(403);
    expect(refusal(request('127.0.0.1', ok, `${ORIGIN}/`), TOKEN, [ORIGIN])).toBe(403);
    expect(refusal(request('127.0.0.1', ok), TOKEN, [ORIGIN])).toBe(403);
    expect(refusal(request('127.0.0.1', '/', ORIGIN), TOKEN, [ORIGIN])).toBe(401);
    expect(refusal(request('127.0.0.1', '/?token=x', ORIGIN), TOKEN, [ORIGIN])).toBe(401);
    expect(refusal(request('127.0.0.1', `${ok}&token=${TOKEN}`, ORIGIN), TOKEN, [ORIGIN])).toBe(401);
  });

  it('takes no host but loopback and no short token', () => {
    const core = {} as never;
    expect(
      () => new WebSocketServerTransport(core, { host: '0.0.0.0' as '127.0.0.1', token: TOKEN, allowedOrigins: [] }),
    ).toThrow(/127\.0\.0\.1/);
    expect(() => new WebSocketServerTransport(core, { token: 'short', allowedOrigins: [] })).toThrow(/token/);
  });
});

describe('WebSocketServerTransport on a real core', () => {
  let h: Harness;
  let transport: WebSocketServerTransport;
  let port: number;
  let url: string;
  let baseline: number;
  const clients: Client[] = [];
  const connect = async (u = url, options?: ClientOptions) => {
    const c = await open(u, options);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    h = await startHarness();
    baseline = h.core.events.listenerCount();
    transport = new WebSocketServerTransport(h.core, { token: TOKEN, allowedOrigins: [ORIGIN] });
    ({ port } = await transport.start());
    url = `ws://127.0.0.1:${port}/?token=${TOKEN}`;
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.ws.terminate();
    await transport?.stop();
    await h?.stop();
  });

  it('answers getinfo with the same result as the unix socket', async () => {
    const c = await connect();
    const info = await c.call<{ alias: string; simulated: boolean; id: string }>('getinfo');
    expect(info).toMatchObject({ alias: 'alice', simulated: true });
    expect(info).toEqual(await h.rpc.call('getinfo'));
    // Errors as JSON-RPC errors, params by position too.
    expect((await c.request('nosuch')).error?.code).toBe(-32601);
    expect((await c.request('waitpartialpay', ['x'])).error?.code).toBe(-32602);
    expect((await c.request('listpayments', [])).result).toEqual({ payments: [] });
  });

  it('answers malformed messages like the unix socket does', async () => {
    const c = await connect();
    const answer = new Promise<Message>((r) => c.ws.once('message', (d) => r(JSON.parse(String(d)))));
    c.ws.send('{not json');
    expect((await answer).error?.code).toBe(-32700);
  });

  it('delivers partialpayment notifications after subscribe, none after unsubscribe, and none left on close', async () => {
    const c = await connect();
    expect(await c.call('subscribe', { events: ['partialpayment'] })).toEqual({ events: ['partialpayment'] });
    expect(h.core.events.listenerCount('partialpayment')).toBeGreaterThan(0);

    const { bolt11 } = await c.call<{ bolt11: string }>('testinvoice', [10_000_000]);
    const payment = await c.call<Payment>('pay', { bolt11, retry_for: 20 });
    expect(payment.status).toBe('complete');
    await until(() =>
      c.notifications.some(
        (n) =>
          (n.params as PartialPayment).payment_hash === payment.payment_hash &&
          (n.params as PartialPayment).status === 'complete',
      ),
    );
    const first = c.notifications[0];
    expect(first?.method).toBe('partialpayment');
    expect(typeof (first?.params as PartialPayment | undefined)?.msatoshi).toBe('bigint');

    expect(await c.call('unsubscribe', [['partialpayment']])).toEqual({ events: [] });
    const seen = c.notifications.length;
    const second = await c.call<{ bolt11: string }>('testinvoice', [11_000_000]);
    expect((await c.call<Payment>('pay', { bolt11: second.bolt11, retry_for: 20 })).status).toBe('complete');
    await new Promise((r) => setTimeout(r, 200));
    expect(c.notifications.length).toBe(seen);

    // A connection's subscriptions go with it.
    await c.call('subscribe', [['partialpayment', 'payment', 'node']]);
    expect(h.core.events.listenerCount()).toBe(baseline + 3);
    c.ws.close();
    await c.closed();
    await until(() => h.core.events.listenerCount() === baseline);
  });

  it('refuses a wrong or missing token with 401, before any connection', async () => {
    expect((await refusedWith(open(`ws://127.0.0.1:${port}/?token=${'0'.repeat(64)}`))).status).toBe(401);
    expect((await refusedWith(open(`ws://127.0.0.1:${port}/?token=${TOKEN.slice(0, -1)}`))).status).toBe(401);
    expect((await refusedWith(open(`ws://127.0.0.1:${port}/`))).status).toBe(401);
    expect((await refusedWith(open(`ws://127.0.0.1:${port}/?tok=${TOKEN}`))).status).toBe(401);
  });

  it('refuses a foreign or missing Origin with 403', async () => {
    expect((await refusedWith(open(url, { origin: 'http://evil.example' }))).status).toBe(403);
    expect((await refusedWith(open(url, { origin: 'http://127.0.0.1:5998' }))).status).toBe(403);
    expect((await refusedWith(open(url, {}))).status).toBe(403);
  });

  it('answers plain HTTP with 426', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/?token=${TOKEN}`);
    expect(res.status).toBe(426);
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  it.skipIf(!external)(
    `is not reachable on a non-loopback address (${external ?? 'skipped: this machine has no non-loopback IPv4 address'})`,
    async () => {
      const error = await refusedWith(open(`ws://${external}:${port}/?token=${TOKEN}`));
      expect(error.code).toBe('ECONNREFUSED');
    },
  );

  it('closes a connection that sends more than the payload limit (1009)', async () => {
    const c = await connect();
    const closed = c.closed();
    c.ws.send(stringifyJson({ jsonrpc: '2.0', id: 1, method: 'getinfo', params: { pad: 'x'.repeat(MAX_PAYLOAD) } }));
    expect((await closed).code).toBe(1009);
  });

  describe('the renderer client (renderer/api/websocket.ts)', () => {
    // The browser sends the page's Origin by itself; `ws` needs to be told.
    class PageSocket extends WebSocket {
      constructor(address: string) {
        super(address, { origin: ORIGIN });
      }
    }
    const Socket = PageSocket as unknown as typeof globalThis.WebSocket;

    it('calls with bigint amounts both ways and rejects with {code, message}', async () => {
      const api = connectWebSocketApi({ url, WebSocket: Socket });
      try {
        // Queued before the socket is open.
        const info = await api.call('getinfo');
        expect(info.simulated).toBe(true);
        const { channels } = await api.call('listchannels');
        expect(typeof channels[0]?.capacity_msatoshi).toBe('bigint');
        const { bolt11 } = await api.call('testinvoice', { msatoshi: 12_345_000n });
        expect((await api.call('decodepay', [bolt11])).msatoshi).toBe(12_345_000n);
        const error = await api.call('waitpartialpay', { id: -1 }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ApiError);
        expect(error).toMatchObject({ code: -32602, message: expect.stringContaining('id') });
        expect(await api.call('waitpartialpay', [999_999]).catch((e: ApiError) => e.code)).toBe(208);
      } finally {
        api.close();
      }
      await expect(api.call('getinfo')).rejects.toMatchObject({ code: -1 });
    });

    it('subscribes on the server for the first listener of an event and unsubscribes after the last', async () => {
      const api = connectWebSocketApi({ url, WebSocket: Socket });
      await api.ready;
      const a: ApiEvent[] = [];
      const b: ApiEvent[] = [];
      const offA = api.subscribe(['partialpayment', 'payment'], (e) => a.push(e));
      const offB = api.subscribe(['payment'], (e) => b.push(e));
      await until(() => h.core.events.listenerCount() === baseline + 2);

      const { bolt11 } = await api.call('testinvoice', [13_000_000]);
      const payment = await api.call('pay', { bolt11, retry_for: 20 });
      expect(payment.status).toBe('complete');
      await until(() => b.some((e) => e.event === 'payment' && e.data.status === 'complete'));
      expect(a.some((e) => e.event === 'partialpayment' && typeof e.data.msatoshi === 'bigint')).toBe(true);
      expect(b.every((e) => e.event === 'payment')).toBe(true);

      offA();
      offA(); // Once is enough; again does nothing.
      await until(() => h.core.events.listenerCount() === baseline + 1);
      expect(h.core.events.listenerCount('payment')).toBe(1);
      offB();
      await until(() => h.core.events.listenerCount() === baseline);
      api.close();
    });

    it('rejects calls when the connection is refused', async () => {
      const api = connectWebSocketApi({ url: `ws://127.0.0.1:${port}/?token=s3cr3t-guess`, WebSocket: Socket });
      const error = await api.call('getinfo').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: -1, message: expect.stringContaining('cannot connect') });
      expect((error as Error).message).not.toContain('s3cr3t');
      await expect(api.ready).rejects.toMatchObject({ code: -1 });
    });
  });
});
