import { relative } from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';

// Prints, after vitest's own summary, every test that was skipped and why: the reason each skipped test states in
// its name ("(skipped: …)") or passes to ctx.skip(note). Tests left out by a -t name filter are not listed.

export default class SkipReasonsReporter implements Reporter {
  private pattern: RegExp | undefined;
  private root = process.cwd();

  onInit(vitest: Vitest): void {
    this.pattern = vitest.config.testNamePattern;
    this.root = vitest.config.root;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    // One line per suite or test that says why it was skipped, with how many tests that covers.
    const groups = new Map<string, number>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state !== 'skipped') continue;
        if (this.pattern && !this.pattern.test(test.fullName)) continue;
        const names = test.fullName.split(' > ');
        const at = names.findIndex((name) => name.includes('(skipped: '));
        const what = at >= 0 ? names.slice(0, at + 1).join(' > ') : test.fullName;
        const note = result.note ? ` (skipped: ${result.note})` : at >= 0 ? '' : ' (no reason given)';
        const key = `${relative(this.root, module.moduleId)} › ${what}${note}`;
        groups.set(key, (groups.get(key) ?? 0) + 1);
      }
    }
    if (groups.size === 0) return;
    const lines = [...groups].map(([key, count]) => `  ${key}${count > 1 ? ` [${count} tests]` : ''}`);
    const total = [...groups.values()].reduce((a, b) => a + b, 0);
    process.stdout.write(`\nSkipped ${total} test${total === 1 ? '' : 's'}, and why:\n${lines.join('\n')}\n`);
  }
}
