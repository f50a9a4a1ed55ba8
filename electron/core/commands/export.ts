import { join } from 'node:path';
import type { Handler } from './context';
import { runExport } from './export-jobs';

export const exportpayments: Handler<'exportpayments'> = async (ctx, p) => {
  const path =
    p.path ?? join(ctx.dataDir, 'exports', `payments-${new Date().toISOString().replace(/[:.]/g, '-')}.${p.format}`);
  return runExport(ctx, p, path);
};
