// The main process's side of the window's IPC: one handler per channel of shared/api/channels.ts, on an injected
// IpcMainLike, so that tests run it with a real Core over an in-memory bus (test-bus.ts): Electron's binary cannot
// be launched in the test environment, and nothing here needs more of Electron than these few methods.
//
// Every handler first checks who is asking (isTrustedSender: our app's top frame, nothing else) and throws when it
// is anyone else. Payloads are validated here, in main, with the same parseParams as JSON-RPC, so a bad one gets the
// same -32602 answer. Values cross as structured clones, bigints included.

import {
  IPC,
  type IpcError,
  type IpcReply,
  NOTICE_LIMITS,
  type OpenLinkMessage,
  type PaymentNotice,
  type SettingsView,
  type ShowPaymentMessage,
} from '../../shared/api/channels';
import { parseParams } from '../../shared/api/commands';
import { ApiError, ErrorCode, invalidParam } from '../../shared/api/errors';
import type { EventName } from '../../shared/api/events';
import { LOCAL_CALLER } from '../core/commands/context';
import type { Core } from '../core/core';
import { type FrameLike, isTrustedSender } from '../security';
import { errorObject } from '../transports/rpc-session';

/** The part of Electron's WebContents used here. */
export interface WebContentsLike {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}

/** The part of Electron's IpcMainInvokeEvent used here. */
export interface IpcInvokeEventLike {
  readonly sender: WebContentsLike;
  /** Null when the frame navigated away or was destroyed before the message was handled. */
  readonly senderFrame: FrameLike | null;
}

export type IpcInvokeHandler = (event: IpcInvokeEventLike, ...args: unknown[]) => unknown;

/** The part of Electron's ipcMain used here: request/response channels only. */
export interface IpcMainLike {
  handle(channel: string, listener: IpcInvokeHandler): void;
  removeHandler(channel: string): void;
}

/** What the settings channels reach (electron/settings/settings.ts), each input validated there. */
export interface SettingsPort {
  view(): Promise<SettingsView>;
  setUi(prefs: unknown): Promise<SettingsView>;
  saveProfile(profile: unknown): Promise<SettingsView>;
  deleteProfile(id: unknown): Promise<SettingsView>;
  activateProfile(id: unknown): Promise<SettingsView>;
}

export interface IpcHandlerOptions {
  ipcMain: IpcMainLike;
  /** appOriginOf(the URL the window loads): the dev server's origin, or `file://<path of index.html>`. */
  appOrigin: string;
  /** The core, or its start: until it resolves calls wait, and if it fails they answer -1 with the reason. */
  core: Pick<Core, 'call' | 'events'> | Promise<Pick<Core, 'call' | 'events'>>;
  settings?: SettingsPort;
  /**
   * `exportpayments` over IPC: the user picks the file (main.ts: dialog.showSaveDialog). Resolves with the path, or
   * undefined when the dialog is cancelled. Without it, exportpayments is refused over IPC.
   */
  chooseExportPath?: (sender: WebContentsLike, suggestedName: string) => Promise<string | undefined>;
  /**
   * Shows an OS notification for a payment (main.ts: Electron's Notification, only while the sender's window is not
   * focused); true when shown. Without it, notify answers `{ shown: false }`.
   */
  notify?: (sender: WebContentsLike, notice: PaymentNotice) => boolean | Promise<boolean>;
  /** Most live subscriptions one page may hold (default 64). */
  maxSubscriptions?: number;
  /** Told about refused requests (main.ts: console.warn). */
  log?: (message: string) => void;
}

export interface IpcHandlers {
  /** Sends a payment link to every page listening for one, or keeps it (the last 8) until a page is. */
  openLink(bolt11: string): void;
  /** Asks a window's page to show a payment (its notification was clicked). */
  showPayment(contents: WebContentsLike, paymentHash: string): void;
  /** Live subscriptions over all windows. */
  subscriptionCount(): number;
  /** Removes every handler and every subscription. */
  dispose(): void;
}

export const REFUSED_MESSAGE = 'refused: IPC from a foreign frame';

/** `<page id>/<n>`: the page id is random per page load (bridge.ts), so a reloaded page is told apart. */
const SUBSCRIPTION_ID = /^([A-Za-z0-9_-]{1,64})\/(\d{1,9})$/;
const PAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_QUEUED_LINKS = 8;

/** One window (webContents) and what its current page holds. */
interface Client {
  contents: WebContentsLike;
  /** The page the subscriptions and link readiness belong to; a new page id means the old page is gone. */
  page: string | undefined;
  subscriptions: Map<string, () => void>;
  wantsLinks: boolean;
}

async function reply<T>(work: () => Promise<T> | T): Promise<IpcReply<T>> {
  try {
    return { ok: true, result: await work() };
  } catch (error) {
    return { ok: false, error: errorObject(error) as IpcError };
  }
}

export function registerIpcHandlers(options: IpcHandlerOptions): IpcHandlers {
  const { ipcMain, appOrigin, settings, chooseExportPath, notify, log } = options;
  const maxSubscriptions = options.maxSubscriptions ?? 64;
  const clients = new Map<WebContentsLike, Client>();
  const queuedLinks: string[] = [];
  const channels: string[] = [];
  let disposed = false;
  // Settled either way, so that a failed start is not an unhandled rejection before the first call.
  const core = Promise.resolve(options.core);
  core.catch(() => {});

  const coreReady = async () => {
    try {
      return await core;
    } catch (error) {
      throw new ApiError(
        ErrorCode.Internal,
        `the node is not connected: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };

  const dropSubscriptions = (client: Client) => {
    for (const off of client.subscriptions.values()) off();
    client.subscriptions.clear();
  };

  const forget = (client: Client) => {
    dropSubscriptions(client);
    client.wantsLinks = false;
    clients.delete(client.contents);
  };

  const clientOf = (contents: WebContentsLike): Client => {
    let client = clients.get(contents);
    if (!client) {
      const created: Client = { contents, page: undefined, subscriptions: new Map(), wantsLinks: false };
      clients.set(contents, created);
      contents.once('destroyed', () => forget(created));
      client = created;
    }
    return client;
  };

  /** A message from a page other than the one we know: that one was unloaded (a reload), drop what it held. */
  const enterPage = (client: Client, page: string) => {
    if (client.page === page) return;
    dropSubscriptions(client);
    client.wantsLinks = false;
    client.page = page;
  };

  const send = (client: Client, channel: string, message: unknown) => {
    if (client.contents.isDestroyed()) {
      forget(client);
      return;
    }
    try {
      client.contents.send(channel, message);
    } catch (error) {
      log?.(`braid: cannot send ${channel}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  /** Registers a handler that refuses anything but our own page's top frame before looking at the arguments. */
  const handle = (channel: string, handler: (contents: WebContentsLike, ...args: unknown[]) => unknown) => {
    ipcMain.handle(channel, (event, ...args) => {
      if (disposed || !isTrustedSender(event.senderFrame, appOrigin)) {
        log?.(`braid: ${REFUSED_MESSAGE} (${channel} from ${event.senderFrame?.url ?? 'a frame that is gone'})`);
        throw new Error(REFUSED_MESSAGE);
      }
      return handler(event.sender, ...args);
    });
    channels.push(channel);
  };

  handle(IPC.call, (contents, name, params) =>
    reply(async () => {
      if (typeof name !== 'string') throw new ApiError(ErrorCode.InvalidRequest, 'command: must be a string');
      if (name === 'subscribe' || name === 'unsubscribe') {
        // Over IPC a subscription belongs to the page and needs a listener: window.braid.subscribe.
        throw new ApiError(ErrorCode.InvalidRequest, `${name}: use window.braid.subscribe(events, listener)`);
      }
      if (name === 'exportpayments') return exportPayments(contents, params);
      // Checked here first, so that a bad request is answered even while the core is starting or down.
      parseParams(name, params);
      return (await coreReady()).call(name, params);
    }),
  );

  /** The page never names a file: the user picks it in a save dialog, then the core writes it there. */
  const exportPayments = async (contents: WebContentsLike, params: unknown) => {
    const parsed = parseParams('exportpayments', params);
    if (parsed.path !== undefined) {
      throw invalidParam('path', parsed.path, 'not taken from the window: the user picks the file in a save dialog');
    }
    if (!chooseExportPath) throw new ApiError(ErrorCode.Internal, 'exportpayments: no save dialog in this app');
    const instance = await coreReady();
    const suggested = `braid-payments-${new Date().toISOString().slice(0, 10)}.${parsed.format}`;
    const path = await chooseExportPath(contents, suggested);
    if (path === undefined) {
      throw new ApiError(ErrorCode.Internal, 'exportpayments: cancelled in the save dialog', { cancelled: true });
    }
    // The user picked this path in the save dialog (and confirmed replacing a file there).
    return instance.call('exportpayments', { ...parsed, path, overwrite: true }, LOCAL_CALLER);
  };

  handle(IPC.subscribe, (contents, id, events) =>
    reply(async () => {
      const match = typeof id === 'string' ? SUBSCRIPTION_ID.exec(id) : null;
      if (!match) throw invalidParam('subscription', id, 'expected "<page id>/<number>"');
      const names: EventName[] = parseParams('subscribe', { events }).events;
      const instance = await coreReady();
      if (disposed || contents.isDestroyed()) throw new ApiError(ErrorCode.Internal, 'subscribe: the window is gone');
      const client = clientOf(contents);
      enterPage(client, match[1] as string);
      const subscription = id as string;
      if (client.subscriptions.has(subscription)) throw invalidParam('subscription', id, 'already in use');
      if (client.subscriptions.size >= maxSubscriptions) {
        throw new ApiError(ErrorCode.Internal, `subscribe: at most ${maxSubscriptions} subscriptions per window`);
      }
      const offs = names.map((event) =>
        instance.events.on(event, (data) => send(client, IPC.event, { subscription, event, data })),
      );
      client.subscriptions.set(subscription, () => {
        for (const off of offs) off();
      });
      return { events: names };
    }),
  );

  handle(IPC.unsubscribe, (contents, id) =>
    reply(() => {
      if (typeof id !== 'string' || !SUBSCRIPTION_ID.test(id)) {
        throw invalidParam('subscription', id, 'expected "<page id>/<number>"');
      }
      const client = clients.get(contents);
      const off = client?.subscriptions.get(id);
      off?.();
      client?.subscriptions.delete(id);
      return { removed: off !== undefined };
    }),
  );

  handle(IPC.openLinkReady, (contents, page) =>
    reply(() => {
      if (typeof page !== 'string' || !PAGE_ID.test(page)) throw invalidParam('page', page, 'expected a page id');
      const client = clientOf(contents);
      enterPage(client, page);
      client.wantsLinks = true;
      for (const bolt11 of queuedLinks.splice(0)) send(client, IPC.openLink, { bolt11 } satisfies OpenLinkMessage);
      return null;
    }),
  );

  handle(IPC.notify, (contents, notice) =>
    reply(async () => {
      const checked = checkNotice(notice);
      return { shown: notify ? (await notify(contents, checked)) === true : false };
    }),
  );

  if (settings) {
    handle(IPC.settingsGet, () => reply(() => settings.view()));
    handle(IPC.settingsSetUi, (_contents, prefs) => reply(() => settings.setUi(prefs)));
    handle(IPC.settingsSaveProfile, (_contents, profile) => reply(() => settings.saveProfile(profile)));
    handle(IPC.settingsDeleteProfile, (_contents, id) => reply(() => settings.deleteProfile(id)));
    handle(IPC.settingsActivateProfile, (_contents, id) => reply(() => settings.activateProfile(id)));
  }

  return {
    openLink(bolt11) {
      if (disposed) return;
      const listening = [...clients.values()].filter((c) => c.wantsLinks && !c.contents.isDestroyed());
      if (listening.length === 0) {
        queuedLinks.push(bolt11);
        if (queuedLinks.length > MAX_QUEUED_LINKS) queuedLinks.shift();
        return;
      }
      for (const client of listening) send(client, IPC.openLink, { bolt11 } satisfies OpenLinkMessage);
    },
    showPayment(contents, paymentHash) {
      if (disposed) return;
      send(clientOf(contents), IPC.showPayment, { payment_hash: paymentHash } satisfies ShowPaymentMessage);
    },
    subscriptionCount() {
      let total = 0;
      for (const client of clients.values()) total += client.subscriptions.size;
      return total;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const channel of channels) ipcMain.removeHandler(channel);
      for (const client of [...clients.values()]) forget(client);
      queuedLinks.length = 0;
    },
  };
}

/** A notice from the page, checked: a payment hash, and a title and body of bounded plain text. */
function checkNotice(notice: unknown): PaymentNotice {
  if (typeof notice !== 'object' || notice === null) throw invalidParam('notice', notice, 'must be an object');
  const { payment_hash, title, body } = notice as Record<string, unknown>;
  if (typeof payment_hash !== 'string' || !/^[0-9a-f]{64}$/.test(payment_hash)) {
    throw invalidParam('notice.payment_hash', payment_hash, 'must be 64 lowercase hex characters');
  }
  if (typeof title !== 'string' || title === '' || title.length > NOTICE_LIMITS.title) {
    throw invalidParam('notice.title', title, `must be text of 1 to ${NOTICE_LIMITS.title} characters`);
  }
  if (typeof body !== 'string' || body.length > NOTICE_LIMITS.body) {
    throw invalidParam('notice.body', body, `must be text of at most ${NOTICE_LIMITS.body} characters`);
  }
  return { payment_hash, title, body };
}
