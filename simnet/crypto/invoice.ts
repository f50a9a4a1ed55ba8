import { createRequire } from 'node:module';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { signRecoverable } from './keys';

export type InvoiceNetwork = 'regtest' | 'testnet' | 'mainnet' | 'simnet' | 'signet';

export interface HopHint {
  nodeId: string;
  /** Short channel id as a decimal uint64 string, as LND's chan_id. */
  chanId: string;
  feeBaseMsat: number;
  feeProportionalMillionths: number;
  cltvExpiryDelta: number;
}

export interface RouteHint {
  hopHints: HopHint[];
}

export interface EncodeInvoiceArgs {
  network: InvoiceNetwork;
  privateKey: Uint8Array;
  pubkey: string;
  paymentHash: Uint8Array;
  paymentSecret: Uint8Array;
  /** 0n makes an amountless invoice. */
  amountMsat: bigint;
  description: string;
  /** When set, replaces the description in the invoice, as LND does. */
  descriptionHash?: Uint8Array;
  createdAt: Date;
  expirySeconds: number;
  cltvExpiry: number;
  routeHints?: RouteHint[];
  /** Defaults to LND_INVOICE_FEATURE_BITS. */
  featureBits?: number[];
}

export interface InvoiceFeature {
  name: string;
  isRequired: boolean;
  isKnown: boolean;
}

export interface DecodedInvoice {
  destination: string;
  paymentHash: string;
  /** '' when the invoice carries no payment secret. */
  paymentSecret: string;
  amountMsat: bigint;
  /** Unix seconds. */
  timestamp: number;
  expiry: number;
  description: string;
  descriptionHash: string;
  fallbackAddr: string;
  cltvExpiry: number;
  features: Record<number, InvoiceFeature>;
  routeHints: RouteHint[];
  network: InvoiceNetwork;
}

/**
 * tlv-onion required, payment-addr required, multi-path-payments optional, and since LND 0.18 route-blinding
 * optional (lnd feature/default_sets.go puts RouteBlindingOptional in SetInvoice).
 */
export const LND_INVOICE_FEATURE_BITS: readonly number[] = [8, 14, 17, 25];

// Names as lnwire.Features reports them (lnd lnwire/features.go); bits absent here decode as 'unknown'.
const FEATURE_NAMES = new Map<number, string>(
  (
    [
      [[0, 1], 'data-loss-protect'],
      [[3], 'initial-routing-sync'],
      [[4, 5], 'upfront-shutdown-script'],
      [[6, 7], 'gossip-queries'],
      [[8, 9], 'tlv-onion'],
      [[12, 13], 'static-remote-key'],
      [[14, 15], 'payment-addr'],
      [[16, 17], 'multi-path-payments'],
      [[18, 19], 'wumbo-channels'],
      [[20, 21], 'anchor-commitments'],
      [[22, 23], 'anchors-zero-fee-htlc-tx'],
      [[24, 25], 'route-blinding'],
      [[26, 27], 'shutdown-any-segwit'],
      [[30, 31], 'amp'],
      [[34, 35], 'quiescence'],
      [[38, 39], 'onion-messages'],
      [[44, 45], 'explicit-commitment-type'],
      [[46, 47], 'scid-alias'],
      [[48, 49], 'payment-metadata'],
      [[50, 51], 'zero-conf'],
      [[54, 55], 'keysend'],
      [[60, 61], 'rbf-coop-close'],
      [[80, 81], 'simple-taproot-chans'],
      [[160, 161], 'rbf-coop-close-x'],
      [[180, 181], 'simple-taproot-chans-x'],
      [[260, 261], 'accountable-x'],
      [[262, 263], 'bolt-11-blinded-paths'],
      [[2022, 2023], 'script-enforced-lease'],
      // lnd really numbers this pair 2025/2026.
      [[2025, 2026], 'taproot-overlay-chans'],
    ] as const
  ).flatMap(([bits, name]) => bits.map((bit) => [bit, name] as const)),
);

// Library network names <-> ours; 'bitcoin' is what `invoices` calls mainnet.
const TO_LIB: Record<InvoiceNetwork, string> = {
  mainnet: 'bitcoin',
  testnet: 'testnet',
  regtest: 'regtest',
  simnet: 'simnet',
  signet: 'signet',
};
const FROM_LIB: Record<string, InvoiceNetwork> = Object.fromEntries(
  Object.entries(TO_LIB).map(([ours, lib]) => [lib, ours as InvoiceNetwork]),
);
// chaincfg names LND prints in its wrong-network error.
const LND_NET_NAME: Record<InvoiceNetwork, string> = {
  mainnet: 'mainnet',
  testnet: 'testnet3',
  regtest: 'regtest',
  simnet: 'simnet',
  signet: 'signet',
};

interface LibHop {
  public_key: string;
  channel?: string;
  base_fee_mtokens?: string;
  fee_rate?: number;
  cltv_delta?: number;
}

interface ParsedRequest {
  cltv_delta: number;
  created_at: string;
  description?: string;
  description_hash?: string;
  destination: string;
  expires_at: string;
  features: { bit: number; is_required: boolean }[];
  id: string;
  mtokens: string;
  network: string;
  payment?: string;
  routes?: LibHop[][];
}

interface InvoicesLib {
  createUnsignedRequest(args: Record<string, unknown>): { hash: string; hrp: string; tags: number[] };
  createSignedRequest(args: { destination: string; hrp: string; signature: string; tags: number[] }): {
    request: string;
  };
  parsePaymentRequest(args: { request: string }): ParsedRequest;
}

// `invoices` ships no type declarations; the interface above covers what we use.
const lib = createRequire(import.meta.url)('invoices') as InvoicesLib;

// `invoices` writes the timestamp with as few 5-bit words as needed, but BOLT11 wants exactly 7 (35 bits).
const MIN_TIMESTAMP = 2 ** 30;
const MAX_TIMESTAMP = 2 ** 35;

const scidToChannel = (scid: string): string => {
  const id = BigInt(scid);
  return `${id >> 40n}x${(id >> 16n) & 0xffffffn}x${id & 0xffffn}`;
};

const channelToScid = (channel: string): string => {
  const [block = 0n, tx = 0n, out = 0n] = channel.split('x').map(BigInt);
  return ((block << 40n) | (tx << 16n) | out).toString();
};

// `invoices` describes a hint as a chain of nodes where each channel hop names the node it leads to.
function routeHintToLib(hint: RouteHint, destination: string): LibHop[] {
  const first = hint.hopHints[0];
  if (!first) throw new Error('route hint has no hops');
  return [
    { public_key: first.nodeId },
    ...hint.hopHints.map((hop, i) => ({
      public_key: hint.hopHints[i + 1]?.nodeId ?? destination,
      channel: scidToChannel(hop.chanId),
      base_fee_mtokens: String(hop.feeBaseMsat),
      fee_rate: hop.feeProportionalMillionths,
      cltv_delta: hop.cltvExpiryDelta,
    })),
  ];
}

function routeHintFromLib(route: LibHop[]): RouteHint {
  const hopHints: HopHint[] = [];
  for (let i = 1; i < route.length; i++) {
    const hop = route[i];
    const prev = route[i - 1];
    if (!hop?.channel || !prev) continue;
    hopHints.push({
      nodeId: prev.public_key,
      chanId: channelToScid(hop.channel),
      feeBaseMsat: Number(hop.base_fee_mtokens ?? 0),
      feeProportionalMillionths: hop.fee_rate ?? 0,
      cltvExpiryDelta: hop.cltv_delta ?? 0,
    });
  }
  return { hopHints };
}

/** A BOLT11 payment request signed by the node key, shaped like the ones LND's AddInvoice returns. */
export function encodeInvoice(args: EncodeInvoiceArgs): string {
  if (args.paymentHash.length !== 32) throw new Error('payment hash must be 32 bytes');
  if (args.paymentSecret.length !== 32) throw new Error('payment secret must be 32 bytes');
  if (args.descriptionHash && args.descriptionHash.length !== 32) throw new Error('description hash must be 32 bytes');
  if (args.amountMsat < 0n) throw new Error('amount must not be negative');
  if (!Number.isSafeInteger(args.expirySeconds) || args.expirySeconds <= 0) {
    throw new Error('expiry must be a positive number of seconds');
  }
  if (!Number.isSafeInteger(args.cltvExpiry) || args.cltvExpiry <= 0) throw new Error('cltv expiry must be positive');
  const createdMs = args.createdAt.getTime();
  const createdSec = Math.floor(createdMs / 1000);
  if (!(createdSec >= MIN_TIMESTAMP && createdSec < MAX_TIMESTAMP)) {
    throw new Error(`invoice timestamp ${createdSec} outside the encodable range [2^30, 2^35)`);
  }

  const unsigned = lib.createUnsignedRequest({
    network: TO_LIB[args.network],
    id: bytesToHex(args.paymentHash),
    payment: bytesToHex(args.paymentSecret),
    mtokens: args.amountMsat.toString(),
    // LND puts either the memo or the description hash in the invoice, never both.
    ...(args.descriptionHash
      ? { description_hash: bytesToHex(args.descriptionHash) }
      : { description: args.description }),
    created_at: new Date(createdMs).toISOString(),
    expires_at: new Date(createdMs + args.expirySeconds * 1000).toISOString(),
    cltv_delta: args.cltvExpiry,
    features: (args.featureBits ?? LND_INVOICE_FEATURE_BITS).map((bit) => ({ bit })),
    routes: args.routeHints?.length ? args.routeHints.map((h) => routeHintToLib(h, args.pubkey)) : undefined,
    // No `destination`: LND omits the `n` field and lets payers recover the key from the signature.
  });
  const { signature } = signRecoverable(hexToBytes(unsigned.hash), args.privateKey);
  return lib.createSignedRequest({
    destination: args.pubkey,
    hrp: unsigned.hrp,
    signature: bytesToHex(signature),
    tags: unsigned.tags,
  }).request;
}

// `invoices` throws CamelCase codes; turn the common ones into the wording LND's zpay32 uses.
const LND_ERRORS: [RegExp, string][] = [
  [/checksum/i, 'invalid checksum'],
  [/^ExpectedLnPrefix$/, 'prefix should be "ln"'],
  [/^ExpectedPaymentRequest$/, 'invalid payment request: empty'],
  [/^UnknownCurrencyCode|^InvalidPaymentRequestPrefix$/, 'unknown network in payment request prefix'],
  [/Signature/, 'invalid invoice signature'],
  [/^UnexpectedDescriptionAndDescriptionHash/, 'both description and description hash set'],
  [/^ExpectedDescriptionOrDescriptionHash/, 'neither description nor description hash set'],
  [/WithinMaximumLength|exceeds length/i, 'invoice is too large'],
];

function lndError(err: unknown): Error {
  const reason = err instanceof Error ? err.message : String(err);
  // zpay32 reads the data part with bech32's charset and names the refused byte by its value.
  const badChar = /^Unknown character (.)$/.exec(reason)?.[1];
  if (badChar) {
    return new Error(
      `failed converting data to bytes: invalid character not part of charset: ${badChar.charCodeAt(0)}`,
      {
        cause: err,
      },
    );
  }
  const mapped = LND_ERRORS.find(([re]) => re.test(reason))?.[1];
  return new Error(mapped ? `${mapped} (${reason})` : reason, { cause: err });
}

/** Decode like LND's DecodePayReq; with `expectedNetwork`, reject other networks as LND does. */
export function decodeInvoice(request: string, expectedNetwork?: InvoiceNetwork): DecodedInvoice {
  let parsed: ParsedRequest;
  try {
    parsed = lib.parsePaymentRequest({ request: request.trim() });
  } catch (err) {
    throw lndError(err);
  }
  const network = FROM_LIB[parsed.network];
  if (!network) throw new Error(`unsupported network ${parsed.network}`);
  if (expectedNetwork && network !== expectedNetwork) {
    throw new Error(`invoice not for current active network '${LND_NET_NAME[expectedNetwork]}'`);
  }
  if (!parsed.id) throw new Error('no payment hash found');

  const features: Record<number, InvoiceFeature> = {};
  for (const { bit } of parsed.features) {
    const name = FEATURE_NAMES.get(bit);
    features[bit] = { name: name ?? 'unknown', isRequired: bit % 2 === 0, isKnown: name !== undefined };
  }
  const createdMs = Date.parse(parsed.created_at);
  return {
    destination: parsed.destination,
    paymentHash: parsed.id,
    paymentSecret: parsed.payment ?? '',
    amountMsat: BigInt(parsed.mtokens || '0'),
    timestamp: Math.floor(createdMs / 1000),
    expiry: Math.round((Date.parse(parsed.expires_at) - createdMs) / 1000),
    description: parsed.description ?? '',
    descriptionHash: parsed.description_hash ?? '',
    // Fallback addresses are never produced by the simnet, so they are not surfaced.
    fallbackAddr: '',
    cltvExpiry: parsed.cltv_delta,
    features,
    routeHints: (parsed.routes ?? []).map(routeHintFromLib),
    network,
  };
}
