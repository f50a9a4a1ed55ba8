import { certDerBase64Url } from './tls';

export interface LndconnectArgs {
  host: string;
  port: number;
  certPem: string;
  macaroonHex: string;
}

/** lndconnect://host:port?cert=…&macaroon=… with both values unpadded base64url (LN-Zap/lndconnect spec). */
export function lndconnectUri({ host, port, certPem, macaroonHex }: LndconnectArgs): string {
  // Bare IPv6 literals need brackets to be a valid URI authority.
  const authority = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const cert = certDerBase64Url(certPem);
  const macaroon = Buffer.from(macaroonHex, 'hex').toString('base64url');
  return `lndconnect://${authority}:${port}?cert=${cert}&macaroon=${macaroon}`;
}
