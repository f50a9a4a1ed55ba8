import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

// The ledger's SQLite file: opening, pragmas, the single-process lock and the versioned schema.
// Only electron/core/ledger/ touches it; everything else goes through `Ledger`.

export type Db = Database.Database;

/** The SQLite file inside the data directory. */
export const LEDGER_FILE = 'ledger.sqlite';
/** Written next to it by the process holding the lock: its pid, for the message another process shows. Information
 * only; the lock itself is SQLite's (an OS file lock), so a crashed holder never leaves a stale lock behind. */
export const LOCK_INFO_FILE = 'ledger.lock';

/** How long a connection waits for another connection's write transaction before giving up (SQLITE_BUSY). With the
 * lock held, the only other connections are this process's own readers (the exports'), which never write. */
export const BUSY_TIMEOUT_MS = 5_000;

export interface OpenOptions {
  /**
   * Hold the data directory for this process alone (default true): its lock (LOCK_FILE, see openDatabase), so that a
   * second process on the same data directory (or a second Ledger in this one) refuses to start. False only for
   * tests and tools that deliberately share the file between connections; the ledger's rules still hold then,
   * because every change of state is one `BEGIN IMMEDIATE` transaction.
   */
  exclusive?: boolean;
}

/** Another process holds the data directory. */
export class LedgerLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder?: { pid: number; host?: string },
  ) {
    const who = holder
      ? `another Braid process (pid ${holder.pid}${holder.host ? ` on ${holder.host}` : ''})`
      : 'another process';
    super(
      `Braid's data directory ${dataDir} is in use by ${who}. Only one Braid can use a data directory at a time: ` +
        'quit the other one, or start this one with a different data directory.',
    );
    this.name = 'LedgerLockedError';
  }
}

/** The ledger file cannot be used as it is (empty, not a ledger, damaged, not writable); it was left unchanged. */
export class LedgerFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerFileError';
  }
}

/** The file was written by a newer Braid whose schema this one does not know. */
export class LedgerSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerSchemaError';
  }
}

/**
 * Migrations, in order: migration k (1-based) takes the schema from version k-1 to k. Each runs in one transaction
 * together with `PRAGMA user_version = k`. Never edit a released migration; append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the two tables of the proposal.
  `
  -- One row per payment_hash: the proposal's listpayments table. msatoshi_sent and the part counts are derived from
  -- partial_payments when read, never stored, so they cannot drift from the parts.
  -- id: insertion order (oldest first) and a stable key for paging; rowids of a table without an INTEGER PRIMARY KEY
  -- may be renumbered by VACUUM.
  CREATE TABLE payments (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_hash     TEXT    NOT NULL UNIQUE CHECK (length(payment_hash) = 64),
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'complete', 'failed')),
    msatoshi         INTEGER NOT NULL CHECK (msatoshi > 0),
    destination      TEXT    NOT NULL,
    description      TEXT,
    bolt11           TEXT,
    payment_secret   TEXT    CHECK (payment_secret IS NULL OR length(payment_secret) = 64),
    created_at       INTEGER NOT NULL,
    completed_at     INTEGER,
    payment_preimage TEXT,
    CHECK ((status = 'complete') = (payment_preimage IS NOT NULL)),
    CHECK ((status = 'pending') = (completed_at IS NULL))
  ) STRICT;
  CREATE INDEX payments_by_status ON payments (status, id);
  CREATE INDEX payments_by_created ON payments (created_at, id);

  -- One row per HTLC the wallet hands (or is about to hand) to the node: listpartialpayments.
  -- AUTOINCREMENT: ids are never reused, even after the highest row is deleted.
  -- route: c-lightning's hop format as JSON, amounts as decimal strings (exact).
  -- attempt_id: LND's HTLC attempt id once the node accepted the HTLC (NULL: not known to have reached the node);
  -- what recovery matches LND's attempts against.
  -- failure_*: kept if a failed part later turns out complete (the node reported a late fulfil), for the record.
  CREATE TABLE partial_payments (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_hash     TEXT    NOT NULL REFERENCES payments (payment_hash) ON UPDATE RESTRICT ON DELETE RESTRICT,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'complete', 'failed')),
    msatoshi         INTEGER NOT NULL CHECK (msatoshi > 0),
    msatoshi_sent    INTEGER NOT NULL CHECK (msatoshi_sent >= msatoshi),
    destination      TEXT    NOT NULL,
    route            TEXT    NOT NULL CHECK (json_valid(route)),
    created_at       INTEGER NOT NULL,
    completed_at     INTEGER,
    payment_preimage TEXT,
    failure_code     TEXT,
    failure_message  TEXT,
    erring_index     INTEGER,
    erring_node      TEXT,
    erring_channel   TEXT,
    attempt_id       INTEGER CHECK (attempt_id IS NULL OR attempt_id >= 0),
    CHECK ((status = 'complete') = (payment_preimage IS NOT NULL)),
    CHECK (status <> 'failed' OR failure_code IS NOT NULL),
    CHECK ((status = 'pending') = (completed_at IS NULL))
  ) STRICT;
  CREATE INDEX partial_payments_by_hash ON partial_payments (payment_hash, id);
  CREATE INDEX partial_payments_pending ON partial_payments (id) WHERE status = 'pending';
  CREATE INDEX partial_payments_by_attempt ON partial_payments (payment_hash, attempt_id) WHERE attempt_id IS NOT NULL;
  `,
  // 2: what the payment planner learned about other nodes' channels (issue 6).
  `
  -- One row per (channel, direction): the belief about the liquidity on the sending side, in msat, as learned from
  -- parts' outcomes at updated_at (Unix ms). Older beliefs are decayed by their age when loaded. Our own channels'
  -- balances are known exactly from the node and never stored here.
  CREATE TABLE planner_beliefs (
    scid       TEXT    NOT NULL,
    direction  INTEGER NOT NULL CHECK (direction IN (0, 1)),
    min_msat   INTEGER NOT NULL CHECK (min_msat >= 0),
    max_msat   INTEGER NOT NULL CHECK (max_msat >= min_msat),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (scid, direction)
  ) STRICT;
  `,
  // 3: rebalances (issue 16): which payments are rebalances, between which of our channels.
  `
  -- One row per rebalance: a payment to ourselves (its parts are in payments/partial_payments like any other's).
  -- No foreign key: the row is written before the first part creates the payment, and stays if none ever did.
  -- sources, targets: JSON arrays of scids. channels: JSON array of {channel, peer_id, peer_alias, role, capacity,
  -- local_before, local_after} with amounts as decimal strings (msat); local_after is filled in when it ends.
  CREATE TABLE rebalances (
    payment_hash  TEXT    PRIMARY KEY CHECK (length(payment_hash) = 64),
    msatoshi      INTEGER NOT NULL CHECK (msatoshi > 0),
    fee_limit     INTEGER NOT NULL CHECK (fee_limit >= 0),
    sources       TEXT    NOT NULL CHECK (json_valid(sources)),
    targets       TEXT    NOT NULL CHECK (json_valid(targets)),
    channels      TEXT    NOT NULL CHECK (json_valid(channels)),
    created_at    INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX rebalances_by_created ON rebalances (created_at);
  `,
  // 4: each part's payment by its id too (issue 13, export speed).
  `
  -- payment_id: payments.id of the part's payment_hash, set when the part is inserted (statements.ts insertPart)
  -- and never changed. The exports read a batch of payments' parts in payment order: through the hash index that
  -- order is random (a B-tree descent into a different page per payment), through this one it is a range scan.
  -- ALTER TABLE cannot add a NOT NULL column to existing rows, nor a CHECK that reads another table: the triggers
  -- refuse any row whose payment_id is not its payment_hash's payment (NULL included), on insert and on update.
  ALTER TABLE partial_payments ADD COLUMN payment_id INTEGER REFERENCES payments (id);
  UPDATE partial_payments SET payment_id = (SELECT p.id FROM payments p WHERE p.payment_hash = partial_payments.payment_hash);
  CREATE INDEX partial_payments_by_payment ON partial_payments (payment_id, id);
  CREATE TRIGGER partial_payments_payment_id_insert BEFORE INSERT ON partial_payments
    WHEN NEW.payment_id IS NOT (SELECT p.id FROM payments p WHERE p.payment_hash = NEW.payment_hash)
    BEGIN SELECT RAISE(ABORT, 'partial_payments.payment_id must be the id of the payment of its payment_hash'); END;
  CREATE TRIGGER partial_payments_payment_id_update BEFORE UPDATE OF payment_id, payment_hash ON partial_payments
    WHEN NEW.payment_id IS NOT (SELECT p.id FROM payments p WHERE p.payment_hash = NEW.payment_hash)
    BEGIN SELECT RAISE(ABORT, 'partial_payments.payment_id must be the id of the payment of its payment_hash'); END;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Opens (creating if needed) `dataDir/ledger.sqlite`, takes the lock, sets the pragmas and migrates the schema.
 *
 * Pragmas:
 * - `journal_mode=WAL`: readers never block the writer, and a crash mid-write cannot corrupt the file.
 * - `synchronous=FULL`, for every transaction. A part's row must be on disk before its HTLC is handed to the node:
 *   the HTLC cannot be called back, and a part the ledger forgot would not count against the overpay rule, so the
 *   wallet could send the same money twice. With WAL, NORMAL never corrupts the file but a power cut or OS crash may
 *   lose the last commits (they are only fsynced at checkpoint); FULL fsyncs the WAL on each commit. That costs one
 *   fsync per change of state (a millisecond or so on an SSD), small next to a Lightning round trip, and one setting
 *   for everything is simpler to reason about than switching per transaction.
 * - `fullfsync`/`checkpoint_fullfsync`: on macOS fsync() does not flush the drive's cache; F_FULLFSYNC does.
 *   Ignored elsewhere.
 * - `foreign_keys=ON`, `busy_timeout`, `trusted_schema=OFF` (no functions from the schema).
 * - No `mmap_size`: reads go through read(), so a disk's read error is an error SQLite reports, not a SIGBUS that
 *   kills the process (SQLite cannot catch an I/O error on a memory map).
 *
 * The lock: a second SQLite file beside the ledger, LOCK_FILE, opened in `locking_mode=EXCLUSIVE` and WAL with a
 * write transaction at once, so that this connection holds SQLite's exclusive OS lock on it until it closes. A second
 * process (or a second Ledger in this one) gets SQLITE_BUSY at once and we turn that into `LedgerLockedError`.
 * Chosen over a pid lock file: the OS drops the lock when the process dies however it dies, so there is no staleness
 * to guess (pid reuse, containers, other hosts). The ledger itself is in WAL with normal locking, so that this
 * process can read it through more connections than one (the exports read it from worker threads while the ledger
 * goes on writing, see export.ts); at start-up a write transaction tried at once still refuses a file that any
 * other SQLite client holds.
 */
export function openDatabase(dataDir: string, options: OpenOptions = {}): Db {
  const exclusive = options.exclusive ?? true;
  const dir = path.resolve(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, LEDGER_FILE);
  // An existing file is checked before anything may write to it (checkExisting); a new one is ours to make private.
  const existed = checkExisting(file);

  // The lock first: nothing of the ledger is touched (not even opened) by a process that does not hold it.
  const lock = exclusive ? takeLock(dir) : undefined;
  let db: Db;
  try {
    db = new Database(file, { timeout: exclusive ? 0 : BUSY_TIMEOUT_MS });
  } catch (err) {
    releaseLock(lock, dir);
    throw err;
  }
  try {
    // Private: the payment history is nobody else's business. -wal and -shm get the same mode from SQLite.
    if (!existed) fs.chmodSync(file, 0o600);
    try {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`ledger: could not switch ${file} to WAL (journal_mode ${String(mode)})`);
      // Some other SQLite client holding the file is refused here, at once (timeout 0), as another Braid is above.
      if (exclusive) db.exec('BEGIN IMMEDIATE; COMMIT');
    } catch (err) {
      // Not another Braid: this process holds the Braid lock (and its info file now names this process).
      if (exclusive && isBusy(err)) throw new LedgerLockedError(dir);
      throw err;
    }
    // A damaged file is refused before anything writes to it: integrity_check when small, else quick_check.
    if (existed) checkIntegrity(db, file);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('synchronous = FULL');
    db.pragma('fullfsync = ON');
    db.pragma('checkpoint_fullfsync = ON');
    db.pragma('foreign_keys = ON');
    db.pragma('trusted_schema = OFF');
    // Every INTEGER comes back as a bigint: no amount can ever silently become a float. Ids and times are converted
    // to numbers explicitly where they are read.
    db.defaultSafeIntegers(true);
    migrate(db, file);
    if (lock) locks.set(db, lock);
    return db;
  } catch (err) {
    db.close();
    releaseLock(lock, dir);
    if ((err as { code?: unknown }).code === 'SQLITE_NOTADB') {
      throw new LedgerFileError(
        `ledger: ${file} is not a SQLite database (not a Braid ledger). Move it away or point --data-dir elsewhere. ${LEAVE_IT}`,
      );
    }
    if (isCorruption(err)) throw damaged(file, 'opening', [(err as Error).message]);
    throw err;
  }
}

/** The lock's file, beside the ledger (see openDatabase). */
export const LOCK_FILE = 'ledger-lock.sqlite';

/** The lock held by each ledger connection opened exclusive: closed with it. */
const locks = new WeakMap<Db, Db>();

/** Takes the data directory's lock (LOCK_FILE) for this process, or throws LedgerLockedError. */
function takeLock(dir: string): Db {
  const file = path.join(dir, LOCK_FILE);
  const lock = new Database(file, { timeout: 0 });
  try {
    fs.chmodSync(file, 0o600);
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.pragma('journal_mode = WAL');
    lock.exec('BEGIN IMMEDIATE; COMMIT');
  } catch (err) {
    lock.close();
    if (isBusy(err)) throw new LedgerLockedError(dir, liveHolder(readLockInfo(dir)));
    throw err;
  }
  writeLockInfo(dir);
  return lock;
}

/** Releases a lock taken by takeLock, and removes the lock info file if it is ours. */
function releaseLock(lock: Db | undefined, dir: string): void {
  if (!lock) return;
  lock.close();
  const info = path.join(dir, LOCK_INFO_FILE);
  try {
    if (readLockInfo(dir)?.pid === process.pid) fs.unlinkSync(info);
  } catch {
    // Information only.
  }
}

/** Closes the connection, then releases its lock (if it took one) and removes the lock info file if it is ours. */
export function closeDatabase(db: Db, dataDir: string): void {
  if (!db.open) return;
  const lock = locks.get(db);
  locks.delete(db);
  db.close();
  releaseLock(lock, path.resolve(dataDir));
}

function migrate(db: Db, file: string): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > SCHEMA_VERSION) {
    throw new LedgerSchemaError(
      `ledger: ${file} has schema version ${current}, newer than this Braid knows (${SCHEMA_VERSION}); ` +
        'it was written by a newer Braid. Run that version, or a newer one, instead.',
    );
  }
  for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
    const sql = MIGRATIONS[version - 1] as string;
    db.transaction(() => {
      // Read again under the write lock: another connection sharing the file may have migrated meanwhile.
      if (Number(db.pragma('user_version', { simple: true })) >= version) return;
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    }).immediate();
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

function writeLockInfo(dir: string): void {
  try {
    fs.writeFileSync(path.join(dir, LOCK_INFO_FILE), `${JSON.stringify({ pid: process.pid, host: os.hostname() })}\n`, {
      mode: 0o600,
    });
  } catch {
    // Information only: the lock is SQLite's.
  }
}

/** The recorded holder, unless it is a process of this host that no longer exists (then someone else holds the
 * file, e.g. an sqlite3 shell, and the record is from an earlier run). */
function liveHolder(info: { pid: number; host?: string } | undefined): { pid: number; host?: string } | undefined {
  if (!info || (info.host !== undefined && info.host !== os.hostname())) return info;
  try {
    process.kill(info.pid, 0);
    return info;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? info : undefined;
  }
}

function readLockInfo(dir: string): { pid: number; host?: string } | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dir, LOCK_INFO_FILE), 'utf8')) as {
      pid?: unknown;
      host?: unknown;
    };
    if (typeof info.pid !== 'number') return undefined;
    return typeof info.host === 'string' ? { pid: info.pid, host: info.host } : { pid: info.pid };
  } catch {
    return undefined;
  }
}

/** Below this size the start-up check is the full integrity_check; above, quick_check (it skips index contents). */
const FULL_CHECK_BELOW_BYTES = 64 * 1024 * 1024;
const LEAVE_IT = 'The file was not changed.';

/**
 * Checks an existing ledger file before it is opened for writing, and reports what is wrong without touching it:
 * a 0-byte or foreign file is refused (never re-initialised), a file this user cannot read and write is refused
 * (its permissions are reported, never changed). Returns whether the file existed (then checkIntegrity runs once
 * the lock is held). A mode open to other users is reported on stderr.
 */
export function checkExisting(file: string): boolean {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return false;
  }
  if (!stat.isFile()) throw new LedgerFileError(`ledger: ${file} is not a regular file. ${LEAVE_IT}`);
  const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
  // The owner's read and write bits too: root may write any file, but a file made read-only was made so on purpose.
  let usable = (stat.mode & 0o600) === 0o600;
  try {
    fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    usable = false;
  }
  if (!usable) {
    throw new LedgerFileError(
      `ledger: ${file} cannot be read and written by this user (mode ${mode}, owner uid ${stat.uid}). ` +
        `Braid does not change permissions itself: give it back (chmod 600 '${file}') and start again. ${LEAVE_IT}`,
    );
  }
  if ((stat.mode & 0o077) !== 0) {
    process.stderr.write(
      `braid: warning: ${file} is readable by other users (mode ${mode}); chmod 600 it to keep your history private\n`,
    );
  }
  if (stat.size === 0) {
    throw new LedgerFileError(
      `ledger: ${file} is empty (0 bytes): it holds no history, and Braid will not silently start a new one over it. ` +
        'If it should hold your payments, restore it from a backup; to start afresh, delete or move it away. ' +
        LEAVE_IT,
    );
  }
  // No fd of our own on the file: closing one would drop the POSIX locks SQLite holds on it in this process. A
  // foreign file is told by SQLite itself (SQLITE_NOTADB, below).
  return true;
}

/** Runs on the connection that holds the lock, before anything is written (migrations come after). */
function checkIntegrity(db: Db, file: string): void {
  const check = fs.statSync(file).size < FULL_CHECK_BELOW_BYTES ? 'integrity_check' : 'quick_check';
  let problems: string[];
  try {
    const rows = db.pragma(check) as Record<string, string>[];
    problems = rows.map((r) => String(Object.values(r)[0]));
  } catch (err) {
    if (!isCorruption(err)) throw err;
    problems = [(err as Error).message];
  }
  if (problems.length !== 1 || problems[0] !== 'ok') throw damaged(file, check, problems);
  const version = Number(db.pragma('user_version', { simple: true }));
  const hasParts = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'partial_payments'").get();
  if (version > 0 && !hasParts) {
    throw new LedgerFileError(`ledger: ${file} is a SQLite database but not a Braid ledger. ${LEAVE_IT}`);
  }
}

function damaged(file: string, check: string, problems: string[]): LedgerFileError {
  return new LedgerFileError(
    `ledger: ${file} is damaged (${check}: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; …' : ''}). ` +
      `${LEAVE_IT} Stop here and keep a copy of it; then restore it from a backup, or let SQLite save what it can ` +
      `(sqlite3 '${file}' .recover > recovered.sql) and start Braid on a new data directory. Parts that were in ` +
      "flight are still in the node's payment records.",
  );
}

/** SQLite's words for a file that is not (or no longer) a sound database. */
export function isCorruption(err: unknown): boolean {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}
