import { X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { decode as lightDecode } from 'light-bolt11-decoder';
import { describe, expect, it } from 'vitest';
import { decodeInvoice, type EncodeInvoiceArgs, encodeInvoice } from './invoice';
import { nodeKey, signRecoverable } from './keys';
import { lndconnectUri } from './lndconnect';
import { checkMacaroon, makeAdminMacaroon } from './macaroon';
import { certDerBase64Url, makeTlsCertificate } from './tls';

const require = createRequire(import.meta.url);
const invoicesLib = require('invoices') as {
  parsePaymentRequest(args: { request: string }): {
    destination: string;
    id: string;
    payment?: string;
    mtokens: string;
    features: { bit: number; is_required: boolean }[];
    cltv_delta: number;
    network: string;
  };
};
const macaroonLib = require('macaroon') as {
  importMacaroon(bytes: Uint8Array): { location: string; identifier: Uint8Array; caveats: unknown[] };
};
const lndconnectLib = require('lndconnect') as {
  decode(uri: string): { host: string; cert: string; macaroon: string };
};

const alice = nodeKey(7, 'alice');
const fill = (byte: number) => new Uint8Array(32).fill(byte);
const base: EncodeInvoiceArgs = {
  network: 'regtest',
  privateKey: alice.privateKey,
  pubkey: alice.pubkey,
  paymentHash: sha256(fill(1)),
  paymentSecret: fill(2),
  amountMsat: 123456789n,
  description: 'coffee ☕',
  createdAt: new Date('2025-03-01T12:00:00Z'),
  expirySeconds: 86400,
  cltvExpiry: 80,
};

// Recompute the BOLT11 signing hash from the raw bech32 characters, independently of `invoices`.
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
function independentSigHash(request: string): Uint8Array {
  const sep = request.lastIndexOf('1');
  const hrp = request.slice(0, sep);
  const data = request.slice(sep + 1, -6 - 104);
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  for (const ch of data) {
    acc = (acc << 5) | BECH32.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  if (bits > 0) out.push((acc << (8 - bits)) & 0xff);
  return sha256(new Uint8Array([...utf8ToBytes(hrp), ...out]));
}

describe('keys', () => {
  it('is deterministic per seed and differs per name and seed', () => {
    expect(nodeKey(7, 'alice')).toEqual(alice);
    expect(nodeKey('7', 'alice').pubkey).toBe(alice.pubkey);
    expect(nodeKey(7, 'bob').pubkey).not.toBe(alice.pubkey);
    expect(nodeKey(8, 'alice').pubkey).not.toBe(alice.pubkey);
    expect(alice.pubkey).toMatch(/^0[23][0-9a-f]{64}$/);
  });

  it('signs recoverably', () => {
    const hash = sha256(utf8ToBytes('hello'));
    const { signature, recovery } = signRecoverable(hash, alice.privateKey);
    expect(signature).toHaveLength(64);
    const recovered = secp256k1.recoverPublicKey(new Uint8Array([recovery, ...signature]), hash, { prehash: false });
    expect(bytesToHex(recovered)).toBe(alice.pubkey);
  });
});

describe('invoice', () => {
  it('round-trips through our decoder', () => {
    const request = encodeInvoice(base);
    expect(request.startsWith('lnbcrt1234567890p1')).toBe(true);
    const d = decodeInvoice(request, 'regtest');
    expect(d).toEqual({
      destination: alice.pubkey,
      paymentHash: bytesToHex(base.paymentHash),
      paymentSecret: bytesToHex(base.paymentSecret),
      amountMsat: 123456789n,
      timestamp: Date.parse('2025-03-01T12:00:00Z') / 1000,
      expiry: 86400,
      description: 'coffee ☕',
      descriptionHash: '',
      fallbackAddr: '',
      cltvExpiry: 80,
      features: {
        8: { name: 'tlv-onion', isRequired: true, isKnown: true },
        14: { name: 'payment-addr', isRequired: true, isKnown: true },
        17: { name: 'multi-path-payments', isRequired: false, isKnown: true },
        25: { name: 'route-blinding', isRequired: false, isKnown: true },
      },
      routeHints: [],
      network: 'regtest',
    });
  });

  it('is accepted by the invoices library', () => {
    const p = invoicesLib.parsePaymentRequest({ request: encodeInvoice(base) });
    expect(p.destination).toBe(alice.pubkey);
    expect(p.id).toBe(bytesToHex(base.paymentHash));
    expect(p.payment).toBe(bytesToHex(base.paymentSecret));
    expect(p.mtokens).toBe('123456789');
    expect(p.network).toBe('regtest');
    // LND 0.18+ sets route blinding (25) as optional in its invoices.
    expect(p.features.map((f) => f.bit).sort((a, b) => a - b)).toEqual([8, 14, 17, 25]);
  });

  it('is accepted by the independent light-bolt11-decoder and its signature recovers to the node key', () => {
    const request = encodeInvoice(base);
    const d = lightDecode(request);
    const section = (name: string) => d.sections.find((s) => s.name === name) as { value?: unknown } | undefined;
    expect(section('amount')?.value).toBe('123456789');
    expect(section('payment_hash')?.value).toBe(bytesToHex(base.paymentHash));
    expect(section('payment_secret')?.value).toBe(bytesToHex(base.paymentSecret));
    expect(section('min_final_cltv_expiry')?.value).toBe(80);
    expect(section('expiry')?.value).toBe(86400);
    expect(section('description')?.value).toBe('coffee ☕');
    const features = section('feature_bits')?.value as Record<string, string>;
    expect(features.var_onion_optin).toBe('required');
    expect(features.payment_secret).toBe('required');
    expect(features.basic_mpp).toBe('supported');

    const sig = hexToBytes(section('signature')?.value as string);
    expect(sig).toHaveLength(65);
    const recovery = sig[64] as number;
    const hash = independentSigHash(request);
    const compactWithRecovery = new Uint8Array([recovery, ...sig.slice(0, 64)]);
    expect(bytesToHex(secp256k1.recoverPublicKey(compactWithRecovery, hash, { prehash: false }))).toBe(alice.pubkey);
    expect(secp256k1.verify(sig.slice(0, 64), hash, hexToBytes(alice.pubkey), { prehash: false })).toBe(true);
  });

  it('keeps exact msat amounts, including ones that are not whole sats, and amountless', () => {
    for (const amountMsat of [1n, 999n, 1001n, 123456789n, 1000n, 100_000_000_000n, 2_100_000_000_000_000n]) {
      const request = encodeInvoice({ ...base, amountMsat });
      expect(decodeInvoice(request).amountMsat).toBe(amountMsat);
      expect(BigInt(invoicesLib.parsePaymentRequest({ request }).mtokens)).toBe(amountMsat);
      const light = lightDecode(request).sections.find((s) => s.name === 'amount');
      expect(light && 'value' in light ? BigInt(light.value as string) : -1n).toBe(amountMsat);
    }
    const amountless = encodeInvoice({ ...base, amountMsat: 0n });
    expect(amountless.startsWith('lnbcrt1')).toBe(true);
    expect(decodeInvoice(amountless).amountMsat).toBe(0n);
  });

  it('uses the description hash instead of the description when given', () => {
    const descriptionHash = sha256(utf8ToBytes('long metadata'));
    const d = decodeInvoice(encodeInvoice({ ...base, descriptionHash }));
    expect(d.descriptionHash).toBe(bytesToHex(descriptionHash));
    expect(d.description).toBe('');
  });

  it('uses the network prefixes lnd uses', () => {
    expect(encodeInvoice({ ...base, network: 'mainnet' }).startsWith('lnbc1')).toBe(true);
    expect(encodeInvoice({ ...base, network: 'testnet' }).startsWith('lntb1')).toBe(true);
    expect(encodeInvoice({ ...base, network: 'simnet' }).startsWith('lnsb1')).toBe(true);
    expect(decodeInvoice(encodeInvoice({ ...base, network: 'simnet' })).network).toBe('simnet');
  });

  it('round-trips route hints', () => {
    const bob = nodeKey(7, 'bob');
    const routeHints = [
      {
        hopHints: [
          {
            nodeId: bob.pubkey,
            chanId: ((700000n << 40n) | (12n << 16n) | 1n).toString(),
            feeBaseMsat: 1000,
            feeProportionalMillionths: 1,
            cltvExpiryDelta: 40,
          },
        ],
      },
    ];
    expect(decodeInvoice(encodeInvoice({ ...base, routeHints })).routeHints).toEqual(routeHints);
  });

  it('rejects corrupted, foreign-network and garbage requests', () => {
    const request = encodeInvoice(base);
    const flipped = `${request.slice(0, 30)}${request[30] === 'q' ? 'p' : 'q'}${request.slice(31)}`;
    expect(() => decodeInvoice(flipped)).toThrow(/checksum/i);
    expect(() => decodeInvoice(request, 'mainnet')).toThrow("invoice not for current active network 'mainnet'");
    expect(() => decodeInvoice('hello')).toThrow(/prefix should be "ln"/);
    expect(() => decodeInvoice('')).toThrow();
  });
});

describe('tls', () => {
  it('makes an lnd-like self-signed EC P-256 certificate', async () => {
    const { certPem, keyPem } = await makeTlsCertificate();
    const cert = new X509Certificate(certPem);
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.subject).toContain('O=lnd autogenerated cert');
    expect(cert.subject).toContain('CN=localhost');
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.subjectAltName).toMatch(/IP Address:(::1|0:0:0:0:0:0:0:1)/);
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(days).toBeGreaterThan(400);
    expect(days).toBeLessThan(450);
    expect(keyPem).toContain('BEGIN EC PRIVATE KEY');
    expect(cert.checkPrivateKey(await import('node:crypto').then((c) => c.createPrivateKey(keyPem)))).toBe(true);
    expect(Buffer.from(certDerBase64Url(certPem), 'base64url').equals(cert.raw)).toBe(true);
  });
});

describe('macaroon', () => {
  it('makes a V2 binary macaroon the macaroon library can import', () => {
    const hex = makeAdminMacaroon(fill(9));
    const mac = macaroonLib.importMacaroon(Buffer.from(hex, 'hex'));
    expect(mac.location).toBe('lnd');
    expect(mac.caveats).toEqual([]);
    expect(hex.startsWith('02')).toBe(true);
  });

  it('accepts only the expected macaroon', () => {
    const a = makeAdminMacaroon(fill(9));
    const b = makeAdminMacaroon(fill(9));
    expect(checkMacaroon(a, a)).toBe(true);
    expect(checkMacaroon(a.toUpperCase(), a)).toBe(true);
    expect(checkMacaroon(b, a)).toBe(false);
    expect(checkMacaroon(a.slice(0, -2), a)).toBe(false);
    expect(checkMacaroon('', a)).toBe(false);
    expect(checkMacaroon('zz', a)).toBe(false);
  });
});

describe('lndconnect', () => {
  it('decodes with the lndconnect package to the same host, cert and macaroon', async () => {
    const { certPem } = await makeTlsCertificate();
    const macaroonHex = makeAdminMacaroon(fill(3));
    const uri = lndconnectUri({ host: '127.0.0.1', port: 10009, certPem, macaroonHex });
    expect(uri).toMatch(/^lndconnect:\/\/127\.0\.0\.1:10009\?cert=[A-Za-z0-9_-]+&macaroon=[A-Za-z0-9_-]+$/);
    const decoded = lndconnectLib.decode(uri);
    expect(decoded.host).toBe('127.0.0.1:10009');
    expect(decoded.macaroon).toBe(macaroonHex);
    expect(new X509Certificate(decoded.cert).raw.equals(new X509Certificate(certPem).raw)).toBe(true);
  });
});
