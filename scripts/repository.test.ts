import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// The repository stands alone: no file in it points to a path outside it (a folder beside the clone, this
// machine's own directories).

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '' && f !== 'package-lock.json' && !f.endsWith('.gz'));

it('no relative path in any file climbs out of the repository', () => {
  const outside: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const match of text.matchAll(/(?<![\w./-])((?:\.\.\/)+)[\w@./-]*/g)) {
      const target = resolve(ROOT, dirname(file), match[0]);
      const rel = relative(ROOT, target);
      // A path quoted from another file (a test reading an import) is fine when it names a file of the repository.
      const rest = match[0].slice((match[1] as string).length);
      const quoted = rest !== '' && ['', '.ts', '.tsx'].some((ext) => existsSync(join(ROOT, `${rest}${ext}`)));
      if ((rel.startsWith('..') || isAbsolute(rel)) && !quoted) outside.push(`${file}: ${match[0]}`);
    }
  }
  expect(outside).toEqual([]);
});

it('no file names this machine’s work folders or the shared folder beside the clone', () => {
  const named = files.filter((file) =>
    /\/work\/|\.\.\/shared\/(?:reference|data)/.test(readFileSync(join(ROOT, file), 'utf8')),
  );
  expect(named).toEqual([]);
});
