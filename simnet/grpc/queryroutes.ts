import type { NodeContext } from './context';
import { RpcError } from './errors';
import type { QueryRoutesRequest } from './messages';

export function queryRoutes(ctx: NodeContext, req: QueryRoutesRequest): object {
  void ctx;
  void req;
  throw new RpcError(12, 'QueryRoutes: pending');
}
