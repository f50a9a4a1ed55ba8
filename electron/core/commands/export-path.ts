import { lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { invalidParam } from '../../../shared/api/errors';

/**
 * Where a caller may have files written. 'anywhere': the local socket's user, or the path Electron's save dialog
 * returned; 'exports': only into the data directory's exports folder, by file name (the WebSocket of dev:web and
 * any other transport).
 */
export type FileReach = 'anywhere' | 'exports';

/** The folder of the data directory that exports go to by default, and the only one a confined caller reaches. */
export function exportsFolder(dataDir: string): string {
  return join(dataDir, 'exports');
}

/** The record of files exports wrote (so that an earlier export may be replaced without `overwrite`). */
const RECORD = 'exports.json';

interface Written {
  ino: number;
  size: number;
  mtimeMs: number;
}

export interface ExportTarget {
  /** The absolute path to write (its directory resolved through any symlink, checked). */
  path: string;
  /** Remembers the written file as an export of ours. */
  written(): void;
}

const isInside = (dir: string, path: string) => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
};

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** The real path of `path`'s deepest existing ancestor joined with the rest (nothing is created). */
function realDirOf(dir: string): string {
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    const real = realOrNull(at);
    if (real !== null) return join(real, ...missing.reverse());
    const parent = dirname(at);
    if (parent === at) return join(at, ...missing.reverse());
    missing.push(basename(at));
    at = parent;
  }
}

function readRecord(dataDir: string): Record<string, Written> {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, RECORD), 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, Written>) : {};
  } catch {
    return {};
  }
}

function isEarlierExport(dataDir: string, path: string, stat: { ino: number; size: number; mtimeMs: number }) {
  const record = readRecord(dataDir);
  const known = Object.hasOwn(record, path) ? record[path] : undefined;
  return known !== undefined && known.ino === stat.ino && known.size === stat.size && known.mtimeMs === stat.mtimeMs;
}

/**
 * Decides where an export may be written, before anything is: never inside the data directory (its exports
 * folder aside), never through a symbolic link (the file itself, or a folder leading out of where the caller
 * pointed), never over a file that is not an earlier export unless `overwrite`; a confined caller only into the
 * exports folder, by file name. Every refusal is -32602 on `path`.
 */
export function exportTarget(
  dataDir: string,
  given: string | undefined,
  defaultName: string,
  options: { reach: FileReach; overwrite: boolean },
): ExportTarget {
  const folder = exportsFolder(dataDir);
  const name = given ?? defaultName;
  const plainName = !/[/\\]/.test(name) && name !== '.' && name !== '..' && !name.includes('\0');
  let target: string;
  if (plainName) {
    if (name.startsWith('.')) throw invalidParam('path', given, 'must not be a hidden file name');
    target = join(folder, name);
  } else if (options.reach === 'exports') {
    throw invalidParam('path', given, 'over this connection only a file name in the exports folder is accepted');
  } else if (!isAbsolute(name)) {
    throw invalidParam('path', given, 'must be an absolute path, or a file name (then it goes to the exports folder)');
  } else {
    target = resolve(name);
  }

  const realData = realDirOf(resolve(dataDir));
  const realFolder = realDirOf(folder);
  const lexicalDir = dirname(target);
  // Folders are followed to where they really are (so that a link into the data directory is seen); the file itself
  // is never followed (below).
  const realDir = realDirOf(lexicalDir);
  const inExportsFolder = realDir === realFolder;
  // The exports folder itself must be a real folder of the data directory.
  if (inExportsFolder && (realFolder !== join(realData, 'exports') || isSymlink(folder))) {
    throw invalidParam('path', given, `the exports folder ${folder} is a symbolic link: remove it`);
  }
  if (!inExportsFolder && isInside(realData, realDir)) {
    throw invalidParam('path', given, `is inside the data directory ${dataDir}, where the wallet's own files are`);
  }
  const path = join(realDir, basename(target));
  let existing: ReturnType<typeof lstatSync> | undefined;
  try {
    existing = lstatSync(path);
  } catch {
    existing = undefined;
  }
  if (existing?.isSymbolicLink()) throw invalidParam('path', given, 'is a symbolic link: not followed');
  if (existing && !existing.isFile()) throw invalidParam('path', given, 'exists and is not a regular file');
  if (existing && !options.overwrite && !isEarlierExport(dataDir, path, existing)) {
    throw invalidParam('path', given, 'exists and is not an earlier export: pass overwrite: true to replace it');
  }
  return {
    path,
    written: () => {
      const record = readRecord(dataDir);
      const stat = statSync(path);
      record[path] = { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs };
      mkdirSync(dataDir, { recursive: true });
      const tmp = join(dataDir, `.${RECORD}.${process.pid}.tmp`);
      writeFileSync(tmp, JSON.stringify(record), { mode: 0o600 });
      renameSync(tmp, join(dataDir, RECORD));
    },
  };
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
