import type { Handler } from './context';
import { runExport } from './export-jobs';
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
  const result = await runExport(ctx, p, target.path);
  target.written();
  return result;
};
