import { ApiError } from '../../../shared/api/errors';
import { Ledger } from './ledger';
import { DEST, routeTo, secretOf } from './test-helpers';

// A separate process for the ledger's tests (ledger.test.ts), run with `node --import tsx`:
//   open <dataDir>                         try to open the ledger; print {ok} or {error, name}; exit
//   hold <dataDir>                         open it, print "ready", hold it until killed
//   hammer <dataDir> <hash> <intended> <amount> <durationMs> <startAt> <seed>
//                                          open it shared, wait for startAt (ms), then for durationMs keep calling
//                                          beginPart with `amount` for one hash, failing own parts at random to free
//                                          room; after each created part, check the overpay rule; print a summary.

const [mode, dataDir = '', ...rest] = process.argv.slice(2);
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

if (mode === 'open') {
  try {
    Ledger.open(dataDir).close();
    print({ ok: true });
  } catch (err) {
    print({ error: (err as Error).message, name: (err as Error).name });
  }
} else if (mode === 'hold') {
  const ledger = Ledger.open(dataDir);
  print({ ready: true, pid: process.pid });
  setInterval(() => ledger.isOpen, 1000);
} else if (mode === 'hammer') {
  const [hash = '', intendedText = '', amountText = '', durationText = '', startAtText = '', seedText = ''] = rest;
  const intended = BigInt(intendedText);
  const amount = BigInt(amountText);
  let seed = Number(seedText) || 1;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const ledger = Ledger.open(dataDir, { exclusive: false });
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < Number(startAtText)) Atomics.wait(sleeper, 0, 0, 1);

  const mine: number[] = [];
  let created = 0;
  let failed = 0;
  let refused = 0;
  let violations = 0;
  let maxInFlight = 0n;
  // At least 200 calls, so that a child that started late (a loaded machine) still contends.
  const end = Number(startAtText) + Number(durationText);
  for (let calls = 0; calls < 200 || Date.now() < end; calls++) {
    try {
      const begun = ledger.beginPart({
        paymentHash: hash,
        route: routeTo(DEST, amount, 1n),
        intendedMsat: intended,
        destination: DEST,
        paymentSecret: secretOf(1),
        now: Math.floor(Date.now() / 1000),
      });
      if (begun.kind !== 'created') throw new Error(`unexpected ${begun.kind}`);
      created += 1;
      mine.push(begun.part.id);
      // One statement, so one snapshot of what the other processes have committed.
      const inFlight = ledger
        .parts({ paymentHash: hash })
        .filter((p) => p.status !== 'failed')
        .reduce((sum, p) => sum + p.msatoshi, 0n);
      if (inFlight > maxInFlight) maxInFlight = inFlight;
      if (inFlight > intended) violations += 1;
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 200)) throw err;
      refused += 1;
    }
    if (mine.length > 0 && random() < 0.5) {
      const id = mine.splice(Math.floor(random() * mine.length), 1)[0] as number;
      ledger.resolvePart(
        id,
        { status: 'failed', failure: { code: 'TEMPORARY_CHANNEL_FAILURE', message: 'hammer' } },
        Math.floor(Date.now() / 1000),
      );
      failed += 1;
    }
  }
  ledger.close();
  print({ created, failed, refused, violations, maxInFlight: maxInFlight.toString(), pending: mine });
} else {
  print({ error: `unknown mode ${mode}` });
  process.exitCode = 2;
}
