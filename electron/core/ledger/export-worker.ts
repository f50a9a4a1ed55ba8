// An export worker thread: makes the text of ranges of payments of an export (export-parallel.ts), reading the
// ledger through a read-only connection of its own (the ledger's lock is a separate file, so this process may read
// the ledger from more threads than one), and sends it back in chunks; the thread that owns the file writes them in
// order. Built as its own entry of the packaged app (forge.config.ts), next to main.cjs; under tsx and vitest loaded
// as this .ts file, by Node's own type stripping, hence imports named with their .ts extension and nothing of the
// ledger but what the export's files need.
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { type ExportFormat, partColumns, type RangeTally, recordWriter, writeRecords } from './export-range.ts';
import { type NodeNames, type RawParams, RawReader } from './export-reader.ts';
import { CHUNK_BYTES, ChunkWriter } from './export-writer.ts';

/** What a worker is told of an export once, before its ranges. */
export interface ExportSetup {
  /** The ledger's SQLite file. */
  ledgerFile: string;
  format: ExportFormat;
  names: NodeNames;
  search: string | undefined;
  rebalances: ReadonlySet<string>;
}

/** What export-parallel.ts asks of a worker: an export to set up, a range of it to write (one at a time), its end. */
export type ExportRequest =
  | { type: 'setup'; setup: ExportSetup }
  | { type: 'range'; range: number; params: RawParams }
  | { type: 'end' }
  /** A chunk's buffer given back once its bytes are in the file, to be filled again. */
  | { type: 'buffer'; buffer: ArrayBuffer };

/** What a worker answers: a range's text in chunks (each transferred), then its tally; or how it failed. */
export type ExportWorkerMessage =
  | { type: 'chunk'; range: number; bytes: Uint8Array }
  | ({ type: 'done'; range: number } & RangeTally)
  | { type: 'error'; message: string; code?: number };

const port = parentPort;
if (!port) throw new Error('export-worker: must run as a worker thread');
const send = (message: ExportWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/** Chunks' buffers given back (a new one each time would be a gigabyte of buffers an export for the GC to free). */
const free: ArrayBuffer[] = [];

/** The export under way: its connection and what its ranges are written with. */
let current: { db: Database.Database; reader: RawReader; setup: ExportSetup } | undefined;

async function writeRange(range: number, params: RawParams): Promise<void> {
  if (!current) throw new Error('export-worker: a range before its export was set up');
  const { reader, setup } = current;
  const out = new ChunkWriter(
    (chunk) => send({ type: 'chunk', range, bytes: chunk }, [chunk.buffer as ArrayBuffer]),
    () => {
      const buffer = free.pop();
      return buffer ? Buffer.from(buffer) : Buffer.allocUnsafeSlow(CHUNK_BYTES);
    },
  );
  const tally: RangeTally = { scanned: 0, payments: 0, partialpayments: 0 };
  const write = recordWriter(setup.format, setup.names, setup.search, setup.rebalances);
  // A turn of the event loop after each chunk: the port's messages go out as they are made.
  await writeRecords(out, reader.records(params, partColumns(setup.format)), write, tally, async () => {
    out.flush();
    await new Promise((resolve) => setImmediate(resolve));
  });
  out.flush();
  send({ type: 'done', range, ...tally });
}

function close(): void {
  current?.db.close();
  current = undefined;
}

port.on('message', (request: ExportRequest) => {
  try {
    if (request.type === 'setup') {
      close();
      const db = new Database(request.setup.ledgerFile, { readonly: true, fileMustExist: true });
      // As the ledger reads it (db.ts): every INTEGER a bigint.
      db.defaultSafeIntegers(true);
      current = { db, reader: new RawReader(db), setup: request.setup };
    } else if (request.type === 'end') {
      close();
    } else if (request.type === 'buffer') {
      free.push(request.buffer);
    } else {
      writeRange(request.range, request.params).catch(fail);
    }
  } catch (error) {
    fail(error);
  }
});

function fail(error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  send({
    type: 'error',
    message: error instanceof Error ? error.message : String(error),
    ...(typeof code === 'number' && { code }),
  });
}
