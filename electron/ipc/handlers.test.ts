import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BraidBridge, IPC, type IpcError } from '../../shared/api/channels';
import type { ApiEvent } from '../../shared/api/events';
import { appOriginOf } from '../security';
import { type Harness, startHarness } from '../test/harness';
import { createBridge } from './bridge';
import { type IpcHandlers, REFUSED_MESSAGE, registerIpcHandlers } from './handlers';
import { TestBus, type TestWebContents } from './test-bus';

// The window's IPC with a real Core (simnet over gRPC, a SQLite ledger) and the in-memory bus of test-bus.ts in
// place of Electron, which cannot run here.

const APP_URL = 'http://localhost:5173/';
const APP_ORIGIN = appOriginOf(APP_URL) as string;

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function rejection(promise: Promise<unknown>): Promise<IpcError> {
  try {
    await promise;
  } catch (error) {
    return error as IpcError;
  }
  throw new Error('expected a rejection');
}

describe('IPC handlers over a real core', () => {
  let h: Harness;
  let bus: TestBus;
  let handlers: IpcHandlers;
  let win: TestWebContents;
  let braid: BraidBridge;
  const exportDir = mkdtempSync(join(tmpdir(), 'braid-ipc-export-'));
  let exportChoice: string | undefined;
  const notices: unknown[] = [];

  beforeAll(async () => {
    h = await startHarness();
    bus = new TestBus();
    handlers = registerIpcHandlers({
      ipcMain: bus.ipcMain,
      appOrigin: APP_ORIGIN,
      core: h.core,
      chooseExportPath: async () => exportChoice,
      notify: async (_sender, notice) => {
        notices.push(notice);
        return true;
      },
    });
    win = bus.window(APP_URL);
    braid = createBridge(win.renderer());
  });
  afterAll(async () => {
    handlers?.dispose();
    await h?.stop();
    rmSync(exportDir, { recursive: true, force: true });
  });

  it('answers a good call from our page: getinfo', async () => {
    const info = await braid.call('getinfo');
    expect(info).toMatchObject({ alias: 'alice', simulated: true });
    expect(info.id).toMatch(/^0[23][0-9a-f]{64}$/);
  });

  it('refuses every channel to another origin, an iframe of our own page, and a frame that is gone', async () => {
    const evil = bus.window('https://evil.example/');
    const otherPort = bus.window('http://localhost:5174/');
    const subframe = win.renderer(win.mainFrame.child(APP_URL));
    const gone = win.renderer();
    gone.frameGone();
    for (const renderer of [evil.renderer(), otherPort.renderer(), subframe, gone]) {
      for (const [channel, args] of [
        [IPC.call, ['getinfo', {}]],
        [IPC.subscribe, ['page/1', ['payment']]],
        [IPC.unsubscribe, ['page/1']],
        [IPC.openLinkReady, ['page']],
      ] as const) {
        await expect(renderer.invoke(channel, ...args)).rejects.toThrow(REFUSED_MESSAGE);
      }
    }
    // Through the bridge the refusal is a plain { code, message } like any error.
    expect(await rejection(createBridge(evil.renderer()).call('getinfo'))).toMatchObject({
      code: -1,
      message: expect.stringContaining(REFUSED_MESSAGE),
    });
    expect(handlers.subscriptionCount()).toBe(0);
  });

  it('notify: a checked notice from our page reaches the OS port; a click comes back as showPayment', async () => {
    const hash = 'ab'.repeat(32);
    expect(await braid.notify({ payment_hash: hash, title: 'Payment complete', body: '1,000 sat to bob' })).toEqual({
      shown: true,
    });
    expect(notices).toEqual([{ payment_hash: hash, title: 'Payment complete', body: '1,000 sat to bob' }]);
    for (const [bad, field] of [
      [{ payment_hash: 'xyz', title: 't', body: '' }, 'notice.payment_hash'],
      [{ payment_hash: hash, title: '', body: '' }, 'notice.title'],
      [{ payment_hash: hash, title: 't', body: 'x'.repeat(1000) }, 'notice.body'],
      ['not an object', 'notice'],
    ] as const) {
      expect(await rejection(braid.notify(bad as never))).toMatchObject({
        code: -32602,
        message: expect.stringContaining(field),
      });
    }
    expect(notices).toHaveLength(1);
    await expect(bus.window('https://evil.example/').renderer().invoke(IPC.notify, notices[0])).rejects.toThrow(
      REFUSED_MESSAGE,
    );
    expect(notices).toHaveLength(1);
    const shown: string[] = [];
    const off = braid.onShowPayment((m) => shown.push(m.payment_hash));
    handlers.showPayment(win, hash);
    await until(() => shown.length === 1, 'the showPayment message');
    off();
    expect(shown).toEqual([hash]);
  });

  it('refuses a file:// page other than the app’s own index.html', async () => {
    const appFile = pathToFileURL('/opt/braid/resources/app.asar/.vite/renderer/main_window/index.html').href;
    const fileBus = new TestBus();
    const fileHandlers = registerIpcHandlers({
      ipcMain: fileBus.ipcMain,
      appOrigin: appOriginOf(appFile) as string,
      core: h.core,
    });
    try {
      expect(await createBridge(fileBus.window(`${appFile}#/pay`).renderer()).call('getinfo')).toMatchObject({
        alias: 'alice',
      });
      const other = fileBus.window(pathToFileURL('/tmp/downloaded.html').href);
      await expect(other.renderer().invoke(IPC.call, 'getinfo')).rejects.toThrow(REFUSED_MESSAGE);
    } finally {
      fileHandlers.dispose();
    }
  });

  it('answers bad params with the same -32602 as JSON-RPC', async () => {
    const cases: [string, unknown][] = [
      ['getroutes', { destination: 'not a node id', msatoshi: 1000 }],
      ['getroutes', { destination: `02${'a'.repeat(64)}`, msatoshi: -5 }],
      ['waitpartialpay', { id: 'seven' }],
      ['listpayments', ['00', 'extra']],
      ['decodepay', {}],
      ['sendpay', { route: [{ id: 'x' }], payment_hash: 'ab' }],
      ['nosuchcommand', {}],
    ];
    for (const [name, params] of cases) {
      const overIpc = await rejection(braid.call(name as 'getinfo', params as never));
      const overRpc = (await rejection(h.rpc.call(name, params))) as IpcError;
      expect(overIpc.code).toBe(name === 'nosuchcommand' ? -32601 : -32602);
      expect(overIpc).toEqual({ code: overRpc.code, message: overRpc.message });
    }
  });

  it('passes bigints both ways and pays through IPC, with payment events arriving as they happen', async () => {
    const events: ApiEvent[] = [];
    const unsubscribe = braid.subscribe(['payment', 'partialpayment'], (e) => events.push(e));
    const { bolt11 } = await braid.call('testinvoice', { msatoshi: 25_000_000n, description: 'over ipc' });
    const decoded = await braid.call('decodepay', { bolt11 });
    expect(decoded.msatoshi).toBe(25_000_000n);
    const payment = await braid.call('pay', { bolt11, retry_for: 20 });
    expect(payment).toMatchObject({ status: 'complete', msatoshi: 25_000_000n });
    await until(() => events.some((e) => e.event === 'payment' && e.data.status === 'complete'), 'the payment event');
    const last = events.filter((e) => e.event === 'payment').at(-1);
    expect(last?.event === 'payment' && typeof last.data.msatoshi).toBe('bigint');
    expect(events.some((e) => e.event === 'partialpayment')).toBe(true);
    unsubscribe();
  });

  it('subscribe then unsubscribe stops the events and frees the core listener and the page listener', async () => {
    const before = h.core.events.listenerCount();
    const seen: ApiEvent[] = [];
    const unsubscribe = braid.subscribe(['node', 'payment'], (e) => seen.push(e));
    await until(() => h.core.events.listenerCount() === before + 2, 'the core listeners');
    expect(win.rendererListenerCount(IPC.event)).toBe(1);

    h.core.events.emit('node', { state: 'connected' });
    expect(seen).toEqual([{ event: 'node', data: { state: 'connected' } }]);

    unsubscribe();
    unsubscribe(); // twice is harmless
    expect(win.rendererListenerCount(IPC.event)).toBe(0);
    await until(() => h.core.events.listenerCount() === before, 'the core listeners to go');
    expect(handlers.subscriptionCount()).toBe(0);
    h.core.events.emit('node', { state: 'lost' });
    expect(seen).toHaveLength(1);
  });

  it('keeps two subscriptions of one page apart', async () => {
    const a: ApiEvent[] = [];
    const b: ApiEvent[] = [];
    const offA = braid.subscribe(['node'], (e) => a.push(e));
    const offB = braid.subscribe(['node'], (e) => b.push(e));
    await until(() => handlers.subscriptionCount() === 2, 'both subscriptions');
    h.core.events.emit('node', { state: 'connecting' });
    offA();
    await until(() => handlers.subscriptionCount() === 1, 'one subscription');
    h.core.events.emit('node', { state: 'connected' });
    expect(a.map((e) => e.data)).toEqual([{ state: 'connecting' }]);
    expect(b.map((e) => e.data)).toEqual([{ state: 'connecting' }, { state: 'connected' }]);
    offB();
    await until(() => handlers.subscriptionCount() === 0, 'no subscription');
  });

  it('frees every listener of a window when it is destroyed', async () => {
    const before = h.core.events.listenerCount();
    const doomed = bus.window(APP_URL);
    const page = createBridge(doomed.renderer());
    page.subscribe(['payment'], () => {});
    page.subscribe(['partialpayment', 'node'], () => {});
    await until(() => h.core.events.listenerCount() === before + 3, 'the core listeners');
    doomed.destroy();
    expect(h.core.events.listenerCount()).toBe(before);
    expect(handlers.subscriptionCount()).toBe(0);
  });

  it('drops what a page held when the window loads a new page (a reload)', async () => {
    const before = h.core.events.listenerCount();
    const reloaded = bus.window(APP_URL);
    createBridge(reloaded.renderer(), 'first-page').subscribe(['payment', 'node'], () => {});
    await until(() => h.core.events.listenerCount() === before + 2, 'the first page’s listeners');
    reloaded.reload();
    createBridge(reloaded.renderer(), 'second-page').subscribe(['node'], () => {});
    await until(() => h.core.events.listenerCount() === before + 1, 'only the second page’s listener');
    reloaded.destroy();
    expect(h.core.events.listenerCount()).toBe(before);
  });

  it('refuses bad subscriptions as JSON-RPC does, and subscribe/unsubscribe as plain calls', async () => {
    const error = await new Promise<IpcError>((resolve) => {
      braid.subscribe(['payments' as 'payment'], () => {}, resolve);
    });
    const overRpc = (await rejection(h.rpc.call('subscribe', { events: ['payments'] }))) as IpcError;
    expect(error).toEqual({ code: -32602, message: overRpc.message });
    expect(win.rendererListenerCount(IPC.event)).toBe(0);

    await expect(win.renderer().invoke(IPC.subscribe, '../etc', ['payment'])).resolves.toMatchObject({
      ok: false,
      error: { code: -32602 },
    });
    expect(await rejection(braid.call('subscribe', { events: ['payment'] }))).toMatchObject({ code: -32600 });
    expect(handlers.subscriptionCount()).toBe(0);
  });

  it('exports to the file the user picks, never to a path from the page', async () => {
    exportChoice = join(exportDir, 'history.csv');
    const result = await braid.call('exportpayments', { format: 'csv' });
    expect(result).toMatchObject({ path: exportChoice });
    expect(result.payments).toBeGreaterThanOrEqual(1);
    expect(readFileSync(exportChoice, 'utf8')).toContain('over ipc');

    const fromPage = join(exportDir, 'chosen-by-page.json');
    expect(await rejection(braid.call('exportpayments', { format: 'json', path: fromPage }))).toMatchObject({
      code: -32602,
      message: expect.stringContaining('path'),
    });
    expect(existsSync(fromPage)).toBe(false);
    expect(await rejection(braid.call('exportpayments', { format: 'xml' as 'csv' }))).toMatchObject({ code: -32602 });

    // History's filters and a job the window can follow (and cancel) over IPC too.
    exportChoice = join(exportDir, 'filtered.csv');
    const filtered = await braid.call('exportpayments', { format: 'csv', search: 'over ipc', job: 'ipc-job-1' });
    expect(filtered.payments).toBeGreaterThanOrEqual(1);
    expect(filtered.payments).toBeLessThanOrEqual(result.payments);
    expect(await braid.call('exportprogress', { job: 'ipc-job-1' })).toMatchObject({
      state: 'done',
      payments: filtered.payments,
    });
    expect(await braid.call('cancelexport', { job: 'ipc-job-1' })).toEqual({ job: 'ipc-job-1', cancelled: false });

    exportChoice = undefined;
    expect(await rejection(braid.call('exportpayments', ['json']))).toMatchObject({
      code: -1,
      data: { cancelled: true },
    });
  });

  it('hands payment links to the page, keeping those that came before it listened', async () => {
    const linkBus = new TestBus();
    const links = registerIpcHandlers({ ipcMain: linkBus.ipcMain, appOrigin: APP_ORIGIN, core: h.core });
    try {
      links.openLink('lnbc1early');
      const page = createBridge(linkBus.window(APP_URL).renderer());
      const got: string[] = [];
      const off = page.onOpenLink(({ bolt11 }) => got.push(bolt11));
      await until(() => got.length === 1, 'the early link');
      links.openLink('lnbc1later');
      expect(got).toEqual(['lnbc1early', 'lnbc1later']);
      off();
      links.openLink('lnbc1unheard');
      expect(got).toHaveLength(2);
    } finally {
      links.dispose();
    }
  });
});

describe('IPC handlers before the core is up', () => {
  it('answers -1 with the reason when the core failed to start, and removes its handlers on dispose', async () => {
    const bus = new TestBus();
    const handlers = registerIpcHandlers({
      ipcMain: bus.ipcMain,
      appOrigin: APP_ORIGIN,
      core: Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:10009')),
    });
    const braid = createBridge(bus.window(APP_URL).renderer());
    expect(await rejection(braid.call('getinfo'))).toEqual({
      code: -1,
      message: 'the node is not connected: connect ECONNREFUSED 127.0.0.1:10009',
    });
    // Validation does not wait for the core.
    expect(await rejection(braid.call('decodepay', {} as never))).toMatchObject({ code: -32602 });
    handlers.dispose();
    expect(bus.ipcMain.handlers.size).toBe(0);
  });
});
