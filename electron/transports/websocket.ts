import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import { isIPv4 } from 'node:net';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { Core } from '../core/core';
import { MAX_CONNECTIONS, tooManyConnections } from './limits';
import { RpcSession } from './rpc-session';

// The browser harness's transport (docs/commands.md): the same JSON-RPC 2.0 API as the unix socket,
// one message per WebSocket text frame, notifications for subscriptions. Off unless asked for: only
// electron/dev-web.ts and the tests start it. It binds to 127.0.0.1 and lets a connection in only when it comes
// from loopback, names an allowed Origin exactly and carries the random token in its `token` query parameter.

export interface WebSocketServerOptions {
  /** Loopback only; the one accepted value is the default. */
  host?: '127.0.0.1';
  /** 0 (the default): a random free port. */
  port?: number;
  /** The secret a client must give as `?token=`; at least 16 characters (dev-web uses 32 random bytes in hex). */
  token: string;
  /** Origins allowed to connect, compared exactly, e.g. `http://127.0.0.1:5173`. A missing Origin is refused. */
  allowedOrigins: string[];
  /** Largest incoming message in bytes; default 1 MiB. */
  maxPayload?: number;
}

/** Largest incoming message by default. */
export const MAX_PAYLOAD = 1024 * 1024;
/** A client that lets this much pile up unread (notifications, answers) is cut off. */
const MAX_BUFFERED = 16 * 1024 * 1024;

/** True for a loopback peer: 127.0.0.0/8, ::1, and 127.x written as IPv4-mapped IPv6 (`::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const lower = address.toLowerCase();
  if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
  const v4 = lower.startsWith('::ffff:') ? lower.slice('::ffff:'.length) : lower;
  return isIPv4(v4) && v4.split('.')[0] === '127';
}

/** Compares in time independent of where the strings differ (and of their lengths: both are hashed first). */
export function tokenMatches(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Why an upgrade is refused, as an HTTP status; undefined to let it in. */
export function refusal(
  request: Pick<IncomingMessage, 'url' | 'headers'> & { socket: { remoteAddress?: string } },
  token: string,
  allowedOrigins: readonly string[],
): 401 | 403 | undefined {
  if (!isLoopbackAddress(request.socket.remoteAddress)) return 403;
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || !allowedOrigins.includes(origin)) return 403;
  let tokens: string[];
  try {
    tokens = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.getAll('token');
  } catch {
    return 401;
  }
  if (tokens.length !== 1 || !tokenMatches(tokens[0], token)) return 401;
  return undefined;
}

function reject(socket: Duplex, status: number): void {
  const body = `${STATUS_CODES[status] ?? 'Refused'}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Refused'}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroy();
}

/** JSON-RPC 2.0 over a WebSocket on 127.0.0.1, for the renderer in a plain browser (dev and tests). */
export class WebSocketServerTransport {
  private readonly host: '127.0.0.1';
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<WebSocket, RpcSession>();
  private server: Server | undefined;

  constructor(
    private readonly core: Core,
    private readonly options: WebSocketServerOptions,
  ) {
    if ((options.host ?? '127.0.0.1') !== '127.0.0.1') throw new Error('the WebSocket transport binds to 127.0.0.1');
    if (typeof options.token !== 'string' || options.token.length < 16) {
      throw new Error('the WebSocket transport needs a random token of at least 16 characters');
    }
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port: ${port}`);
    this.host = '127.0.0.1';
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayload ?? MAX_PAYLOAD,
      perMessageDeflate: false,
    });
  }

  async start(): Promise<{ port: number }> {
    if (this.server) throw new Error('already started');
    const server = createServer((_request, response) => {
      // Plain HTTP has nothing here: only the upgrade.
      response.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' }).end('Upgrade Required\n');
    });
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(request, socket, head),
    );
    server.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.host, port: this.options.port ?? 0, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    return { port: address.port };
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const status = refusal(request, this.options.token, this.options.allowedOrigins);
    if (status !== undefined) {
      reject(socket, status);
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      // Past the cap: told why (1013, try again later), then closed.
      if (this.sessions.size >= MAX_CONNECTIONS) ws.close(1013, tooManyConnections());
      else this.accept(ws);
    });
  }

  private accept(ws: WebSocket): void {
    const session = new RpcSession(this.core, (text) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED) {
        ws.terminate();
        return;
      }
      ws.send(text);
    });
    this.sessions.set(ws, session);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        ws.close(1003, 'text frames only');
        return;
      }
      void session.handleText(rawText(data));
    });
    const close = () => {
      session.close();
      this.sessions.delete(ws);
    };
    ws.on('close', close);
    ws.on('error', () => {
      close();
      ws.terminate();
    });
  }

  /** Closes every connection (and their subscriptions) and the listening socket. */
  async stop(): Promise<void> {
    for (const [ws, session] of this.sessions) {
      session.close();
      ws.terminate();
    }
    this.sessions.clear();
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
