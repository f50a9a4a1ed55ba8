import type { LndConfig } from './core/node/config';

/** The node flags shared by `npm run daemon` and `npm run dev:web` (node:util parseArgs options). */
export const NODE_FLAG_OPTIONS = {
  lndconnect: { type: 'string' },
  'lnd-host': { type: 'string' },
  'lnd-cert': { type: 'string' },
  'lnd-macaroon': { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

/** Their lines in the usage of both. */
export const NODE_FLAG_USAGE = `  --lndconnect URI        the LND to use, as an lndconnect URI
  --lnd-host HOST:PORT    the LND to use by its gRPC address (with --lnd-cert and --lnd-macaroon)
  --lnd-cert PATH         its tls.cert (PEM)
  --lnd-macaroon PATH     its admin.macaroon
                          (no node given: the embedded simulated network)
  --data-dir DIR          the wallet's data directory (payment tables)`;

/** The LND given on the command line, or undefined for the embedded simulated network. */
export function nodeConfigFromFlags(values: {
  lndconnect?: string;
  'lnd-host'?: string;
  'lnd-cert'?: string;
  'lnd-macaroon'?: string;
}): LndConfig | undefined {
  if (values.lndconnect) return { kind: 'lndconnect', uri: values.lndconnect };
  const host = values['lnd-host'];
  const cert = values['lnd-cert'];
  const macaroon = values['lnd-macaroon'];
  if (!host && !cert && !macaroon) return undefined;
  if (!host || !cert || !macaroon) throw new Error('--lnd-host, --lnd-cert and --lnd-macaroon go together');
  return { kind: 'lnd', host, cert, macaroon };
}
