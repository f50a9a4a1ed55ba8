import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCommandLine } from '../electron/core/command-line';
import { commandsMarkdown } from '../shared/api/help';

// `npm run docs:commands`: rewrites the generated part of docs/commands.md (below its marker) from the help table
// in shared/api/help.ts. electron/docs.test.ts fails while the two differ.

export const COMMANDS_DOC = fileURLToPath(new URL('../docs/commands.md', import.meta.url));
export const MARKER =
  '<!-- Generated from shared/api/help.ts by `npm run docs:commands`; edit that file, not below this line. -->';

/** docs/commands.md as it should be: its own prose down to the marker, then the generated reference. */
export function commandsDoc(current: string): string {
  const at = current.indexOf(MARKER);
  if (at < 0) throw new Error(`${COMMANDS_DOC} lost its marker line: ${MARKER}`);
  return `${current.slice(0, at + MARKER.length)}\n\n${commandsMarkdown()}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  parseCommandLine({
    name: 'npm run docs:commands --',
    usage: 'Rewrites the command reference in docs/commands.md from shared/api/help.ts.',
    options: {},
  });
  const current = readFileSync(COMMANDS_DOC, 'utf8');
  const next = commandsDoc(current);
  if (next === current) process.stdout.write('docs/commands.md is up to date\n');
  else {
    writeFileSync(COMMANDS_DOC, next);
    process.stdout.write('docs/commands.md rewritten from shared/api/help.ts\n');
  }
}
