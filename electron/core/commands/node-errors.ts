import { ApiError, ErrorCode } from '../../../shared/api/errors';
import { NodeUnavailable } from '../node/types';

/**
 * A node call's failure as the API tells it: the connection failing (unreachable, stalled, cut) is the node's
 * problem, -1 with LND's (or grpc's) reason, never the caller's bad input. Anything else is left to the caller.
 */
export function asNodeError(what: string, error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof NodeUnavailable)
    return new ApiError(ErrorCode.Internal, `${what}: the node cannot be reached (${error.message})`);
  return undefined;
}
