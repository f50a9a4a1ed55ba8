import { parseArgs } from 'node:util';
import { FAULTS, runChaos } from './chaos';

// npm run chaos -- [--iterations N] [--seed S]: prints one line per iteration, then the tally (JSON).

const { values } = parseArgs({
  options: { iterations: { type: 'string', default: '20' }, seed: { type: 'string', default: '1' } },
});
const iterations = Number(values.iterations);
const seed = Number(values.seed);
if (!Number.isSafeInteger(iterations) || iterations < 1) throw new Error(`--iterations: not a positive integer`);
if (!Number.isSafeInteger(seed)) throw new Error('--seed: not an integer');

const tally = await runChaos({ iterations, seed, log: (line) => process.stdout.write(`${line}\n`) });
process.stdout.write(`${JSON.stringify({ tally })}\n`);
process.stdout.write(
  `chaos: ${tally.iterations} iterations in ${tally.seconds} s (seed ${tally.seed}); faults ${FAULTS.map((f) => `${f} ${tally.faults[f]}`).join(', ')}; ` +
    `payments ${tally.payments.attempted} (complete ${tally.payments.complete}, errors ${tally.payments.errors}); ` +
    `parts answered pending ${tally.parts_promised_pending}; bad requests ${tally.bad_requests}; ` +
    `daemon restarts ${tally.daemon_restarts}; violations ${tally.violations.length}\n`,
);
for (const v of tally.violations) process.stdout.write(`  violation: ${v}\n`);
process.exit(tally.violations.length === 0 ? 0 : 1);
