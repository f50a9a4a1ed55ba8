import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/** Channel options that name the TLS server for grpc-js. */
export type TlsTargetOptions = { 'grpc.ssl_target_name_override'?: string };

/** The host of `host:port` or `[v6]:port`. */
function hostOf(target: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(target);
  if (bracketed) return bracketed[1] as string;
  const colon = target.lastIndexOf(':');
  return colon > 0 && target.indexOf(':') === colon ? target.slice(0, colon) : target;
}

/**
 * grpc-js gives TLS the target's host as the SNI server name even when it is an IP address, which Node refuses to
 * send and warns about (DEP0123, RFC 6066). For an IP target with a pinned certificate (LND's tls.cert): check here
 * what TLS would check, that the certificate lists that address, then let TLS name the server by one of the
 * certificate's DNS names (`grpc.ssl_target_name_override`). The chain is still verified against the pinned
 * certificate. A host name, no pinned certificate or a certificate without a DNS name: nothing changes.
 */
export function tlsTargetOptions(target: string, certPem: string | undefined): TlsTargetOptions {
  const host = hostOf(target);
  if (!certPem || isIP(host) === 0) return {};
  const cert = new X509Certificate(certPem);
  if (cert.checkIP(host) === undefined) {
    // The words TLS itself uses, so the error reads the same as before (toConnectError: 'certificate').
    throw new Error(`Hostname/IP does not match certificate's altnames: IP: ${host} is not in the cert's list`);
  }
  const name = (cert.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4))
    .find((dns) => dns !== '' && !dns.includes('*'));
  return name ? { 'grpc.ssl_target_name_override': name } : {};
}
