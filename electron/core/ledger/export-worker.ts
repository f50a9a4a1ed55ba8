// An export worker thread: writes one range of payments of an export (export.ts exportPayments) into its own file,
// reading the ledger through a read-only connection of its own (the ledger's lock is a separate file, so this
// process may read the ledger from more threads than one). Built as its own entry of the packaged app
// (forge.config.ts), next to main.cjs; under tsx and vitest loaded as this .ts file, by Node's own type stripping,
// hence imports named with their .ts extension and nothing of the ledger but what the export's files need.
import { open } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { type ExportFormat, type RangeTally, recordWriter, writeRecords } from './export-range.ts';
import { type NodeNames, type RawParams, RawReader } from './export-reader.ts';
import { Writer } from './export-writer.ts';

/** One range of an export for a worker to write (export.ts). */
export interface ExportTask {
  /** The ledger's SQLite file. */
  ledgerFile: string;
  format: ExportFormat;
  params: RawParams;
  names: NodeNames;
  search: string | undefined;
  rebalances: ReadonlySet<string>;
  /** The file to write (made by export.ts, empty), and what to write first into it. */
  out: string;
  head: string;
  /** The file is copied into the export's and removed: it need not reach the disk (Writer's `scratch`). */
  scratch: boolean;
}

/** What export-pool.ts asks of a worker: one task at a time, told by its id. */
export interface ExportRequest {
  id: number;
  task: ExportTask;
}

/** What a worker tells export-pool.ts of a task: how far it got (after each chunk), then that it ended, or how it
 * failed. */
export type ExportWorkerMessage =
  | ({ id: number; type: 'progress' } & RangeTally)
  | ({ id: number; type: 'done' } & RangeTally)
  | { id: number; type: 'error'; message: string; code?: number };

const port = parentPort;
if (!port) throw new Error('export-worker: must run as a worker thread');
const send = (message: ExportWorkerMessage) => port.postMessage(message);

async function run(id: number, task: ExportTask): Promise<RangeTally> {
  const db = new Database(task.ledgerFile, { readonly: true, fileMustExist: true });
  try {
    // As the ledger reads it (db.ts): every INTEGER a bigint.
    db.defaultSafeIntegers(true);
    const reader = new RawReader(db);
    const handle = await open(task.out, 'r+');
    const out = new Writer(handle, { scratch: task.scratch });
    const tally: RangeTally = { scanned: 0, payments: 0, partialpayments: 0 };
    try {
      out.write(task.head);
      const write = recordWriter(task.format, task.names, task.search, task.rebalances);
      await writeRecords(out, reader.records(task.params), write, tally, async () => {
        send({ id, type: 'progress', ...tally });
        await out.flush();
      });
      await out.end();
    } finally {
      await out.settled();
      await handle.close();
    }
    return tally;
  } finally {
    db.close();
  }
}

// Tasks come one at a time (the pool gives a worker its next only once it answered the last), and the worker stays
// for the next export: its code is then already compiled.
port.on('message', ({ id, task }: ExportRequest) => {
  run(id, task).then(
    (tally) => send({ id, type: 'done', ...tally }),
    (error: unknown) => {
      const code = (error as { code?: unknown } | null)?.code;
      send({
        id,
        type: 'error',
        message: error instanceof Error ? error.message : String(error),
        ...(typeof code === 'number' && { code }),
      });
    },
  );
});
