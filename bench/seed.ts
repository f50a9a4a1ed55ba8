// Bulk seeding of a ledger for the export/listpayments benchmark. The Ledger has no bulk API (every change of state
// is its own BEGIN IMMEDIATE transaction with a FULL fsync), so the rows are written through a second better-sqlite3
// connection to a ledger opened with `exclusive: false`, in one transaction, with the columns the ledger's own
// INSERT/UPDATE statements (ledger/statements.ts prepareStatements) leave behind: the ledger inserts a part pending and updates
// it when it resolves; here each row is inserted directly in its final state. The schema's CHECKs still apply.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LEDGER_FILE } from '../electron/core/ledger/db';
import { Ledger } from '../electron/core/ledger/ledger';
import { hashPair, hex32, nodeId } from './bench-util';

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** A string shaped like a simnet bolt11 (~330 characters); never decoded by the export. */
function fakeBolt11(i: number): string {
  let s = `lnsb${1 + (i % 900)}u1p`;
  while (s.length < 330) s += BECH32[(Math.imul(i + s.length, 2654435761) >>> 7) % 32];
  return s;
}

export interface SeedResult {
  payments: number;
  parts: number;
  seconds: number;
}

/**
 * `payments` payments of 3 parts each: 90% complete (2 parts complete, 1 failed and replaced), 8% failed (3 failed
 * parts), 2% pending (3 pending parts). Created over the last year, oldest first.
 */
export function seedHistory(dataDir: string, payments: number): SeedResult {
  const t = performance.now();
  // Creates the file and migrates the schema; stays open (non-exclusive) while the second connection writes.
  const ledger = Ledger.open(dataDir, { exclusive: false });
  const db = new Database(join(dataDir, LEDGER_FILE), { timeout: 5_000 });
  db.pragma('foreign_keys = ON');
  const insertPayment = db.prepare(
    `INSERT INTO payments (payment_hash, status, msatoshi, destination, description, bolt11, payment_secret,
       created_at, completed_at, payment_preimage)
     VALUES (@hash, @status, @msatoshi, @destination, @description, @bolt11, @secret, @created, @completed, @preimage)`,
  );
  const insertPart = db.prepare(
    `INSERT INTO partial_payments (payment_hash, payment_id, status, msatoshi, msatoshi_sent, destination, route,
       created_at, completed_at, payment_preimage, failure_code, failure_message, erring_index, erring_node,
       erring_channel, attempt_id)
     VALUES (@hash, (SELECT id FROM payments WHERE payment_hash = @hash), @status, @msatoshi, @sent, @destination,
       @route, @created, @completed, @preimage, @code, @message, @erringIndex, @erringNode, @erringChannel, @attemptId)`,
  );
  const routers = Array.from({ length: 40 }, nodeId);
  const merchants = Array.from({ length: 200 }, nodeId);
  const start = Math.floor(Date.now() / 1000) - 365 * 86_400;
  let parts = 0;
  let attempt = 1n;
  db.transaction(() => {
    for (let i = 0; i < payments; i++) {
      const { hash, preimage } = hashPair();
      const destination = merchants[i % merchants.length] as string;
      const kind = i % 50 === 0 ? 'pending' : i % 50 < 5 ? 'failed' : 'complete';
      const created = start + Math.floor((i * 365 * 86_400) / payments);
      const partMsat = BigInt(10_000 + (i % 997) * 1_000);
      const total = partMsat * 2n;
      insertPayment.run({
        hash,
        status: kind,
        msatoshi: total,
        destination,
        description: `bench payment ${i}: coffee, "beans" & more`,
        bolt11: fakeBolt11(i),
        secret: hex32(),
        created,
        completed: kind === 'pending' ? null : created + 3,
        preimage: kind === 'complete' ? preimage : null,
      });
      for (let k = 0; k < 3; k++) {
        const a = routers[(i + k) % routers.length] as string;
        const b = routers[(i * 7 + k + 1) % routers.length] as string;
        const hops = [a, b, destination];
        const route = JSON.stringify(
          hops.map((id, h) => ({
            id,
            channel: `${800_000 + ((i + h) % 5_000)}x${(k + h) % 40}x${h & 1}`,
            direction: h & 1,
            msatoshi: (partMsat + BigInt((2 - h) * 1_001)).toString(),
            delay: 83 + (2 - h) * 40,
          })),
        );
        // complete: part 0 failed (replaced), parts 1 and 2 complete.
        const status = kind === 'complete' ? (k === 0 ? 'failed' : 'complete') : kind;
        const failed = status === 'failed';
        insertPart.run({
          hash,
          status,
          msatoshi: partMsat,
          sent: partMsat + 2_002n,
          destination,
          route,
          created: created + k,
          completed: status === 'pending' ? null : created + 3,
          preimage: status === 'complete' ? preimage : null,
          code: failed ? 'TEMPORARY_CHANNEL_FAILURE' : null,
          message: failed ? `${b} could not forward: insufficient balance on ${800_000 + i}x1x0` : null,
          erringIndex: failed ? 2 : null,
          erringNode: failed ? b : null,
          erringChannel: failed ? `${800_000 + ((i + 2) % 5_000)}x${(k + 2) % 40}x0` : null,
          attemptId: status === 'pending' ? null : attempt++,
        });
        parts += 1;
      }
    }
  }).immediate();
  db.close();
  ledger.close();
  return { payments, parts, seconds: (performance.now() - t) / 1000 };
}
