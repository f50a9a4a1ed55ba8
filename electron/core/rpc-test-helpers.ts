// Helpers for the tests that drive the core through JSON-RPC only (rules, params, pay): what a script would do.

import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { parseJson } from '../../shared/api/json';
import type { PartialPayment, Payment, Route } from '../../shared/types';
import type { Harness } from '../test/harness';
import type { RpcClient, RpcErrorObject } from '../test/rpc-client';

export const SAT = 1000n;

export interface TestInvoice {
  bolt11: string;
  payment_hash: string;
  payment_secret: string;
  destination: string;
  msatoshi: bigint;
}

/** The node id of a simulated node, by alias. */
export function nodeId(h: Harness, alias: string): string {
  const node = h.simnet.sim.net.nodeByAlias(alias);
  if (!node) throw new Error(`no node ${alias}`);
  return node.pubkey;
}

/** A fresh invoice from bob, decoded. */
export async function invoice(rpc: RpcClient, msatoshi: bigint, description = 'test'): Promise<TestInvoice> {
  const { bolt11 } = await rpc.call<{ bolt11: string }>('testinvoice', [msatoshi, description]);
  const d = await rpc.call<TestInvoice>('decodepay', [bolt11]);
  return {
    bolt11,
    payment_hash: d.payment_hash,
    payment_secret: d.payment_secret,
    destination: d.destination,
    msatoshi,
  };
}

/** A route from alice through the given aliases delivering `msatoshi` (buildroute). */
export async function routeVia(h: Harness, aliases: string[], msatoshi: bigint): Promise<Route> {
  const { route } = await h.rpc.call<{ route: Route }>('buildroute', [aliases.map((a) => nodeId(h, a)), msatoshi]);
  return route;
}

/** The call's error (the test fails if it succeeds). */
export async function rpcError(promise: Promise<unknown>): Promise<RpcErrorObject> {
  try {
    const result = await promise;
    throw new Error(
      `expected an error, got ${JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? `${v}` : v))}`,
    );
  } catch (error) {
    if (error instanceof Error) throw error;
    return error as RpcErrorObject;
  }
}

/** The API's view of both tables. */
export async function snapshot(rpc: RpcClient) {
  const { payments } = await rpc.call<{ payments: Payment[] }>('listpayments', []);
  const { partialpayments } = await rpc.call<{ partialpayments: PartialPayment[] }>('listpartialpayments', []);
  return { payments, partialpayments };
}

export async function paymentOf(rpc: RpcClient, hash: string): Promise<Payment | undefined> {
  const { payments } = await rpc.call<{ payments: Payment[] }>('listpayments', [hash]);
  return payments[0];
}

export async function partsOf(rpc: RpcClient, hash: string): Promise<PartialPayment[]> {
  const { partialpayments } = await rpc.call<{ partialpayments: PartialPayment[] }>('listpartialpayments', {
    payment_hash: hash,
  });
  return partialpayments;
}

/**
 * A raw connection to the socket for malformed input: writes lines as given and collects every line that comes
 * back, in order.
 */
export class RawConnection {
  readonly lines: unknown[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  private constructor(private readonly socket: Socket) {
    createInterface({ input: socket }).on('line', (line) => {
      this.lines.push(parseJson(line));
      for (const w of [...this.waiters]) {
        if (this.lines.length >= w.count) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
  }

  static open(path: string): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(path, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(line: string): void {
    this.socket.write(`${line}\n`);
  }

  /** Resolves once `count` lines in all have come back. */
  until(count: number): Promise<unknown[]> {
    if (this.lines.length >= count) return Promise.resolve(this.lines);
    return new Promise((resolve) => this.waiters.push({ count, resolve: () => resolve(this.lines) }));
  }

  close(): void {
    this.socket.destroy();
  }
}
