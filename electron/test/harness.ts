import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simnet, type SimnetOptions } from '../../simnet/simnet';
import type { Merchant } from '../core/commands/context';
import { Core } from '../core/core';
import { Ledger } from '../core/ledger/ledger';
import { LndNode } from '../core/node/lnd';
import { JsonRpcServer } from '../transports/jsonrpc';
import { RpcClient } from './rpc-client';

export interface Harness {
  simnet: Simnet;
  core: Core;
  node: LndNode;
  rpc: RpcClient;
  dataDir: string;
  socketPath: string;
  /** A second connection to the same socket. */
  connect(): Promise<RpcClient>;
  stop(): Promise<void>;
}

/**
 * The real stack in one process: simnet over gRPC+TLS, the core on a real SQLite file, the JSON-RPC socket, and a
 * client talking to it as a script would.
 */
export async function startHarness(options: SimnetOptions = {}): Promise<Harness> {
  const simnet = await Simnet.start({ seed: 21, hopDelayMs: { min: 0, max: 0 }, blockIntervalMs: 0, ...options });
  const dataDir = mkdtempSync(join(tmpdir(), 'braid-core-'));
  const node = new LndNode({ kind: 'lndconnect', uri: simnet.nodes.alice.lndconnect }, { simulated: true });
  const bob = new LndNode({ kind: 'lndconnect', uri: simnet.nodes.bob.lndconnect }, { simulated: true });
  await bob.connect();
  const merchants: Record<string, Merchant> = {
    bob: { addInvoice: async (msat, memo) => (await bob.addInvoice(msat, memo)).bolt11 },
  };
  const core = await Core.start({ node, ledger: Ledger.open(dataDir), dataDir, simulated: true, merchants });
  const socketPath = join(dataDir, 'rpc.sock');
  const server = new JsonRpcServer(core, socketPath);
  await server.start();
  const clients: RpcClient[] = [];
  const connect = async () => {
    const client = await RpcClient.connect(socketPath);
    clients.push(client);
    return client;
  };
  const rpc = await connect();
  return {
    simnet,
    core,
    node,
    rpc,
    dataDir,
    socketPath,
    connect,
    stop: async () => {
      for (const c of clients) c.close();
      await server.stop();
      await core.stop();
      await bob.disconnect();
      await simnet.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
