import type { NodeContext } from './context';
import { RpcError } from './errors';
import type { SendPaymentRequest } from './messages';

export async function sendPaymentV2(ctx: NodeContext, req: SendPaymentRequest, follow: (hash: Buffer) => void) {
  void ctx;
  void req;
  void follow;
  throw new RpcError(12, 'SendPaymentV2: pending');
}
