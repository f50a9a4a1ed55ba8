import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export interface NodeKey {
  privateKey: Uint8Array;
  /** 33-byte compressed public key, hex. */
  pubkey: string;
}

export interface RecoverableSignature {
  /** 64 bytes, r || s (low-s). */
  signature: Uint8Array;
  /** 0..3, the recovery id BOLT11 appends after r || s. */
  recovery: number;
}

// Versioned prefix so a future change of derivation cannot silently reuse old identities.
const DOMAIN = 'braid/simnet/node-key/v1';

/** Deterministic identity: the same (seed, name) always yields the same node pubkey across runs. */
export function nodeKey(seed: number | string, name: string): NodeKey {
  // Length-prefixing the parts keeps ('a|b', 'c') and ('a', 'b|c') from colliding.
  const seedText = String(seed);
  const base = `${DOMAIN}\x00${seedText.length}:${seedText}\x00${name.length}:${name}`;
  // A sha256 output is an invalid scalar with probability ~2^-128; retry anyway so this can never throw.
  for (let counter = 0; ; counter++) {
    const privateKey = sha256(utf8ToBytes(counter === 0 ? base : `${base}\x00${counter}`));
    if (secp256k1.utils.isValidSecretKey(privateKey)) {
      return { privateKey, pubkey: bytesToHex(secp256k1.getPublicKey(privateKey, true)) };
    }
  }
}

/** Sign an already-hashed 32-byte message, as BOLT11 needs (no second hashing). */
export function signRecoverable(hash32: Uint8Array, privateKey: Uint8Array): RecoverableSignature {
  if (hash32.length !== 32) throw new Error(`expected a 32-byte hash, got ${hash32.length} bytes`);
  // noble v2 'recovered' format is recovery byte first, then r || s.
  const sig = secp256k1.sign(hash32, privateKey, { prehash: false, format: 'recovered' });
  const recovery = sig[0];
  if (recovery === undefined || recovery > 3) throw new Error('signer returned no recovery id');
  return { signature: sig.slice(1), recovery };
}
