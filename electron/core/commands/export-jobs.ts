import type { CommandParams } from '../../../shared/api/commands';
import { invalidParam } from '../../../shared/api/errors';
import type { CancelExportResult, ExportPaymentsResult, ExportProgressResult } from '../../../shared/api/results';
import { type ExportProgress, exportPayments } from '../ledger/export';
import type { CoreContext, Handler } from './context';

// Exports under way (and the last few ended), by the name their caller gave them: for exportprogress and
// cancelexport. Per core: each CoreContext has its own.

interface Job {
  state: ExportProgressResult['state'];
  progress: ExportProgress;
  abort: AbortController;
}

/** Ended exports kept for a late progress request, at most. */
const KEEP_ENDED = 16;

const jobsByContext = new WeakMap<CoreContext, Map<string, Job>>();

function jobsOf(ctx: CoreContext): Map<string, Job> {
  let jobs = jobsByContext.get(ctx);
  if (!jobs) {
    jobs = new Map();
    jobsByContext.set(ctx, jobs);
  }
  return jobs;
}

/** Runs exportpayments to `path` (already resolved by the caller) with History's filters, as a job if named. */
export async function runExport(
  ctx: CoreContext,
  p: CommandParams['exportpayments'],
  path: string,
): Promise<ExportPaymentsResult> {
  const jobs = jobsOf(ctx);
  const job: Job = { state: 'running', progress: { scanned: 0, total: 0, payments: 0 }, abort: new AbortController() };
  if (p.job !== undefined) {
    if (jobs.get(p.job)?.state === 'running') {
      throw invalidParam('job', p.job, 'names an export still running');
    }
    jobs.set(p.job, job);
  }
  try {
    const names = p.format === 'csv' || p.search ? await aliasesWithin(ctx, NAMES_WAIT_MS) : undefined;
    const result = await exportPayments(
      ctx.ledger,
      p.format,
      path,
      { since: p.since, until: p.until, status: p.status },
      {
        names,
        search: p.search,
        signal: job.abort.signal,
        onProgress: (progress) => {
          job.progress = progress;
        },
      },
    );
    job.state = 'done';
    return result;
  } catch (error) {
    job.state = job.abort.signal.aborted ? 'cancelled' : 'failed';
    throw error;
  } finally {
    forgetOld(jobs);
  }
}

/** How long an export waits for the node's graph (its aliases) before it writes ids instead. */
const NAMES_WAIT_MS = 5_000;

/** The graph's aliases, or none if the node cannot give its graph in time (down, reconnecting). */
async function aliasesWithin(ctx: CoreContext, ms: number): Promise<ReadonlyMap<string, string>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ReadonlyMap<string, string>>((resolve) => {
    timer = setTimeout(() => resolve(new Map()), ms);
  });
  try {
    const aliases = ctx.planner.nodes().then(
      (nodes) => new Map([...nodes.values()].filter((n) => n.alias !== '').map((n) => [n.id, n.alias])),
      () => new Map<string, string>(),
    );
    return await Promise.race([aliases, late]);
  } finally {
    clearTimeout(timer);
  }
}

function forgetOld(jobs: Map<string, Job>): void {
  const ended = [...jobs].filter(([, j]) => j.state !== 'running');
  for (const [name] of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) jobs.delete(name);
}

export const exportprogress: Handler<'exportprogress'> = async (ctx, p) => {
  const job = jobsOf(ctx).get(p.job);
  if (!job) return { job: p.job, state: 'unknown', scanned: 0, total: 0, payments: 0 };
  return { job: p.job, state: job.state, ...job.progress };
};

export const cancelexport: Handler<'cancelexport'> = async (ctx, p): Promise<CancelExportResult> => {
  const job = jobsOf(ctx).get(p.job);
  if (job?.state !== 'running') return { job: p.job, cancelled: false };
  job.abort.abort();
  return { job: p.job, cancelled: true };
};
