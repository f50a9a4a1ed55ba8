import { basename } from 'node:path';
import { simnetCommandLine } from './command-line';
import { Simnet } from './simnet';
import { MAINNET_GRAPH_DEFAULT } from './topology/mainnet';

const cli = simnetCommandLine({
  name: 'npm run simnet --',
  usage: `A simulated Lightning network that speaks LND's gRPC API. Prints one JSON line with each named node's
credentials when ready; runs until SIGINT/SIGTERM.
  --topology small|mainnet    small: 15 nodes (default); mainnet: the public graph of 2026-02-03
  --graph FILE                the mainnet graph (default: $BRAID_MAINNET_GRAPH, then
                              simnet/data/${basename(MAINNET_GRAPH_DEFAULT)})
  --seed N                    keys and balances are drawn from it (default 1)
  --hop-delay-ms MIN-MAX      each hop's delay in milliseconds (default 20-80)
  --mpp-timeout-s S           how long a receiver holds an incomplete MPP set (default 120)
  --block-interval-s S        a block every S seconds, 0 for none (default 600)
  --balances uniform|bimodal  how channel balances are drawn on mainnet (default uniform)`,
  options: {
    topology: { type: 'string', default: 'small' },
    seed: { type: 'string' },
    'hop-delay-ms': { type: 'string', default: '20-80' },
    'mpp-timeout-s': { type: 'string' },
    'register-delay-ms': { type: 'string' },
    'block-interval-s': { type: 'string' },
    balances: { type: 'string', default: 'uniform' },
    graph: { type: 'string' },
  },
});

const { values } = cli;
function fail(message: string): never {
  return cli.fail(message);
}

function parseRange(value: string): { min: number; max: number } {
  const match = /^(\d+)(?:-(\d+))?$/.exec(value);
  if (!match) return fail(`--hop-delay-ms must be MIN-MAX in milliseconds, got "${value}"`);
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  if (max < min) fail(`--hop-delay-ms: MAX (${max}) is below MIN (${min})`);
  return { min, max };
}

function parseNumber(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n < 0) fail(`${flag} must be a non-negative number, got "${value}"`);
  return n;
}

if (values.topology !== 'small' && values.topology !== 'mainnet') {
  fail(`--topology must be small or mainnet, got "${values.topology}"`);
}
if (values.balances !== 'uniform' && values.balances !== 'bimodal') {
  fail(`--balances must be uniform or bimodal, got "${values.balances}"`);
}

const simnet = await Simnet.start({
  topology: values.topology,
  seed: parseNumber(values.seed, '--seed', 1),
  hopDelayMs: parseRange(values['hop-delay-ms'] ?? '0'),
  mppTimeoutMs: parseNumber(values['mpp-timeout-s'], '--mpp-timeout-s', 120) * 1000,
  registerDelayMs: parseNumber(values['register-delay-ms'], '--register-delay-ms', 0),
  blockIntervalMs: parseNumber(values['block-interval-s'], '--block-interval-s', 600) * 1000,
  balances: values.balances,
  graphPath: values.graph,
}).catch((error: unknown) => {
  process.stderr.write(`simnet: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

process.stdout.write(`${JSON.stringify({ nodes: simnet.nodes })}\n`);

const shutdown = async () => {
  await simnet.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
