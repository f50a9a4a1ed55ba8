// The planner's worker as `npm run daemon` and `npm run dev:web` load it: a process started with tsx's loader (the
// daemon test starts `node --import tsx electron/daemon.ts` the same way), so the worker is the .ts file next to the
// service. The packaged bundle's worker is tested in electron/packaging.test.ts, vitest's in planner.test.ts.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('the planner under tsx', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'braid-planner-tsx-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plans in a worker thread, not the main one', async () => {
    const at = (file: string) => JSON.stringify(path.join(ROOT, file));
    const script = path.join(dir, 'plan.mts');
    writeFileSync(
      script,
      `import { threadId } from 'node:worker_threads';
import { Core } from ${at('electron/core/core.ts')};
import { startEmbeddedNetwork } from ${at('electron/core/embedded.ts')};
import { Ledger } from ${at('electron/core/ledger/ledger.ts')};
const dataDir = ${JSON.stringify(path.join(dir, 'data'))};
const embedded = await startEmbeddedNetwork();
const core = await Core.start({ node: embedded.wallet, ledger: Ledger.open(dataDir), dataDir, simulated: true, merchants: embedded.merchants });
const { bolt11 } = (await core.call('testinvoice', { msatoshi: 700000000 })) as { bolt11: string };
const plan = (await core.call('splitpay', { bolt11 })) as { parts: unknown[] };
process.stdout.write(JSON.stringify({ main: threadId, planner: await core.planner.threadId(), parts: plan.parts.length }));
await core.stop();
await embedded.stop();
process.exit(0);
`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      timeout: 60_000,
    });
    const out = JSON.parse(stdout) as { main: number; planner: number; parts: number };
    expect(out.planner).not.toBe(out.main);
    expect(out.planner).toBeGreaterThan(0);
    expect(out.parts).toBeGreaterThanOrEqual(2);
  });
});
