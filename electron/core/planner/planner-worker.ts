// The planner's worker thread: planning a payment over a large graph takes long enough to stall the main process
// (and with it Electron's window), so the graph and the uncertainty network live here. Built as its own entry of
// the packaged app (forge.config.ts), next to main.cjs; under tsx and vitest loaded as this .ts file.
import { parentPort, threadId } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './messages.ts';
import { PlannerState } from './planner-state.ts';

const port = parentPort;
if (!port) throw new Error('planner-worker: must run as a worker thread');
const state = new PlannerState();
port.on('message', (msg: ToWorker) => {
  let out: FromWorker[];
  try {
    out = msg.type === 'threadId' ? [{ type: 'threadId', id: msg.id, threadId }] : state.handle(msg);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    out = [
      {
        type: 'error',
        id: msg.type === 'plan' || msg.type === 'circular' || msg.type === 'threadId' ? msg.id : undefined,
        message,
      },
    ];
  }
  for (const m of out) port.postMessage(m);
});
