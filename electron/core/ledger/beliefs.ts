import type { Db } from './db';

// The planner's learned beliefs (table planner_beliefs, migration 2), kept in the ledger's file so that they live
// and move with the payment history, under the same lock.

/** The belief about one direction of a channel: its sending side holds between minMsat and maxMsat. */
export interface BeliefRow {
  scid: string;
  direction: 0 | 1;
  minMsat: number;
  maxMsat: number;
  /** Unix ms of the last change: the age decays the belief when it is loaded again. */
  updatedAt: number;
}

interface StoredRow {
  scid: string;
  direction: bigint;
  min_msat: bigint;
  max_msat: bigint;
  updated_at: bigint;
}

export interface BeliefStore {
  all(): BeliefRow[];
  /** Upserts the rows in one transaction. */
  write(rows: readonly BeliefRow[]): void;
}

export function beliefStore(db: Db): BeliefStore {
  const select = db.prepare<[], StoredRow>(
    'SELECT scid, direction, min_msat, max_msat, updated_at FROM planner_beliefs ORDER BY scid, direction',
  );
  const upsert = db.prepare(
    `INSERT INTO planner_beliefs (scid, direction, min_msat, max_msat, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (scid, direction) DO UPDATE SET min_msat = excluded.min_msat, max_msat = excluded.max_msat,
       updated_at = excluded.updated_at`,
  );
  const writeTx = db.transaction((rows: readonly BeliefRow[]) => {
    for (const r of rows) {
      // Beliefs are fractional after decay; the table keeps whole msat, rounded outward so that it never claims
      // more certainty than was learned.
      const min = Math.max(0, Math.floor(r.minMsat));
      const max = Math.max(min, Math.ceil(r.maxMsat));
      upsert.run(r.scid, BigInt(r.direction), BigInt(min), BigInt(max), BigInt(Math.round(r.updatedAt)));
    }
  });
  return {
    all: () =>
      select.all().map((r) => ({
        scid: r.scid,
        direction: Number(r.direction) === 1 ? 1 : 0,
        minMsat: Number(r.min_msat),
        maxMsat: Number(r.max_msat),
        updatedAt: Number(r.updated_at),
      })),
    write: (rows) => {
      if (rows.length > 0) writeTx.immediate(rows);
    },
  };
}
