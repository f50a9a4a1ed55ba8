import type { LndConfig } from './core/node/config';

/** The node flags shared by `npm run daemon` and `npm run dev:web` (node:util parseArgs options). */
export const NODE_FLAG_OPTIONS = {
  lndconnect: { type: 'string' },
  'lnd-host': { type: 'string' },
  'lnd-cert': { type: 'string' },
  'lnd-macaroon': { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

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
