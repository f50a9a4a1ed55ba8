import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// lnd-grpc@0.5.4 ships LND's protos only up to 0.14.4 and picks the folder `0.14.4-beta` for any newer LND. We feed
// it LND's current protos (from the npm package `lightning`, LND 0.21) under that folder name, with decoding options
// that keep 64-bit values exact (lnd-grpc's own grpc_options: longs as String).

/** The folder name lnd-grpc selects for every LND ≥ 0.14.4. */
export const LND_GRPC_PROTO_VERSION = '0.14.4-beta';

/** Where lnd-grpc looks for each file, below `<protoDir>/0.14.4-beta/`. Every one must load, or connect() throws. */
export const PROTO_LAYOUT: Readonly<Record<string, string>> = {
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

/** @grpc/proto-loader options, as lnd-grpc deep-merges them over its own (whose `longs: Number` loses precision). */
export interface LndGrpcProtoOptions {
  keepCase: true;
  longs: StringConstructor;
  enums: StringConstructor;
  defaults: true;
  oneofs: true;
  /** The current files import "lightning.proto" and "signer.proto" without a folder. */
  includeDirs: string[];
}

export interface LndProtos {
  /** Pass as lnd-grpc's `protoDir`: it holds `0.14.4-beta/<package>/<file>.proto`. */
  protoDir: string;
  grpcOptions: LndGrpcProtoOptions;
}

/** The folder of the protos in the npm package `lightning`, and the package's version. */
export function lightningProtoSource(): { dir: string; version: string } {
  const manifest = createRequire(import.meta.url).resolve('lightning/package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { dir: join(dirname(manifest), 'grpc', 'protos'), version };
}

/**
 * Copies the `lightning` package's protos into `protoDir` in lnd-grpc's layout (e.g. at build time, for Electron's
 * extra resources). Idempotent and safe against concurrent callers: a file is only rewritten when its content
 * differs, through a temporary file and a rename.
 */
export function layOutProtos(protoDir: string): void {
  const source = lightningProtoSource().dir;
  for (const [file, folder] of Object.entries(PROTO_LAYOUT)) {
    const content = readFileSync(join(source, file));
    const targetDir = join(protoDir, LND_GRPC_PROTO_VERSION, folder);
    const target = join(targetDir, file);
    if (existsSync(target) && readFileSync(target).equals(content)) continue;
    mkdirSync(targetDir, { recursive: true });
    const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      writeFileSync(temporary, content);
      renameSync(temporary, target);
    } finally {
      rmSync(temporary, { force: true });
    }
  }
}

/** Checks that `protoDir` has every file lnd-grpc will load; throws naming the first one missing. */
export function checkProtoDir(protoDir: string): void {
  for (const [file, folder] of Object.entries(PROTO_LAYOUT)) {
    const path = join(protoDir, LND_GRPC_PROTO_VERSION, folder, file);
    if (!existsSync(path)) throw new Error(`protoDir: ${protoDir} lacks ${LND_GRPC_PROTO_VERSION}/${folder}/${file}`);
  }
}

export function grpcOptionsFor(protoDir: string): LndGrpcProtoOptions {
  const versionDir = join(protoDir, LND_GRPC_PROTO_VERSION);
  return {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [join(versionDir, 'lnrpc'), join(versionDir, 'signrpc')],
  };
}

const laidOut = new Map<string, LndProtos>();

/**
 * The protos and options to give lnd-grpc. With `protoDir` (Electron: packaged as an extra resource, already laid
 * out) it is checked and used as is; otherwise the protos are laid out once per process in
 * `os.tmpdir()/braid-lnd-protos-<lightning version>`.
 */
export function lndProtos(options: { protoDir?: string } = {}): LndProtos {
  const protoDir = options.protoDir ?? join(tmpdir(), `braid-lnd-protos-${lightningProtoSource().version}`);
  const known = laidOut.get(protoDir);
  if (known) return known;
  if (options.protoDir) checkProtoDir(protoDir);
  else layOutProtos(protoDir);
  const protos = { protoDir, grpcOptions: grpcOptionsFor(protoDir) };
  laidOut.set(protoDir, protos);
  return protos;
}
