import { ApiError, ErrorCode } from '../../../shared/api/errors';
import type { RouteCandidate } from '../../../shared/api/results';
import { DEFAULT_FINAL_CLTV } from '../../../shared/policy';
import { fromLndRoute, routeFee } from '../../../shared/route';
import { formatScid, parseScid } from '../../../shared/scid';
import type { Handler } from './context';
import { decodeInvoice } from './invoice';
import { asNodeError } from './node-errors';

export const getinfo: Handler<'getinfo'> = async (ctx) => {
  const info = await ctx.info();
  return {
    id: info.id,
    alias: info.alias,
    network: info.network,
    blockheight: info.blockheight,
    num_active_channels: info.num_active_channels,
    simulated: ctx.simulated,
    version: info.version,
  };
};

export const listchannels: Handler<'listchannels'> = async (ctx) => ({
  channels: (await ctx.node.listChannels()).map((c) => ({
    channel: formatScid(c.chan_id),
    peer_id: c.peer_id,
    peer_alias: c.peer_alias,
    capacity_msatoshi: c.capacity_msat,
    local_msatoshi: c.local_msat,
    remote_msatoshi: c.remote_msat,
    active: c.active,
  })),
});

export const decodepay: Handler<'decodepay'> = async (ctx, p) => {
  const d = await decodeInvoice(ctx, p.bolt11);
  return {
    payment_hash: d.payment_hash,
    ...(d.payment_secret ? { payment_secret: d.payment_secret } : {}),
    ...(d.amount_msat > 0n ? { msatoshi: d.amount_msat } : {}),
    destination: d.destination,
    ...(d.description ? { description: d.description } : {}),
    ...(d.description_hash ? { description_hash: d.description_hash } : {}),
    created_at: d.timestamp,
    expiry: d.expiry,
    min_final_cltv_expiry: d.min_final_cltv_expiry,
    features: { mpp: d.mpp },
    route_hints: d.route_hints.map((h) => [
      {
        pubkey: h.node_id,
        short_channel_id: formatScid(h.chan_id),
        fee_base_msat: h.fee_base_msat,
        fee_proportional_millionths: h.fee_ppm,
        cltv_expiry_delta: h.cltv_delta,
      },
    ]),
  };
};

export const getroutes: Handler<'getroutes'> = async (ctx, p) => {
  const info = await ctx.info();
  const ignoredNodes = (p.exclude ?? []).flatMap((e) => ('node' in e ? [e.node] : []));
  const ignoredChannels = (p.exclude ?? []).flatMap((e) =>
    'channel' in e ? [{ chan_id: parseScid(e.channel), reverse: e.direction === 1 }] : [],
  );
  const ignoredPairs: { from: string; to: string }[] = [];
  const routes: RouteCandidate[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < p.count; i++) {
    let found: Awaited<ReturnType<typeof ctx.node.queryRoutes>>;
    try {
      found = await ctx.node.queryRoutes({
        destination: p.destination,
        amt_msat: p.msatoshi,
        final_cltv_delta: p.final_cltv ?? DEFAULT_FINAL_CLTV,
        ignored_nodes: ignoredNodes,
        ignored_pairs: ignoredPairs,
        ignored_channels: ignoredChannels,
        outgoing_chan_ids: p.first_channel ? [parseScid(p.first_channel)] : undefined,
      });
    } catch (error) {
      // The node unreachable is not "no more routes".
      const nodeError = asNodeError('getroutes', error);
      if (nodeError) throw nodeError;
      break; // no more routes
    }
    const route = fromLndRoute(found.route, info.blockheight, info.id);
    const key = route.map((h) => h.channel).join(',');
    if (seen.has(key)) break;
    seen.add(key);
    routes.push({ route, fee_msatoshi: routeFee(route), delay: route[0]?.delay ?? 0, probability: found.probability });
    // The next candidate leaves out the pairs this one leaned on most: its first hop (its second when the first
    // channel is fixed) and its last, where a receiver's inbound liquidity is usually the bottleneck.
    const pivot = p.first_channel ? 1 : 0;
    const pair = (k: number) => ({
      from: k === 0 ? info.id : (route[k - 1]?.id as string),
      to: route[k]?.id as string,
    });
    if (route.length > pivot) ignoredPairs.push(pair(pivot));
    if (route.length - 1 > pivot) ignoredPairs.push(pair(route.length - 1));
  }
  return { routes };
};

export const buildroute: Handler<'buildroute'> = async (ctx, p) => {
  const info = await ctx.info();
  try {
    const lnd = await ctx.node.buildRoute({
      amt_msat: p.msatoshi,
      final_cltv_delta: p.final_cltv ?? DEFAULT_FINAL_CLTV,
      outgoing_chan_id: p.first_channel ? parseScid(p.first_channel) : undefined,
      hop_pubkeys: p.hops,
    });
    return { route: fromLndRoute(lnd, info.blockheight, info.id) };
  } catch (error) {
    const nodeError = asNodeError('buildroute', error);
    if (nodeError) throw nodeError;
    throw new ApiError(
      ErrorCode.InvalidParams,
      `hops: no route through ${p.hops.join(', ')} (${error instanceof Error ? error.message : String(error)})`,
    );
  }
};

export const testinvoice: Handler<'testinvoice'> = async (ctx, p) => {
  if (!ctx.simulated) throw new ApiError(ErrorCode.Internal, 'testinvoice: only on the simulated network');
  // Own properties only: `constructor`, `__proto__` or `toString` name no merchant.
  const merchant = Object.hasOwn(ctx.merchants, p.merchant) ? ctx.merchants[p.merchant] : undefined;
  if (!merchant) {
    throw new ApiError(
      ErrorCode.InvalidParams,
      `merchant: no simulated merchant named ${JSON.stringify(p.merchant)} (try ${Object.keys(ctx.merchants).join(', ')})`,
    );
  }
  return { bolt11: await merchant.addInvoice(p.msatoshi, p.description ?? ''), merchant: p.merchant };
};
