import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeInvoice, type InvoiceNetwork } from '../simnet/crypto/invoice';
import { nodeKey } from '../simnet/crypto/keys';
import {
  appOriginOf,
  CSP,
  DEV_CSP,
  EXTERNAL_HOSTS,
  isAllowedExternal,
  isAllowedNavigation,
  isPermissionAllowed,
  isTrustedSender,
  parseBolt11,
  parseCsp,
  parseLightningLink,
  RENDERER_CSP,
  WEB_PREFERENCES,
} from './security';

// The window's security policy (Electron's security checklist, electronjs.org/docs/latest/tutorial/security) held without Electron: the values themselves, and
// a look at main.ts and renderer/index.html to see that they are really used.

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const mainSource = read('./main.ts');
const indexHtml = read('../renderer/index.html');

describe('web preferences', () => {
  it('has every hardening flag set, none left to a default', () => {
    expect(WEB_PREFERENCES).toEqual({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    });
    expect(WEB_PREFERENCES).not.toHaveProperty('enableBlinkFeatures');
    expect(WEB_PREFERENCES).not.toHaveProperty('preload');
    expect(Object.isFrozen(WEB_PREFERENCES)).toBe(true);
  });
});

/** What makes a script policy weak; empty for a good one. */
function scriptPolicyProblems(policy: string, options: { dev?: boolean } = {}): string[] {
  const csp = parseCsp(policy);
  const problems: string[] = [];
  const scripts = csp.get('script-src') ?? csp.get('default-src');
  if (!csp.has('script-src')) problems.push('no script-src');
  if (!scripts?.includes("'self'")) problems.push("script-src lacks 'self'");
  for (const [name, sources] of csp) {
    if (sources.includes("'unsafe-eval'") || sources.includes("'wasm-unsafe-eval'")) problems.push(`${name} evals`);
    if (sources.some((s) => s === '*' || s === 'data:' || s === 'blob:' || s === 'http:' || s === 'https:')) {
      if (name === 'script-src' || name === 'default-src' || name === 'object-src') problems.push(`${name} too wide`);
    }
  }
  if (!options.dev && scripts?.includes("'unsafe-inline'")) problems.push('inline scripts');
  if (csp.get('default-src')?.join(' ') !== "'self'") problems.push("default-src is not 'self'");
  return problems;
}

describe('content security policy', () => {
  it('allows only our own scripts, no eval, no inline code, and closes plugins, <base>, forms and framing', () => {
    expect(scriptPolicyProblems(CSP)).toEqual([]);
    const csp = parseCsp(CSP);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('catches a weakened policy (the check above is not vacuous)', () => {
    expect(scriptPolicyProblems(CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-eval'"))).toContain(
      'script-src evals',
    );
    expect(scriptPolicyProblems(CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"))).toContain(
      'inline scripts',
    );
    expect(scriptPolicyProblems(CSP.replace("script-src 'self'; ", ''))).toContain('no script-src');
    expect(scriptPolicyProblems(CSP.replace("script-src 'self'", 'script-src https:'))).toContain(
      "script-src lacks 'self'",
    );
    expect(scriptPolicyProblems(CSP.replace("default-src 'self'", 'default-src *'))).toContain('default-src too wide');
  });

  it('relaxes only inline code for the dev server, never eval', () => {
    expect(scriptPolicyProblems(DEV_CSP, { dev: true })).toEqual([]);
    expect(DEV_CSP).not.toContain('unsafe-eval');
    expect(parseCsp(DEV_CSP).get('object-src')).toEqual(["'none'"]);
  });

  it('is the policy of renderer/index.html, whose meta tag the header repeats directive for directive', () => {
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(indexHtml)?.[1];
    expect(meta).toBe(RENDERER_CSP);
    const header = parseCsp(CSP);
    for (const [name, sources] of parseCsp(meta as string)) expect(header.get(name), name).toEqual(sources);
    expect(scriptPolicyProblems(meta as string)).toEqual([]);
  });
});

describe('origins and navigation', () => {
  const dev = appOriginOf('http://localhost:5173/') as string;
  const packagedPage = pathToFileURL('/opt/Braid/resources/app.asar/.vite/renderer/main_window/index.html').href;
  const packaged = appOriginOf(packagedPage) as string;

  it('lets the app reload itself', () => {
    expect(isAllowedNavigation('http://localhost:5173/', dev)).toBe(true);
    expect(isAllowedNavigation('http://localhost:5173/src/main.tsx?t=1#x', dev)).toBe(true);
    expect(isAllowedNavigation(packagedPage, packaged)).toBe(true);
    expect(isAllowedNavigation(`${packagedPage}#/settings`, packaged)).toBe(true);
  });

  it('refuses any foreign origin', () => {
    for (const url of [
      'https://evil.example/',
      'http://localhost:5174/',
      'https://localhost:5173/',
      'http://127.0.0.1:5173/',
      'http://localhost:5173@evil.example/',
      'http://localhost.evil.example:5173/',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'about:blank',
      'not a url',
      '',
    ]) {
      expect(isAllowedNavigation(url, dev), url).toBe(false);
    }
    for (const url of [
      pathToFileURL('/home/me/Downloads/invoice.html').href,
      pathToFileURL('/opt/Braid/resources/app.asar/.vite/renderer/main_window/other.html').href,
      'file://evil.example/opt/Braid/resources/app.asar/.vite/renderer/main_window/index.html',
      'http://localhost:5173/',
    ]) {
      expect(isAllowedNavigation(url, packaged), url).toBe(false);
    }
  });

  it('trusts IPC only from the app’s top frame', () => {
    expect(isTrustedSender({ url: 'http://localhost:5173/', parent: null }, dev)).toBe(true);
    const top = { url: 'http://localhost:5173/', parent: null };
    expect(isTrustedSender({ url: 'http://localhost:5173/frame.html', parent: top }, dev)).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null }, dev)).toBe(false);
    expect(isTrustedSender(null, dev)).toBe(false);
    expect(isTrustedSender(undefined, dev)).toBe(false);
  });

  it('opens only allow-listed https sites in the browser', () => {
    for (const host of EXTERNAL_HOSTS) expect(isAllowedExternal(`https://${host}/tx/${'a'.repeat(64)}`)).toBe(true);
    for (const url of [
      'http://mempool.space/',
      'https://mempool.space.evil.example/',
      'https://evil.example/?https://mempool.space',
      'https://user:pass@mempool.space/',
      'https://mempool.space:8443/',
      'https://sub.1ml.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://mempool.space/share',
      'lightning:lnbc1',
      '',
    ]) {
      expect(isAllowedExternal(url), url).toBe(false);
    }
  });

  it('grants no permission but clipboard writing, and that only to the app', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', 'http://localhost:5173/', dev)).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'file:///', packaged)).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://evil.example/', dev)).toBe(false);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'http://localhost:5173/', packaged)).toBe(false);
    expect(isPermissionAllowed('clipboard-sanitized-write', undefined, dev)).toBe(false);
    for (const permission of [
      'clipboard-read',
      'media',
      'notifications',
      'geolocation',
      'openExternal',
      'fullscreen',
      'midi',
      'hid',
      'usb',
      'serial',
      'pointerLock',
      'display-capture',
      'unknown',
    ]) {
      expect(isPermissionAllowed(permission, 'http://localhost:5173/', dev), permission).toBe(false);
    }
  });
});

describe('payment links', () => {
  const key = nodeKey(1, 'merchant');
  const invoice = (network: InvoiceNetwork, amountMsat: bigint) =>
    encodeInvoice({
      network,
      privateKey: key.privateKey,
      pubkey: key.pubkey,
      paymentHash: new Uint8Array(32).fill(1),
      paymentSecret: new Uint8Array(32).fill(2),
      amountMsat,
      description: 'coffee',
      createdAt: new Date(1_700_000_000_000),
      expirySeconds: 3600,
      cltvExpiry: 40,
    });
  const mainnet = invoice('mainnet', 250_000_000n);
  const regtest = invoice('regtest', 0n);

  it('accepts real BOLT11 invoices of every network, with or without an amount', () => {
    for (const network of ['mainnet', 'testnet', 'signet', 'regtest', 'simnet'] as const) {
      const bolt11 = invoice(network, 1_000n);
      expect(parseBolt11(bolt11), network).toBe(bolt11);
    }
    expect(parseBolt11(regtest)).toBe(regtest);
    expect(parseBolt11(mainnet.toUpperCase())).toBe(mainnet);
  });

  it('finds the invoice in a lightning: URL, a BIP21 URI or argv', () => {
    expect(parseLightningLink(`lightning:${mainnet}`)).toBe(mainnet);
    expect(parseLightningLink(`LIGHTNING:${mainnet.toUpperCase()}`)).toBe(mainnet);
    expect(parseLightningLink(`lightning://${mainnet}`)).toBe(mainnet);
    expect(parseLightningLink(` ${mainnet}\n`)).toBe(mainnet);
    expect(parseLightningLink(`bitcoin:bc1qexample?amount=0.0025&lightning=${mainnet}`)).toBe(mainnet);
    expect(parseLightningLink(`bitcoin:BC1QEXAMPLE?LIGHTNING=${mainnet.toUpperCase()}`)).toBe(mainnet);
    expect(parseLightningLink(['/opt/Braid/braid', '--no-sandbox', `lightning:${regtest}`])).toBe(regtest);
    expect(parseLightningLink(['/usr/bin/electron', '.', regtest])).toBe(regtest);
  });

  it('refuses anything that is not a well-formed invoice', () => {
    const flipped = `${mainnet.slice(0, -1)}${mainnet.endsWith('q') ? 'p' : 'q'}`;
    const mixedCase = `${mainnet.slice(0, 10).toUpperCase()}${mainnet.slice(10)}`;
    for (const link of [
      flipped,
      mixedCase,
      mainnet.replace('lnbc', 'lnxy'),
      `${mainnet}b`,
      mainnet.slice(0, 60),
      `lightning:${mainnet}&x=1`,
      'lightning:lnbc1',
      `lnurl1${'q'.repeat(120)}`,
      `lightning:javascript:alert(1)`,
      `bitcoin:bc1qexample?amount=1`,
      `bitcoin:bc1qexample?lightning=${flipped}`,
      `https://evil.example/?${mainnet}`,
      '',
      'lightning:',
    ]) {
      expect(parseLightningLink(link), link).toBeUndefined();
    }
    expect(parseLightningLink(['/opt/Braid/braid', `--flag=lightning:${mainnet}`])).toBeUndefined();
    expect(parseLightningLink([])).toBeUndefined();
  });
});

describe('main.ts uses the policy', () => {
  const uses = (pattern: RegExp) => expect(mainSource).toMatch(pattern);

  it('gives every window WEB_PREFERENCES, adding only the preload (and devtools off when packaged)', () => {
    uses(/new BrowserWindow\(\{[\s\S]*?webPreferences: \{ \.\.\.WEB_PREFERENCES, preload: [^}]*\}/);
    expect(mainSource.match(/new BrowserWindow\(/g)).toHaveLength(1);
    const prefs = /webPreferences: \{ \.\.\.WEB_PREFERENCES, ([^}]*)\}/.exec(mainSource)?.[1] ?? '';
    expect(prefs.replace(/preload: path\.join\(__dirname, 'preload\.cjs'\),?/, '').trim()).toBe(
      'devTools: !app.isPackaged',
    );
    uses(/app\.enableSandbox\(\)/);
  });

  it('guards every webContents: navigation, redirects, new windows, <webview>', () => {
    uses(/app\.on\('web-contents-created'/);
    uses(/contents\.on\('will-navigate', stayHome\)/);
    uses(/contents\.on\('will-redirect', stayHome\)/);
    uses(/if \(!isAllowedNavigation\(event\.url, APP_ORIGIN\)\) event\.preventDefault\(\)/);
    uses(/contents\.setWindowOpenHandler\([\s\S]*?isAllowedExternal\(url\)[\s\S]*?return \{ action: 'deny' \}/);
    uses(/contents\.on\('will-attach-webview', \(event\) => event\.preventDefault\(\)\)/);
    expect(mainSource).not.toMatch(/action: 'allow'/);
    expect(mainSource.match(/shell\.openExternal\(/g)).toHaveLength(1);
  });

  it('sends the CSP header and routes every permission through the policy', () => {
    uses(/webRequest\.onHeadersReceived\(/);
    uses(/\['Content-Security-Policy'\] = \[dev \? DEV_CSP : CSP\]/);
    uses(/setPermissionRequestHandler\([\s\S]*?callback\(isPermissionAllowed\(permission, /);
    uses(/setPermissionCheckHandler\([\s\S]*?isPermissionAllowed\(permission, requestingOrigin, APP_ORIGIN\)/);
  });

  it('routes IPC through the checked handlers and payment links through parseLightningLink', () => {
    uses(/registerIpcHandlers\(\{[\s\S]*?appOrigin: APP_ORIGIN/);
    expect(mainSource).not.toMatch(/ipcMain\.(on|handle|handleOnce)\(/);
    uses(/app\.on\('open-url'[\s\S]*?deliverLink\(parseLightningLink\(url\)\)/);
    uses(/app\.on\('second-instance'[\s\S]*?deliverLink\(parseLightningLink\(argv\.slice\(1\)\)\)/);
    uses(/app\.requestSingleInstanceLock\(\)/);
  });
});

describe('preload', () => {
  it('exposes one object, built by the bridge, and nothing of Electron itself', () => {
    const source = read('./preload.ts');
    expect(source.match(/contextBridge\.exposeInMainWorld\(/g)).toHaveLength(1);
    expect(source).toMatch(/contextBridge\.exposeInMainWorld\('braid', createBridge\(ipcRenderer\)\);/);
    // A sandboxed preload can only require('electron'): no Node module, no other package.
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual(['electron', './ipc/bridge']);
    const bridge = read('./ipc/bridge.ts');
    expect([...bridge.matchAll(/^import[^;]*from '([^']+)'/gm)].map((m) => m[1])).toEqual([
      '../../shared/api/channels',
      '../../shared/api/events',
    ]);
  });
});
