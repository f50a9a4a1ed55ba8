import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NodeConfigError,
  normalizeHost,
  parseLndconnect,
  parseNodeConfig,
  resolveCert,
  resolveLndCredentials,
  resolveMacaroon,
} from './config';

// A binary V2 macaroon starts with version 2; the rest is opaque here.
const MACAROON_HEX = `0201036c6e6402${'ab'.repeat(40)}`;

describe('node configuration', () => {
  let dir: string;
  let certPem: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'braid-config-test-'));
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', curve: 'P-256' });
    certPem = pems.cert.replace(/\r\n/g, '\n').trim();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const error = (run: () => unknown): NodeConfigError => {
    try {
      run();
    } catch (e) {
      if (e instanceof NodeConfigError) return e;
      throw e;
    }
    throw new Error('no error');
  };

  it('parses the three kinds and names the field at fault', () => {
    expect(parseNodeConfig({ kind: 'embedded' })).toEqual({ kind: 'embedded' });
    expect(parseNodeConfig({ kind: 'lnd', host: 'localhost', cert: 'a.cert', macaroon: 'ab' })).toEqual({
      kind: 'lnd',
      host: 'localhost:10009',
      cert: 'a.cert',
      macaroon: 'ab',
    });
    expect(error(() => parseNodeConfig({ kind: 'btcd' })).message).toBe(
      'kind: expected "lndconnect", "lnd" or "embedded", got "btcd"',
    );
    expect(error(() => parseNodeConfig({ kind: 'lnd', host: 'x:1', cert: '', macaroon: 'ab' }))).toMatchObject({
      field: 'cert',
      message: 'cert: expected a non-empty string, got ""',
    });
    expect(error(() => parseNodeConfig(null)).field).toBe('kind');
  });

  it('checks host:port', () => {
    expect(normalizeHost('node.example.com:10010', 'host')).toBe('node.example.com:10010');
    expect(error(() => normalizeHost('127.0.0.1:99999', 'host')).message).toBe(
      'host: port out of range 1-65535 in "127.0.0.1:99999"',
    );
    expect(error(() => normalizeHost('https://x:1', 'host')).message).toContain('expected host:port');
    expect(error(() => normalizeHost('[::1]:10009', 'host')).message).toContain('IPv6');
  });

  it('reads an lndconnect URI, with or without a certificate', () => {
    const der = new X509Certificate(certPem).raw.toString('base64url');
    const macaroon = Buffer.from(MACAROON_HEX, 'hex').toString('base64url');
    const creds = parseLndconnect(`lndconnect://127.0.0.1:10019?cert=${der}&macaroon=${macaroon}`);
    expect(creds.host).toBe('127.0.0.1:10019');
    expect(creds.macaroonHex).toBe(MACAROON_HEX);
    expect(creds.certPem?.split('\n')[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(new X509Certificate(creds.certPem ?? '').fingerprint256).toBe(new X509Certificate(certPem).fingerprint256);
    expect(parseLndconnect(`lndconnect://node.example.com?macaroon=${macaroon}`)).toEqual({
      host: 'node.example.com:10009',
      certPem: undefined,
      macaroonHex: MACAROON_HEX,
    });
    expect(error(() => parseLndconnect('https://x:1?macaroon=AgE')).message).toBe(
      'uri: expected an lndconnect:// URI, got "https://x:1?…"',
    );
    expect(error(() => parseLndconnect('lndconnect://x:1?cert=abc')).message).toBe(
      'uri: no macaroon parameter in "lndconnect://x:1?…"',
    );
    const bad = error(() => parseLndconnect(`lndconnect://x:1?macaroon=${macaroon}&cert=AAAA`));
    expect(bad.message).toContain('the cert parameter is not an X.509 certificate');
    // The macaroon is a secret: never in a message.
    expect(error(() => parseLndconnect('lndconnect://x:1?macaroon=AAAAAAAAAAAAAAAAAAAAAAAA')).message).not.toContain(
      'AAAAAAAAAAAAAAAAAAAAAAAA',
    );
  });

  it('takes the certificate as PEM data, a PEM or DER file, and says which file is missing', () => {
    const pemFile = join(dir, 'tls.cert');
    const derFile = join(dir, 'tls.der');
    writeFileSync(pemFile, `junk before\r\n${certPem.replace(/\n/g, '\r\n')}\r\n`);
    writeFileSync(derFile, new X509Certificate(certPem).raw);
    expect(resolveCert(certPem)).toBe(certPem);
    expect(resolveCert(pemFile)).toBe(certPem);
    expect(resolveCert(derFile)).toBe(certPem);
    expect(error(() => resolveCert(join(dir, 'missing.cert'))).message).toBe(
      `cert: file not found: ${JSON.stringify(join(dir, 'missing.cert'))}`,
    );
    expect(error(() => resolveCert('-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----')).message).toContain(
      'not a valid certificate',
    );
  });

  it('takes the macaroon as hex data or a file, and refuses what is neither', () => {
    const file = join(dir, 'admin.macaroon');
    writeFileSync(file, Buffer.from(MACAROON_HEX, 'hex'));
    expect(resolveMacaroon(MACAROON_HEX)).toBe(MACAROON_HEX);
    expect(resolveMacaroon(MACAROON_HEX.toUpperCase())).toBe(MACAROON_HEX);
    expect(resolveMacaroon(file)).toBe(MACAROON_HEX);
    expect(error(() => resolveMacaroon('abc')).message).toBe('macaroon: hex data of odd length (3 characters)');
    expect(error(() => resolveMacaroon('zz-not-hex')).message).toContain(
      'macaroon: neither hex data nor an existing file',
    );
    expect(error(() => resolveMacaroon('/no/such/admin.macaroon')).message).toBe(
      'macaroon: file not found: "/no/such/admin.macaroon"',
    );
    expect(error(() => resolveMacaroon(`0301${'00'.repeat(20)}`)).message).toContain('not an LND macaroon');
    expect(resolveLndCredentials({ kind: 'lnd', host: 'localhost', cert: certPem, macaroon: file })).toEqual({
      host: 'localhost:10009',
      certPem,
      macaroonHex: MACAROON_HEX,
    });
  });
});
