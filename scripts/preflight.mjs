// Run by npm before every entry point (package.json "pre…" scripts), in plain JavaScript so that any Node can run
// it: Braid needs Node 22.12 or newer (better-sqlite3 crashes without a word on Node 20), and `desktop` / `make` /
// `package` need Electron's binary. Says what to do and exits 1 instead of crashing later.
//   node scripts/preflight.mjs [--electron]
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const usage =
  "usage: node scripts/preflight.mjs [--electron]\n  --electron  also check that Electron's binary is installed\n";

if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(usage);
  process.exit(0);
}
const unknown = args.find((a) => a !== '--electron');
if (unknown !== undefined) {
  process.stderr.write(`preflight: unknown option ${unknown}\n${usage}`);
  process.exit(2);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `Braid needs Node 22.12 or newer; this is Node ${process.version} (${process.execPath}).\n` +
      'Run `source .ci/node.sh` first (it puts Node 22 on PATH, fetching it once from the npm registry), ' +
      'or use `./braid start` / `./braid test`, which do that for you.\n',
  );
  process.exit(1);
}

if (args.includes('--electron')) {
  const dir = join(root, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  const binary = existsSync(pathFile) ? join(dir, 'dist', readFileSync(pathFile, 'utf8').trim()) : undefined;
  if (!binary || !existsSync(binary)) {
    process.stderr.write(
      "Electron's binary is not installed (npm ci ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or its download failed).\n" +
        'On a machine that reaches GitHub (or an ELECTRON_MIRROR): `node node_modules/electron/install.js` fetches it; ' +
        '`npm run make` also downloads Electron releases to package.\n' +
        'Without it, `./braid start` shows the same interface in your browser.\n',
    );
    process.exit(1);
  }
}
