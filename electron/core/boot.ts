import { Core } from './core';
import { type EmbeddedNetwork, startEmbeddedNetwork } from './embedded';
import { Ledger } from './ledger/ledger';
import type { LndConfig } from './node/config';
import { LndNode } from './node/lnd';
import type { LightningNode } from './node/types';

export interface BootedCore {
  core: Core;
  /** Stops the core, then the embedded network if one was started. */
  stop(): Promise<void>;
}

/**
 * The core on its data directory and node: the given LND, or the embedded simulated network when none is given.
 * The ledger is opened first, so a second wallet on the same directory is refused before anything starts. On a
 * failure, whatever was started is stopped again.
 */
export async function bootCore(options: { dataDir: string; node?: LndConfig; protoDir?: string }): Promise<BootedCore> {
  const ledger = Ledger.open(options.dataDir);
  let embedded: EmbeddedNetwork | undefined;
  let node: LightningNode | undefined;
  try {
    if (options.node) {
      node = new LndNode(options.node, { simulated: false, protoDir: options.protoDir });
    } else {
      embedded = await startEmbeddedNetwork();
      node = embedded.wallet;
    }
    const core = await Core.start({
      node,
      ledger,
      dataDir: options.dataDir,
      simulated: !!embedded,
      merchants: embedded?.merchants,
    });
    return {
      core,
      stop: async () => {
        await core.stop();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await node?.disconnect().catch(() => {});
    ledger.close();
    await embedded?.stop();
    throw error;
  }
}
