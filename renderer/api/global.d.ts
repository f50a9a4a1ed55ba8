// What electron/preload.ts exposes to the page through contextBridge (shared/api/channels.ts BraidBridge). Absent in
// a plain browser (dev-web), where renderer/api/select.ts picks the WebSocket instead.

import type { BraidBridge } from '../../shared/api/channels';

declare global {
  interface Window {
    braid?: BraidBridge;
  }
}
