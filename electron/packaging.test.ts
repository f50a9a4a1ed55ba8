import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build, type InlineConfig, mergeConfig } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import forgeConfig from '../forge.config';
import { checkProtoDir } from './core/node/protos';
import { copyRuntimeModules, PARTIAL_MODULES, RUNTIME_MODULES } from './packaging';
import { forgeBuildConfigs } from './test/forge-build';

// What `electron-forge package` would put in app.asar, short of Electron itself (which cannot run here): the main
// and preload bundles built by the Vite plugin's own config generator, and node_modules laid out by forge.config.ts's
// hook. Then the core, bundled the same way as main.cjs, runs from that folder alone on the simulated network.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILTIN =
  /^(node:)?(assert|buffer|child_process|crypto|dns|events|fs|fs\/promises|http|http2|https|module|net|os|path|process|querystring|stream|string_decoder|timers|tls|tty|url|util|worker_threads|zlib)$/;

/** Every module a CommonJS bundle require()s with a literal name, outside generated code strings and comments. */
function requires(file: string): Set<string> {
  const code = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\*|\/\/)/.test(line))
    .join('\n');
  return new Set([...code.matchAll(/(?<![`\w.])require\("([^"]+)"\)/g)].map((m) => m[1] as string));
}

describe('packaging', () => {
  let app: string;

  beforeAll(async () => {
    app = mkdtempSync(path.join(tmpdir(), 'braid-package-'));
    const configs = await forgeBuildConfigs(ROOT);
    // The core as main.cjs bundles it, with a small entry standing in for main.ts (which needs Electron).
    const smoke = path.join(app, 'smoke.ts');
    const at = (file: string) => JSON.stringify(path.join(ROOT, file));
    writeFileSync(
      smoke,
      `import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Core } from ${at('electron/core/core.ts')};
import { startEmbeddedNetwork } from ${at('electron/core/embedded.ts')};
import { Ledger } from ${at('electron/core/ledger/ledger.ts')};
import { exportPayments, threadsFor } from ${at('electron/core/ledger/export.ts')};
import { readFileSync } from 'node:fs';
async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'braid-package-ledger-'));
  const embedded = await startEmbeddedNetwork();
  const ledger = Ledger.open(dataDir);
  const core = await Core.start({ node: embedded.wallet, ledger, dataDir, simulated: true, merchants: embedded.merchants });
  const { bolt11 } = await core.call('testinvoice', { msatoshi: 1000000 }) as { bolt11: string };
  const paid = await core.call('pay', { bolt11 }) as { status: string };
  const info = await core.call('getinfo', {}) as { alias: string };
  const plannerThread = await core.planner.threadId();
  // The export written by two worker threads (export-worker.cjs beside this bundle) is the one this thread writes.
  const out = mkdtempSync(join(tmpdir(), 'braid-package-export-'));
  await exportPayments(ledger, 'csv', join(out, 'one.csv'), {}, { threads: 1 });
  await exportPayments(ledger, 'csv', join(out, 'two.csv'), {}, { threads: 2 });
  const same = readFileSync(join(out, 'one.csv'), 'utf8') === readFileSync(join(out, 'two.csv'), 'utf8');
  const exportWorkers = threadsFor(0, 2) === 2 && same;
  process.stdout.write(JSON.stringify({ alias: info.alias, status: paid.status, plannerInWorker: plannerThread !== 0, exportWorkers }));
  await core.stop();
  await embedded.stop();
}
main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
`,
    );
    const main = configs[0] as InlineConfig;
    const all = [...configs, mergeConfig(main, { build: { lib: { entry: smoke } } })];
    for (const config of all) {
      await build(
        mergeConfig(config, {
          logLevel: 'silent',
          build: { outDir: path.join(app, '.vite', 'build'), minify: false, watch: null },
        }),
      );
    }
    writeFileSync(path.join(app, 'package.json'), readFileSync(path.join(ROOT, 'package.json')));
    copyRuntimeModules(ROOT, app);
  }, 120_000);
  afterAll(() => {
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('bundles the preload into one file that requires nothing but electron', () => {
    expect([...requires(path.join(app, '.vite', 'build', 'preload.cjs'))]).toEqual(['electron']);
  });

  it('leaves only electron, Node built-ins and better-sqlite3 to require() in main, with import.meta.url kept', () => {
    const main = path.join(app, '.vite', 'build', 'main.cjs');
    const outside = [...requires(main)].filter((name) => !BUILTIN.test(name));
    expect(outside.sort()).toEqual(['better-sqlite3', 'electron']);
    // Rolldown turns import.meta.url into `{}.url` in CommonJS unless told the platform is node.
    const code = readFileSync(main, 'utf8');
    expect(code).not.toMatch(/\{\s*\}\.url/);
    expect(code).not.toContain('import.meta');
  });

  it('bundles the planner’s worker next to main.cjs, requiring only Node built-ins', () => {
    const worker = path.join(app, '.vite', 'build', 'planner-worker.cjs');
    expect([...requires(worker)].filter((name) => !BUILTIN.test(name))).toEqual([]);
  });

  it('bundles the export worker next to main.cjs, requiring only Node built-ins and better-sqlite3', () => {
    const worker = path.join(app, '.vite', 'build', 'export-worker.cjs');
    expect([...requires(worker)].filter((name) => !BUILTIN.test(name))).toEqual(['better-sqlite3']);
  });

  it('copies the run-time packages with their dependencies, and lightning’s protos only', () => {
    for (const name of [...RUNTIME_MODULES, 'node-addon-api', '@grpc/grpc-js', 'tiny-secp256k1', 'sjcl']) {
      expect(existsSync(path.join(app, 'node_modules', name, 'package.json')), name).toBe(true);
    }
    expect(existsSync(path.join(app, 'node_modules', 'better-sqlite3', 'deps'))).toBe(false);
    expect(existsSync(path.join(app, 'node_modules', 'lightning', 'grpc', 'protos', 'lightning.proto'))).toBe(true);
    expect(existsSync(path.join(app, 'node_modules', 'lightning', 'index.js'))).toBe(false);
    expect(Object.keys(PARTIAL_MODULES)).toEqual(['lightning']);
  });

  it('runs the bundled core from the package folder alone: SQLite, lnd-grpc, simnet, a payment', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(app, '.vite', 'build', 'smoke.cjs')], {
      cwd: app,
      timeout: 60_000,
    });
    // The planner ran in its worker, planner-worker.cjs, not in the main thread; an export in two export-worker.cjs.
    expect(JSON.parse(stdout)).toEqual({
      alias: 'alice',
      status: 'complete',
      plannerInWorker: true,
      exportWorkers: true,
    });
  });

  it('lays out LND’s protos as the extra resource LndNode is given when packaged', async () => {
    await forgeConfig.hooks?.generateAssets?.(forgeConfig as never, process.platform as never, process.arch as never);
    const resource = (forgeConfig.packagerConfig?.extraResource as string[] | undefined)?.[0] ?? '';
    expect(path.basename(resource)).toBe('lnd-protos');
    expect(() => checkProtoDir(resource)).not.toThrow();
    expect(readFileSync(path.join(ROOT, 'electron', 'main.ts'), 'utf8')).toContain(
      "path.join(process.resourcesPath, 'lnd-protos')",
    );
  });
});
