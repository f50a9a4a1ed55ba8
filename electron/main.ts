// Electron main process: wires Electron to the parts that tests hold without it. The policy (web preferences, CSP,
// navigation, external links, permissions, payment links) is electron/security.ts; the window's IPC is
// electron/ipc/handlers.ts; settings are electron/settings/; the wallet is electron/core/, started as the headless
// daemon (electron/daemon.ts) starts it.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Notification,
  type SaveDialogOptions,
  safeStorage,
  session,
  shell,
  type WebContents,
} from 'electron';
import Store from 'electron-store';
import type { PaymentNotice, SettingsView } from '../shared/api/channels';
import { type BootedCore, bootCore } from './core/boot';
import { type IpcHandlers, registerIpcHandlers, type SettingsPort } from './ipc/handlers';
import {
  appOriginOf,
  CSP,
  DEV_CSP,
  isAllowedExternal,
  isAllowedNavigation,
  isPermissionAllowed,
  parseLightningLink,
  WEB_PREFERENCES,
} from './security';
import { safeStorageBox } from './settings/secret-box';
import { type KeyValueStore, SETTINGS_STORE_OPTIONS, Settings, type StoredSettings } from './settings/settings';

// The page: the Vite dev server under `electron-forge start`; packaged, .vite/renderer/<name>/index.html next to
// this file's .vite/build/main.cjs.
const DEV_SERVER_URL = MAIN_WINDOW_VITE_DEV_SERVER_URL;
const APP_URL =
  DEV_SERVER_URL ?? pathToFileURL(path.join(__dirname, `../renderer/${MAIN_WINDOW_VITE_NAME}/index.html`)).href;
const APP_ORIGIN = appOriginOf(APP_URL) as string;
/** How long quitting may wait for the core to let go of the node and the ledger. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

let mainWindow: BrowserWindow | undefined;
let ipc: IpcHandlers | undefined;
let running: Promise<BootedCore> | undefined;
/** Links that arrived before the IPC handlers existed. */
const earlyLinks: string[] = [];

function deliverLink(bolt11: string | undefined): void {
  if (!bolt11) return;
  if (ipc) ipc.openLink(bolt11);
  else earlyLinks.push(bolt11);
  if (mainWindow) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  }
}

/** The connection chosen in the settings (the embedded simulated network by default), then the core on it. */
async function startCore(settings: Settings): Promise<BootedCore> {
  const { profileId, config } = await settings.activeConnection();
  return bootCore({
    // One ledger per profile: payments on the simulated network never mix with a real node's history.
    dataDir: path.join(app.getPath('userData'), 'ledgers', profileId),
    node: config.kind === 'embedded' ? undefined : config,
    // Packaged, LND's protos are an extra resource (forge.config.ts); in development they are laid out on demand.
    protoDir: app.isPackaged ? path.join(process.resourcesPath, 'lnd-protos') : undefined,
  });
}

async function stopCore(): Promise<void> {
  const current = running;
  running = undefined;
  if (!current) return;
  const started = await current.catch(() => undefined);
  if (!started) return;
  await started.stop();
}

function openSettings(): Settings {
  let store: KeyValueStore;
  try {
    store = new Store<StoredSettings>({ name: 'settings', ...SETTINGS_STORE_OPTIONS });
    // electron-store answers any renderer on this channel (for its renderer-side use, which Braid has none of).
    ipcMain.removeAllListeners('electron-store-get-data');
  } catch (error) {
    // A settings file that fails its schema is left untouched (it holds the user's connections): this session runs
    // on the defaults, in memory.
    console.error(`braid: cannot read the settings (${error instanceof Error ? error.message : String(error)})`);
    const memory = new Map<string, unknown>(Object.entries(SETTINGS_STORE_OPTIONS.defaults));
    store = { get: (key) => memory.get(key), set: (key, value) => memory.set(key, value) };
  }
  return new Settings(store, safeStorageBox(safeStorage));
}

function settingsPort(settings: Settings, activeProfile: string): SettingsPort {
  return {
    view: () => settings.view(),
    setUi: (prefs) => settings.setUi(prefs),
    saveProfile: (profile) => settings.saveProfile(profile),
    deleteProfile: (id) => settings.deleteProfile(id),
    activateProfile: async (id): Promise<SettingsView> => {
      const view = await settings.activateProfile(id);
      // The core runs on one node for its whole life: switching restarts the app onto the new profile.
      if (view.activeProfile !== activeProfile) {
        setTimeout(() => {
          app.relaunch();
          app.quit();
        }, 200);
      }
      return view;
    },
  };
}

async function chooseExportPath(suggestedName: string): Promise<string | undefined> {
  const extension = path.extname(suggestedName).slice(1);
  const options: SaveDialogOptions = {
    title: 'Export payments',
    defaultPath: path.join(app.getPath('documents'), suggestedName),
    filters: [{ name: extension.toUpperCase(), extensions: [extension] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
  const result = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
  return result.canceled || !result.filePath ? undefined : result.filePath;
}

/** Notifications shown and not yet clicked or closed: kept so they are not collected (and their click lost). */
const notifications = new Set<Notification>();

/**
 * The OS notification for a payment that completed or failed while the user was elsewhere: only when the window is
 * not focused (inside the app the page shows its own notice). Clicking it brings the window back to that payment.
 */
function notifyPayment(sender: WebContents, notice: PaymentNotice): boolean {
  const win = BrowserWindow.fromWebContents(sender);
  if (!win || win.isDestroyed() || win.isFocused() || !Notification.isSupported()) return false;
  const notification = new Notification({ title: notice.title, body: notice.body, silent: false });
  notifications.add(notification);
  const forget = () => notifications.delete(notification);
  notification.on('click', () => {
    forget();
    if (win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    ipc?.showPayment(sender, notice.payment_hash);
  });
  notification.on('close', forget);
  notification.show();
  return true;
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    show: false,
    title: 'Braid',
    // The bundled preload (.vite/build/preload.cjs) is the page's only door to this process.
    webPreferences: { ...WEB_PREFERENCES, preload: path.join(__dirname, 'preload.cjs'), devTools: !app.isPackaged },
  });
  mainWindow = win;
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = undefined;
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_URL);
}

/** Every webContents, ours or any created later: no navigation away, no new windows, no <webview>. */
function guardWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    const stayHome = (event: { url: string; preventDefault(): void }) => {
      if (!isAllowedNavigation(event.url, APP_ORIGIN)) event.preventDefault();
    };
    contents.on('will-navigate', stayHome);
    contents.on('will-redirect', stayHome);
    contents.setWindowOpenHandler(({ url }) => {
      // A link to an allow-listed explorer opens in the user's browser; nothing opens inside the app.
      if (isAllowedExternal(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

function lockDownSession(): void {
  const ses = session.defaultSession;
  // The CSP as a header too (renderer/index.html has it as a meta tag); the dev server's page gets the relaxed one
  // React Fast Refresh needs.
  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(details.responseHeaders ?? {})) {
      if (key.toLowerCase() !== 'content-security-policy') headers[key] = value;
    }
    const dev = DEV_SERVER_URL !== undefined && isAllowedNavigation(details.url, APP_ORIGIN);
    headers['Content-Security-Policy'] = [dev ? DEV_CSP : CSP];
    callback({ responseHeaders: headers });
  });
  // No camera, notifications, geolocation…: only writing to the clipboard (copying an invoice or a preimage).
  ses.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(isPermissionAllowed(permission, details.requestingUrl, APP_ORIGIN)),
  );
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionAllowed(permission, requestingOrigin, APP_ORIGIN),
  );
}

function main(): void {
  // Every renderer runs in Chromium's OS-level sandbox, including any created later.
  app.enableSandbox();
  guardWebContents();

  // `lightning:` links: argv on Linux and Windows (first launch, then second-instance), open-url on macOS. Registered
  // only when packaged: a development build must not take over the user's handler.
  if (app.isPackaged) app.setAsDefaultProtocolClient('lightning');
  deliverLink(parseLightningLink(process.argv.slice(1)));
  app.on('open-url', (event, url) => {
    event.preventDefault();
    deliverLink(parseLightningLink(url));
  });
  app.on('second-instance', (_event, argv) => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
    deliverLink(parseLightningLink(argv.slice(1)));
  });

  let stopped = false;
  let stopping = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    // Hold the quit until the core has let go of the node and the ledger.
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    ipc?.dispose();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref());
    Promise.race([stopCore(), timeout])
      .catch((error: unknown) => console.error('braid: shutdown:', error))
      .finally(() => {
        stopped = true;
        app.quit();
      });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  app.whenReady().then(async () => {
    lockDownSession();
    const settings = openSettings();
    const { activeProfile } = await settings.view();
    running = startCore(settings);
    running.catch((error: unknown) =>
      console.error(`braid: cannot start the wallet: ${error instanceof Error ? error.message : String(error)}`),
    );
    ipc = registerIpcHandlers({
      ipcMain,
      appOrigin: APP_ORIGIN,
      core: running.then((r) => r.core),
      settings: settingsPort(settings, activeProfile),
      chooseExportPath: (_sender, suggestedName) => chooseExportPath(suggestedName),
      notify: (sender, notice) => notifyPayment(sender as WebContents, notice),
      log: (message) => console.warn(message),
    });
    for (const link of earlyLinks.splice(0)) ipc.openLink(link);

    createWindow();
    // macOS: re-create the window when the dock icon is clicked and none is open.
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

// One instance: a second launch (e.g. by a `lightning:` link) hands its argv to this one and exits.
if (app.requestSingleInstanceLock()) main();
else app.quit();
