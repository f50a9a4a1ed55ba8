import { Worker } from 'node:worker_threads';
import type { RangeTally } from './export-range';
import type { ExportRequest, ExportTask, ExportWorkerMessage } from './export-worker';

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

/** How a worker's task failed: as the worker said (with the API's error code when it had one). */
export class ExportWorkerError extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
  ) {
    super(message);
    this.name = 'ExportWorkerError';
  }
}

export class ExportPool {
  private readonly idle: Worker[] = [];
  private readonly timers = new Map<Worker, NodeJS.Timeout>();
  private nextId = 1;

  constructor(private readonly script: URL) {}

  /**
   * Runs `task` on an idle worker (a new one if none is). `onProgress` after each chunk it writes. When `signal`
   * aborts, the worker is ended at once and the promise rejects with the signal's reason.
   */
  run(task: ExportTask, onProgress: (tally: RangeTally) => void, signal: AbortSignal): Promise<RangeTally> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const worker = this.take() ?? this.start();
    const id = this.nextId++;
    return new Promise<RangeTally>((resolve, reject) => {
      const settle = (keep: boolean) => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        signal.removeEventListener('abort', onAbort);
        if (keep) this.rest(worker);
      };
      const onMessage = (message: ExportWorkerMessage) => {
        if (message.id !== id) return;
        if (message.type === 'progress') return onProgress(message);
        settle(true);
        if (message.type === 'done') {
          resolve({ scanned: message.scanned, payments: message.payments, partialpayments: message.partialpayments });
        } else {
          reject(new ExportWorkerError(message.message, message.code));
        }
      };
      const onError = (error: Error) => {
        settle(false);
        void worker.terminate();
        reject(error);
      };
      const onExit = (code: number) => {
        settle(false);
        reject(new Error(`export worker exited with code ${code} during an export`));
      };
      const onAbort = () => {
        settle(false);
        // Its writes stop with it; the caller removes its file once the promise has rejected.
        void worker.terminate().then(
          () => reject(signal.reason),
          () => reject(signal.reason),
        );
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      signal.addEventListener('abort', onAbort, { once: true });
      worker.postMessage({ id, task } satisfies ExportRequest);
    });
  }

  private take(): Worker | undefined {
    const worker = this.idle.pop();
    if (worker) {
      clearTimeout(this.timers.get(worker));
      this.timers.delete(worker);
    }
    return worker;
  }

  private rest(worker: Worker): void {
    this.idle.push(worker);
    const timer = setTimeout(() => {
      this.drop(worker);
      void worker.terminate();
    }, IDLE_MS);
    timer.unref();
    this.timers.set(worker, timer);
  }

  private start(): Worker {
    const worker = new Worker(this.script, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    // The core's own lifetime decides when the process ends, not an idle export worker.
    worker.unref();
    // An idle worker that fails is dropped (a busy one's failure goes to its task, above).
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
