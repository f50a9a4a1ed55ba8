import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { PartialPayment, Payment, Route } from '../../shared/types';
import { Simnet } from '../../simnet/simnet';
import { LndNode } from '../core/node/lnd';
import { CONNECTION_CLOSED, RpcClient, type RpcErrorObject } from './rpc-client';

// The fault suite (issue 12): a daemon child process on simnet (in this process, over gRPC with TLS), driven over
// its JSON-RPC socket with random payments while faults strike at random moments; after each iteration the
// invariants are checked against the node's own records. `npm run chaos -- [--iterations N] [--seed S]`.

export const FAULTS = ['none', 'kill', 'kill-at-answer', 'cut', 'hold', 'offline', 'disk', 'bad'] as const;
export type Fault = (typeof FAULTS)[number];

export interface ChaosOptions {
  iterations: number;
  seed: number;
  /** Faults to draw from (default all); `npm test` cycles through them so that each is injected. */
  faults?: readonly Fault[];
  /** Draw faults in turn rather than at random (each one, bounded runs). */
  cycle?: boolean;
  log?: (line: string) => void;
}

export interface Tally {
  iterations: number;
  seed: number;
  seconds: number;
  faults: Record<Fault, number>;
  payments: { attempted: number; complete: number; failed: number; errors: number };
  parts_promised_pending: number;
  bad_requests: number;
  daemon_restarts: number;
  violations: string[];
}

/** A small seeded generator (mulberry32): the same seed, the same draws. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MERCHANTS = ['bob', 'carol', 'dave'] as const;
const ROUTERS_TO_TAKE_OFFLINE = ['atlas', 'bolt', 'fjord', 'gale', 'harbor'];

interface Daemon {
  child: ChildProcess;
  rpc: RpcClient;
}

/** The invariants, checked against the node after each iteration; each breach is one line. */
interface Promised {
  /** The part answered pending; absent for sendpay (its answer is the payment: its one part). */
  id?: number;
  hash: string;
}

export async function runChaos(options: ChaosOptions): Promise<Tally> {
  const log = options.log ?? (() => {});
  const rng = prng(options.seed);
  const started = Date.now();
  const tally: Tally = {
    iterations: 0,
    seed: options.seed,
    seconds: 0,
    faults: Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>,
    payments: { attempted: 0, complete: 0, failed: 0, errors: 0 },
    parts_promised_pending: 0,
    bad_requests: 0,
    daemon_restarts: 0,
    violations: [],
  };
  const simnet = await Simnet.start({
    seed: options.seed,
    hopDelayMs: { min: 5, max: 40 },
    mppTimeoutMs: 4_000,
    blockIntervalMs: 0,
    // LND takes a moment to record a payment and its attempt: a "pending" answered before that is caught by a kill.
    registerDelayMs: 5,
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'braid-chaos-'));
  const socket = join(dataDir, 'rpc.sock');
  const merchants = new Map<string, LndNode>();
  for (const name of MERCHANTS) {
    const node = new LndNode({ kind: 'lndconnect', uri: simnet.nodes[name].lndconnect }, { simulated: true });
    await node.connect();
    merchants.set(name, node);
  }
  const alice = simnet.sim.lndByAlias('alice');
  const invoices: { merchant: string; hash: string }[] = [];
  const promised: Promised[] = [];
  let daemon: Daemon | undefined;
  /** Set by the kill-at-answer fault: SIGKILL the daemon the moment a send is answered pending. */
  let killAtAnswer: (() => void) | undefined;
  const answeredPending = () => {
    const killNow = killAtAnswer;
    killAtAnswer = undefined;
    killNow?.();
  };

  const start = async (): Promise<Daemon> => {
    // SIGXFSZ ignored (inherited through exec): a file-size limit set later makes writes fail, as a full disk would.
    const child = spawn(
      'bash',
      [
        '-c',
        `trap '' XFSZ; exec "$0" --import tsx electron/daemon.ts --lndconnect "$1" --data-dir "$2" --rpc-socket "$3"`,
        process.execPath,
        simnet.nodes.alice.lndconnect,
        dataDir,
        socket,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr = `${stderr}${String(d)}`.slice(-4000);
    });
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', () => resolve());
      child.once('exit', (code) => reject(new Error(`daemon exited with ${code}: ${stderr}`)));
    });
    return { child, rpc: await RpcClient.connect(socket) };
  };
  const kill = async () => {
    const d = daemon;
    daemon = undefined;
    if (!d) return;
    d.rpc.close();
    if (d.child.exitCode === null && d.child.signalCode === null) {
      d.child.kill('SIGKILL');
      await new Promise((r) => d.child.once('exit', r));
    }
  };
  const restart = async () => {
    await kill();
    daemon = await start();
    tally.daemon_restarts += 1;
  };

  const newInvoice = async (msat: bigint) => {
    const merchant = rng.pick(MERCHANTS);
    const node = merchants.get(merchant) as LndNode;
    const invoice = await node.addInvoice(msat, `chaos ${tally.iterations}`);
    invoices.push({ merchant, hash: invoice.payment_hash });
    return invoice;
  };

  /** One payment of a random kind; errors are expected when a fault strikes, and counted. */
  const payment = async (d: Daemon) => {
    tally.payments.attempted += 1;
    // 50 to 3,000 sat: alice's ~3M sat of outbound liquidity lasts the 200 iterations of a release check.
    const msat = BigInt(rng.int(1, 60)) * 50_000n;
    const kind = rng.pick(['pay', 'parts', 'sendpay'] as const);
    try {
      const invoice = await newInvoice(msat);
      if (kind === 'pay') {
        const p = await d.rpc.call<Payment>('pay', { bolt11: invoice.bolt11, retry_for: 8 });
        if (p.status === 'complete') tally.payments.complete += 1;
        return;
      }
      const dec = await d.rpc.call<{ destination: string }>('decodepay', [invoice.bolt11]);
      const count = kind === 'sendpay' ? 1 : rng.int(2, 3);
      const amounts = Array.from({ length: count }, (_, i) =>
        i < count - 1 ? msat / BigInt(count) : msat - (msat / BigInt(count)) * BigInt(count - 1),
      );
      const sends = amounts.map(async (amount) => {
        const { routes } = await d.rpc.call<{ routes: { route: Route }[] }>('getroutes', [
          dec.destination,
          amount,
          rng.int(1, 3),
        ]);
        const route = routes.length > 0 ? rng.pick(routes).route : undefined;
        if (!route) return;
        if (kind === 'sendpay') {
          const p = await d.rpc.call<Payment>('sendpay', {
            route,
            payment_hash: invoice.payment_hash,
            bolt11: invoice.bolt11,
          });
          if (p.status === 'pending') {
            promised.push({ hash: p.payment_hash });
            tally.parts_promised_pending += 1;
            answeredPending();
          }
          return;
        }
        const part = await d.rpc.call<PartialPayment>('sendpartialpay', {
          route,
          payment_hash: invoice.payment_hash,
          intended_msatoshi: msat,
          bolt11: invoice.bolt11,
        });
        if (part.status === 'pending') {
          promised.push({ id: part.id, hash: part.payment_hash });
          tally.parts_promised_pending += 1;
          answeredPending();
        }
      });
      await Promise.all(sends);
      const done = await d.rpc.call<Payment>('waitsendpay', [invoice.payment_hash, 10]);
      if (done.status === 'complete') tally.payments.complete += 1;
      else if (done.status === 'failed') tally.payments.failed += 1;
    } catch {
      tally.payments.errors += 1;
    }
  };

  /** Waits until the daemon answers getinfo (it answers -1 while its node connection is down). */
  const connected = async (d: Daemon, ms: number) => {
    const until = Date.now() + ms;
    for (;;) {
      const answer = await d.rpc.call('getinfo', {}).then(
        () => undefined,
        (e: RpcErrorObject) => e,
      );
      if (answer === undefined) return true;
      if (answer.code !== -1 || Date.now() > until) {
        tally.violations.push(`iteration ${tally.iterations}: getinfo answered ${JSON.stringify(answer)}`);
        return false;
      }
      await sleep(200);
    }
  };

  /** Requests that must be refused, each with its code, and change nothing. */
  const badRequests = async (d: Daemon) => {
    // Checking a route against the graph needs the node: bad input is told as such once it is there.
    await connected(d, 25_000);
    const hash = 'ab'.repeat(32);
    const hop = { id: simnet.nodes.bob.pubkey, channel: '1x1x1', msatoshi: 1000, delay: 40 };
    const cases: [string, unknown, number][] = [
      ['sendpartialpay', { route: Array(21).fill(hop), payment_hash: hash, intended_msatoshi: 1000 }, -32602],
      [
        'sendpartialpay',
        { route: [{ ...hop, delay: 2 ** 32 + 7 }], payment_hash: hash, intended_msatoshi: 1000 },
        -32602,
      ],
      [
        'sendpartialpay',
        { route: [{ ...hop, channel: '0x0x0' }], payment_hash: hash, intended_msatoshi: 1000, payment_secret: hash },
        -32602,
      ],
      ['sendpay', { route: [], payment_hash: hash }, -32602],
      ['exportpayments', { format: 'csv', path: 'relative/../../escape.csv' }, -32602],
      ['exportpayments', { format: 'csv', path: join(dataDir, 'ledger.sqlite'), overwrite: true }, -32602],
      ['nosuchcommand', {}, -32601],
      ['decodepay', ['lnbc1notaninvoice'], -32602],
      ['waitpartialpay', { id: -5 }, -32602],
    ];
    for (const [method, params, code] of cases) {
      tally.bad_requests += 1;
      const answer = await d.rpc.call(method, params).then(
        () => undefined,
        (e: RpcErrorObject) => e,
      );
      // A route is checked against the node's graph: with the node gone meanwhile, that is a node error (-1).
      const nodeGone = answer?.code === -1 && /not connected|cannot be reached/.test(answer.message);
      if (answer?.code !== code && answer?.code !== CONNECTION_CLOSED && !(nodeGone && method === 'sendpartialpay')) {
        tally.violations.push(
          `iteration ${tally.iterations}: ${method} answered ${JSON.stringify(answer)}, not ${code}`,
        );
      }
    }
    // Not JSON at all, on a connection of its own.
    tally.bad_requests += 1;
    const raw = await new Promise<string>((resolve) => {
      const s = connect(socket);
      let text = '';
      s.on('data', (c) => {
        text += String(c);
        if (text.includes('\n')) {
          s.destroy();
          resolve(text);
        }
      });
      s.on('error', () => resolve(''));
      s.write('{"jsonrpc":"2.0", this is not json\n');
    });
    if (raw && !raw.includes('-32700')) tally.violations.push(`iteration ${tally.iterations}: garbage answered ${raw}`);
  };

  /** The fault, struck `after` ms into the iteration's payments; returns what undoes it at the end. */
  const strike = async (fault: Fault): Promise<() => Promise<void>> => {
    switch (fault) {
      case 'kill':
        await kill();
        return async () => {
          daemon = await start();
          tally.daemon_restarts += 1;
        };
      case 'kill-at-answer': {
        // The kill lands right after an answer of "pending" (within the same turn): that part must be at the node.
        const d = daemon;
        killAtAnswer = () => d?.child.kill('SIGKILL');
        return async () => {
          killAtAnswer = undefined;
          await restart();
        };
      }
      case 'cut':
        await simnet.restart('alice');
        return async () => {};
      case 'hold': {
        const release = simnet.holdAt(rng.pick(ROUTERS_TO_TAKE_OFFLINE));
        await sleep(rng.int(500, 2500));
        release();
        return async () => {};
      }
      case 'offline': {
        const name = rng.pick(ROUTERS_TO_TAKE_OFFLINE);
        await simnet.setOnline(name, false);
        return async () => simnet.setOnline(name, true);
      }
      case 'disk': {
        const pid = daemon?.child.pid;
        if (pid) execFileSync('prlimit', ['--pid', String(pid), '--fsize=1024:']);
        // The daemon is stopped for sends now; it is restarted (without the limit) once the iteration ends.
        return async () => {
          await sleep(300);
          await restart();
        };
      }
      case 'bad':
        if (daemon) await badRequests(daemon);
        return async () => {};
      default:
        return async () => {};
    }
  };

  const check = async () => {
    const where = `iteration ${tally.iterations}`;
    const d = daemon;
    if (!d) {
      tally.violations.push(`${where}: no daemon`);
      return;
    }
    // The daemon answers, and is back on the node (its reconnection backs off up to 10 s).
    if (!(await connected(d, 25_000))) {
      tally.violations.push(`${where}: the daemon is not back on the node after 25 s`);
      return;
    }
    // Settle: every part ends (receiver hold 4 s, HTLCs released), within a bound.
    const until = Date.now() + 30_000;
    let parts: PartialPayment[] = [];
    for (;;) {
      parts = (await d.rpc.call<{ partialpayments: PartialPayment[] }>('listpartialpayments', {})).partialpayments;
      const pendingHashes = new Set(parts.filter((p) => p.status === 'pending').map((p) => p.payment_hash));
      // A part may stay pending only while the node still has its HTLC in flight.
      const stuck = [...pendingHashes].filter((h) => {
        const np = alice.payments.get(Buffer.from(h, 'hex'));
        return !np?.htlcs.some((a) => a.status === 'IN_FLIGHT');
      });
      if (pendingHashes.size === 0 || (stuck.length === 0 && Date.now() > until - 20_000)) break;
      if (Date.now() > until) {
        for (const h of stuck) tally.violations.push(`${where}: ${h} pending in the ledger, not in flight at the node`);
        break;
      }
      await sleep(250);
    }
    const byId = new Map(parts.map((p) => [p.id, p]));
    // Every part the API called pending is in the ledger, and reached the node.
    for (const p of promised.splice(0)) {
      const part = p.id === undefined ? parts.find((q) => q.payment_hash === p.hash) : byId.get(p.id);
      if (!part || part.payment_hash !== p.hash)
        tally.violations.push(`${where}: promised part ${p.id ?? p.hash} not in the ledger`);
      else if (part.failure?.code === 'NEVER_SENT') {
        tally.violations.push(`${where}: part ${part.id} was answered pending but the node never had it`);
      }
    }
    // The ledger equals the node, payment by payment.
    const { payments } = await d.rpc.call<{ payments: Payment[] }>('listpayments', {});
    const inLedger = new Set(payments.map((p) => p.payment_hash));
    const height = simnet.sim.net.height;
    for (const payment of payments) {
      const node = alice.payments.get(Buffer.from(payment.payment_hash, 'hex'));
      const mine = parts.filter((p) => p.payment_hash === payment.payment_hash);
      const htlcs = node?.htlcs ?? [];
      const succeeded = htlcs.filter((h) => h.status === 'SUCCEEDED');
      const delivered = (list: { route: { hops: { amtToForwardMsat: bigint }[] } }[]) =>
        list.reduce((s, h) => s + (h.route.hops.at(-1)?.amtToForwardMsat ?? 0n), 0n);
      const complete = mine.filter((p) => p.status === 'complete');
      if (complete.length !== succeeded.length) {
        tally.violations.push(
          `${where}: ${payment.payment_hash}: ${complete.length} parts complete in the ledger, ${succeeded.length} HTLCs succeeded at the node`,
        );
      }
      const completeMsat = complete.reduce((s, p) => s + p.msatoshi, 0n);
      if (completeMsat !== delivered(succeeded)) {
        tally.violations.push(
          `${where}: ${payment.payment_hash}: ${completeMsat} msat complete, node delivered ${delivered(succeeded)}`,
        );
      }
      if ((payment.status === 'complete') !== succeeded.length > 0) {
        tally.violations.push(
          `${where}: ${payment.payment_hash}: ledger ${payment.status}, node ${node?.htlcs.length ?? 0} HTLCs`,
        );
      }
      const pending = mine.filter((p) => p.status === 'pending').length;
      const inFlight = htlcs.filter((h) => h.status === 'IN_FLIGHT');
      if (pending > inFlight.length) {
        tally.violations.push(
          `${where}: ${payment.payment_hash}: ${pending} pending, ${inFlight.length} in flight at the node`,
        );
      }
      // No part pending past its HTLC's expiry.
      if (pending > 0 && inFlight.some((h) => h.route.totalTimeLock <= height)) {
        tally.violations.push(`${where}: ${payment.payment_hash}: pending past its HTLC expiry`);
      }
    }
    // Nothing paid that the ledger does not know; no invoice overpaid.
    for (const np of alice.payments.list()) {
      if (np.htlcs.some((h) => h.status === 'SUCCEEDED') && !inLedger.has(np.hash.toString('hex'))) {
        tally.violations.push(`${where}: the node paid ${np.hash.toString('hex')}, unknown to the ledger`);
      }
    }
    for (const inv of invoices) {
      const record = simnet.sim.lndByAlias(inv.merchant).invoices.lookup(Buffer.from(inv.hash, 'hex'));
      if (record && record.amtPaidMsat > record.valueMsat) {
        tally.violations.push(`${where}: invoice ${inv.hash} overpaid: ${record.amtPaidMsat} of ${record.valueMsat}`);
      }
    }
  };

  try {
    daemon = await start();
    let reported = 0;
    for (let i = 0; i < options.iterations; i++) {
      tally.iterations = i + 1;
      const faults = options.faults ?? FAULTS;
      const fault = options.cycle ? (faults[i % faults.length] as Fault) : rng.pick(faults);
      tally.faults[fault] += 1;
      const d = daemon as Daemon;
      const work = Array.from({ length: rng.int(1, 3) }, () => payment(d));
      await sleep(rng.int(0, 300));
      let undo: () => Promise<void> = async () => {};
      try {
        undo = await strike(fault);
      } catch (error) {
        tally.violations.push(`iteration ${tally.iterations}: could not inject ${fault}: ${String(error)}`);
      }
      await Promise.all(work);
      await undo();
      if (!daemon) await restart();
      simnet.mineBlocks(1);
      await check();
      for (const v of tally.violations.slice(reported)) log(`  violation: ${v}`);
      reported = tally.violations.length;
      log(
        `iteration ${tally.iterations}/${options.iterations} fault=${fault} payments=${JSON.stringify(tally.payments)} violations=${tally.violations.length}`,
      );
    }
  } finally {
    await kill();
    for (const node of merchants.values()) await node.disconnect();
    await simnet.stop();
    rmSync(dataDir, { recursive: true, force: true });
    tally.seconds = Math.round((Date.now() - started) / 1000);
  }
  return tally;
}
