// Preload: runs sandboxed, before the page, with contextBridge as the only way to give the page anything.
// It exposes plain data and, later, narrow typed functions; never ipcRenderer or other Electron objects themselves.
import { contextBridge } from 'electron';
import { version } from '../package.json';

// Placeholder for the typed `window.braid` API (later issue).
const braid: { version: string } = { version };

contextBridge.exposeInMainWorld('braid', braid);
