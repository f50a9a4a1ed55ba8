import { join } from 'node:path';
import { exportPayments } from '../ledger/export';
import type { Handler } from './context';

export const exportpayments: Handler<'exportpayments'> = async (ctx, p) => {
  const path =
    p.path ?? join(ctx.dataDir, 'exports', `payments-${new Date().toISOString().replace(/[:.]/g, '-')}.${p.format}`);
  return exportPayments(ctx.ledger, p.format, path, { since: p.since, until: p.until, status: p.status });
};
