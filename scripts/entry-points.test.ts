import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every entry point's command line, run for real: `--help` prints the usage and exits 0; an unknown flag, a bad
// value or a bad argument prints one line naming it, then the usage, and exits 2; never a stack trace.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((done) => {
    execFile(command, args, { cwd: ROOT, env, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      done({ code, stdout, stderr });
    });
  });
}

const tsx = (file: string, args: string[]) => run(process.execPath, ['--import', 'tsx', file, ...args]);

/** One line naming the problem, then the usage; no stack trace. */
function expectUsageError(result: Run, names: string) {
  expect(result.code, result.stderr).toBe(2);
  const [first, second] = result.stderr.split('\n');
  expect(first).toContain(names);
  expect(second).toMatch(/^usage: /);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stdout).toBe('');
}

/** The TypeScript entry points: how npm runs them, a bad value each can be given. */
const ENTRY_POINTS: { script: string; file: string; bad: string[]; names: string }[] = [
  { script: 'daemon', file: 'electron/daemon.ts', bad: ['--lnd-host', 'h:1'], names: '--lnd-host' },
  { script: 'dev:web', file: 'electron/dev-web.ts', bad: ['--lnd-cert', 'x'], names: '--lnd-host' },
  { script: 'simnet', file: 'simnet/cli.ts', bad: ['--topology', 'ring'], names: '--topology' },
  { script: 'bench:ledger', file: 'bench/ledger.bench.ts', bad: ['e'], names: 'unknown benchmark e' },
  { script: 'bench:planner', file: 'bench/planner.bench.ts', bad: ['--plans', '0'], names: '--plans' },
  { script: 'bench:pay-plan', file: 'bench/pay-plan.bench.ts', bad: ['--stops', '2.5'], names: '--stops' },
  { script: 'bench:split', file: 'bench/split/split.bench.ts', bad: ['--sizes', '1,x'], names: '--sizes' },
  { script: 'bench:rebalance', file: 'bench/rebalance.bench.ts', bad: ['--seeds', 'x'], names: '--seeds' },
  { script: 'chaos', file: 'electron/test/chaos-cli.ts', bad: ['--iterations', '0'], names: '--iterations' },
  { script: 'bench:simnet', file: 'simnet/bench/simnet.bench.ts', bad: ['extra'], names: 'extra' },
  { script: 'bench:ui', file: 'e2e/bench-ui.ts', bad: ['--runs', '-1'], names: '--runs' },
  { script: 'docs:commands', file: 'scripts/commands-doc.ts', bad: ['--write'], names: '--write' },
];

describe('the entry points listed', () => {
  it('are every TypeScript entry point package.json runs, with the file it runs', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const run = Object.entries(scripts)
      .flatMap(([script, command]) => {
        const file = /^tsx (\S+\.ts)$/.exec(command)?.[1];
        return file ? [{ script, file }] : [];
      })
      .sort((a, b) => a.script.localeCompare(b.script));
    expect(run.length).toBeGreaterThan(0);
    const listed = ENTRY_POINTS.map(({ script, file }) => ({ script, file })).sort((a, b) =>
      a.script.localeCompare(b.script),
    );
    expect(listed).toEqual(run);
  });
});

describe.concurrent('the command lines of the TypeScript entry points', () => {
  for (const entry of ENTRY_POINTS) {
    it(`npm run ${entry.script}: --help, an unknown flag, a bad value`, async () => {
      const [help, unknown, bad] = await Promise.all([
        tsx(entry.file, ['--help']),
        tsx(entry.file, ['--no-such-flag']),
        tsx(entry.file, entry.bad),
      ]);
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: npm run ${entry.script} -- \\[options\\]\\n`));
      expect(help.stdout).toContain('--help');
      expectUsageError(unknown, 'unknown option --no-such-flag');
      expectUsageError(bad, entry.names);
    }, 120_000);
  }
});

describe('benchmarks that cannot measure', () => {
  it('exit 1 and say why when the mainnet graph file is missing', async () => {
    const env = { ...process.env, BRAID_MAINNET_GRAPH: join(ROOT, 'no', 'such', 'graph.csv.gz') };
    const benches = [
      ['bench:planner', 'bench/planner.bench.ts', ['--plans', '1']],
      ['bench:split', 'bench/split/split.bench.ts', ['--quick']],
      ['bench:rebalance', 'bench/rebalance.bench.ts', ['--quick']],
      ['bench:simnet', 'simnet/bench/simnet.bench.ts', []],
    ] as const;
    const results = await Promise.all(
      benches.map(([, file, args]) => run(process.execPath, ['--import', 'tsx', file, ...args], env)),
    );
    for (const [i, [name]] of benches.entries()) {
      const result = results[i] as Run;
      expect(result.code, name).toBe(1);
      expect(result.stderr).toContain(`${name}: cannot measure: the mainnet graph file is missing at`);
      expect(result.stderr).toContain('no/such/graph.csv.gz');
      expect(result.stdout).toBe('');
    }
  }, 120_000);
});

describe('./braid', () => {
  it('--help prints the usage; no command, an unknown one or an unknown flag: one line, the usage, exit 2', async () => {
    const help = await run('./braid', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: \.\/braid start/);
    expect(help.stdout).toContain('./braid test');
    expect((await run('./braid', ['start', '--help'])).stdout).toBe(help.stdout);
    expectUsageError(await run('./braid', []), 'say what to do: start or test');
    expectUsageError(await run('./braid', ['frob']), 'unknown command: frob');
    expectUsageError(await run('./braid', ['test', '--fast']), 'unknown option for test: --fast');
  });
});

/** A Node older than 22.12 on this machine, if there is one (Debian's is 20). */
const OLD_NODE = ['/usr/bin/node', '/usr/local/bin/node', '/bin/node'].find(
  (path) => existsSync(path) && path !== process.execPath,
);

describe('scripts/preflight.mjs (run by npm before every entry point)', () => {
  it('passes on this Node, and --electron says how to get Electron’s binary when it is missing', async () => {
    expect((await run(process.execPath, ['scripts/preflight.mjs'])).code).toBe(0);
    expectUsageError(await run(process.execPath, ['scripts/preflight.mjs', '--frob']), 'unknown option --frob');
    const electron = await run(process.execPath, ['scripts/preflight.mjs', '--electron']);
    const binaryThere = existsSync(join(ROOT, 'node_modules', 'electron', 'path.txt'));
    if (binaryThere) expect(electron.code).toBe(0);
    else {
      expect(electron.code).toBe(1);
      expect(electron.stderr).toContain("Electron's binary is not installed");
      expect(electron.stderr).toContain('node node_modules/electron/install.js');
      // What a user types: npm runs the check first, and electron-forge never starts.
      for (const script of ['desktop', 'make']) {
        const npm = await run('npm', ['run', '--silent', script]);
        expect(npm.code, script).not.toBe(0);
        expect(npm.stderr).toContain("Electron's binary is not installed");
        expect(npm.stderr).not.toContain('fetch failed');
      }
    }
  });

  it.runIf(OLD_NODE)(
    `refuses an old Node with what to do (with ${OLD_NODE ?? 'no older Node on this machine: skipped'})`,
    async () => {
      const version = await run(OLD_NODE as string, ['-p', 'process.versions.node']);
      const [major, minor] = version.stdout.trim().split('.').map(Number) as [number, number];
      const old = major < 22 || (major === 22 && minor < 12);
      const result = await run(OLD_NODE as string, ['scripts/preflight.mjs']);
      if (!old) {
        expect(result.code).toBe(0);
        return;
      }
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Braid needs Node 22.12 or newer; this is Node v${version.stdout.trim()}`);
      expect(result.stderr).toContain('./braid start');
      // And through npm, as a newcomer would run it.
      const npm = await run('npm', ['run', 'daemon', '--', '--help'], {
        ...process.env,
        PATH: `${dirname(OLD_NODE as string)}:${process.env.PATH ?? ''}`,
      });
      expect(npm.code).not.toBe(0);
      expect(npm.stderr).toContain('Braid needs Node 22.12 or newer');
    },
  );
});
