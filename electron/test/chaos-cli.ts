import { parseCommandLine } from '../core/command-line';
import { FAULTS, runChaos } from './chaos';

const cli = parseCommandLine({
  name: 'npm run chaos --',
  usage: `The fault suite: a daemon on simnet driven with random payments while faults strike; after each iteration the
invariants are checked against the node. One line per iteration, then the tally (JSON); exit 1 on any violation.
  --iterations N   iterations to run (default 20)
  --seed S         the random seed (default 1)`,
  options: { iterations: { type: 'string' }, seed: { type: 'string' } },
});
const iterations = cli.number('iterations', { min: 1, integer: true }) ?? 20;
const seed = cli.number('seed', { min: 0, integer: true }) ?? 1;

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
