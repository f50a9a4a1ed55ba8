import { cpSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Build-time help for forge.config.ts (never bundled into the app). @electron-forge/plugin-vite packages only the
// .vite/ folder: whatever the main bundle still require()s at run time must be copied into the package's
// node_modules by hand (electron/forge#3738, #3917). Those are the native better-sqlite3 and the packages the core
// loads through createRequire (lnd-grpc, invoices, macaroon), plus LND's .proto files from `lightning`.

/** Packages the main bundle loads at run time, copied whole with their dependencies. */
export const RUNTIME_MODULES: readonly string[] = ['better-sqlite3', 'lnd-grpc', 'invoices', 'macaroon'];

/** Packages of which only some files are read at run time (simnet and protos.ts read `lightning`'s protos). */
export const PARTIAL_MODULES: Readonly<Record<string, readonly string[]>> = {
  lightning: ['package.json', 'grpc/protos'],
};

/** Files and folders of a package never needed at run time (better-sqlite3: SQLite's and its own C sources). */
const SKIP: Readonly<Record<string, readonly string[]>> = {
  'better-sqlite3': ['deps', 'src', 'binding.gyp'],
};

/** Node's lookup: `<dir>/node_modules/<name>`, from `fromDir` up to (and including) `rootDir`. */
function findPackage(name: string, fromDir: string, rootDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (dir === rootDir || parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Copies `modules` (and their dependencies, recursively) and the files of `partial` from `projectDir`'s
 * node_modules into `buildPath`, each at the same relative path, so that Node resolves them from the package as it
 * does from the project. Returns the copied package folders, relative to `buildPath`.
 */
export function copyRuntimeModules(
  projectDir: string,
  buildPath: string,
  modules: readonly string[] = RUNTIME_MODULES,
  partial: Readonly<Record<string, readonly string[]>> = PARTIAL_MODULES,
): string[] {
  const copied = new Set<string>();

  const copy = (name: string, fromDir: string, optional: boolean) => {
    const source = findPackage(name, fromDir, projectDir);
    if (!source) {
      if (optional) return;
      throw new Error(`packaging: cannot find ${name} (needed from ${path.relative(projectDir, fromDir) || '.'})`);
    }
    const relative = path.relative(projectDir, source);
    if (copied.has(relative)) return;
    copied.add(relative);
    const nested = path.join(source, 'node_modules');
    const skipped = (SKIP[name] ?? []).map((entry) => path.join(source, entry));
    cpSync(source, path.join(buildPath, relative), {
      recursive: true,
      dereference: true,
      filter: (file) =>
        ![nested, ...skipped].some((excluded) => file === excluded || file.startsWith(`${excluded}${path.sep}`)),
    });
    const manifest = JSON.parse(readFileSync(path.join(source, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) copy(dependency, source, false);
    for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) copy(dependency, source, true);
  };

  for (const name of modules) copy(name, projectDir, false);
  for (const [name, entries] of Object.entries(partial)) {
    const source = findPackage(name, projectDir, projectDir);
    if (!source) throw new Error(`packaging: cannot find ${name}`);
    const relative = path.relative(projectDir, source);
    for (const entry of entries) {
      cpSync(path.join(source, entry), path.join(buildPath, relative, entry), { recursive: true, dereference: true });
    }
    copied.add(relative);
  }
  return [...copied].sort();
}
