// What the preload exposes as `window.braid` (shared/api/channels.ts BraidBridge), built on an injected
// IpcRendererLike so that tests drive it over the in-memory bus against the real handlers. It runs in the sandboxed
// preload: no Node modules, only shared/ (bundled by Vite) and what Electron's ipcRenderer offers. The page gets
// functions and plain data, never ipcRenderer itself.

import {
  type BraidBridge,
  IPC,
  type IpcError,
  type IpcEventMessage,
  type IpcReply,
  type OpenLinkMessage,
  type SettingsView,
  type ShowPaymentMessage,
} from '../../shared/api/channels';
import type { ApiEvent, EventName } from '../../shared/api/events';

type RendererListener = (event: unknown, ...args: unknown[]) => void;

/** The part of Electron's ipcRenderer used here. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: RendererListener): unknown;
  removeListener(channel: string, listener: RendererListener): unknown;
}

/**
 * Rejections are plain `{ code, message, data? }` objects: contextBridge copies a plain object whole, but of an Error
 * only its message. A refusal (a thrown Error in main) becomes code -1 with Electron's message.
 */
function asIpcError(error: unknown): IpcError {
  if (typeof error === 'object' && error !== null) {
    const { code, message, data } = error as Partial<IpcError>;
    if (typeof code === 'number' && typeof message === 'string') {
      return data === undefined ? { code, message } : { code, message, data };
    }
    if (typeof message === 'string') return { code: -1, message };
  }
  return { code: -1, message: String(error) };
}

function isEventMessage(message: unknown): message is IpcEventMessage {
  return (
    typeof message === 'object' && message !== null && typeof (message as IpcEventMessage).subscription === 'string'
  );
}

function isShowPayment(message: unknown): message is ShowPaymentMessage {
  return (
    typeof message === 'object' && message !== null && typeof (message as ShowPaymentMessage).payment_hash === 'string'
  );
}

function isOpenLink(message: unknown): message is OpenLinkMessage {
  return typeof message === 'object' && message !== null && typeof (message as OpenLinkMessage).bolt11 === 'string';
}

/** Random per page load: main tells a reloaded page from the one before by it. */
function newPageId(): string {
  return globalThis.crypto.randomUUID();
}

export function createBridge(ipc: IpcRendererLike, pageId: string = newPageId()): BraidBridge {
  let nextSubscription = 0;

  const invoke = async <T>(channel: string, ...args: unknown[]): Promise<T> => {
    let answer: IpcReply<T>;
    try {
      answer = (await ipc.invoke(channel, ...args)) as IpcReply<T>;
    } catch (error) {
      throw asIpcError(error);
    }
    if (answer.ok) return answer.result;
    throw asIpcError(answer.error);
  };

  const bridge: BraidBridge = {
    call: (command, params) => invoke(IPC.call, command, params),

    subscribe(events: EventName[], listener: (event: ApiEvent) => void, onError?: (error: IpcError) => void) {
      const subscription = `${pageId}/${++nextSubscription}`;
      let active = true;
      // Registered before asking, so that no event sent right after the answer is missed.
      const onEvent: RendererListener = (_event, message) => {
        if (!active || !isEventMessage(message) || message.subscription !== subscription) return;
        listener({ event: message.event, data: message.data } as ApiEvent);
      };
      const stopListening = () => {
        active = false;
        ipc.removeListener(IPC.event, onEvent);
      };
      ipc.on(IPC.event, onEvent);
      invoke(IPC.subscribe, subscription, events).catch((error: IpcError) => {
        if (!active) return;
        stopListening();
        if (onError) onError(error);
        else console.error(`braid: subscribe ${JSON.stringify(events)} failed: ${error.message}`);
      });
      return () => {
        if (!active) return;
        stopListening();
        invoke(IPC.unsubscribe, subscription).catch(() => {});
      };
    },

    onOpenLink(listener) {
      const onLink: RendererListener = (_event, message) => {
        if (isOpenLink(message)) listener({ bolt11: message.bolt11 });
      };
      ipc.on(IPC.openLink, onLink);
      invoke(IPC.openLinkReady, pageId).catch((error: IpcError) => {
        console.error(`braid: cannot receive payment links: ${error.message}`);
      });
      return () => {
        ipc.removeListener(IPC.openLink, onLink);
      };
    },

    notify: (notice) => invoke<{ shown: boolean }>(IPC.notify, notice),

    onShowPayment(listener) {
      const onShow: RendererListener = (_event, message) => {
        if (isShowPayment(message)) listener({ payment_hash: message.payment_hash });
      };
      ipc.on(IPC.showPayment, onShow);
      return () => {
        ipc.removeListener(IPC.showPayment, onShow);
      };
    },

    settings: {
      get: () => invoke<SettingsView>(IPC.settingsGet),
      setUi: (prefs) => invoke<SettingsView>(IPC.settingsSetUi, prefs),
      saveProfile: (profile) => invoke<SettingsView>(IPC.settingsSaveProfile, profile),
      deleteProfile: (id) => invoke<SettingsView>(IPC.settingsDeleteProfile, id),
      activateProfile: (id) => invoke<SettingsView>(IPC.settingsActivateProfile, id),
    },
  };
  return bridge;
}
