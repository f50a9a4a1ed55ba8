import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BootedCore, bootCore } from './core/boot';
import { parseCommandLine } from './core/command-line';
import { NODE_FLAG_OPTIONS, NODE_FLAG_USAGE, nodeConfigFromFlags } from './node-flags';
import { JsonRpcServer } from './transports/jsonrpc';

// The headless wallet: the core on a node (an LND, or the embedded simulated network when none is given), with
// the JSON-RPC socket when asked for.

const cli = parseCommandLine({
  name: 'npm run daemon --',
  usage: `The headless wallet. Prints one JSON line when ready; SIGTERM stops it.
${NODE_FLAG_USAGE} (default: $XDG_DATA_HOME/braid)
  --rpc-socket PATH       serve JSON-RPC 2.0 on this unix socket (mode 0600; \`help\` lists the commands)`,
  options: { ...NODE_FLAG_OPTIONS, 'rpc-socket': { type: 'string' } },
});
const { values } = cli;

function fail(message: string): never {
  process.stderr.write(`braid daemon: ${message}\n`);
  process.exit(1);
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

let node: ReturnType<typeof nodeConfigFromFlags>;
try {
  node = nodeConfigFromFlags(values);
} catch (error) {
  cli.fail(message(error));
}

const dataDir = resolve(
  values['data-dir'] ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'braid'),
);

const socketPath = values['rpc-socket'] ? resolve(values['rpc-socket']) : undefined;

let booted: BootedCore;
try {
  booted = await bootCore({ dataDir, node });
} catch (error) {
  fail(`cannot start: ${message(error)}`);
}
const { core } = booted;
const rpc = socketPath ? new JsonRpcServer(core, socketPath) : undefined;
try {
  await rpc?.start();
} catch (error) {
  await booted.stop().catch(() => {});
  fail(`cannot start: ${message(error)}`);
}

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
  await booted.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
