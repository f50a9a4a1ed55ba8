// What electron/preload.ts exposes to the page through contextBridge. Absent in a plain browser (dev-web), where
// renderer/api/select.ts picks the WebSocket instead.

import type { BraidApi } from './client';

declare global {
  interface Window {
    braid?: BraidApi;
  }
}
