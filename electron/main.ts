// Electron main process: one window on the renderer, locked down. The wallet logic lives in electron/core/ (later).
import path from 'node:path';
import { app, BrowserWindow, session } from 'electron';

// The dev server origin under `electron-forge start`; null in a packaged app, which loads from file://.
const devOrigin = MAIN_WINDOW_VITE_DEV_SERVER_URL ? new URL(MAIN_WINDOW_VITE_DEV_SERVER_URL).origin : null;

// Every renderer runs in Chromium's OS-level sandbox, including any created later.
app.enableSandbox();

// Applies to every webContents, not just our window, so nothing can slip past by being created elsewhere.
app.on('web-contents-created', (_event, contents) => {
  // The UI is a single page: it never navigates or redirects, except for dev-server reloads (HMR).
  const denyForeign = (event: { url: string; preventDefault(): void }) => {
    if (devOrigin === null || new URL(event.url).origin !== devOrigin) event.preventDefault();
  };
  contents.on('will-navigate', denyForeign);
  contents.on('will-redirect', denyForeign);
  // No popups or new windows (window.open, target=_blank), and no <webview>.
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    show: false,
    title: 'Braid',
    webPreferences: {
      // The bundled preload (.vite/build/preload.cjs) is the renderer's only door to the main process.
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true, // the page cannot reach the preload's globals or Electron internals
      sandbox: true, // the preload gets a minimal require, no Node
      nodeIntegration: false, // the page gets no Node either
      webSecurity: true, // same-origin policy stays on
    },
  });
  win.once('ready-to-show', () => win.show());

  if (MAIN_WINDOW_VITE_DEV_SERVER_URL) {
    void win.loadURL(MAIN_WINDOW_VITE_DEV_SERVER_URL);
  } else {
    // Packaged: .vite/build/main.cjs next to .vite/renderer/<name>/index.html.
    void win.loadFile(path.join(__dirname, `../renderer/${MAIN_WINDOW_VITE_NAME}/index.html`));
  }
}

app.whenReady().then(() => {
  // The wallet needs no camera, notifications, geolocation, etc.: refuse every permission request and check.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  createWindow();
  // macOS: re-create the window when the dock icon is clicked and none is open.
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
