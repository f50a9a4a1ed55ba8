import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/api/errors';
import type { PartFailure } from '../../../shared/types';
import { LEDGER_FILE } from './db';
import { exportPayments, threadsFor } from './export';
import { BATCH_PAYMENTS } from './export-reader';
import { Ledger } from './ledger';
import { DEST, HOP, hashOf, nodeId, preimageOf, routeTo, secretOf } from './test-helpers';

// The export written by worker threads (export-worker.ts, a range of payments each, joined by export.ts) against the
// same export written by this thread alone: the files must be the same, byte for byte, whatever the filter, search,
// format and number of threads; a cancelled or failed export leaves no file behind.

const dirs: string[] = [];
const ledgers: Ledger[] = [];

function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-export-workers-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const l of ledgers.splice(0)) l.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const NOW = 1_700_000_000;
const failure = (i: number): PartFailure => ({
  code: i % 2 === 0 ? 'TEMPORARY_CHANNEL_FAILURE' : 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS',
  message: `no, "${i}", sorry`,
  erring_index: 1,
  erring_node: HOP,
  erring_channel: `${i}x1x0`,
});

/** `n` payments of one to three parts: complete, failed or pending, some with text that needs quoting. */
function history(n: number): Ledger {
  const ledger = Ledger.open(tmpDir());
  ledgers.push(ledger);
  for (let i = 0; i < n; i++) {
    const preimage = preimageOf(10_000 + i);
    const paymentHash = hashOf(preimage);
    const destination = i % 7 === 0 ? nodeId(0xc0de) : DEST;
    const parts = 1 + (i % 3);
    const ids: number[] = [];
    for (let k = 0; k < parts; k++) {
      const r = ledger.beginPart({
        paymentHash,
        route: routeTo(destination, 1000n, BigInt(k)),
        intendedMsat: BigInt(parts) * 1000n,
        destination,
        paymentSecret: secretOf(i),
        description: i % 5 === 0 ? `coffee, "large" #${i}` : `pay ${i}`,
        now: NOW + i * 10 + k,
      });
      if (r.kind !== 'created') throw new Error(`part ${k} of payment ${i}: ${r.kind}`);
      ids.push(r.part.id);
    }
    // Some fail first; then the rest complete (the payment with them), or stay pending.
    for (const [k, id] of ids.entries()) {
      if (i % 4 === 1 && k === 0) ledger.resolvePart(id, { status: 'failed', failure: failure(i) }, NOW + i * 10 + 5);
      else if (i % 4 !== 3) ledger.resolvePart(id, { status: 'complete', preimage }, NOW + i * 10 + 6);
    }
  }
  return ledger;
}

const names = new Map([
  [HOP, 'hop, "one"'],
  [DEST, 'Shop ☕'],
]);

describe('export in worker threads', () => {
  it('writes the very file this thread writes: CSV and JSON, filtered, searched, 2 to 4 threads', async () => {
    const ledger = history(300);
    const out = tmpDir();
    const cases = [
      { filter: {}, search: undefined },
      { filter: { status: 'complete' as const }, search: undefined },
      { filter: { since: NOW + 500, until: NOW + 2_500 }, search: undefined },
      { filter: {}, search: 'large' },
      { filter: {}, search: 'shop' },
      // Nothing passes: an empty file, as this thread writes it.
      { filter: { status: 'failed' as const }, search: 'nothing like this' },
    ];
    let files = 0;
    for (const [c, { filter, search }] of cases.entries()) {
      for (const format of ['csv', 'json'] as const) {
        const one = path.join(out, `${c}-1.${format}`);
        const alone = await exportPayments(ledger, format, one, filter, { names, search, threads: 1 });
        for (const threads of [2, 3, 4]) {
          const many = path.join(out, `${c}-${threads}.${format}`);
          const split = await exportPayments(ledger, format, many, filter, { names, search, threads });
          expect(split, `${format} case ${c}, ${threads} threads`).toEqual({ ...alone, path: many });
          expect(fs.readFileSync(many, 'utf8'), `${format} case ${c}, ${threads} threads`).toBe(
            fs.readFileSync(one, 'utf8'),
          );
          files += 1;
        }
      }
    }
    expect(files).toBe(36);
    // Some cases wrote payments, one wrote none; only the finished files are left (no range file, no temporary).
    expect(fs.readdirSync(out).filter((f) => !/^\d-\d\.(csv|json)$/.test(f))).toEqual([]);
    expect(JSON.parse(fs.readFileSync(path.join(out, '0-2.json'), 'utf8')).payments).toHaveLength(300);
    expect(JSON.parse(fs.readFileSync(path.join(out, '5-2.json'), 'utf8'))).toEqual({ payments: [] });
  });

  it('reports progress from the workers and ends at the total', async () => {
    const ledger = history(200);
    const seen: number[] = [];
    const result = await exportPayments(
      ledger,
      'json',
      path.join(tmpDir(), 'p.json'),
      {},
      {
        threads: 2,
        onProgress: (p) => {
          expect(p.total).toBe(200);
          seen.push(p.scanned);
        },
      },
    );
    expect(result.payments).toBe(200);
    expect(seen.at(-1)).toBe(200);
    expect(seen.every((n, i) => i === 0 || n >= (seen[i - 1] as number))).toBe(true);
  });

  it('cancelled while the workers write: rejects, and leaves no file behind', async () => {
    const ledger = history(2_000);
    const dir = tmpDir();
    const abort = new AbortController();
    const written = exportPayments(
      ledger,
      'csv',
      path.join(dir, 'c.csv'),
      {},
      {
        threads: 2,
        signal: abort.signal,
        onProgress: () => abort.abort(),
      },
    );
    await expect(written).rejects.toMatchObject({ code: ErrorCode.ExportCancelled });
    expect(fs.readdirSync(dir)).toEqual([]);
    // The workers are ready for the next export.
    const again = await exportPayments(ledger, 'csv', path.join(dir, 'd.csv'), {}, { threads: 2 });
    expect(again.payments).toBe(2_000);
    expect(fs.readdirSync(dir)).toEqual(['d.csv']);
  });

  it('a worker that cannot read the ledger fails the export, which leaves no file behind', async () => {
    const ledger = history(50);
    const dir = tmpDir();
    // The ledger's file gone from under the open ledger: a worker's own connection cannot open it.
    fs.renameSync(path.join(ledger.dataDir, 'ledger.sqlite'), path.join(ledger.dataDir, 'moved.sqlite'));
    await expect(exportPayments(ledger, 'json', path.join(dir, 'f.json'), {}, { threads: 2 })).rejects.toThrow(
      /unable to open|no such file|SQLITE_CANTOPEN/i,
    );
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.renameSync(path.join(ledger.dataDir, 'moved.sqlite'), path.join(ledger.dataDir, 'ledger.sqlite'));
  });

  it("reads a range's payments within its ends: its last batch stops at the range's end", () => {
    const ledger = history(30);
    const db = new Database(path.join(ledger.dataDir, LEDGER_FILE), { readonly: true, fileMustExist: true });
    try {
      const plan = (upTo: number | null, status: string | null) =>
        db
          .prepare(`EXPLAIN QUERY PLAN ${BATCH_PAYMENTS}`)
          .all({ after: 10, upTo, since: null, until: null, status, limit: 5 })
          .map((row) => (row as { detail: string }).detail);
      // Both ends bound the rowid's range, with or without an end given, with or without a filter.
      for (const upTo of [20, null]) {
        for (const status of [null, 'complete']) {
          expect(plan(upTo, status)).toEqual(['SEARCH p USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)']);
        }
      }
    } finally {
      db.close();
    }
  });

  it('uses threads for a large export only, and never more than asked or than 4', () => {
    expect(threadsFor(19_999, undefined)).toBe(1);
    expect(threadsFor(20_000, undefined)).toBe(Math.min(4, Math.max(1, os.availableParallelism())));
    expect(threadsFor(5, 3)).toBe(3);
    expect(threadsFor(5, 9)).toBe(4);
    expect(() => threadsFor(5, 0)).toThrow(/threads/);
  });
});
