import { parseArgs } from 'node:util';
import { Simnet } from './simnet';

function fail(message: string): never {
  process.stderr.write(`simnet: ${message}\n`);
  process.exit(2);
}

function parseRange(value: string): { min: number; max: number } {
  const match = /^(\d+)(?:-(\d+))?$/.exec(value);
  if (!match) fail(`--hop-delay-ms must be MIN-MAX in milliseconds, got "${value}"`);
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  if (max < min) fail(`--hop-delay-ms: MAX (${max}) is below MIN (${min})`);
  return { min, max };
}

function parseNumber(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) fail(`${flag} must be a non-negative number, got "${value}"`);
  return n;
}

const { values } = parseArgs({
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
}).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));

process.stdout.write(`${JSON.stringify({ nodes: simnet.nodes })}\n`);

const shutdown = async () => {
  await simnet.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
