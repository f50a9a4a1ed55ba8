import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';

interface MacaroonLib {
  newMacaroon(args: { version: number; rootKey: Uint8Array; identifier: Uint8Array; location: string }): {
    exportBinary(): Uint8Array;
  };
}

// `macaroon` ships no type declarations; the interface above covers what we use.
const lib = createRequire(import.meta.url)('macaroon') as MacaroonLib;

// lnd identifiers are version byte 3 then a protobuf; clients treat them as opaque, so a
// version byte plus a random nonce keeps the shape without encoding lnd's permission list.
const ID_VERSION = 3;

/** A caveat-free binary V2 macaroon (hex), like lnd's admin.macaroon. */
export function makeAdminMacaroon(rootKey: Uint8Array, location = 'lnd'): string {
  const identifier = new Uint8Array([ID_VERSION, ...randomBytes(24)]);
  const mac = lib.newMacaroon({ version: 2, rootKey, identifier, location });
  return Buffer.from(mac.exportBinary()).toString('hex');
}

const HEX = /^(?:[0-9a-f]{2})*$/i;

/** Whether a presented macaroon is exactly the expected one, without leaking how much of it matched. */
export function checkMacaroon(hex: string, expectedHex: string): boolean {
  if (!HEX.test(hex) || !HEX.test(expectedHex)) return false;
  // Hashing first gives equal-length inputs, so neither content nor length shows up in timing.
  const digest = (h: string) => createHash('sha256').update(Buffer.from(h, 'hex')).digest();
  return timingSafeEqual(digest(hex), digest(expectedHex)) && hex.length === expectedHex.length;
}
