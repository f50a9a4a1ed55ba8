// An in-memory stand-in for Electron's IPC, for tests: Electron's binary cannot run here, so ipcMain, a window's
// webContents, its frames and its preload's ipcRenderer are played by these classes, with Electron's observable
// behaviour: arguments and answers are structured clones (bigints survive, functions do not), a handler that throws
// rejects the invoke with only "Error invoking remote method '<channel>': <error>", one handler per channel, and a
// destroyed webContents emits 'destroyed' once and sends nothing more.

import type { IpcRendererLike } from './bridge';
import type { IpcInvokeHandler, IpcMainLike, WebContentsLike } from './handlers';

type RendererListener = (event: unknown, ...args: unknown[]) => void;

export class TestFrame {
  /** Null when the frame navigated away or was destroyed (what Electron's `senderFrame` then is). */
  constructor(
    public url: string,
    public parent: TestFrame | null = null,
  ) {}

  /** A child frame (an <iframe>) of this one. */
  child(url: string): TestFrame {
    return new TestFrame(url, this);
  }
}

export class TestIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, IpcInvokeHandler>();

  handle(channel: string, listener: IpcInvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

let nextId = 1;

export class TestWebContents implements WebContentsLike {
  readonly id = nextId++;
  readonly mainFrame: TestFrame;
  /** Everything sent to the page, as cloned. */
  readonly sent: { channel: string; args: unknown[] }[] = [];
  private destroyed = false;
  private readonly destroyedListeners = new Set<() => void>();
  /** The page's ipcRenderer listeners: one set per page load. */
  private rendererListeners = new Map<string, Set<RendererListener>>();

  constructor(
    private readonly bus: TestBus,
    url: string,
  ) {
    this.mainFrame = new TestFrame(url);
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    const cloned = structuredClone(args);
    this.sent.push({ channel, args: cloned });
    for (const listener of [...(this.rendererListeners.get(channel) ?? [])])
      listener({ sender: 'ipcRenderer' }, ...cloned);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  once(event: 'destroyed', listener: () => void): this {
    if (event === 'destroyed') this.destroyedListeners.add(listener);
    return this;
  }

  /** Closes the window: 'destroyed' fires once, the page's listeners are gone. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.rendererListeners.clear();
    const listeners = [...this.destroyedListeners];
    this.destroyedListeners.clear();
    for (const listener of listeners) listener();
  }

  /** A reload: the old page's listeners vanish with its JavaScript context. */
  reload(): void {
    this.rendererListeners = new Map();
  }

  /** The number of ipcRenderer listeners the current page has on `channel`. */
  rendererListenerCount(channel: string): number {
    return this.rendererListeners.get(channel)?.size ?? 0;
  }

  /**
   * The ipcRenderer of a preload running in `frame` (default: the main frame). `senderFrame` is read at each invoke,
   * so a test may set it to null (the frame is gone) with `frameGone`.
   */
  renderer(frame: TestFrame = this.mainFrame): IpcRendererLike & { frameGone(): void } {
    let current: TestFrame | null = frame;
    return {
      invoke: async (channel, ...args) => {
        const handler = this.bus.ipcMain.handlers.get(channel);
        if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered`);
        const event = { sender: this, senderFrame: current };
        let result: unknown;
        try {
          result = await handler(event, ...structuredClone(args));
        } catch (error) {
          throw new Error(`Error invoking remote method '${channel}': ${String(error)}`);
        }
        return structuredClone(result);
      },
      on: (channel, listener) => {
        let set = this.rendererListeners.get(channel);
        if (!set) {
          set = new Set();
          this.rendererListeners.set(channel, set);
        }
        set.add(listener);
      },
      removeListener: (channel, listener) => {
        this.rendererListeners.get(channel)?.delete(listener);
      },
      frameGone: () => {
        current = null;
      },
    };
  }
}

export class TestBus {
  readonly ipcMain = new TestIpcMain();

  /** A window whose main frame shows `url`. */
  window(url: string): TestWebContents {
    return new TestWebContents(this, url);
  }
}
