import { ApiError, ErrorCode } from '../../../shared/api/errors';

// The ledger's disk, as the core sees it while running: once a write fails for a reason of the storage (full disk,
// I/O error, damage), no new send starts. Parts already written stay as they are (pending ones are settled by the
// node's records after a restart); sends resume once the wallet is restarted on a sound disk.

/** SQLite's codes (and the OS's) for a storage that cannot take writes; not a rule of ours, not a busy lock. */
const STORAGE_CODES =
  /^(SQLITE_FULL|SQLITE_IOERR|SQLITE_CORRUPT|SQLITE_NOTADB|SQLITE_CANTOPEN|SQLITE_READONLY)|^(ENOSPC|EIO|EFBIG|EROFS|EDQUOT)$/;

export function isStorageFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORAGE_CODES.test(code);
}

/** The refusal of every send once the storage failed: -1, the cause, and what to do. */
export class StorageStopped extends ApiError {
  constructor(readonly reason: string) {
    super(
      ErrorCode.Internal,
      `the ledger cannot be written (${reason}): new sends are stopped. Nothing already written is lost; free space ` +
        'on the disk (or fix it), then restart Braid: parts left pending are settled by what the node recorded',
      { storage: reason },
    );
    this.name = 'StorageStopped';
  }
}

export class StorageHealth {
  private failure: string | undefined;

  /** Throws StorageStopped once the storage has failed. */
  assertWritable(): void {
    if (this.failure !== undefined) throw new StorageStopped(this.failure);
  }

  /** Runs a ledger write; a storage failure stops new sends and is thrown as StorageStopped. */
  write<T>(run: () => T): T {
    this.assertWritable();
    try {
      return run();
    } catch (error) {
      if (!isStorageFailure(error)) throw error;
      this.failure ??= `${(error as { code: string }).code}: ${(error as Error).message}`;
      throw new StorageStopped(this.failure);
    }
  }

  get failed(): string | undefined {
    return this.failure;
  }
}
