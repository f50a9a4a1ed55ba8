// For the benchmarks' quick-run tests: a describe block that runs only where the mainnet graph file is (and says why
// it is skipped elsewhere), and one run of a benchmark's entry point with its JSON lines parsed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe } from 'vitest';
import { mainnetGraphAvailable, mainnetGraphPath } from '../../simnet/topology/mainnet';

export type Line = Record<string, unknown>;

/** `describe`, skipped with the reason when the mainnet graph file is missing. */
export function describeOnMainnet(title: string, body: () => void): void {
  const available = mainnetGraphAvailable();
  describe.skipIf(!available)(
    `${title}${available ? '' : ` (skipped: no mainnet graph file at ${mainnetGraphPath()})`}`,
    body,
  );
}

/** Runs `file` with `args` under tsx and returns its stdout's JSON lines. */
export async function benchLines(file: string, args: string[]): Promise<Line[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file, ...args], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 240_000,
  });
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
}
