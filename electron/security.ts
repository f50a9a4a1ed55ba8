// The window's security policy, free of Electron so that tests can hold it (security.test.ts): what main.ts applies
// to every window and webContents, and the checks behind its guards. Electron's checklist:
// https://www.electronjs.org/docs/latest/tutorial/security

import type { WebPreferences } from 'electron';

/**
 * Every BrowserWindow gets these (main.ts adds only `preload`). Each one spelled out, even where it is Electron's
 * default, so that a change of default or a careless edit cannot loosen it unnoticed.
 */
export const WEB_PREFERENCES = Object.freeze({
  /** The page cannot reach the preload's globals or Electron's internals. */
  contextIsolation: true,
  /** Chromium's OS sandbox; the preload gets a minimal `require('electron')`, no Node. */
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  /** Same-origin policy on. */
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  /** A file dropped on the window must not replace the wallet's page. */
  navigateOnDragDrop: false,
  /** Spellcheck would send typed text (descriptions, node addresses) to a dictionary service. */
  spellcheck: false,
  /** A page looping on alert() can be stopped. */
  safeDialogs: true,
} as const) satisfies WebPreferences;

/** renderer/index.html's `<meta>` policy, word for word: only our bundled scripts and styles, no inline code. */
export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws://127.0.0.1:*; img-src 'self' data:";

/**
 * The policy main.ts sends as a header on every response, on top of the meta tag: the same directives, plus those a
 * meta tag cannot carry (frame-ancestors) or that close what default-src leaves open (plugins, <base>, forms).
 */
export const CSP = `${RENDERER_CSP}; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/**
 * The header under `electron-forge start`: the Vite dev server needs React Fast Refresh's inline preamble, injected
 * <style> tags and its HMR websocket (vite.config.ts relaxes the meta tag the same way, for `serve` only). Never
 * 'unsafe-eval'. Packaged builds always get CSP.
 */
export const DEV_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
  .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
  .replace('ws://127.0.0.1:*', 'ws://127.0.0.1:* ws://localhost:*');

/** directive → its sources, in order. Directive names lowercased; a repeated directive keeps the first (as CSP). */
export function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    const key = name.toLowerCase();
    if (!directives.has(key)) directives.set(key, sources);
  }
  return directives;
}

// ---------------------------------------------------------------------------------------------------------------
// Origins. The app is either the dev server (http://localhost:<port>) or the packaged index.html on file://, which
// has no real origin (Chromium gives every file: page the same opaque one): there the app is that one file.
// ---------------------------------------------------------------------------------------------------------------

/**
 * What identifies the app's page: the origin for http(s), `file://<path>` for a file. Undefined for anything else
 * (no URL, another scheme), which then never matches.
 */
export function appOriginOf(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.origin;
  if (parsed.protocol === 'file:' && parsed.host === '') return `file://${parsed.pathname}`;
  return undefined;
}

/**
 * `will-navigate` / `will-redirect`: only to the app itself (a reload, the dev server's full reload). Everything
 * else, including other files and other ports of localhost, is refused.
 */
export function isAllowedNavigation(url: string, appOrigin: string): boolean {
  const origin = appOriginOf(url);
  return origin !== undefined && origin === appOrigin;
}

/** The part of Electron's WebFrameMain the IPC check reads. */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
}

/**
 * An IPC message is ours only when it comes from the top frame of a page that is the app: not from an iframe (even a
 * same-origin one), not from a frame that navigated away or was destroyed (Electron then gives null).
 */
export function isTrustedSender(frame: FrameLike | null | undefined, appOrigin: string): boolean {
  if (!frame || frame.parent !== null) return false;
  return isAllowedNavigation(frame.url, appOrigin);
}

/** Sites the window may open in the user's browser (links to a transaction, a node, a channel). https only. */
export const EXTERNAL_HOSTS: readonly string[] = Object.freeze(['mempool.space', '1ml.com', 'amboss.space']);

/** For `shell.openExternal`: https, an allow-listed host exactly, no credentials, the default port. */
export function isAllowedExternal(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'https:' &&
    parsed.username === '' &&
    parsed.password === '' &&
    parsed.port === '' &&
    EXTERNAL_HOSTS.includes(parsed.hostname)
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Permissions: the wallet needs none of camera, microphone, notifications, geolocation, MIDI, HID, USB… Only
// writing to the clipboard (navigator.clipboard.writeText), to copy an invoice or a preimage.
// ---------------------------------------------------------------------------------------------------------------

export const ALLOWED_PERMISSIONS: readonly string[] = Object.freeze(['clipboard-sanitized-write']);

/**
 * setPermissionRequestHandler / setPermissionCheckHandler. `requesting` is the requesting URL or origin. The file:
 * app is matched on the scheme alone, since a permission check only carries the (opaque) origin `file:///`.
 */
export function isPermissionAllowed(permission: string, requesting: string | undefined, appOrigin: string): boolean {
  if (!ALLOWED_PERMISSIONS.includes(permission) || !requesting) return false;
  if (appOrigin.startsWith('file://')) return requesting.startsWith('file://');
  return appOriginOf(requesting) === appOrigin;
}

// ---------------------------------------------------------------------------------------------------------------
// Payment links: what the OS hands over (argv on Linux and Windows, `open-url` on macOS) is untrusted text. Only a
// well-formed BOLT11 (bech32 checksum included) goes on to the window, which then decodes it with `decodepay`.
// ---------------------------------------------------------------------------------------------------------------

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32_GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
/** ln + a network (mainnet, testnet, signet, regtest, simnet) + an optional amount. */
const BOLT11_HRP = /^ln(bcrt|bc|tbs|tb|sb)(\d+[munp]?)?$/;
/** Timestamp (7) + signature (104) + checksum (6) characters at least. */
const BOLT11_MIN_DATA = 117;
const BOLT11_MAX_LENGTH = 7089;

function bech32Polymod(values: number[]): number {
  let chk = 1;
  for (const value of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= BECH32_GENERATOR[i] as number;
  }
  return chk;
}

/** A BOLT11 invoice (one case, bech32 checksum valid, a known network), lowercased; undefined otherwise. */
export function parseBolt11(text: string): string | undefined {
  if (text.length > BOLT11_MAX_LENGTH || (text !== text.toLowerCase() && text !== text.toUpperCase())) return;
  const s = text.toLowerCase();
  const separator = s.lastIndexOf('1');
  if (separator < 0) return;
  const hrp = s.slice(0, separator);
  const data = s.slice(separator + 1);
  if (!BOLT11_HRP.test(hrp) || data.length < BOLT11_MIN_DATA) return;
  const values: number[] = [];
  for (const char of data) {
    const value = BECH32_CHARSET.indexOf(char);
    if (value < 0) return;
    values.push(value);
  }
  const expanded = [...hrp].map((c) => c.charCodeAt(0) >> 5);
  expanded.push(0);
  for (const c of hrp) expanded.push(c.charCodeAt(0) & 31);
  return bech32Polymod([...expanded, ...values]) === 1 ? s : undefined;
}

function parseLink(raw: string): string | undefined {
  let text = raw.trim();
  const bip21 = /^bitcoin:/i.exec(text);
  if (bip21) {
    // BIP21 with a lightning fallback: bitcoin:<address>?amount=…&lightning=<bolt11>.
    const query = text.indexOf('?');
    if (query < 0) return;
    for (const [key, value] of new URLSearchParams(text.slice(query + 1))) {
      if (key.toLowerCase() === 'lightning') return parseBolt11(value.trim());
    }
    return;
  }
  text = text.replace(/^lightning:(\/\/)?/i, '');
  return parseBolt11(text);
}

/**
 * The BOLT11 in what the OS passed: a `lightning:` URL (`lightning:ln…`, `lightning://ln…`, any case), a bare
 * invoice, or a BIP21 `bitcoin:` URI with `lightning=`. Given argv, the first argument that is one (options, i.e.
 * arguments starting with '-', are skipped). Undefined when there is none.
 */
export function parseLightningLink(argvOrUrl: string | readonly string[]): string | undefined {
  if (typeof argvOrUrl === 'string') return parseLink(argvOrUrl);
  for (const arg of argvOrUrl) {
    if (typeof arg !== 'string' || arg.startsWith('-')) continue;
    const bolt11 = parseLink(arg);
    if (bolt11) return bolt11;
  }
  return undefined;
}
