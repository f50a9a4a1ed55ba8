import type { PartialPayment, Payment, Route } from '../../shared/types';
import type { RpcClient } from './rpc-client';

/**
 * What a script does with the API alone: one route per part from getroutes (each avoiding the channels into the
 * destination that earlier parts use), every part sent at once, and a failed part replaced over a fresh route
 * (the node's mission control has learned from the failure) until the payment completes.
 */
export async function payInParts(rpc: RpcClient, bolt11: string, amounts: bigint[], timeoutS = 60) {
  const d = await rpc.call<{ payment_hash: string; destination: string; msatoshi: bigint }>('decodepay', [bolt11]);
  const total = amounts.reduce((a, b) => a + b, 0n);
  const sent: PartialPayment[] = [];
  const route = async (msatoshi: bigint, avoid: Route[]) => {
    const exclude = avoid.map((r) => `${r.at(-1)?.channel}/${r.at(-1)?.direction}`);
    let found = await rpc.call<{ routes: { route: Route }[] }>('getroutes', [
      d.destination,
      msatoshi,
      1,
      null,
      exclude,
    ]);
    if (found.routes.length === 0) found = await rpc.call('getroutes', [d.destination, msatoshi, 1]);
    const first = found.routes[0];
    if (!first) throw new Error(`no route for ${msatoshi} msat`);
    return first.route;
  };
  const send = async (r: Route) => {
    const part = await rpc.call<PartialPayment>('sendpartialpay', {
      route: r,
      payment_hash: d.payment_hash,
      intended_msatoshi: total,
      bolt11,
    });
    sent.push(part);
    return part;
  };
  const routes: Route[] = [];
  for (const amount of amounts) routes.push(await route(amount, routes));
  const deadline = Date.now() + timeoutS * 1000;
  // Each part on its own: the receiver holds the ones that arrive until all do, so a failed one must be replaced
  // while the others wait.
  const follow = async (part: PartialPayment): Promise<void> => {
    while (Date.now() < deadline) {
      const done = await rpc.call<PartialPayment>('waitpartialpay', [part.id, timeoutS]);
      sent[sent.findIndex((p) => p.id === done.id)] = done;
      if (done.status !== 'failed') return;
      const live = sent.filter((p) => p.status !== 'failed').map((p) => p.route);
      part = await send(await route(done.msatoshi, live));
    }
  };
  await Promise.all((await Promise.all(routes.map(send))).map(follow));
  const payment = await rpc.call<Payment>('waitsendpay', [d.payment_hash, timeoutS]);
  return { payment, parts: sent, paymentHash: d.payment_hash };
}
