import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors';
import type { ApiEvent } from '../../shared/api/events';
import type { BraidApi } from './client';
import { createIpcApi } from './ipc';
import { exportDownloadUrl, pickTransport } from './select';

// The transport choice and the IPC wrapper, on stand-ins for window.braid and the browser's WebSocket (the
// WebSocket client itself runs against the real server in electron/transports/websocket.test.ts).

function fakeBridge() {
  const listeners = new Set<(e: ApiEvent) => void>();
  const bridge: BraidApi = {
    call: (async (name: string) => {
      if (name === 'getinfo') return { alias: 'alice', simulated: true };
      if (name === 'listpayments') throw { code: 208, message: 'no such payment' };
      throw new Error("Error invoking remote method 'braid:call': boom");
    }) as BraidApi['call'],
    subscribe: (_events, listener) => {
      const entry = (e: ApiEvent) => listener(e);
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
  };
  return { bridge, listeners };
}

class FakeSocket {
  static last: FakeSocket | undefined;
  readonly readyState = 0;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  addEventListener() {}
  send() {}
  close() {}
}

describe('pickTransport', () => {
  it('takes window.braid inside Electron, even when the URL has a token', async () => {
    const { bridge } = fakeBridge();
    const api = pickTransport({ braid: bridge, search: '?token=0123456789abcdef0123&ws=1234' });
    expect(await api.call('getinfo')).toMatchObject({ alias: 'alice' });
  });

  it('takes the loopback WebSocket when the URL carries token and ws', () => {
    FakeSocket.last = undefined;
    const token = 'ab'.repeat(32);
    pickTransport({
      search: `?token=${token}&ws=51234`,
      WebSocket: FakeSocket as unknown as typeof WebSocket,
    });
    expect((FakeSocket.last as FakeSocket | undefined)?.url).toBe(`ws://127.0.0.1:51234/?token=${token}`);
  });

  it('refuses a bad port or token, and says what to do when there is neither', () => {
    const WebSocket = FakeSocket as unknown as typeof globalThis.WebSocket;
    const token = 'ab'.repeat(32);
    expect(() => pickTransport({ search: `?token=${token}&ws=99999`, WebSocket })).toThrow(/port/);
    expect(() => pickTransport({ search: `?token=${token}&ws=1@evil.example`, WebSocket })).toThrow(/port/);
    expect(() => pickTransport({ search: '?token=a%20b&ws=1234', WebSocket })).toThrow(/token/);
    expect(() => pickTransport({ search: '' })).toThrow(/window\.braid.*dev:web/);
    expect(() => pickTransport({ search: `?token=${token}` })).toThrow(/no wallet API/);
  });
});

describe('createIpcApi', () => {
  it('passes calls through and turns every rejection into an ApiError', async () => {
    const api = createIpcApi(fakeBridge().bridge);
    await expect(api.call('listpayments')).rejects.toMatchObject({ code: 208, message: 'no such payment' });
    const error = await api.call('listchannels').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: -1, message: expect.stringContaining('boom') });
  });

  it('unsubscribes once, however often it is called', () => {
    const { bridge, listeners } = fakeBridge();
    const api = createIpcApi(bridge);
    const off = api.subscribe(['payment'], () => {});
    const off2 = api.subscribe(['payment'], () => {});
    expect(listeners.size).toBe(2);
    off();
    off();
    expect(listeners.size).toBe(1);
    off2();
    expect(listeners.size).toBe(0);
  });

  it('needs window.braid', () => {
    expect(() => createIpcApi(undefined)).toThrow(/window\.braid/);
  });
});

describe('exportDownloadUrl', () => {
  const token = 'a'.repeat(64);
  it('is the harness URL of the written file in a browser with a token', () => {
    expect(
      exportDownloadUrl('/data/exports/payments-2024-01-01T00-00-00-000Z.csv', { search: `?token=${token}&ws=1` }),
    ).toBe(`/exports/payments-2024-01-01T00-00-00-000Z.csv?token=${token}`);
  });
  it('is undefined inside Electron or without a good token', () => {
    const bridge = fakeBridge().bridge;
    expect(exportDownloadUrl('/x/payments-1.csv', { braid: bridge, search: `?token=${token}` })).toBeUndefined();
    expect(exportDownloadUrl('/x/payments-1.csv', { search: '' })).toBeUndefined();
    expect(exportDownloadUrl('/x/payments-1.csv', { search: '?token=bad' })).toBeUndefined();
  });
});
