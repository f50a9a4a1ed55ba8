import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';

/** How the wallet reaches its node. `cert` and `macaroon` are each a file path or the data (PEM / hex). */
export type NodeConfig =
  | { kind: 'lndconnect'; uri: string }
  | { kind: 'lnd'; host: string; cert: string; macaroon: string }
  | { kind: 'embedded' };

export type LndConfig = Exclude<NodeConfig, { kind: 'embedded' }>;

/** What a gRPC connection to LND needs, with files read and encodings settled. */
export interface LndCredentials {
  /** host:port */
  host: string;
  /** PEM certificate(s) to trust; undefined: the system's CAs (an lndconnect URI without `cert`). */
  certPem?: string;
  macaroonHex: string;
}

/** A configuration value at fault; the message names the field and (secrets redacted) the value. */
export class NodeConfigError extends Error {
  constructor(
    readonly field: 'kind' | 'uri' | 'host' | 'cert' | 'macaroon',
    message: string,
  ) {
    super(message);
    this.name = 'NodeConfigError';
  }
}

export const DEFAULT_LND_GRPC_PORT = 10009;

const HEX = /^[0-9a-fA-F]+$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function quote(value: string): string {
  return JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value);
}

/** Data values are credentials: an error shows their length and start only. */
function redact(value: string): string {
  return value.length <= 12 ? `${value.length} characters` : `${value.length} characters, "${value.slice(0, 8)}…"`;
}

function fail(field: NodeConfigError['field'], message: string): never {
  throw new NodeConfigError(field, `${field}: ${message}`);
}

function text(input: Record<string, unknown>, field: 'uri' | 'host' | 'cert' | 'macaroon'): string {
  const value = input[field];
  if (typeof value !== 'string' || value.trim() === '') {
    fail(field, `expected a non-empty string, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  }
  return value.trim();
}

/**
 * Checks the shape of a configuration (from settings or the UI) without touching files or the network. Throws a
 * NodeConfigError naming the field.
 */
export function parseNodeConfig(input: unknown): NodeConfig {
  if (typeof input !== 'object' || input === null) fail('kind', `expected an object, got ${JSON.stringify(input)}`);
  const record = input as Record<string, unknown>;
  switch (record.kind) {
    case 'embedded':
      return { kind: 'embedded' };
    case 'lndconnect': {
      const uri = text(record, 'uri');
      parseLndconnect(uri);
      return { kind: 'lndconnect', uri };
    }
    case 'lnd': {
      const host = normalizeHost(text(record, 'host'), 'host');
      return { kind: 'lnd', host, cert: text(record, 'cert'), macaroon: text(record, 'macaroon') };
    }
    default:
      return fail('kind', `expected "lndconnect", "lnd" or "embedded", got ${JSON.stringify(record.kind)}`);
  }
}

/** host[:port] → host:port, the port defaulting to LND's 10009. lnd-grpc cannot take IPv6 literals. */
export function normalizeHost(value: string, field: 'host' | 'uri'): string {
  const match = /^([^:/?#\s@]+)(?::(\d+))?$/.exec(value);
  if (!match) {
    if (value.startsWith('[') || isIP(value) === 6) {
      fail(
        field,
        `IPv6 addresses are not supported (lnd-grpc splits host:port on ':'); use a host name, got ${quote(value)}`,
      );
    }
    fail(field, `expected host:port (e.g. 127.0.0.1:10009), got ${quote(value)}`);
  }
  const host = match[1] as string;
  if (
    !isIP(host) &&
    !/^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/.test(host)
  ) {
    fail(field, `not a host name or IPv4 address: ${quote(host)}`);
  }
  const port = match[2] === undefined ? DEFAULT_LND_GRPC_PORT : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(field, `port out of range 1-65535 in ${quote(value)}`);
  return `${host}:${port}`;
}

/** lndconnect://host[:port]?cert=<base64url DER>&macaroon=<base64url> (LN-Zap/lndconnect). */
export function parseLndconnect(uri: string): LndCredentials {
  const shown = `${uri.split('?')[0]}?…`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    fail('uri', `not a URI: ${quote(shown)}`);
  }
  if (url.protocol !== 'lndconnect:') fail('uri', `expected an lndconnect:// URI, got ${quote(shown)}`);
  if (!url.hostname) fail('uri', `no host in ${quote(shown)}`);
  const host = normalizeHost(url.port ? `${url.hostname}:${url.port}` : url.hostname, 'uri');
  const macaroon = url.searchParams.get('macaroon');
  if (!macaroon) fail('uri', `no macaroon parameter in ${quote(shown)}`);
  if (!BASE64URL.test(macaroon)) fail('uri', `the macaroon parameter is not base64url (${redact(macaroon)})`);
  const macaroonHex = checkMacaroon(Buffer.from(macaroon, 'base64url'), 'uri', 'the macaroon parameter');
  const cert = url.searchParams.get('cert');
  let certPem: string | undefined;
  if (cert) {
    if (!BASE64URL.test(cert)) fail('uri', `the cert parameter is not base64url (${redact(cert)})`);
    certPem = derToPem(Buffer.from(cert, 'base64url'), 'uri', 'the cert parameter');
  }
  return { host, certPem, macaroonHex };
}

function checkMacaroon(bytes: Buffer, field: 'uri' | 'macaroon', what: string): string {
  // LND writes binary V2 macaroons, whose first byte is the version 2.
  if (bytes.length < 8 || bytes[0] !== 2) {
    fail(
      field,
      `${what} is not an LND macaroon (binary V2 expected, ${bytes.length} bytes starting ${bytes.subarray(0, 1).toString('hex') || 'with nothing'})`,
    );
  }
  return bytes.toString('hex');
}

function derToPem(der: Buffer, field: 'uri' | 'cert', what: string): string {
  try {
    return new X509Certificate(der).toString().replace(/\r/g, '').trim();
  } catch {
    return fail(field, `${what} is not an X.509 certificate (${der.length} bytes)`);
  }
}

function pemBlocks(pem: string, field: 'cert', what: string): string {
  const blocks = pem.replace(/\r/g, '').match(PEM_BLOCK);
  if (!blocks) fail(field, `${what} has no PEM certificate`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      fail(field, `${what} holds a PEM block that is not a valid certificate`);
    }
  }
  // lnd-grpc takes a string as PEM data only when its first line is exactly the BEGIN line.
  return blocks.join('\n');
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path;
}

function readFile(field: 'cert' | 'macaroon', path: string): Buffer {
  const full = expandHome(path);
  if (!existsSync(full)) fail(field, `file not found: ${quote(path)}`);
  if (!statSync(full).isFile()) fail(field, `not a file: ${quote(path)}`);
  try {
    return readFileSync(full);
  } catch (error) {
    return fail(field, `cannot read ${quote(path)}: ${(error as Error).message}`);
  }
}

function looksLikePath(value: string): boolean {
  return /[/\\]/.test(value) || value.startsWith('~') || /\.(cert|crt|pem|macaroon)$/i.test(value);
}

/** A certificate given as PEM data, a file path (PEM or DER), or base64url DER (as lndconnect carries it). */
export function resolveCert(value: string): string {
  if (value.includes('-----BEGIN')) return pemBlocks(value, 'cert', 'the PEM data');
  if (looksLikePath(value) || existsSync(expandHome(value))) {
    const bytes = readFile('cert', value);
    const content = bytes.toString('latin1');
    if (content.includes('-----BEGIN')) return pemBlocks(content, 'cert', `the file ${quote(value)}`);
    return derToPem(bytes, 'cert', `the file ${quote(value)}`);
  }
  if (BASE64URL.test(value)) return derToPem(Buffer.from(value, 'base64url'), 'cert', 'the base64url data');
  return fail('cert', `neither PEM data nor an existing file: ${quote(value)}`);
}

/** A macaroon given as hex data or a file path (binary, as LND writes admin.macaroon). */
export function resolveMacaroon(value: string): string {
  if (HEX.test(value) && !existsSync(expandHome(value))) {
    if (value.length % 2 !== 0) fail('macaroon', `hex data of odd length (${redact(value)})`);
    return checkMacaroon(Buffer.from(value, 'hex'), 'macaroon', 'the hex data');
  }
  if (looksLikePath(value) || existsSync(expandHome(value))) {
    const bytes = readFile('macaroon', value);
    const asText = bytes.toString('latin1').trim();
    // A file holding the hex text rather than the binary macaroon.
    if (HEX.test(asText) && asText.length % 2 === 0 && bytes[0] !== 2) {
      return checkMacaroon(Buffer.from(asText, 'hex'), 'macaroon', `the file ${quote(value)}`);
    }
    return checkMacaroon(bytes, 'macaroon', `the file ${quote(value)}`);
  }
  return fail('macaroon', `neither hex data nor an existing file (${redact(value)})`);
}

/** Reads the files a configuration names and settles encodings. Throws a NodeConfigError naming the field. */
export function resolveLndCredentials(config: LndConfig): LndCredentials {
  if (config.kind === 'lndconnect') return parseLndconnect(config.uri.trim());
  return {
    host: normalizeHost(config.host.trim(), 'host'),
    certPem: resolveCert(config.cert.trim()),
    macaroonHex: resolveMacaroon(config.macaroon.trim()),
  };
}
