import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Core } from './core/core';
import { startEmbeddedNetwork } from './core/embedded';
import { Ledger } from './core/ledger/ledger';
import type { LndConfig } from './core/node/config';
import { LndNode } from './core/node/lnd';
import { JsonRpcServer } from './transports/jsonrpc';

// The headless wallet: the core on a node (an LND, or the embedded simulated network when none is given), with
// the JSON-RPC socket when asked for.

function fail(message: string): never {
  process.stderr.write(`braid daemon: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    lndconnect: { type: 'string' },
    'lnd-host': { type: 'string' },
    'lnd-cert': { type: 'string' },
    'lnd-macaroon': { type: 'string' },
    'data-dir': { type: 'string' },
    'rpc-socket': { type: 'string' },
  },
});

function nodeConfig(): LndConfig | undefined {
  if (values.lndconnect) return { kind: 'lndconnect', uri: values.lndconnect };
  const host = values['lnd-host'];
  const cert = values['lnd-cert'];
  const macaroon = values['lnd-macaroon'];
  if (!host && !cert && !macaroon) return undefined;
  if (!host || !cert || !macaroon) fail('--lnd-host, --lnd-cert and --lnd-macaroon go together');
  return { kind: 'lnd', host, cert, macaroon };
}

const dataDir = resolve(
  values['data-dir'] ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'braid'),
);
const config = nodeConfig();

let ledger: Ledger;
try {
  ledger = Ledger.open(dataDir);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

const embedded = config ? undefined : await startEmbeddedNetwork();
const node = embedded ? embedded.wallet : new LndNode(config as LndConfig, { simulated: false });
let core: Core;
try {
  core = await Core.start({ node, ledger, dataDir, simulated: !!embedded, merchants: embedded?.merchants });
} catch (error) {
  ledger.close();
  await embedded?.stop();
  fail(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
}
const rpc = values['rpc-socket'] ? new JsonRpcServer(core, resolve(values['rpc-socket'])) : undefined;
await rpc?.start();

const info = (await core.call('getinfo', {})) as { id: string; alias: string; simulated: boolean };
process.stdout.write(
  `${JSON.stringify({
    ready: true,
    rpc_socket: rpc?.path ?? null,
    data_dir: dataDir,
    node: { id: info.id, alias: info.alias, simulated: info.simulated },
  })}\n`,
);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await rpc?.stop();
  await core.stop();
  await embedded?.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
