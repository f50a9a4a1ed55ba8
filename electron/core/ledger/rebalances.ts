import type { RebalanceChannel } from '../../../shared/api/rebalance';
import type { Db } from './db';

// Which payments are rebalances (table rebalances, migration 3): their sources, targets and the channels' balances
// before and after. The payment and its parts are in the proposal's two tables like any other payment's.

/** One channel of a rebalance as stored: what moved over it is its parts' to say. */
export type StoredRebalanceChannel = Omit<RebalanceChannel, 'moved_msatoshi'>;

export interface RebalanceRow {
  payment_hash: string;
  msatoshi: bigint;
  fee_limit_msatoshi: bigint;
  sources: string[];
  targets: string[];
  channels: StoredRebalanceChannel[];
  /** Unix seconds. */
  created_at: number;
}

interface Row {
  payment_hash: string;
  msatoshi: bigint;
  fee_limit: bigint;
  sources: string;
  targets: string;
  channels: string;
  created_at: bigint;
}

export interface RebalanceStore {
  /** Marks a payment hash as a rebalance, before its first part leaves. */
  add(row: RebalanceRow): void;
  /** Writes each channel's balance after the rebalance. */
  setAfter(paymentHash: string, localAfter: ReadonlyMap<string, bigint>): void;
  get(paymentHash: string): RebalanceRow | undefined;
  /** Newest first. */
  all(): RebalanceRow[];
  /** The payment hashes of every rebalance (the export marks their rows). */
  hashes(): Set<string>;
}

const toJson = (channels: readonly StoredRebalanceChannel[]) =>
  JSON.stringify(channels, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

function fromJson(text: string): StoredRebalanceChannel[] {
  const raw = JSON.parse(text) as (Omit<
    StoredRebalanceChannel,
    'capacity_msatoshi' | 'local_before_msatoshi' | 'local_after_msatoshi'
  > & { capacity_msatoshi: string; local_before_msatoshi: string; local_after_msatoshi?: string })[];
  return raw.map(({ local_after_msatoshi: after, ...c }) => ({
    ...c,
    capacity_msatoshi: BigInt(c.capacity_msatoshi),
    local_before_msatoshi: BigInt(c.local_before_msatoshi),
    ...(after === undefined ? {} : { local_after_msatoshi: BigInt(after) }),
  }));
}

function rowOf(r: Row): RebalanceRow {
  return {
    payment_hash: r.payment_hash,
    msatoshi: r.msatoshi,
    fee_limit_msatoshi: r.fee_limit,
    sources: JSON.parse(r.sources) as string[],
    targets: JSON.parse(r.targets) as string[],
    channels: fromJson(r.channels),
    created_at: Number(r.created_at),
  };
}

export function rebalanceStore(db: Db): RebalanceStore {
  const insert = db.prepare(
    `INSERT INTO rebalances (payment_hash, msatoshi, fee_limit, sources, targets, channels, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const select = db.prepare<[string], Row>('SELECT * FROM rebalances WHERE payment_hash = ?').safeIntegers(true);
  const selectAll = db
    .prepare<[], Row>('SELECT * FROM rebalances ORDER BY created_at DESC, rowid DESC')
    .safeIntegers(true);
  const update = db.prepare('UPDATE rebalances SET channels = ? WHERE payment_hash = ?');
  const selectHashes = db.prepare<[], string>('SELECT payment_hash FROM rebalances').pluck();
  const get = (hash: string) => {
    const row = select.get(hash);
    return row ? rowOf(row) : undefined;
  };
  const setAfterTx = db.transaction((hash: string, after: ReadonlyMap<string, bigint>) => {
    const row = get(hash);
    if (!row) return;
    const channels = row.channels.map((c) => {
      const local = after.get(c.channel);
      return local === undefined ? c : { ...c, local_after_msatoshi: local };
    });
    update.run(toJson(channels), hash);
  });
  return {
    add: (r) => {
      insert.run(
        r.payment_hash,
        r.msatoshi,
        r.fee_limit_msatoshi,
        JSON.stringify(r.sources),
        JSON.stringify(r.targets),
        toJson(r.channels),
        BigInt(r.created_at),
      );
    },
    setAfter: (hash, after) => setAfterTx.immediate(hash, after),
    get,
    all: () => selectAll.all().map(rowOf),
    hashes: () => new Set(selectHashes.all()),
  };
}
