import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, mkdtempSync, type ReadStream, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { type BootedCore, bootCore } from './core/boot';
import { parseCommandLine } from './core/command-line';
import type { LndConfig } from './core/node/config';
import { NODE_FLAG_OPTIONS, NODE_FLAG_USAGE, nodeConfigFromFlags } from './node-flags';
import { openInBrowser } from './open-browser';
import { WebSocketServerTransport } from './transports/websocket';

// The browser harness (`npm run dev:web -- [--lndconnect URI | --lnd-host H --lnd-cert F --lnd-macaroon F]
// [--data-dir DIR] [--open]`): the headless core (the embedded simulated network unless a node is given; a throwaway data
// directory unless one is given), the renderer built by Vite and served from 127.0.0.1, and the API on a loopback
// WebSocket that lets in only that page's origin with a random token. When ready it prints one JSON line,
// {"url": "http://127.0.0.1:PORT/?token=…&ws=PORT2"}: open it in a browser. With --open (what `./braid start`
// uses where no desktop window can be shown) it also says so in words on stderr and opens the default browser when
// there is a display.

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const cli = parseCommandLine({
  name: 'npm run dev:web --',
  usage: `Braid's interface in a browser: the core, the built renderer on 127.0.0.1 and the API on a loopback WebSocket.
Prints one JSON line {"url": …} when ready; SIGTERM or Ctrl-C stops it.
${NODE_FLAG_USAGE} (default: a temporary one, removed on exit)
  --open                  also print the URL in words and open the default browser (when there is a display)`,
  options: { ...NODE_FLAG_OPTIONS, open: { type: 'boolean' } },
});
const { values } = cli;
let config: LndConfig | undefined;
try {
  config = nodeConfigFromFlags(values);
} catch (error) {
  cli.fail(error instanceof Error ? error.message : String(error));
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The built page's CSP, sent as a header too (the meta tag stays: it is what Electron's window uses). */
function cspOf(html: string): string | undefined {
  return /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html)?.[1];
}

/**
 * The file a request path names inside `dir`, or the status to answer: 400 for a path that is not one, 403 for one
 * that leaves `dir` (`..`, an absolute path, a symlink out), 404 for anything that is not a regular file (so no
 * directory listing). `/` is index.html.
 */
function resolveStatic(dir: string, url: string | undefined): { file: string } | { status: 400 | 403 | 404 } {
  const raw = (url ?? '/').split(/[?#]/, 1)[0] ?? '/';
  if (!raw.startsWith('/')) return { status: 400 };
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return { status: 400 };
  }
  if (path.includes('\0') || path.includes('\\')) return { status: 400 };
  if (path.endsWith('/')) path += 'index.html';
  const file = resolve(dir, `.${path}`);
  const rel = relative(dir, file);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return { status: 403 };
  let real: string;
  try {
    real = realpathSync(file);
    if (!statSync(real).isFile()) return { status: 404 };
  } catch {
    return { status: 404 };
  }
  const realRel = relative(realpathSync(dir), real);
  if (realRel.startsWith(`..${sep}`) || isAbsolute(realRel)) return { status: 403 };
  return { file: real };
}

const EXPORT_NAME = /^payments-[\w.-]+\.(csv|json)$/;
const EXPORT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

function sameToken(given: string | null, token: string): boolean {
  if (given === null) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/**
 * `GET /exports/NAME?token=…`: an export the core wrote to `exportsDir` (`exportpayments`), as a download. Only with
 * the page's token (else 403), only a plain `payments-….csv|json` name that is a regular file inside that folder.
 */
function resolveExport(
  exportsDir: string,
  token: string,
  url: string,
): { file: string; name: string; type: string } | { status: 400 | 403 | 404 } {
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://127.0.0.1');
  } catch {
    return { status: 400 };
  }
  if (!sameToken(parsed.searchParams.get('token'), token)) return { status: 403 };
  let name: string;
  try {
    // The path as sent (URL would resolve `/exports/../x`).
    name = decodeURIComponent((url.split(/[?#]/, 1)[0] ?? '').slice('/exports/'.length));
  } catch {
    return { status: 400 };
  }
  const match = EXPORT_NAME.exec(name);
  if (!match || name.includes('..')) return { status: 403 };
  let real: string;
  try {
    real = realpathSync(join(exportsDir, name));
    if (!statSync(real).isFile()) return { status: 404 };
    const rel = relative(realpathSync(exportsDir), real);
    if (rel !== name) return { status: 403 };
  } catch {
    return { status: 404 };
  }
  return { file: real, name, type: EXPORT_TYPES[match[1] as string] as string };
}

/**
 * A tiny static server for the built renderer on 127.0.0.1: GET and HEAD, no listing, nothing outside `dir`; and the
 * core's exports under `/exports/` for the holder of the token.
 */
function serveStatic(dir: string, exports: { dir: string; token: string }): Server {
  const indexHtml = readFileSync(join(dir, 'index.html'), 'utf8');
  const csp = cspOf(indexHtml);
  if (!csp || !/script-src 'self'(;|$)/.test(csp)) throw new Error('the built index.html lost its strict CSP');
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    const headers: Record<string, string> = {
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('405\n');
      return;
    }
    const url = request.url ?? '/';
    if (url.startsWith('/exports/')) {
      const found = resolveExport(exports.dir, exports.token, url);
      if ('status' in found) {
        response.writeHead(found.status, { ...headers, 'Content-Type': 'text/plain' }).end(`${found.status}\n`);
        return;
      }
      sendFile(request, response, found.file, {
        ...headers,
        'Content-Type': found.type,
        'Content-Disposition': `attachment; filename="${found.name}"`,
      });
      return;
    }
    const found = resolveStatic(dir, url);
    if ('status' in found) {
      response.writeHead(found.status, { ...headers, 'Content-Type': 'text/plain' }).end(`${found.status}\n`);
      return;
    }
    const type = CONTENT_TYPES[extname(found.file).toLowerCase()] ?? 'application/octet-stream';
    if (type.startsWith('text/html')) {
      headers['Content-Security-Policy'] = csp;
      headers['X-Frame-Options'] = 'DENY';
    }
    sendFile(request, response, found.file, { ...headers, 'Content-Type': type });
  });
}

/** 200 with the file's body (none for HEAD), streamed. */
function sendFile(request: IncomingMessage, response: ServerResponse, file: string, headers: Record<string, string>) {
  response.writeHead(200, { ...headers, 'Content-Length': String(statSync(file).size) });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  const stream: ReadStream = createReadStream(file);
  stream.on('error', () => response.destroy());
  stream.pipe(response);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no TCP address'));
      else resolvePort(address.port);
    });
  });
}

/** Builds renderer/ with the root vite.config.ts (the strict CSP is kept: only `serve` relaxes it). */
async function buildRenderer(outDir: string): Promise<void> {
  await build({
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    clearScreen: false,
    build: { outDir, emptyOutDir: true },
  });
}

const tempDataDir = values['data-dir'] ? undefined : mkdtempSync(join(tmpdir(), 'braid-dev-web-data-'));
const dataDir = resolve(values['data-dir'] ?? (tempDataDir as string));
const outDir = mkdtempSync(join(tmpdir(), 'braid-dev-web-renderer-'));

let booted: BootedCore | undefined;
let transport: WebSocketServerTransport | undefined;
let web: Server | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await transport?.stop().catch(() => {});
    if (web) {
      web.closeAllConnections();
      await new Promise<void>((r) => web?.close(() => r()));
    }
    await booted?.stop().catch(() => {});
    rmSync(outDir, { recursive: true, force: true });
    if (tempDataDir) rmSync(tempDataDir, { recursive: true, force: true });
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

async function main(): Promise<void> {
  const built = buildRenderer(outDir);
  built.catch(() => {}); // Awaited below; no unhandled rejection while the core starts.
  booted = await bootCore({ dataDir, node: config });
  const { core } = booted;
  await built;

  const token = randomBytes(32).toString('hex');
  web = serveStatic(outDir, { dir: join(dataDir, 'exports'), token });
  const webPort = await listen(web);
  transport = new WebSocketServerTransport(core, {
    port: 0,
    token,
    allowedOrigins: [`http://127.0.0.1:${webPort}`],
  });
  const { port: wsPort } = await transport.start();
  const url = `http://127.0.0.1:${webPort}/?token=${token}&ws=${wsPort}`;
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  if (values.open) {
    const opened = openInBrowser(url);
    process.stderr.write(
      `\nBraid is running${config ? '' : ' on the embedded simulated network'}. Its interface, in a browser:\n\n` +
        `    ${url}\n\n${opened ? 'Opening it in your default browser. ' : ''}Ctrl-C stops Braid.\n`,
    );
  }
}

main().catch((error) => {
  process.stderr.write(`braid dev:web: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  void shutdown(1);
});
