// Preload: runs sandboxed (its only `require` is Electron's), before the page, and gives the page exactly one object,
// `window.braid` (shared/api/channels.ts BraidBridge): functions over named IPC channels, never ipcRenderer, never
// Node. Vite bundles it, with what it uses of shared/, into the single file .vite/build/preload.cjs.
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './ipc/bridge';

contextBridge.exposeInMainWorld('braid', createBridge(ipcRenderer));
