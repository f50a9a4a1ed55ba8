import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, ErrorCode } from '../../../shared/api/errors';
import type { FailureCode } from '../../../shared/failures';
import type { PartFailure } from '../../../shared/types';
import { csvCell } from './csv';
import {
  closeDatabase,
  LEDGER_FILE,
  LedgerLockedError,
  LedgerSchemaError,
  LOCK_FILE,
  MIGRATIONS,
  openDatabase,
  SCHEMA_VERSION,
} from './db';
import { exportPayments } from './export';
import { CSV_COLUMNS } from './export-csv';
import { routeJson } from './export-json';
import { RAW_PART, RAW_PAYMENT } from './export-reader';
import { type BeginPartArgs, Ledger, type ResolveItem } from './ledger';
import { DEST, HOP, hashOf, nodeId, preimageOf, routeTo, secretOf, toJson } from './test-helpers';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, 'test-child.ts');
const run = promisify(execFile);

const dirs: string[] = [];
const ledgers: Ledger[] = [];

function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'braid-ledger-'));
  dirs.push(dir);
  return dir;
}

function openLedger(dir = tmpDir()): Ledger {
  const ledger = Ledger.open(dir);
  ledgers.push(ledger);
  return ledger;
}

afterEach(() => {
  for (const l of ledgers.splice(0)) l.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const NOW = 1_700_000_000;
const P1 = preimageOf(1);
const H1 = hashOf(P1);
const S1 = secretOf(1);
const failure = (code: FailureCode = 'TEMPORARY_CHANNEL_FAILURE'): PartFailure => ({
  code,
  message: 'insufficient balance',
  erring_index: 1,
  erring_node: HOP,
  erring_channel: '200x2x1',
});

function part(amount: bigint, over: Partial<BeginPartArgs> = {}): BeginPartArgs {
  return {
    paymentHash: H1,
    route: routeTo(DEST, amount, 10n),
    intendedMsat: 1_000_000n,
    destination: DEST,
    paymentSecret: S1,
    now: NOW,
    ...over,
  };
}

function created(ledger: Ledger, args: BeginPartArgs) {
  const r = ledger.beginPart(args);
  if (r.kind !== 'created') throw new Error(`expected a new part, got ${r.kind}`);
  return r;
}

/** Runs `fn`, expects an ApiError with `code`, and checks that the tables did not change. */
function expectRefused(ledger: Ledger, code: number, fn: () => unknown, message?: RegExp): ApiError {
  const before = ledger.dumpTables();
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ApiError);
  const err = caught as ApiError;
  expect(err.code).toBe(code);
  if (message) expect(err.message).toMatch(message);
  expect(ledger.dumpTables()).toEqual(before);
  return err;
}

function child(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: path.resolve(here, '../../..') });
}

describe('db', () => {
  it('opens with WAL, synchronous=FULL, foreign keys, busy timeout and the current schema', () => {
    const dir = tmpDir();
    const db = openDatabase(dir);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(Number(db.pragma('synchronous', { simple: true }))).toBe(2);
      expect(Number(db.pragma('foreign_keys', { simple: true }))).toBe(1);
      expect(Number(db.pragma('busy_timeout', { simple: true }))).toBe(5000);
      expect(String(db.pragma('locking_mode', { simple: true }))).toBe('normal');
      expect(Number(db.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION);
      expect(SCHEMA_VERSION).toBe(4);
    } finally {
      closeDatabase(db, dir);
    }
    expect(fs.statSync(path.join(dir, LEDGER_FILE)).mode & 0o777).toBe(0o600);
  });

  it('refuses a file written by a newer schema', () => {
    const dir = tmpDir();
    closeDatabase(openDatabase(dir), dir);
    const raw = new Database(path.join(dir, LEDGER_FILE));
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => Ledger.open(dir)).toThrow(LedgerSchemaError);
    expect(() => Ledger.open(dir)).toThrow(/schema version 99, newer than this Braid knows \(4\)/);
  });

  it('migrates a schema 3 ledger: every part gets its payment_id, and no part can have another one after', () => {
    // A file as Braid with schema 3 left it: two payments whose parts were inserted interleaved.
    const dir = tmpDir();
    const raw = new Database(path.join(dir, LEDGER_FILE));
    for (const sql of MIGRATIONS.slice(0, 3)) raw.exec(sql);
    raw.pragma('user_version = 3');
    const H2 = hashOf(preimageOf(2));
    const route = `[{"id":"${DEST}","channel":"100x1x0","direction":0,"msatoshi":"1000","delay":40}]`;
    const pay = raw.prepare(
      "INSERT INTO payments (payment_hash, status, msatoshi, destination, created_at) VALUES (?, 'pending', 3000, ?, ?)",
    );
    pay.run(H1, DEST, NOW);
    pay.run(H2, DEST, NOW);
    fs.chmodSync(path.join(dir, LEDGER_FILE), 0o600);
    const insertPart = raw.prepare(
      `INSERT INTO partial_payments (payment_hash, status, msatoshi, msatoshi_sent, destination, route, created_at)
       VALUES (?, 'pending', 1000, 1000, ?, ?, ?)`,
    );
    for (const hash of [H2, H1, H2, H1, H1]) insertPart.run(hash, DEST, route, NOW);
    raw.close();

    const ledger = openLedger(dir);
    const { payments, partial_payments } = ledger.dumpTables() as {
      payments: { id: bigint; payment_hash: string }[];
      partial_payments: { id: bigint; payment_hash: string; payment_id: bigint }[];
    };
    const idOf = new Map(payments.map((p) => [p.payment_hash, p.id]));
    expect(partial_payments.map((q) => [q.payment_hash, q.payment_id])).toEqual(
      [H2, H1, H2, H1, H1].map((h) => [h, idOf.get(h)]),
    );
    // The exports read parts by payment_id: each payment gets exactly its own, in id order.
    const expected = [
      [H1, [2, 4, 5]],
      [H2, [1, 3]],
    ];
    const rows = [...ledger.exportRawRecords()];
    expect(rows.map((r) => [r.payment[RAW_PAYMENT.hash], r.parts.map((q) => Number(q[RAW_PART.id]))])).toEqual(
      expected,
    );
    // A new part gets its payment's id; a wrong or missing one is refused, on insert and on update.
    const made = created(ledger, part(1000n, { paymentHash: H2, intendedMsat: 3000n }));
    expect(made.part.id).toBe(6);
    ledger.close();
    const db = new Database(path.join(dir, LEDGER_FILE));
    try {
      expect(db.prepare('SELECT payment_id FROM partial_payments WHERE id = 6').get()).toEqual({
        payment_id: Number(idOf.get(H2)),
      });
      const insertWith = db.prepare(
        `INSERT INTO partial_payments (payment_hash, payment_id, status, msatoshi, msatoshi_sent, destination, route,
           created_at) VALUES (?, ?, 'pending', 1000, 1000, ?, ?, ?)`,
      );
      const own = /payment_id must be the id of the payment of its payment_hash/;
      expect(() => insertWith.run(H1, Number(idOf.get(H2)), DEST, route, NOW)).toThrow(own);
      expect(() => insertWith.run(H1, null, DEST, route, NOW)).toThrow(own);
      expect(() =>
        db.prepare('UPDATE partial_payments SET payment_id = ? WHERE id = 1').run(Number(idOf.get(H1))),
      ).toThrow(own);
      expect(db.prepare('SELECT COUNT(*) AS n FROM partial_payments').get()).toEqual({ n: 6 });
    } finally {
      db.close();
    }
  });

  it('refuses a second Ledger on the same data directory in the same process', () => {
    const dir = tmpDir();
    openLedger(dir);
    expect(() => Ledger.open(dir)).toThrow(LedgerLockedError);
    expect(() => Ledger.open(dir)).toThrow(new RegExp(`in use by another Braid process \\(pid ${process.pid}`));
  });

  it('lets this process read the ledger through another connection while it holds the lock', () => {
    const dir = tmpDir();
    const ledger = openLedger(dir);
    created(ledger, part(1000n));
    const reader = new Database(path.join(dir, LEDGER_FILE), { readonly: true, fileMustExist: true });
    try {
      expect(reader.prepare('SELECT COUNT(*) AS n FROM partial_payments').get()).toEqual({ n: 1 });
      // The ledger goes on writing meanwhile; the reader sees each change once committed.
      created(ledger, part(2000n));
      expect(reader.prepare('SELECT COUNT(*) AS n FROM partial_payments').get()).toEqual({ n: 2 });
    } finally {
      reader.close();
    }
    // The lock is the lock file's: nothing else can take it while the ledger is open, and it goes when it closes.
    const other = new Database(path.join(dir, LOCK_FILE), { timeout: 0 });
    try {
      expect(() => other.exec('BEGIN IMMEDIATE; COMMIT')).toThrow(/locked|busy/i);
      ledger.close();
      expect(() => other.exec('BEGIN IMMEDIATE; COMMIT')).not.toThrow();
    } finally {
      other.close();
    }
  });

  it('refuses a second process with a clear message, and lets it in once the first closes', async () => {
    const dir = tmpDir();
    const ledger = openLedger(dir);
    // A refused connection in this process must not drop this process's lock when it closes (POSIX fcntl locks go
    // with any close of the file; SQLite guards against that).
    expect(() => Ledger.open(dir)).toThrow(LedgerLockedError);
    const { stdout } = await child('open', dir);
    const answer = JSON.parse(stdout) as { error?: string; name?: string };
    expect(answer.name).toBe('LedgerLockedError');
    expect(answer.error).toContain(
      `Braid's data directory ${dir} is in use by another Braid process (pid ${process.pid}`,
    );
    ledger.close();
    expect(JSON.parse((await child('open', dir)).stdout)).toEqual({ ok: true });
  });

  it('does not name a dead pid from an old lock record', () => {
    const dir = tmpDir();
    closeDatabase(openDatabase(dir), dir);
    // Some other SQLite client holds the file; the record is from a Braid long gone.
    fs.writeFileSync(path.join(dir, 'ledger.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname() }));
    const other = new Database(path.join(dir, LEDGER_FILE));
    try {
      other.pragma('locking_mode = EXCLUSIVE');
      other.exec('BEGIN IMMEDIATE; COMMIT');
      expect(() => Ledger.open(dir)).toThrow(/is in use by another process\. Only one Braid/);
    } finally {
      other.close();
    }
  });

  it('has no stale lock after the holder is killed', async () => {
    const dir = tmpDir();
    const holder = spawn(process.execPath, ['--import', 'tsx', CHILD, 'hold', dir], {
      cwd: path.resolve(here, '../../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const pid = await new Promise<number>((resolve, reject) => {
        holder.stdout.once('data', (data: Buffer) => resolve((JSON.parse(data.toString()) as { pid: number }).pid));
        holder.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
      });
      expect(() => Ledger.open(dir)).toThrow(new RegExp(`pid ${pid}`));
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
      // The lock info file is still there (nobody removed it), but the OS lock went with the process.
      expect(fs.existsSync(path.join(dir, 'ledger.lock'))).toBe(true);
      const ledger = openLedger(dir);
      expect(ledger.payments()).toEqual([]);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

describe('sendpartialpay rules (the proposal)', () => {
  it('1. creates the payment with msatoshi = intended_msatoshi on the first part, and the part pending', () => {
    const ledger = openLedger();
    const r = created(ledger, part(400_000n, { description: 'coffee', bolt11: 'lnbcrt1...' }));
    expect(r.paymentSecret).toBe(S1);
    expect(r.part).toEqual({
      id: 1,
      payment_hash: H1,
      status: 'pending',
      msatoshi: 400_000n,
      msatoshi_sent: 400_010n,
      destination: DEST,
      route: routeTo(DEST, 400_000n, 10n),
      created_at: NOW,
    });
    expect(r.payment).toEqual({
      payment_hash: H1,
      status: 'pending',
      msatoshi: 1_000_000n,
      msatoshi_sent: 400_010n,
      destination: DEST,
      description: 'coffee',
      bolt11: 'lnbcrt1...',
      created_at: NOW,
      parts: { pending: 1, complete: 0, failed: 0 },
    });
    expect(ledger.payments()).toEqual([r.payment]);
    expect(ledger.parts()).toEqual([r.part]);
    expect(ledger.pendingParts()).toEqual([r.part]);
  });

  it('2.1 a different intended_msatoshi fails at once and changes nothing', () => {
    const ledger = openLedger();
    created(ledger, part(400_000n));
    const err = expectRefused(ledger, -32602, () => ledger.beginPart(part(400_000n, { intendedMsat: 999_999n })));
    expect(err.message).toMatch(/^intended_msatoshi: /);
    expect(err.message).toContain('1000000');
    expect(err.message).toContain('999999');
    // Also when the payment failed, and when it is complete.
    ledger.resolvePart(1, { status: 'failed', failure: failure() }, NOW + 1);
    expectRefused(ledger, -32602, () => ledger.beginPart(part(400_000n, { intendedMsat: 2n })), /intended_msatoshi/);
  });

  it('2.2 a part for a complete payment returns the payment and creates nothing', () => {
    const ledger = openLedger();
    created(ledger, part(1_000_000n));
    ledger.resolvePart(1, { status: 'complete', preimage: P1 }, NOW + 5);
    const before = ledger.dumpTables();
    const r = ledger.beginPart(part(500_000n, { now: NOW + 10 }));
    expect(r).toEqual({ kind: 'complete', payment: ledger.payment(H1) });
    expect(r.payment.status).toBe('complete');
    expect(r.payment.payment_preimage).toBe(P1);
    expect(ledger.dumpTables()).toEqual(before);
    // Even without a secret or to another destination: nothing is sent, so the rules for sending do not apply.
    expect(ledger.beginPart(part(1n, { paymentSecret: undefined })).kind).toBe('complete');
    expect(ledger.dumpTables()).toEqual(before);
  });

  it('2.3 a part for a failed payment makes it pending again, and can complete it', () => {
    const ledger = openLedger();
    created(ledger, part(1_000_000n));
    const failed = ledger.resolvePart(1, { status: 'failed', failure: failure() }, NOW + 1);
    expect(failed.payment.status).toBe('failed');
    expect(failed.payment.completed_at).toBe(NOW + 1);
    expect(failed.payment.msatoshi_sent).toBe(0n);

    const again = created(ledger, part(1_000_000n, { paymentSecret: undefined, now: NOW + 2 }));
    expect(again.part.id).toBe(2);
    expect(again.paymentSecret).toBe(S1);
    expect(again.payment.status).toBe('pending');
    expect(again.payment.completed_at).toBeUndefined();
    expect(again.payment.parts).toEqual({ pending: 1, complete: 0, failed: 1 });
    expect(again.payment.created_at).toBe(NOW);

    const done = ledger.resolvePart(2, { status: 'complete', preimage: P1 }, NOW + 3);
    expect(done.changed).toBe(true);
    expect(done.payment).toMatchObject({ status: 'complete', payment_preimage: P1, completed_at: NOW + 3 });
    expect(done.payment.parts).toEqual({ pending: 0, complete: 1, failed: 1 });
    expect(done.payment.msatoshi_sent).toBe(1_000_010n);
  });

  it('resolution 2: a completed part completes the payment, whatever the other parts do after', () => {
    const ledger = openLedger();
    created(ledger, part(600_000n));
    created(ledger, part(400_000n));
    const r = ledger.resolvePart(1, { status: 'complete', preimage: P1, attemptId: 7n }, NOW + 4);
    expect(r.part).toMatchObject({ id: 1, status: 'complete', payment_preimage: P1, completed_at: NOW + 4 });
    expect(r.payment).toMatchObject({ status: 'complete', payment_preimage: P1, completed_at: NOW + 4 });
    expect(ledger.attemptId(1)).toBe(7n);
    // The other part still pending; its failure leaves the payment complete.
    expect(ledger.part(2)?.status).toBe('pending');
    const late = ledger.resolvePart(2, { status: 'failed', failure: failure('MPP_TIMEOUT') }, NOW + 60);
    expect(late.changed).toBe(true);
    expect(late.part.failure).toEqual(failure('MPP_TIMEOUT'));
    expect(late.payment).toMatchObject({ status: 'complete', completed_at: NOW + 4 });
    expect(late.payment.msatoshi_sent).toBe(600_010n);
    expect(late.payment.parts).toEqual({ pending: 0, complete: 1, failed: 1 });
  });

  it('resolution 3: the payment fails only when every part failed', () => {
    const ledger = openLedger();
    for (const amount of [300_000n, 300_000n, 400_000n]) created(ledger, part(amount));
    expect(ledger.resolvePart(1, { status: 'failed', failure: failure() }, NOW + 1).payment.status).toBe('pending');
    expect(ledger.resolvePart(3, { status: 'failed', failure: failure() }, NOW + 2).payment.status).toBe('pending');
    const last = ledger.resolvePart(2, { status: 'failed', failure: failure() }, NOW + 3);
    expect(last.payment).toMatchObject({ status: 'failed', completed_at: NOW + 3, msatoshi_sent: 0n });
    expect(last.payment.parts).toEqual({ pending: 0, complete: 0, failed: 3 });
    expect(last.payment.payment_preimage).toBeUndefined();
  });
});

describe('money safety', () => {
  it('refuses a part that would overpay (200) and changes nothing; failed parts free their amount', () => {
    const ledger = openLedger();
    created(ledger, part(600_000n));
    const err = expectRefused(ledger, 200, () => ledger.beginPart(part(400_001n)));
    expect(err.message).toContain('400001');
    expect(err.message).toContain('600000');
    expect(err.message).toContain('1000000');
    // Exactly the rest is fine (fees do not count: what the destination receives does).
    created(ledger, part(400_000n));
    expectRefused(ledger, 200, () => ledger.beginPart(part(1n)));
    ledger.resolvePart(2, { status: 'failed', failure: failure() }, NOW + 1);
    expectRefused(ledger, 200, () => ledger.beginPart(part(400_001n)));
    expect(created(ledger, part(400_000n)).part.id).toBe(3);
    // A first part larger than intended.
    const h = hashOf(preimageOf(2));
    expectRefused(ledger, 200, () => ledger.beginPart(part(1_000_001n, { paymentHash: h })));
    expect(ledger.payment(h)).toBeUndefined();
  });

  it('counts complete parts against intended too', () => {
    const ledger = openLedger();
    created(ledger, part(600_000n));
    created(ledger, part(400_000n));
    ledger.resolvePart(2, { status: 'failed', failure: failure() }, NOW + 1);
    // Resolving part 1 completes the payment; further parts then return the complete payment.
    ledger.resolvePart(1, { status: 'complete', preimage: P1 }, NOW + 2);
    expect(ledger.beginPart(part(400_000n)).kind).toBe('complete');
  });

  it('refuses a route that does not end at the destination (201)', () => {
    const ledger = openLedger();
    const other = nodeId(0x0123);
    // First part: the route's end and the named destination differ.
    expectRefused(ledger, 201, () => ledger.beginPart(part(1000n, { route: routeTo(other, 1000n) })), /last hop/);
    created(ledger, part(1000n));
    // Later parts: a route to another node, or another named destination.
    const err = expectRefused(
      ledger,
      201,
      () => ledger.beginPart(part(1000n, { route: routeTo(other, 1000n), destination: other })),
      /destination/,
    );
    expect(err.message).toContain(other);
    expect(err.message).toContain(DEST);
    expectRefused(ledger, 201, () => ledger.beginPart(part(1000n, { route: routeTo(other, 1000n) })), /last hop/);
  });

  it('requires the payment secret on the first part (-32602); a different one is 201', () => {
    const ledger = openLedger();
    expectRefused(
      ledger,
      -32602,
      () => ledger.beginPart(part(1000n, { paymentSecret: undefined })),
      /^payment_secret: is required for the first part/,
    );
    created(ledger, part(1000n));
    const later = created(ledger, part(1000n, { paymentSecret: undefined }));
    expect(later.paymentSecret).toBe(S1);
    const err = expectRefused(ledger, 201, () => ledger.beginPart(part(1000n, { paymentSecret: secretOf(2) })));
    expect(err.message).toMatch(/^payment_secret: /);
    expect(err.message).toContain(secretOf(2));
  });

  it('rejects malformed input with -32602 before touching anything', () => {
    const ledger = openLedger();
    expectRefused(ledger, -32602, () => ledger.beginPart(part(1000n, { paymentHash: 'AB' })), /^payment_hash/);
    expectRefused(ledger, -32602, () => ledger.beginPart(part(1000n, { intendedMsat: 0n })), /^intended_msatoshi/);
    expectRefused(ledger, -32602, () => ledger.beginPart(part(1000n, { route: [] })), /^route/);
    const growing = routeTo(DEST, 1000n, 5n);
    growing.reverse();
    expectRefused(ledger, -32602, () => ledger.beginPart(part(1000n, { route: growing })), /^route\[1\]\.msatoshi/);
    expectRefused(ledger, -32602, () => ledger.beginPart(part(1000n, { now: 1.5 })), /^now/);
    expectRefused(ledger, -32602, () => ledger.resolvePart(0, { status: 'complete', preimage: P1 }, NOW), /^id/);
    expectRefused(ledger, 208, () => ledger.resolvePart(9, { status: 'complete', preimage: P1 }, NOW), /^id: /);
    expectRefused(ledger, 208, () => ledger.setAttemptId(9, 1n));
  });
});

describe('resolvePart', () => {
  it('is idempotent, complete is final, and a late fulfil of a failed part completes the payment', () => {
    const ledger = openLedger();
    created(ledger, part(500_000n));
    created(ledger, part(500_000n));
    const first = ledger.resolvePart(1, { status: 'failed', failure: failure() }, NOW + 1);
    expect(first.changed).toBe(true);
    const before = ledger.dumpTables();
    const again = ledger.resolvePart(1, { status: 'failed', failure: failure('UNKNOWN_NEXT_PEER') }, NOW + 2);
    expect(again).toEqual({ ...first, changed: false });
    expect(ledger.dumpTables()).toEqual(before);

    // A part recovery marked failed that the node then reports fulfilled: the preimage is proof of payment.
    const late = ledger.resolvePart(1, { status: 'complete', preimage: P1 }, NOW + 3);
    expect(late.changed).toBe(true);
    expect(late.part).toMatchObject({ status: 'complete', payment_preimage: P1, completed_at: NOW + 3 });
    expect(late.part.failure).toBeUndefined();
    expect(late.payment).toMatchObject({ status: 'complete', payment_preimage: P1 });

    const done = ledger.dumpTables();
    expect(ledger.resolvePart(1, { status: 'complete', preimage: P1 }, NOW + 4).changed).toBe(false);
    expect(ledger.resolvePart(1, { status: 'failed', failure: failure() }, NOW + 4).changed).toBe(false);
    expect(ledger.dumpTables()).toEqual(done);
  });

  it('refuses a preimage that does not hash to the payment hash', () => {
    const ledger = openLedger();
    created(ledger, part(500_000n));
    expectRefused(
      ledger,
      -1,
      () => ledger.resolvePart(1, { status: 'complete', preimage: preimageOf(9) }, NOW),
      /hash/,
    );
  });

  it('records attempt ids for recovery', () => {
    const ledger = openLedger();
    created(ledger, part(500_000n));
    created(ledger, part(500_000n));
    expect(ledger.attemptId(1)).toBeUndefined();
    ledger.setAttemptId(1, 41n);
    ledger.setAttemptId(1, 42n); // The authoritative answer replaces a guess.
    expect(ledger.attemptId(1)).toBe(42n);
    expect(ledger.partsByAttempt(H1, 42n).map((p) => p.id)).toEqual([1]);
    expect(ledger.partsByAttempt(H1, 41n)).toEqual([]);
    // An outcome's attempt id does not replace a known one.
    ledger.resolvePart(1, { status: 'failed', failure: failure(), attemptId: 5n }, NOW);
    expect(ledger.attemptId(1)).toBe(42n);
    ledger.resolvePart(2, { status: 'failed', failure: failure(), attemptId: 2n ** 62n }, NOW);
    expect(ledger.attemptId(2)).toBe(2n ** 62n);
  });
});

describe('resolveParts', () => {
  const H2 = hashOf(preimageOf(2));
  const build = () => {
    const ledger = openLedger();
    created(ledger, part(300_000n));
    created(ledger, part(300_000n));
    created(ledger, part(300_000n, { paymentHash: H2, intendedMsat: 300_000n }));
    return ledger;
  };
  const items: ResolveItem[] = [
    { id: 1, outcome: { status: 'failed', failure: failure() } },
    { id: 3, outcome: { status: 'complete', preimage: preimageOf(2), attemptId: 7n } },
    // Already failed: nothing changes.
    { id: 1, outcome: { status: 'failed', failure: failure('UNKNOWN_NEXT_PEER') } },
    // The last part of H1 still pending: its payment fails with it.
    { id: 2, outcome: { status: 'failed', failure: failure() } },
  ];

  it('does what resolvePart does for each, in order, with the same results', () => {
    const one = build();
    const each = items.map(({ id, outcome }) => one.resolvePart(id, outcome, NOW + 1));
    const batch = build();
    expect(batch.resolveParts(items, NOW + 1)).toEqual(each);
    expect(each.map((r) => r.changed)).toEqual([true, true, false, true]);
    expect(each[3]?.payment).toMatchObject({ status: 'failed', parts: { pending: 0, complete: 0, failed: 2 } });
    expect(batch.dumpTables()).toEqual(one.dumpTables());
    expect(batch.resolveParts([], NOW)).toEqual([]);
  });

  it('writes all or nothing', () => {
    const ledger = build();
    expectRefused(ledger, 208, () =>
      ledger.resolveParts([...items, { id: 99, outcome: items[0]?.outcome as never }], NOW),
    );
    const wrongPreimage = { id: 3, outcome: { status: 'complete', preimage: preimageOf(9) } } as const;
    expectRefused(ledger, -1, () => ledger.resolveParts([...items.slice(0, 2), wrongPreimage], NOW), /hash/);
    expectRefused(ledger, -32602, () => ledger.resolveParts(items, -1));
    expectRefused(ledger, -32602, () => ledger.resolveParts([{ id: 0, outcome: items[0]?.outcome as never }], NOW));
    expect(ledger.pendingParts().map((p) => p.id)).toEqual([1, 2, 3]);
  });
});

describe('sendpay (single path)', () => {
  const single = (amount: bigint, over: Record<string, unknown> = {}) => ({
    paymentHash: H1,
    route: routeTo(DEST, amount, 3n),
    now: NOW,
    ...over,
  });

  it('pending → 200, complete → the payment, failed → pending again', () => {
    const ledger = openLedger();
    const r = ledger.beginSinglePay(single(5000n, { msatoshi: 5000n }));
    if (r.kind !== 'created') throw new Error('expected created');
    expect(r.payment).toMatchObject({ status: 'pending', msatoshi: 5000n, msatoshi_sent: 5003n, destination: DEST });
    expect(r.paymentSecret).toBeUndefined();
    expectRefused(ledger, 200, () => ledger.beginSinglePay(single(5000n)), /still pending/);
    // Parts for it are refused too: its one part delivers everything.
    expectRefused(ledger, 200, () => ledger.beginPart(part(1n, { intendedMsat: 5000n })));
    ledger.resolvePart(1, { status: 'failed', failure: failure() }, NOW + 1);
    expectRefused(ledger, -32602, () => ledger.beginSinglePay(single(6000n)), /^msatoshi: /);
    const again = ledger.beginSinglePay(single(5000n, { paymentSecret: S1 }));
    expect(again).toMatchObject({ kind: 'created', paymentSecret: S1, payment: { status: 'pending' } });
    ledger.resolvePart(2, { status: 'complete', preimage: P1 }, NOW + 2);
    const before = ledger.dumpTables();
    expect(ledger.beginSinglePay(single(5000n))).toEqual({ kind: 'complete', payment: ledger.payment(H1) });
    expect(ledger.dumpTables()).toEqual(before);
  });

  it('checks msatoshi against the route, the destination and the secret', () => {
    const ledger = openLedger();
    expectRefused(ledger, -32602, () => ledger.beginSinglePay(single(5000n, { msatoshi: 5001n })), /^msatoshi/);
    expectRefused(ledger, 201, () => ledger.beginSinglePay(single(5000n, { destination: nodeId(7) })));
    ledger.beginSinglePay(single(5000n, { paymentSecret: S1 }));
    ledger.resolvePart(1, { status: 'failed', failure: failure() }, NOW + 1);
    expectRefused(ledger, 201, () => ledger.beginSinglePay(single(5000n, { paymentSecret: secretOf(3) })));
  });
});

describe('storage', () => {
  it('never reuses ids, across restarts and even after the last row is deleted', () => {
    const dir = tmpDir();
    let ledger = Ledger.open(dir);
    for (let i = 0; i < 3; i++) created(ledger, part(1000n));
    ledger.close();
    const raw = new Database(path.join(dir, LEDGER_FILE));
    raw.prepare('DELETE FROM partial_payments WHERE id = 3').run();
    raw.close();
    ledger = openLedger(dir);
    expect(created(ledger, part(1000n)).part.id).toBe(4);
    expect(ledger.parts().map((p) => p.id)).toEqual([1, 2, 4]);
  });

  it('keeps amounts exact above 2^53, in the route and the totals', () => {
    const ledger = openLedger();
    const big = 2_000_000_000_000_000_001n;
    const r = created(ledger, part(big, { intendedMsat: big }));
    expect(r.part.route[0]?.msatoshi).toBe(big + 10n);
    expect(ledger.part(1)?.msatoshi).toBe(big);
    expect(ledger.payment(H1)?.msatoshi_sent).toBe(big + 10n);
    expect(ledger.parts({ paymentHash: H1, id: 1 })).toHaveLength(1);
    expect(ledger.parts({ paymentHash: H1, id: 2 })).toEqual([]);
  });

  it('lists payments oldest first, and parts by id or hash in ascending id', () => {
    const ledger = openLedger();
    const hashes = [3, 1, 2].map((n) => hashOf(preimageOf(n)));
    for (const [i, h] of hashes.entries()) created(ledger, part(1000n, { paymentHash: h, now: NOW + i }));
    created(ledger, part(1000n, { paymentHash: hashes[0] }));
    expect(ledger.payments().map((p) => p.payment_hash)).toEqual(hashes);
    expect(ledger.payments(hashes[1])).toHaveLength(1);
    expect(ledger.payments('0'.repeat(64))).toEqual([]);
    expect(ledger.parts({ paymentHash: hashes[0] }).map((p) => p.id)).toEqual([1, 4]);
    expect(ledger.parts({ id: 2 }).map((p) => p.payment_hash)).toEqual([hashes[1]]);
  });

  it('holds the overpay rule with three processes hammering one payment', async () => {
    const dir = tmpDir();
    Ledger.open(dir).close();
    const hash = hashOf(preimageOf(77));
    // A start line far enough ahead that all three children are up even on a loaded two-core machine.
    const startAt = Date.now() + 8000;
    const results = await Promise.all(
      [1, 2, 3].map((seed) =>
        child('hammer', dir, hash, '1000', '100', '1500', String(startAt), String(seed)).then(
          (r) =>
            JSON.parse(r.stdout) as {
              created: number;
              failed: number;
              refused: number;
              violations: number;
              pending: number[];
            },
        ),
      ),
    );
    const ledger = openLedger(dir);
    const parts = ledger.parts({ paymentHash: hash });
    const live = parts.filter((p) => p.status !== 'failed');
    expect(live.reduce((s, p) => s + p.msatoshi, 0n)).toBeLessThanOrEqual(1000n);
    for (const r of results) expect(r.violations).toBe(0);
    const created = results.reduce((s, r) => s + r.created, 0);
    const failed = results.reduce((s, r) => s + r.failed, 0);
    expect(parts).toHaveLength(created);
    expect(parts.filter((p) => p.status === 'failed')).toHaveLength(failed);
    expect(live.map((p) => p.id).sort((a, b) => a - b)).toEqual(
      results.flatMap((r) => r.pending).sort((a, b) => a - b),
    );
    // There was contention: more parts were created than fit at once, by more than one process, and some were refused.
    expect(created).toBeGreaterThan(10);
    expect(results.filter((r) => r.created > 0).length).toBeGreaterThanOrEqual(2);
    expect(results.reduce((s, r) => s + r.refused, 0)).toBeGreaterThan(0);
    expect(new Set(parts.map((p) => p.id)).size).toBe(parts.length);
  }, 60_000);
});

// ---- Export --------------------------------------------------------------------------------------------------------

/** RFC 4180 as a spreadsheet reads it (csv-parse): records by CRLF, quoted fields may hold commas, CRLF and quotes. */
function parseCsv(text: string): string[][] {
  return parse(text, { record_delimiter: '\r\n', relax_column_count: false }) as string[][];
}

const TRICKY = 'Pizza, "large"\nfor =team';

function exportFixture(dir = tmpDir()) {
  const ledger = openLedger(dir);
  const big = 2_000_000_000_000_000_001n;
  created(ledger, part(600_000n, { description: TRICKY }));
  created(ledger, part(400_000n));
  ledger.resolvePart(1, { status: 'complete', preimage: P1 }, NOW + 5);
  ledger.resolvePart(2, { status: 'failed', failure: failure() }, NOW + 6);
  const h2 = hashOf(preimageOf(2));
  created(ledger, part(big, { paymentHash: h2, intendedMsat: big, description: '=HYPERLINK("x")', now: NOW + 100 }));
  const h3 = hashOf(preimageOf(3));
  created(ledger, part(10n, { paymentHash: h3, intendedMsat: 10n, description: '-5 +1 @me', now: NOW + 200 }));
  ledger.resolvePart(4, { status: 'failed', failure: { code: 'NODE_REFUSED', message: 'no, "sorry"' } }, NOW + 201);
  return { ledger, big, h2, h3 };
}

describe('export', () => {
  it('csvCell quotes per RFC 4180 and defuses formulas in text, never in numbers', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('=A1,B1')).toBe(`"'=A1,B1"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe(`"'\rx"`);
    expect(csvCell(-5n)).toBe('-5');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(undefined)).toBe('');
    expect(toJson({ a: 2n ** 64n, b: undefined, c: [1, 'x', null] })).toBe(
      '{"a":18446744073709551616,"c":[1,"x",null]}',
    );
  });

  it('writes CSV that parses back: a row per payment then its parts, text defused, amounts exact', async () => {
    const { ledger, big, h2, h3 } = exportFixture();
    const file = path.join(tmpDir(), 'sub', 'history.csv');
    const names = new Map([[HOP, '=hop, "one"']]);
    const result = await exportPayments(ledger, 'csv', file, {}, { names });
    expect(result).toEqual({ path: file, payments: 3, partialpayments: 4 });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['history.csv']);

    const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows.map((r) => r[0])).toEqual(['payment', 'part', 'part', 'payment', 'part', 'payment', 'part']);
    const at = (row: string[] | undefined, column: (typeof CSV_COLUMNS)[number]) =>
      (row as string[])[CSV_COLUMNS.indexOf(column)];
    const [p1, r1, r2, p2, r3, p3, r4] = rows;
    expect(at(p1, 'payment_hash')).toBe(H1);
    expect(at(p1, 'description')).toBe(TRICKY);
    expect(at(p1, 'status')).toBe('complete');
    expect(at(p1, 'amount_sat')).toBe('1000');
    expect(at(p1, 'amount_msat')).toBe('1000000');
    expect(at(p1, 'fee_paid_msat')).toBe('10');
    expect(at(p1, 'fee_paid_sat')).toBe('0.01');
    expect(at(p1, 'payment_preimage')).toBe(P1);
    expect(at(p1, 'created_at')).toBe(new Date(NOW * 1000).toISOString().replace('.000Z', 'Z'));
    expect(at(p1, 'part_amount_msat')).toBe('');
    expect(at(r1, 'part_id')).toBe('1');
    expect(at(r1, 'status')).toBe('complete');
    // A part row never repeats its payment's amount.
    expect(at(r1, 'amount_msat')).toBe('');
    expect(at(r1, 'part_amount_sat')).toBe('600');
    expect(at(r1, 'part_fee_paid_msat')).toBe('10');
    expect(Date.parse(at(r1, 'completed_at') as string)).toBe((NOW + 5) * 1000);
    expect(at(r1, 'failure_code')).toBe('');
    expect(at(r1, 'route')).toBe(`'=hop, "one" → ${DEST}`);
    expect(at(r2, 'part_id')).toBe('2');
    expect(at(r2, 'status')).toBe('failed');
    // What a failed part had on its first hop was never paid.
    expect(at(r2, 'part_fee_paid_msat')).toBe('0');
    expect(at(r2, 'failure_code')).toBe('TEMPORARY_CHANNEL_FAILURE');
    expect(at(r2, 'failed_at_hop')).toBe('1');
    expect(at(r2, 'failed_at_node')).toBe(`'=hop, "one"`);
    expect(at(p2, 'payment_hash')).toBe(h2);
    expect(at(p2, 'description')).toBe(`'=HYPERLINK("x")`);
    expect(at(p2, 'status')).toBe('pending');
    expect(at(p2, 'fee_paid_msat')).toBe('0');
    expect(at(r3, 'part_amount_msat')).toBe(big.toString());
    expect(at(r3, 'part_amount_sat')).toBe('2000000000000000.001');
    expect(at(p3, 'payment_hash')).toBe(h3);
    expect(at(p3, 'description')).toBe("'-5 +1 @me");
    expect(at(r4, 'failure_message')).toBe('no, "sorry"');
    expect(at(p3, 'status')).toBe('failed');
  });

  it("CSV rows (made from the ledger's raw rows) say what the API's payments and parts say, field by field", async () => {
    const dir = tmpDir();
    exportFixture(dir).ledger.close();
    // A failure code this Braid no longer knows, as an older one may have stored it: the API calls it UNKNOWN_FAILURE.
    const raw = new Database(path.join(dir, LEDGER_FILE));
    raw.prepare("UPDATE partial_payments SET failure_code = 'GONE_CODE', erring_index = 2 WHERE id = 2").run();
    raw.close();
    const ledger = openLedger(dir);
    const file = path.join(tmpDir(), 'fields.csv');
    await exportPayments(ledger, 'csv', file, {}, { names: new Map([[DEST, 'dest, "d"']]) });
    const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));
    const cell = (row: string[], column: (typeof CSV_COLUMNS)[number]) => row[(header as string[]).indexOf(column)];
    const iso = (s: number | undefined) =>
      s === undefined ? '' : new Date(s * 1000).toISOString().replace('.000', '');
    const payments = ledger.payments();
    const parts = ledger.parts();
    expect(rows.filter((r) => r[0] === 'payment')).toHaveLength(payments.length);
    expect(rows.filter((r) => r[0] === 'part')).toHaveLength(parts.length);
    for (const row of rows) {
      const thing = row[0] === 'part' ? parts.find((q) => `${q.id}` === cell(row, 'part_id')) : undefined;
      const p = thing ?? payments.find((x) => x.payment_hash === cell(row, 'payment_hash'));
      if (p === undefined) throw new Error(`no payment or part for ${row.join(',')}`);
      expect([cell(row, 'payment_hash'), cell(row, 'status'), cell(row, 'destination')]).toEqual([
        p.payment_hash,
        p.status,
        p.destination,
      ]);
      expect([cell(row, 'created_at'), cell(row, 'completed_at')]).toEqual([iso(p.created_at), iso(p.completed_at)]);
      expect(cell(row, 'destination_alias')).toBe(p.destination === DEST ? 'dest, "d"' : '');
      if (thing === undefined) {
        expect(cell(row, 'payment_preimage')).toBe(p.payment_preimage ?? '');
        continue;
      }
      const f = thing.failure;
      expect([cell(row, 'failure_code'), cell(row, 'failure_message'), cell(row, 'failed_at_hop')]).toEqual(
        f === undefined
          ? ['', '', '']
          : [f.code, parseCsv(`${csvCell(f.message)}\r\n`)[0]?.[0], `${f.erring_index ?? ''}`],
      );
      expect(cell(row, 'part_amount_msat')).toBe(`${thing.msatoshi}`);
    }
    const gone = rows.find((r) => r[0] === 'part' && cell(r, 'part_id') === '2') as string[];
    expect([cell(gone, 'failure_code'), cell(gone, 'failed_at_hop')]).toEqual(['UNKNOWN_FAILURE', '2']);
  });

  it('CSV columns sum to the ledger totals; search, progress and cancel', async () => {
    const { ledger } = exportFixture();
    const file = path.join(tmpDir(), 'all.csv');
    const seen: number[] = [];
    await exportPayments(ledger, 'csv', file, {}, { onProgress: (p) => seen.push(p.scanned) });
    expect(seen.at(-1)).toBe(3);
    const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));
    const col = (name: (typeof CSV_COLUMNS)[number]) => (header as string[]).indexOf(name);
    const sum = (name: (typeof CSV_COLUMNS)[number]) =>
      rows.reduce((t, r) => t + BigInt((r[col(name)] as string) || '0'), 0n);
    const payments = ledger.payments();
    expect(sum('amount_msat')).toBe(payments.reduce((t, p) => t + p.msatoshi, 0n));
    // Fees paid: the complete parts' (a failed part paid none).
    const paidFees = ledger
      .parts()
      .filter((p) => p.status === 'complete')
      .reduce((t, p) => t + p.msatoshi_sent - p.msatoshi, 0n);
    expect(paidFees).toBe(10n);
    expect(sum('fee_paid_msat')).toBe(paidFees);
    expect(sum('part_fee_paid_msat')).toBe(paidFees);
    // The search of History: description, hash, destination or its name.
    const found = await exportPayments(ledger, 'json', path.join(tmpDir(), 's.json'), {}, { search: 'PIZZA' });
    expect(found).toMatchObject({ payments: 1, partialpayments: 2 });
    const byName = await exportPayments(
      ledger,
      'csv',
      path.join(tmpDir(), 'n.csv'),
      { status: 'failed' },
      { search: 'shop', names: new Map([[DEST, 'The Shop']]) },
    );
    expect(byName).toMatchObject({ payments: 1 });
    // Cancelled: rejects, no file, no temporary file.
    const dir = tmpDir();
    const abort = new AbortController();
    abort.abort();
    await expect(
      exportPayments(ledger, 'csv', path.join(dir, 'c.csv'), {}, { signal: abort.signal }),
    ).rejects.toMatchObject({ code: ErrorCode.ExportCancelled });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('writes JSON with parts nested and amounts exact', async () => {
    const { ledger, big, h2 } = exportFixture();
    const file = path.join(tmpDir(), 'history.json');
    const result = await exportPayments(ledger, 'json', file);
    expect(result).toEqual({ path: file, payments: 3, partialpayments: 4 });
    const text = fs.readFileSync(file, 'utf8');
    const exact = (_key: string, value: unknown, ctx?: { source?: string }) =>
      typeof value === 'number' && ctx?.source !== undefined && !Number.isSafeInteger(value)
        ? BigInt(ctx.source)
        : value;
    const parsed = JSON.parse(text, exact) as { payments: Record<string, unknown>[] };
    expect(parsed.payments).toHaveLength(3);
    const second = parsed.payments[1] as { payment_hash: string; msatoshi: unknown; partialpayments: unknown[] };
    expect(second.payment_hash).toBe(h2);
    expect(second.msatoshi).toBe(big);
    expect(second.partialpayments).toHaveLength(1);
    expect(text).toContain(`"msatoshi":${big}`);
    // The same objects the API lists, with bigints as numbers.
    const payments = ledger.payments();
    expect(parsed.payments[0]).toEqual(
      JSON.parse(toJson({ ...payments[0], partialpayments: ledger.parts({ paymentHash: H1 }) })),
    );
    expect((parsed.payments[0] as { description: string }).description).toBe(TRICKY);
  });

  it("writes JSON byte for byte as toJson writes the API's payments with their parts", async () => {
    const { ledger } = exportFixture();
    // A complete payment (its preimage on it and its parts), and a failure code no longer known.
    const h5 = hashOf(preimageOf(5));
    created(ledger, part(700n, { paymentHash: h5, intendedMsat: 1000n, now: NOW + 300 }));
    created(ledger, part(300n, { paymentHash: h5, intendedMsat: 1000n, now: NOW + 301 }));
    ledger.resolvePart(5, { status: 'complete', preimage: preimageOf(5) }, NOW + 302);
    ledger.resolvePart(6, { status: 'complete', preimage: preimageOf(5) }, NOW + 303);
    const db = new Database(path.join(ledger.dataDir, LEDGER_FILE), { fileMustExist: true });
    ledger.close();
    db.prepare("UPDATE partial_payments SET failure_code = 'GONE_CODE' WHERE id = 4").run();
    db.close();
    const reopened = openLedger(ledger.dataDir);
    const file = path.join(tmpDir(), 'all.json');
    await exportPayments(reopened, 'json', file);
    const payments = reopened.payments();
    expect(payments.map((p) => p.status)).toEqual(['complete', 'pending', 'failed', 'complete']);
    const lines = payments.map((p) =>
      toJson({ ...p, partialpayments: reopened.parts({ paymentHash: p.payment_hash }) }),
    );
    expect(fs.readFileSync(file, 'utf8')).toBe(`{"payments":[\n${lines.join(',\n')}\n]}\n`);
    expect(lines[2]).toContain('"code":"UNKNOWN_FAILURE"');
    expect(lines[3]).toContain(`"payment_preimage":"${preimageOf(5)}","parts":{"pending":0,"complete":2`);
  });

  it('filters by time and status, and writes an empty but valid file', async () => {
    const { ledger, h2, h3 } = exportFixture();
    const dir = tmpDir();
    const since = await exportPayments(ledger, 'json', path.join(dir, 'a.json'), { since: NOW + 100 });
    expect(since).toMatchObject({ payments: 2, partialpayments: 2 });
    const until = await exportPayments(ledger, 'csv', path.join(dir, 'b.csv'), { until: NOW + 100 });
    expect(until).toMatchObject({ payments: 1, partialpayments: 2 });
    const failedOnly = await exportPayments(ledger, 'json', path.join(dir, 'c.json'), { status: 'failed' });
    expect(failedOnly).toMatchObject({ payments: 1, partialpayments: 1 });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'c.json'), 'utf8')).payments[0].payment_hash).toBe(h3);
    const pending = [...ledger.exportRawRecords(ledger.rawParams({ status: 'pending' }))];
    expect(pending.map((r) => r.payment[RAW_PAYMENT.hash])).toEqual([h2]);
    const none = await exportPayments(ledger, 'json', path.join(dir, 'd.json'), { since: NOW + 10_000 });
    expect(none).toMatchObject({ payments: 0, partialpayments: 0 });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'd.json'), 'utf8'))).toEqual({ payments: [] });
    expect(parseCsv(fs.readFileSync(path.join(dir, 'b.csv'), 'utf8'))).toHaveLength(4);
    expect(() => ledger.rawParams({ status: 'done' as never })).toThrow(ApiError);
    await expect(exportPayments(ledger, 'xml' as never, path.join(dir, 'e'))).rejects.toThrow(/^format/);
  });

  it('replaces an existing file atomically and leaves nothing behind on failure', async () => {
    const { ledger } = exportFixture();
    const dir = tmpDir();
    const file = path.join(dir, 'h.json');
    fs.writeFileSync(file, 'old');
    await exportPayments(ledger, 'json', file);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).payments).toHaveLength(3);
    // A directory in the way: the rename fails, the temporary file goes.
    fs.mkdirSync(path.join(dir, 'blocked.csv'));
    fs.writeFileSync(path.join(dir, 'blocked.csv', 'x'), '');
    await expect(exportPayments(ledger, 'csv', path.join(dir, 'blocked.csv'))).rejects.toMatchObject({ code: -32602 });
    expect(fs.readdirSync(dir).sort()).toEqual(['blocked.csv', 'h.json']);
  });

  it('gives each part its route as the export writes it, whatever the route looks like', () => {
    const { ledger } = exportFixture();
    // Hops without a direction: not the usual shape.
    const h4 = hashOf(preimageOf(4));
    const route = routeTo(DEST, 20n, 10n).map(({ direction: _, ...hop }) => hop);
    created(ledger, part(20n, { paymentHash: h4, intendedMsat: 20n, route, now: NOW + 300 }));
    const stored = (id: number) => toJson(ledger.part(id)?.route);
    let seen = 0;
    for (const { parts } of ledger.exportRawRecords()) {
      for (const p of parts) {
        expect(routeJson(p[RAW_PART.route])).toBe(stored(Number(p[RAW_PART.id])));
        seen += 1;
      }
    }
    expect(seen).toBe(5);
    expect(stored(5)).not.toContain('direction');
  });

  it('writes text longer than a write chunk, and text that is not ASCII', async () => {
    const ledger = openLedger();
    // About 2.6 MB of UTF-8 in one cell, more than a chunk: then many small payments across chunk boundaries.
    const long = '€ ✓ ünïcode, "quoted"\r\n'.repeat(110_000);
    created(ledger, part(1000n, { description: long }));
    const n = 1500;
    for (let i = 0; i < n; i++) {
      const h = hashOf(preimageOf(5000 + i));
      created(ledger, part(1000n, { paymentHash: h, intendedMsat: 1000n, description: `ü ${i} ${'x'.repeat(i)}` }));
    }
    const dir = tmpDir();
    await exportPayments(ledger, 'json', path.join(dir, 'big.json'));
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, 'big.json'), 'utf8')) as {
      payments: { description: string }[];
    };
    expect(parsed.payments).toHaveLength(n + 1);
    expect(parsed.payments[0]?.description).toBe(long);
    expect(parsed.payments.map((p) => p.description).slice(1)).toEqual(
      Array.from({ length: n }, (_, i) => `ü ${i} ${'x'.repeat(i)}`),
    );
    await exportPayments(ledger, 'csv', path.join(dir, 'big.csv'));
    const [header, ...rows] = parseCsv(fs.readFileSync(path.join(dir, 'big.csv'), 'utf8'));
    const description = CSV_COLUMNS.indexOf('description');
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(2 * (n + 1));
    expect(rows[0]?.[description]).toBe(long);
    expect(rows[2 * n]?.[description]).toBe(`ü ${n - 1} ${'x'.repeat(n - 1)}`);
  });

  it("cuts an export into ranges at every nth payment passing its filter, in id order whatever the payments' times", () => {
    const ledger = openLedger();
    // Ids 1..10 made at falling times (a clock set back): the time index's order is not the ids'.
    for (let i = 1; i <= 10; i++) {
      const h = hashOf(preimageOf(100 + i));
      created(ledger, part(1000n, { paymentHash: h, intendedMsat: 1000n, now: NOW + 1000 - i * 10 }));
      if (i % 2 === 0) ledger.resolvePart(i, { status: 'failed', failure: failure() }, NOW + 1000);
    }
    expect(ledger.exportCuts(ledger.rawParams(), 3)).toEqual([3, 6, 9]);
    expect(ledger.exportCuts(ledger.rawParams({ status: 'failed' }), 2)).toEqual([4, 8]);
    // Times NOW+920 (id 8) up to NOW+960 (id 4): ids 4..8; the failed of them: 4, 6, 8.
    const window = { since: NOW + 920, until: NOW + 961 };
    expect(ledger.exportCuts(ledger.rawParams(window), 2)).toEqual([5, 7]);
    expect(ledger.exportCuts(ledger.rawParams({ ...window, status: 'failed' }), 1)).toEqual([4, 6, 8]);
    expect(ledger.exportCuts(ledger.rawParams({ since: NOW + 5000 }), 1)).toEqual([]);
  });

  it('writes text that is not ASCII, in every field that may hold it, as its UTF-8 (one thread and workers)', async () => {
    const ledger = openLedger();
    // Latin-1 past ASCII (written as two bytes), past Latin-1, past the BMP, control characters, a quote and a comma.
    const text = (s: string) => `${s} café ÿ\u0080 ☕ 日本 😀 "q", \u0001\u007f`;
    // A lone surrogate cannot be UTF-8: the ledger keeps U+FFFD in its place.
    created(ledger, part(1000n, { description: `${text('=description')} \ud800`, bolt11: text('lnbc') }));
    const failure = {
      code: 'TEMPORARY_CHANNEL_FAILURE' as const,
      message: text('message'),
      erring_index: 1,
      erring_node: text('node'),
      erring_channel: text('channel'),
    };
    ledger.resolvePart(1, { status: 'failed', failure }, NOW + 1);
    const names = new Map([
      [DEST, text('=shop')],
      [HOP, 'Hop ⚡'],
    ]);
    const [payment] = ledger.payments();
    if (payment === undefined) throw new Error('no payment');
    expect(payment.description).toBe(`${text('=description')} \ufffd`);
    const json = `{"payments":[\n${toJson({ ...payment, partialpayments: ledger.parts() })}\n]}\n`;
    const dir = tmpDir();
    for (const threads of [1, 2]) {
      await exportPayments(ledger, 'json', path.join(dir, `${threads}.json`), {}, { names, threads });
      expect(fs.readFileSync(path.join(dir, `${threads}.json`), 'utf8')).toBe(json);
      await exportPayments(ledger, 'csv', path.join(dir, `${threads}.csv`), {}, { names, threads });
      const [header, paymentRow, partRow, ...rest] = parseCsv(
        fs.readFileSync(path.join(dir, `${threads}.csv`), 'utf8'),
      );
      const cell = (row: string[] | undefined, column: (typeof CSV_COLUMNS)[number]) =>
        row?.[(header as string[]).indexOf(column)];
      expect(rest).toEqual([]);
      expect(cell(paymentRow, 'description')).toBe(`'${payment.description}`);
      expect(cell(paymentRow, 'bolt11')).toBe(text('lnbc'));
      expect(cell(paymentRow, 'destination_alias')).toBe(`'${text('=shop')}`);
      expect(cell(partRow, 'destination_alias')).toBe(`'${text('=shop')}`);
      expect(cell(partRow, 'failure_message')).toBe(text('message'));
      expect(cell(partRow, 'failed_at_node')).toBe(text('node'));
      expect(cell(partRow, 'route')).toBe(`Hop ⚡ → ${text('=shop')}`);
    }
  });

  it('streams many payments in batches, the same as listing them', async () => {
    const ledger = openLedger();
    const n = 1234;
    for (let i = 0; i < n; i++) {
      const h = hashOf(preimageOf(1000 + i));
      created(ledger, part(1000n, { paymentHash: h, now: NOW + i }));
      if (i % 3 === 0) ledger.resolvePart(i + 1, { status: 'failed', failure: failure() }, NOW + i);
    }
    const streamed = [...ledger.exportRawRecords(ledger.rawParams({}, 100))];
    const P = RAW_PAYMENT;
    const Q = RAW_PART;
    expect(
      streamed.map(({ payment: p }) => [p[P.hash], p[P.status], p[P.msatoshi], p[P.destination], Number(p[P.created])]),
    ).toEqual(ledger.payments().map((p) => [p.payment_hash, p.status, p.msatoshi, p.destination, p.created_at]));
    expect(
      streamed.flatMap(({ payment, parts }) =>
        parts.map((q) => [Number(q[Q.id]), payment[P.hash], q[Q.status], q[Q.msatoshi], q[Q.sent]]),
      ),
    ).toEqual(ledger.parts().map((q) => [q.id, q.payment_hash, q.status, q.msatoshi, q.msatoshi_sent]));
    // Ledger writes between batches are fine: no cursor stays open.
    const rows = ledger.exportRawRecords(ledger.rawParams({}, 100));
    rows.next();
    created(ledger, part(1000n, { paymentHash: hashOf(preimageOf(99_999)) }));
    expect([...rows].length).toBe(n);
    const result = await exportPayments(ledger, 'csv', path.join(tmpDir(), 'many.csv'));
    expect(result).toMatchObject({ payments: n + 1, partialpayments: n + 1 });
  });
});
