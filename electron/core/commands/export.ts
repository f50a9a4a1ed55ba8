import { exportPayments } from '../ledger/export';
import type { Handler } from './context';
import { exportTarget } from './export-path';

export const exportpayments: Handler<'exportpayments'> = async (ctx, p, caller) => {
  const target = exportTarget(
    ctx.dataDir,
    p.path,
    `payments-${new Date().toISOString().replace(/[:.]/g, '-')}.${p.format}`,
    {
      reach: caller.files,
      overwrite: p.overwrite ?? false,
    },
  );
  const result = await exportPayments(ctx.ledger, p.format, target.path, {
    since: p.since,
    until: p.until,
    status: p.status,
  });
  target.written();
  return result;
};
