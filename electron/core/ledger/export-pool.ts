import { Worker } from 'node:worker_threads';

// The export's worker threads (export-worker.ts), kept between exports: a new thread would compile the export's code
// again, and start, each time (about a quarter of a second a thread). Idle, a worker holds no file and does not keep
// the process alive; after IDLE_MS without a task it ends, giving its memory back.

/** How long an idle worker waits for the next export before it ends. */
const IDLE_MS = 60_000;
/**
 * Each worker's young generation, in MB (V8's default is a fraction of this): an export allocates about a gigabyte
 * of short-lived strings, and with a larger young generation far fewer of them live through a collection (about 10%
 * faster exports measured; memory the worker gives back when it ends).
 */
const YOUNG_GENERATION_MB = 64;

export class ExportPool {
  private readonly idle: Worker[] = [];
  private readonly timers = new Map<Worker, NodeJS.Timeout>();

  constructor(private readonly script: URL) {}

  /** `count` workers for one export: idle ones first, new ones for the rest. Each goes back by `release` or `discard`. */
  acquire(count: number): Worker[] {
    return Array.from({ length: count }, () => {
      const worker = this.take() ?? this.start();
      // Busy, it keeps the process alive (an export under way is waited for); idle, it does not.
      worker.ref();
      return worker;
    });
  }

  /** A worker that ended its part of an export, kept for the next one. */
  release(worker: Worker): void {
    worker.unref();
    this.idle.push(worker);
    const timer = setTimeout(() => {
      this.drop(worker);
      void worker.terminate();
    }, IDLE_MS);
    timer.unref();
    this.timers.set(worker, timer);
  }

  /** A worker whose export failed or was cancelled: ended at once (resolves once it has stopped). */
  async discard(worker: Worker): Promise<void> {
    this.drop(worker);
    await worker.terminate();
  }

  private take(): Worker | undefined {
    const worker = this.idle.pop();
    if (worker) {
      clearTimeout(this.timers.get(worker));
      this.timers.delete(worker);
    }
    return worker;
  }

  private start(): Worker {
    const worker = new Worker(this.script, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    // An idle worker that fails is dropped (a busy one's failure goes to its export: export-parallel.ts).
    worker.on('error', () => this.drop(worker));
    worker.on('exit', () => this.drop(worker));
    return worker;
  }

  private drop(worker: Worker): void {
    const at = this.idle.indexOf(worker);
    if (at !== -1) this.idle.splice(at, 1);
    clearTimeout(this.timers.get(worker));
    this.timers.delete(worker);
  }
}
