import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// The layers (README 'Layout') are the linter's: biome.json's noRestrictedImports, run for real on probe files laid
// out as in the repository (in a temporary copy of the tree's shape, with the repository's biome.json), some across
// a layer, some allowed.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Probe {
  file: string;
  /** The repository file it imports (its path from the root, without extension). */
  imports: string;
  refused: boolean;
  /** The probe's first lines, before the import. */
  before?: string;
}

const PROBES: Probe[] = [
  { file: 'electron/core/ledger/probe.ts', imports: 'simnet/simnet', refused: true },
  { file: 'electron/core/bench/probe.ts', imports: 'simnet/bench/gc', refused: true },
  { file: 'electron/core/probe.ts', imports: 'bench/seed', refused: true },
  { file: 'electron/core/commands/probe.ts', imports: 'e2e/stack', refused: true },
  { file: 'electron/core/payer/probe.ts', imports: 'electron/test/harness', refused: true },
  { file: 'shared/probe.ts', imports: 'bench/bench-util', refused: true },
  { file: 'renderer/src/probe.ts', imports: 'e2e/ui', refused: true },
  { file: 'simnet/probe.ts', imports: 'bench/seed', refused: true },
  {
    file: 'electron/core/embedded.ts',
    imports: 'simnet/simnet',
    refused: false,
    before: readFileSync(join(ROOT, 'electron/core/embedded.ts'), 'utf8').split('\n')[0],
  },
  { file: 'electron/core/ledger/probe.test.ts', imports: 'simnet/simnet', refused: false },
  { file: 'bench/probe.ts', imports: 'electron/core/ledger/ledger', refused: false },
  { file: 'e2e/probe.ts', imports: 'bench/seed', refused: false },
];

function lint(cwd: string): Promise<string> {
  return new Promise((done) => {
    const biome = join(ROOT, 'node_modules', '.bin', 'biome');
    execFile(biome, ['lint', '--reporter=github', '.'], { cwd }, (_error, stdout) => done(stdout));
  });
}

it('biome refuses an import across a layer and lets the allowed ones through', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'braid-layers-'));
  try {
    const config = JSON.parse(readFileSync(join(ROOT, 'biome.json'), 'utf8'));
    config.$schema = undefined;
    config.vcs = { enabled: false };
    writeFileSync(join(dir, 'biome.json'), JSON.stringify(config));
    for (const probe of PROBES) {
      const path = join(dir, probe.file);
      mkdirSync(dirname(path), { recursive: true });
      const specifier = relative(dirname(probe.file), probe.imports);
      const lines = [probe.before, `import * as imported from '${specifier}';`, 'export const probe = imported;', ''];
      writeFileSync(path, lines.filter((line) => line !== undefined).join('\n'));
    }
    const output = await lint(dir);
    const refused = [...output.matchAll(/title=lint\/style\/noRestrictedImports,file=([^,]+),/g)].map((m) =>
      relative(dir, m[1] as string),
    );
    expect(refused.sort()).toEqual(
      PROBES.filter((p) => p.refused)
        .map((p) => p.file)
        .sort(),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
