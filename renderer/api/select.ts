// Which transport carries the renderer's API: the preload's `window.braid` inside Electron; the loopback
// WebSocket when the page was opened by `npm run dev:web` (its URL carries `?token=…&ws=PORT`).

import type { BraidApi } from './client';
import { createIpcApi } from './ipc';
import { connectWebSocketApi } from './websocket';

export interface TransportEnvironment {
  /** `window.braid`, when the preload put it there. */
  braid?: BraidApi;
  /** The page URL's query, e.g. `?token=…&ws=51234`. */
  search: string;
  /** The WebSocket class (tests); the browser's by default. */
  WebSocket?: typeof WebSocket;
}

const TOKEN = /^[0-9A-Za-z_-]{16,256}$/;

export function pickTransport(
  env: TransportEnvironment = { braid: globalThis.window?.braid, search: globalThis.location?.search ?? '' },
): BraidApi {
  if (env.braid) return createIpcApi(env.braid);
  const query = new URLSearchParams(env.search);
  const token = query.get('token');
  const ws = query.get('ws');
  if (token !== null && ws !== null) {
    const port = Number(ws);
    if (!/^\d{1,5}$/.test(ws) || port < 1 || port > 65535) throw new Error(`Braid: bad ws port in the page URL: ${ws}`);
    if (!TOKEN.test(token)) throw new Error('Braid: bad token in the page URL');
    return connectWebSocketApi({
      url: `ws://127.0.0.1:${port}/?token=${encodeURIComponent(token)}`,
      WebSocket: env.WebSocket,
    });
  }
  throw new Error(
    'Braid: no wallet API. Inside Electron the preload provides window.braid; in a browser open the URL that ' +
      '`npm run dev:web` prints (it carries ?token=…&ws=PORT).',
  );
}

/**
 * Where the browser harness serves an export the core wrote (`exportpayments`' `path`) as a download:
 * `/exports/NAME?token=…`. Undefined inside Electron (the file is on the user's disk already) or without a token.
 */
export function exportDownloadUrl(
  path: string,
  env: Pick<TransportEnvironment, 'braid' | 'search'> = {
    braid: globalThis.window?.braid,
    search: globalThis.location?.search ?? '',
  },
): string | undefined {
  if (env.braid) return undefined;
  const token = new URLSearchParams(env.search).get('token');
  if (token === null || !TOKEN.test(token)) return undefined;
  const name = path.split(/[\\/]/).pop() ?? '';
  if (name === '') return undefined;
  return `/exports/${encodeURIComponent(name)}?token=${encodeURIComponent(token)}`;
}

/** Has the browser download `url` (a same-origin link with `download`, clicked from code). */
export function startDownload(url: string, name: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
}
