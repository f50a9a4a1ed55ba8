import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { TestLnd } from './test/client';
import { addInvoice, buildShard, sendShard } from './test/flows';

interface Printed {
  nodes: Record<string, { pubkey: string; grpc: string; cert: string; macaroon: string; lndconnect: string }>;
}

describe('npm run simnet', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('prints each node’s credentials on one JSON line, and a client pays bob a multi-part invoice with them', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'simnet/cli.ts', '--seed', '11', '--hop-delay-ms', '0-5'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child?.stdout as NodeJS.ReadableStream });
      lines.once('line', resolve);
      child?.once('exit', (code) => reject(new Error(`simnet exited with ${code}`)));
    });
    const printed = JSON.parse(line) as Printed;
    expect(Object.keys(printed.nodes).sort()).toEqual(['alice', 'bob', 'carol', 'dave']);
    for (const node of Object.values(printed.nodes)) {
      expect(node.pubkey).toMatch(/^0[23][0-9a-f]{64}$/);
      expect(node.grpc).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(node.cert).toContain('BEGIN CERTIFICATE');
      expect(node.lndconnect).toMatch(/^lndconnect:\/\/127\.0\.0\.1:\d+\?cert=[\w-]+&macaroon=[\w-]+$/);
    }

    const alice = new TestLnd(printed.nodes.alice as Printed['nodes'][string]);
    const bob = new TestLnd(printed.nodes.bob as Printed['nodes'][string]);
    try {
      const { nodes } = await alice.call<{ nodes: { pub_key: string; alias: string }[] }>('Lightning', 'DescribeGraph');
      const key = (alias: string) => nodes.find((n) => n.alias === alias)?.pub_key as string;
      // 900k sat is more than the widest single path to bob carries.
      const invoice = await addInvoice(bob, 900_000_000n, 'cli');
      const shards = await Promise.all([
        buildShard(alice, [key('atlas'), key('fjord'), key('bob')], 500_000_000n, invoice),
        buildShard(alice, [key('atlas'), key('gale'), key('bob')], 250_000_000n, invoice),
        buildShard(alice, [key('bolt'), key('gale'), key('bob')], 150_000_000n, invoice),
      ]);
      const attempts = await Promise.all(shards.map((route) => sendShard(alice, invoice, route)));
      expect(attempts.map((a) => a.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
      const settled = await bob.call<{ state: string }>('Lightning', 'LookupInvoice', { r_hash: invoice.hash });
      expect(settled.state).toBe('SETTLED');
    } finally {
      alice.close();
      bob.close();
    }
  });
});
