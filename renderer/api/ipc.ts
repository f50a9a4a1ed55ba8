// BraidApi inside Electron: over the preload's `window.braid` (contextBridge; electron/preload.ts), which carries
// the calls over IPC. Values cross by structured clone, so amounts stay bigint. This wrapper only makes rejections
// ApiErrors and each unsubscribe its own, callable once.

import type { CommandArgs, CommandName, CommandResult } from '../../shared/api/commands';
import { type BraidApi, toApiError } from './client';

export function createIpcApi(bridge: BraidApi | undefined = globalThis.window?.braid): BraidApi {
  if (!bridge) throw new Error('window.braid is missing: not running in Braid’s Electron window');
  return {
    async call<N extends CommandName>(name: N, params?: CommandArgs[N] | unknown[]): Promise<CommandResult[N]> {
      try {
        return await bridge.call(name, params);
      } catch (error) {
        throw toApiError(error);
      }
    },
    subscribe(events, listener) {
      const off = bridge.subscribe(events, listener);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        off();
      };
    },
  };
}
