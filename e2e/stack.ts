// The browser harness in one process, for bench:ui: what electron/dev-web.ts starts (simnet's small network with
// alice as the wallet's node, the core, the renderer built by Vite and served from 127.0.0.1, the WebSocket API),
// but with the simnet itself in hand (holdAt, release) and the core's events heard directly.

import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { build } from 'vite';
import type { Merchant } from '../electron/core/commands/context';
import { Core } from '../electron/core/core';
import { Ledger } from '../electron/core/ledger/ledger';
import { LndNode } from '../electron/core/node/lnd';
import { WebSocketServerTransport } from '../electron/transports/websocket';
import { Simnet } from '../simnet/simnet';
import { ROOT } from './browser';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
};

/** Builds renderer/ with the root vite.config.ts into a new temporary directory (as dev:web does). */
export async function buildRenderer(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'braid-bench-ui-renderer-'));
  await build({
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    clearScreen: false,
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** GET of the built files, with the page's CSP as a header (as dev:web serves them). */
function serveStatic(dir: string): Server {
  const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(
    readFileSync(join(dir, 'index.html'), 'utf8'),
  )?.[1];
  return createServer((request, response) => {
    let path = decodeURIComponent((request.url ?? '/').split(/[?#]/, 1)[0] ?? '/');
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(dir, path));
    if (!file.startsWith(dir + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      response.writeHead(404).end();
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    response.writeHead(200, {
      'Content-Type': type,
      'Cache-Control': 'no-store',
      ...(type.startsWith('text/html') && csp ? { 'Content-Security-Policy': csp } : {}),
    });
    createReadStream(file).pipe(response);
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no TCP address'));
      else resolve(address.port);
    });
  });
}

export interface Stack {
  url: string;
  simnet: Simnet;
  core: Core;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts the whole harness on `dataDir` (a fresh temporary one by default, removed at stop) with the renderer
 * already built in `rendererDir`. Simnet's default hop delays are dev:web's (20–80 ms a hop).
 */
export async function startStack(options: { rendererDir: string; dataDir?: string; seed?: number }): Promise<Stack> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'braid-bench-ui-data-'));
  const simnet = await Simnet.start({ seed: options.seed ?? 1, hopDelayMs: { min: 20, max: 80 } });
  const wallet = new LndNode({ kind: 'lndconnect', uri: simnet.nodes.alice.lndconnect }, { simulated: true });
  const bob = new LndNode({ kind: 'lndconnect', uri: simnet.nodes.bob.lndconnect }, { simulated: true });
  const merchants: Record<string, Merchant> = {
    bob: {
      addInvoice: async (msat, memo) => {
        if (bob.state !== 'connected') await bob.connect();
        return (await bob.addInvoice(msat, memo)).bolt11;
      },
    },
  };
  const core = await Core.start({ node: wallet, ledger: Ledger.open(dataDir), dataDir, simulated: true, merchants });
  const web = serveStatic(options.rendererDir);
  const webPort = await listen(web);
  const token = randomBytes(32).toString('hex');
  const transport = new WebSocketServerTransport(core, {
    port: 0,
    token,
    allowedOrigins: [`http://127.0.0.1:${webPort}`],
  });
  const { port: wsPort } = await transport.start();
  return {
    url: `http://127.0.0.1:${webPort}/?token=${token}&ws=${wsPort}`,
    simnet,
    core,
    dataDir,
    stop: async () => {
      await transport.stop();
      web.closeAllConnections();
      await new Promise<void>((r) => web.close(() => r()));
      await core.stop();
      await bob.disconnect();
      await simnet.stop();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
