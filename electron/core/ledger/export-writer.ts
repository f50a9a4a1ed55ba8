import type { FileHandle } from 'node:fs/promises';
import type { ByteText } from './export-bytes.ts';

// The export's file writer: text (as its UTF-8 bytes, export-bytes.ts) copied straight into large buffers, written
// while the next one fills.

/** Bytes written at a time: few system calls, little memory. */
export const CHUNK_BYTES = 1 << 20;
/** Room kept free at the end of a chunk: a payment's lines normally fit in it. */
const ROOM = 64 * 1024;
/** A background sync is started after about this many bytes (see Writer.syncInBackground). */
const SYNC_EVERY = 32 * CHUNK_BYTES;
/** Chunks handed to the disk and not yet written, at most (memory: this many chunks, plus the one filling). */
const MAX_WRITES = 4;

/**
 * Text (its UTF-8 bytes, one character a byte: ByteText) copied into a buffer of CHUNK_BYTES as it comes; text too
 * long for the room left waits as text (rare: one payment's lines over the buffer's room). What it is handed to (a
 * file, another thread) is the subclass's.
 */
class TextBuffer {
  protected buffer: Buffer;
  protected used = 0;
  private overflow: ByteText[] = [];

  constructor(buffer: Buffer) {
    this.buffer = buffer;
  }

  /** Buffers `text`; true when the caller should flush before writing more (see wantsFlush). */
  write(text: ByteText): boolean {
    if (this.overflow.length === 0 && this.used + text.length <= this.buffer.length) {
      this.used += this.buffer.write(text, this.used, 'latin1');
    } else {
      this.overflow.push(text);
    }
    return this.wantsFlush;
  }

  /** True when the caller should flush before writing more. */
  get wantsFlush(): boolean {
    return this.buffer.length - this.used < ROOM || this.overflow.length > 0;
  }

  /**
   * Hands over what is buffered: the filled part of the buffer (the buffer itself then replaced by `next()`), then
   * the waiting text copied into a buffer of its own (never from Node's shared pool).
   */
  protected takeBuffered(next: () => Buffer, take: (bytes: Buffer, buffer?: Buffer) => void): void {
    if (this.used > 0) {
      const buffer = this.buffer;
      take(buffer.subarray(0, this.used), buffer);
      this.buffer = next();
      this.used = 0;
    }
    if (this.overflow.length > 0) {
      const text = this.overflow.join('');
      const bytes = Buffer.allocUnsafeSlow(text.length);
      bytes.write(text, 0, 'latin1');
      this.overflow = [];
      take(bytes);
    }
  }
}

/**
 * Copies text straight into a 1 MiB buffer and hands the buffer to the disk when it is full, while the next one
 * fills. Text goes into the buffer as it comes, so no long string is built up in the JS heap (short-lived strings
 * are cheap to collect; a long string surviving each young-generation collection is not). `write` only buffers; when
 * it says the buffer is full, the caller awaits `flush`, which starts writing it (each chunk at its own offset, so
 * writes under way cannot reorder) and waits only when MAX_WRITES chunks are still waiting for the disk
 * (backpressure: memory stays a few MiB however large the file).
 */
export class Writer extends TextBuffer {
  /** Buffers whose write has finished, to fill again. */
  private free: Buffer[] = [];
  /** Where the next chunk goes in the file. */
  private position = 0;
  /** Writes under way (or ended, not yet awaited), oldest first. */
  private writes: Promise<void>[] = [];
  private failure: { error: unknown } | undefined;
  /** Bytes written since the last background sync was started; that sync, while under way. */
  private unsynced = 0;
  private syncing: Promise<void> | undefined;

  private readonly handle: FileHandle;

  // (No parameter property: an export worker loads this file with Node's own type stripping, which has none.)
  constructor(handle: FileHandle) {
    super(Buffer.allocUnsafe(CHUNK_BYTES));
    this.handle = handle;
  }

  async flush(): Promise<void> {
    // A turn of the event loop for everything else the process does (a chunk is a few milliseconds of work), which
    // also hears of the writes that ended; then backpressure: at most MAX_WRITES chunks waiting for the disk.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.writes.length >= MAX_WRITES) await this.writes.shift();
    if (this.failure) throw this.failure.error;
    this.takeBuffered(
      () => this.free.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES),
      (bytes, buffer) => this.start(bytes, buffer && (() => this.free.push(buffer))),
    );
  }

  /**
   * Writes `bytes` (text encoded elsewhere: an export worker's chunk) after what is written so far; awaited like
   * `flush`, with the same backpressure. `bytes` must stay unchanged until the write ended (`done`, or `settled`).
   */
  async writeBytes(bytes: Buffer, done?: () => void): Promise<void> {
    await this.flush();
    this.start(bytes, done);
  }

  /** Writes `data` at the next position, without waiting (each write has its own place in the file). */
  private start(data: Buffer, done?: () => void): void {
    const at = this.position;
    this.position += data.length;
    // Caught here and rethrown by the next flush or end: a failed write must not be an unhandled rejection meanwhile.
    const writing = writeAll(this.handle, data, at).then(
      () => {
        done?.();
        this.unsynced += data.length;
        if (this.unsynced >= SYNC_EVERY && !this.syncing) this.syncInBackground();
      },
      (error: unknown) => {
        this.failure ??= { error };
      },
    );
    this.writes.push(writing);
  }

  /**
   * Starts flushing what is written so far to the disk while the next chunks are made, so that the final fsync has
   * little left to do. An error is kept and thrown like a failed write (it may not be reported again to the final
   * fsync).
   */
  private syncInBackground(): void {
    this.unsynced = 0;
    this.syncing = this.handle.datasync().then(
      () => {
        this.syncing = undefined;
      },
      (error: unknown) => {
        this.syncing = undefined;
        this.failure ??= { error };
      },
    );
  }

  /** Writes what is left and waits for every write. */
  async end(): Promise<void> {
    await this.flush();
    await this.settled();
    if (this.failure) throw this.failure.error;
  }

  /** Waits for the writes and the background sync under way, if any; never throws. */
  async settled(): Promise<void> {
    await Promise.all(this.writes.splice(0));
    await this.syncing;
  }
}

async function writeAll(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  for (let done = 0; done < data.length; ) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Copies text into chunks of CHUNK_BYTES, as Writer does, and hands each to `send` once full (or at `flush`): an
 * export worker's, whose chunks the thread that owns the file writes (export-parallel.ts). Each chunk is a buffer of
 * its own, never from Node's shared pool, so that `send` may transfer it to another thread.
 */
export class ChunkWriter extends TextBuffer {
  private readonly send: (chunk: Buffer) => void;
  private readonly allocate: () => Buffer;

  /** `allocate`: a buffer of CHUNK_BYTES to fill next (one sent earlier and given back, or a new one). */
  constructor(send: (chunk: Buffer) => void, allocate: () => Buffer = () => Buffer.allocUnsafeSlow(CHUNK_BYTES)) {
    super(allocate());
    this.send = send;
    this.allocate = allocate;
  }

  /** Sends what is buffered, if anything. */
  flush(): void {
    this.takeBuffered(this.allocate, (bytes) => this.send(bytes));
  }
}
