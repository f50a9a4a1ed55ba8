import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type Harness, startHarness } from '../test/harness';
import { MAX_BATCH, MAX_CONNECTIONS, MAX_MESSAGE_BYTES } from './limits';
import { WebSocketServerTransport } from './websocket';

/** A raw socket to the daemon: everything it receives, as text, and when it closes. */
function raw(path: string): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let text = '';
    socket.on('data', (d) => {
      text += String(d);
    });
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
};

// Issue 12: one connection streaming 513 MiB with no newline killed the daemon (memory grew without bound first);
// a batch of 10,000 getinfo had no limit.
describe('the JSON-RPC socket holds clients to limits, with clear errors', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('a message longer than the limit is refused and its connection closed; the daemon lives on', async () => {
    const c = await raw(h.socketPath);
    c.socket.on('error', () => {}); // writes after the daemon closed the connection
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    for (let sent = 0; sent <= MAX_MESSAGE_BYTES + chunk.length && !c.socket.destroyed; sent += chunk.length) {
      if (!c.socket.write(chunk)) await Promise.race([new Promise((r) => c.socket.once('drain', r)), c.closed]);
    }
    await c.closed;
    const answer = JSON.parse(c.received().trim()) as { error: { code: number; message: string } };
    expect(answer.error.code).toBe(-32600);
    expect(answer.error.message).toMatch(/request too long: more than 4194304 bytes without a newline/);
    expect(await h.rpc.call<{ alias: string }>('getinfo', [])).toMatchObject({ alias: 'alice' });
  }, 30_000);

  it(`a batch of more than ${MAX_BATCH} requests is refused; ${MAX_BATCH} are answered`, async () => {
    const c = await raw(h.socketPath);
    const batch = (n: number) =>
      JSON.stringify(Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'getinfo' })));
    c.socket.write(`${batch(MAX_BATCH + 1)}\n`);
    await until(() => c.received().includes('\n'));
    expect(JSON.parse(c.received().trim())).toMatchObject({
      id: null,
      error: { code: -32600, message: `batch too large: ${MAX_BATCH + 1} requests, at most ${MAX_BATCH}` },
    });
    const before = c.received().length;
    c.socket.write(`${batch(MAX_BATCH)}\n`);
    await until(() => c.received().length > before && c.received().endsWith('\n'));
    expect(JSON.parse(c.received().slice(before))).toHaveLength(MAX_BATCH);
    c.socket.destroy();
  }, 30_000);

  it(`at most ${MAX_CONNECTIONS} connections: the next is told so and closed`, async () => {
    const open: Awaited<ReturnType<typeof raw>>[] = [];
    // The harness's own client holds one.
    for (let i = 0; i < MAX_CONNECTIONS - 1; i++) open.push(await raw(h.socketPath));
    const extra = await raw(h.socketPath);
    await extra.closed;
    expect(JSON.parse(extra.received().trim()).error.message).toMatch(/too many connections: at most 64/);
    for (const c of open) c.socket.destroy();
    await Promise.all(open.map((c) => c.closed));
    const again = await raw(h.socketPath);
    again.socket.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getinfo' })}\n`);
    await until(() => again.received().includes('\n'));
    expect(JSON.parse(again.received()).result.alias).toBe('alice');
    again.socket.destroy();
  }, 30_000);

  it(`the WebSocket too: at most ${MAX_CONNECTIONS} connections, the next closed with 1013 and the reason`, async () => {
    const token = randomBytes(32).toString('hex');
    const origin = 'http://127.0.0.1:5999';
    const transport = new WebSocketServerTransport(h.core, { token, allowedOrigins: [origin] });
    const { port } = await transport.start();
    const open = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/?token=${token}`, { origin });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    try {
      const sockets: WebSocket[] = [];
      for (let i = 0; i < MAX_CONNECTIONS; i++) sockets.push(await open());
      const extra = await open();
      const [code, reason] = await new Promise<[number, string]>((r) =>
        extra.once('close', (c, why) => r([c, String(why)])),
      );
      expect(code).toBe(1013);
      expect(reason).toMatch(/too many connections/);
      for (const ws of sockets) ws.close();
    } finally {
      await transport.stop();
    }
  }, 30_000);
});
