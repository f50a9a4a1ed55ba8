import type { FileHandle } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import type { ExportPool } from './export-pool';
import { type ExportFormat, fileHead, fileTail, type RangeTally, rangeJoint } from './export-range';
import type { RawParams } from './export-reader';
import type { ExportRequest, ExportSetup, ExportWorkerMessage } from './export-worker';
import { CHUNK_BYTES, Writer } from './export-writer';

// An export written by worker threads (export-worker.ts): its payments cut into ranges of RANGE_PAYMENTS, handed to
// the workers one at a time as each finishes its last; each sends its range's text back in chunks, and this thread
// writes them into the file in the ranges' order. A range's chunks wait here until the ranges before it are written:
// with ranges handed out in order, that is about one range per worker, whatever the size of the export.

/** Payments per range: small enough that the ranges waiting for their turn hold little memory. */
export const RANGE_PAYMENTS = 5_000;

/** A worker's failure as it told it (with the API's error code when it had one). */
export class ExportWorkerError extends Error {
  readonly code: number | undefined;

  constructor(message: string, code: number | undefined) {
    super(message);
    this.name = 'ExportWorkerError';
    this.code = code;
  }
}

export interface ParallelExport {
  pool: ExportPool;
  workers: number;
  setup: ExportSetup;
  ranges: RawParams[];
  /** Told the payments looked at and written so far, after each range a worker ended. */
  onProgress: (tally: { scanned: number; payments: number }) => void;
  /** Ends the export at once (its workers too); the promise then rejects with the signal's reason. */
  signal: AbortSignal;
}

/** Writes the export into `handle` (an empty file): head, the ranges in order, tail; then syncs it. */
export async function writeInWorkers(handle: FileHandle, job: ParallelExport): Promise<RangeTally> {
  const { format } = job.setup;
  const out = new Writer(handle);
  out.write(fileHead(format));
  const workers = job.pool.acquire(Math.min(job.workers, job.ranges.length));
  const commit = new RangeCommit(out, format, job.ranges.length);
  const tallies: RangeTally[] = job.ranges.map(() => ({ scanned: 0, payments: 0, partialpayments: 0 }));
  let next = 0;
  let failed = false;
  /** Takes this export's listeners off its workers. */
  const detach: (() => void)[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const stop = (error: unknown) => {
        failed = true;
        reject(error);
      };
      const onAbort = () => stop(job.signal.reason);
      if (job.signal.aborted) return onAbort();
      job.signal.addEventListener('abort', onAbort, { once: true });
      const give = (worker: Worker) => {
        const range = next++;
        const params = job.ranges[range];
        if (params === undefined) return worker.postMessage({ type: 'end' } satisfies ExportRequest);
        worker.postMessage({ type: 'range', range, params } satisfies ExportRequest);
      };
      for (const worker of workers) {
        const onMessage = (message: ExportWorkerMessage) => {
          if (failed) return;
          if (message.type === 'error') return stop(new ExportWorkerError(message.message, message.code));
          if (message.type === 'chunk') {
            const { bytes } = message;
            const buffer = bytes.buffer as ArrayBuffer;
            // Once in the file, a full chunk's buffer goes back to its worker to be filled again.
            const giveBack = () => {
              if (!failed && buffer.byteLength === CHUNK_BYTES) {
                worker.postMessage({ type: 'buffer', buffer } satisfies ExportRequest, [buffer]);
              }
            };
            return commit.chunk(message.range, Buffer.from(buffer, bytes.byteOffset, bytes.byteLength), giveBack);
          }
          tallies[message.range] = {
            scanned: message.scanned,
            payments: message.payments,
            partialpayments: message.partialpayments,
          };
          job.onProgress({
            scanned: tallies.reduce((n, t) => n + t.scanned, 0),
            payments: tallies.reduce((n, t) => n + t.payments, 0),
          });
          commit.done(message.range, message.payments);
          give(worker);
        };
        const onExit = (code: number) => stop(new Error(`export worker exited with code ${code} during an export`));
        worker.on('message', onMessage);
        worker.on('error', stop);
        worker.on('exit', onExit);
        detach.push(() => {
          worker.off('message', onMessage);
          worker.off('error', stop);
          worker.off('exit', onExit);
        });
        worker.postMessage({ type: 'setup', setup: job.setup } satisfies ExportRequest);
        give(worker);
      }
      commit.whenWritten().then(() => {
        job.signal.removeEventListener('abort', onAbort);
        resolve();
      }, stop);
    });
  } catch (err) {
    // Workers in the middle of a range are ended (and not kept); the file is removed by the caller once its writes
    // under way have ended.
    for (const off of detach) off();
    await Promise.all(workers.map((worker) => job.pool.discard(worker)));
    await out.settled();
    throw err;
  }
  for (const off of detach) off();
  for (const worker of workers) job.pool.release(worker);
  out.write(
    fileTail(
      format,
      tallies.reduce((n, t) => n + t.payments, 0),
    ),
  );
  await out.end();
  await handle.sync();
  return tallies.reduce((total, t) => ({
    scanned: total.scanned + t.scanned,
    payments: total.payments + t.payments,
    partialpayments: total.partialpayments + t.partialpayments,
  }));
}

/**
 * Writes the ranges' chunks in the ranges' order, however they arrive: the current range's at once, a later range's
 * once every range before it is written. One write after another, each awaited (Writer's backpressure).
 */
class RangeCommit {
  /** The range being written; the chunks and ends of later ones, waiting. */
  private current = 0;
  private readonly waiting = new Map<number, { chunks: [Buffer, () => void][]; payments?: number }>();
  /** Payments written by the ranges before `current`: a JSON range's first payment needs a comma after any. */
  private paymentsBefore = 0;
  private started = false;
  private queue: Promise<void> = Promise.resolve();
  private written: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  private readonly all: Promise<void>;

  constructor(
    private readonly out: Writer,
    private readonly format: ExportFormat,
    private readonly ranges: number,
  ) {
    this.all = new Promise((resolve, reject) => {
      this.written = { resolve, reject };
    });
    if (ranges === 0) this.written?.resolve();
  }

  /** `written`: told once the bytes are in the file. */
  chunk(range: number, bytes: Buffer, written: () => void): void {
    if (range === this.current) this.enqueue(() => this.write(bytes, written));
    else this.slot(range).chunks.push([bytes, written]);
  }

  done(range: number, payments: number): void {
    if (range === this.current) this.enqueue(() => this.advance(payments));
    else this.slot(range).payments = payments;
  }

  /** Resolves once every range is written (rejects with the first failed write). */
  whenWritten(): Promise<void> {
    return this.all;
  }

  private slot(range: number) {
    let slot = this.waiting.get(range);
    if (!slot) {
      slot = { chunks: [] };
      this.waiting.set(range, slot);
    }
    return slot;
  }

  private enqueue(step: () => Promise<void> | void): void {
    this.queue = this.queue.then(step).catch((error: unknown) => {
      this.written?.reject(error);
    });
  }

  private async write(bytes: Buffer, written: () => void): Promise<void> {
    if (!this.started) {
      this.started = true;
      // A JSON range's payments start with a line end, and carry commas between them but none before the first.
      if (this.paymentsBefore > 0) this.out.write(rangeJoint(this.format));
    }
    await this.out.writeBytes(bytes, written);
  }

  private async advance(payments: number): Promise<void> {
    this.paymentsBefore += payments;
    this.current += 1;
    this.started = false;
    if (this.current === this.ranges) return this.written?.resolve();
    // The next range's chunks that came early, then its end if it came too (and so on).
    const slot = this.waiting.get(this.current);
    if (!slot) return;
    this.waiting.delete(this.current);
    for (const [bytes, written] of slot.chunks) await this.write(bytes, written);
    if (slot.payments !== undefined) await this.advance(slot.payments);
  }
}
