import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { COMMANDS, paramNames } from '../shared/api/commands';
import { COMMAND_HELP, commandsMarkdown, usage } from '../shared/api/help';
import { COMMANDS_DOC, commandsDoc } from './commands-doc';

it('docs/commands.md is what shared/api/help.ts generates (run `npm run docs:commands` after changing a command)', () => {
  const current = readFileSync(COMMANDS_DOC, 'utf8');
  expect(current).toBe(commandsDoc(current));
});

it('the reference has every command with its usage line and every parameter by name and position', () => {
  const text = commandsMarkdown();
  for (const name of COMMANDS) {
    expect(text).toContain(`### ${name}\n\n\`${usage(name)}\``);
    expect(COMMAND_HELP[name].summary).not.toMatch(/\n/);
    for (const [i, param] of paramNames(name).entries())
      expect(text).toMatch(new RegExp(`\\| ${i} \\| \`${param}\` \\|`));
  }
  expect(usage('sendpartialpay')).toBe(
    'sendpartialpay route payment_hash intended_msatoshi [description] [payment_secret] [bolt11]',
  );
  expect(text).toContain('| 5 | `retry_for` | seconds | no | 60 |');
});
