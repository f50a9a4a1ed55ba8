import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LND_PROTO_DIR } from '../grpc/protos';

/** Where lnd-grpc looks for each file: the folder of the version it picks for any LND ≥ 0.14.4. */
const LAYOUT: Record<string, string> = {
  'lightning.proto': 'lnrpc',
  'stateservice.proto': 'lnrpc',
  'walletunlocker.proto': 'lnrpc',
  'router.proto': 'routerrpc',
  'autopilot.proto': 'autopilotrpc',
  'chainnotifier.proto': 'chainrpc',
  'invoices.proto': 'invoicesrpc',
  'signer.proto': 'signrpc',
  'walletkit.proto': 'walletrpc',
  'watchtower.proto': 'watchtowerrpc',
  'wtclient.proto': 'wtclientrpc',
  'verrpc.proto': 'verrpc',
};

/**
 * lnd-grpc ships protos only up to LND 0.14.4; feed it LND's current ones (from the `lightning` package) laid out
 * as it expects, in a temporary folder, with the options that keep 64-bit ids exact (lnd-behaviour.md §8.4).
 */
let protoDir: string | undefined;

export function lndGrpcOptions(): { protoDir: string; grpcOptions: Record<string, unknown> } {
  protoDir ??= mkdtempSync(join(tmpdir(), 'braid-lnd-protos-'));
  const versionDir = join(protoDir, '0.14.4-beta');
  for (const [file, folder] of Object.entries(LAYOUT)) {
    mkdirSync(join(versionDir, folder), { recursive: true });
    copyFileSync(join(LND_PROTO_DIR, file), join(versionDir, folder, file));
  }
  return {
    protoDir,
    grpcOptions: {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
      includeDirs: [join(versionDir, 'lnrpc'), join(versionDir, 'signrpc')],
    },
  };
}
