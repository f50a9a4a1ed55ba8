// The command API (docs/commands.md, generated from help.ts): one definition per command, its parameters in order with a
// schema each, and its result type. Every transport parses with parseParams and is typed by CommandParams /
// CommandResult.

import type { z } from 'zod';
import type { PartialPayment, Payment } from '../types';
import { ApiError, ErrorCode, invalidParam } from './errors';
import {
  type ListRebalancesResult,
  type PlanRebalanceResult,
  type ProbeResult,
  ppm,
  type RebalanceResult,
  scidList,
} from './rebalance';
import type {
  BuildRouteResult,
  CancelExportResult,
  CheckPlanResult,
  DecodePayResult,
  ExportPaymentsResult,
  ExportProgressResult,
  GetInfoResult,
  GetRoutesResult,
  HelpResult,
  ListChannelsResult,
  ListNodesResult,
  ListPartialPaymentsResult,
  ListPaymentsResult,
  SplitPayResult,
  StopPayResult,
  SubscriptionResult,
  TestInvoiceResult,
} from './results';
import {
  bolt11,
  events,
  exclusions,
  exportFormat,
  exportJob,
  finalCltv,
  flag,
  hex32,
  msatoshi,
  nodeId,
  nodeIdList,
  nodeIds,
  nonEmptyText,
  partId,
  payMode,
  percent,
  plan,
  positiveInt,
  positiveMsatoshi,
  route,
  scid,
  seconds,
  status,
  text,
  unixTime,
} from './schemas';

type Shape = Record<string, z.ZodType>;

/** rebalance's and planrebalance's parameters, in order. */
const REBALANCE_PARAMS = {
  msatoshi: positiveMsatoshi,
  /** Our channels to move out of; picked by target_ratio when absent. */
  sources: scidList.optional(),
  /** Our channels to move into; picked by target_ratio when absent. */
  targets: scidList.optional(),
  /** Fee limit as parts per million of the amount (default shared/policy.ts DEFAULT_REBALANCE_FEE_PPM). */
  maxfeeppm: ppm.optional(),
  /** An absolute cap on the fees, msat, under the ppm limit. */
  maxfee_msatoshi: msatoshi.optional(),
  max_parts: positiveInt(100).optional(),
  /** The local share (percent of capacity) the picking aims for (default 50). */
  target_ratio: percent.optional(),
};

export interface CommandDefinition<S extends Shape = Shape, R = unknown> {
  /** Parameters in positional order (object key order); optional ones are `.optional()` or `.default()`. */
  params: S;
  /** Never set: carries the result type. */
  result?: R;
}

/** `define<Result>()({ param: schema, … })`: keys in positional order. */
const define =
  <R>() =>
  <const S extends Shape>(params: S): CommandDefinition<S, R> => ({ params });

export const COMMAND_DEFINITIONS = {
  // The proposal's interface.
  sendpartialpay: define<PartialPayment | Payment>()({
    route,
    payment_hash: hex32,
    intended_msatoshi: msatoshi,
    description: text.optional(),
    payment_secret: hex32.optional(),
    bolt11: bolt11.optional(),
  }),
  waitpartialpay: define<PartialPayment>()({ id: partId, timeout: seconds.optional() }),
  listpartialpayments: define<ListPartialPaymentsResult>()({ id: partId.optional(), payment_hash: hex32.optional() }),
  sendpay: define<Payment>()({
    route,
    payment_hash: hex32,
    description: text.optional(),
    msatoshi: msatoshi.optional(),
    payment_secret: hex32.optional(),
    bolt11: bolt11.optional(),
  }),
  waitsendpay: define<Payment>()({ payment_hash: hex32, timeout: seconds.optional() }),
  listpayments: define<ListPaymentsResult>()({ payment_hash: hex32.optional() }),
  // What the wallet adds.
  getinfo: define<GetInfoResult>()({}),
  listchannels: define<ListChannelsResult>()({}),
  decodepay: define<DecodePayResult>()({ bolt11 }),
  getroutes: define<GetRoutesResult>()({
    destination: nodeId,
    msatoshi,
    count: positiveInt(100).default(3),
    first_channel: scid.optional(),
    exclude: exclusions.optional(),
    final_cltv: finalCltv.optional(),
  }),
  buildroute: define<BuildRouteResult>()({
    hops: nodeIds,
    msatoshi,
    first_channel: scid.optional(),
    final_cltv: finalCltv.optional(),
  }),
  splitpay: define<SplitPayResult>()({
    bolt11,
    msatoshi: msatoshi.optional(),
    parts: positiveInt(100).optional(),
    maxfeepercent: percent.optional(),
    exemptfee: msatoshi.optional(),
    // What is still missing once earlier parts failed: the parts in flight are the planner's to count.
    missing_msatoshi: positiveMsatoshi.optional(),
  }),
  pay: define<Payment>()({
    bolt11,
    msatoshi: msatoshi.optional(),
    maxfeepercent: percent.optional(),
    exemptfee: msatoshi.optional(),
    max_parts: positiveInt(100).optional(),
    retry_for: seconds.default(60),
    /** The first plan: parts sent first, in order (required in manual mode). */
    plan: plan.optional(),
    mode: payMode.default('auto'),
  }),
  exportpayments: define<ExportPaymentsResult>()({
    format: exportFormat,
    path: nonEmptyText.optional(),
    since: unixTime.optional(),
    until: unixTime.optional(),
    status: status.optional(),
    /** Replace an existing file that is not an earlier export. */
    overwrite: flag.optional(),
    /** History's search: the payment's hash, destination (id or alias) or description holds this text. */
    search: text.optional(),
    /** The caller's name for this export, for exportprogress and cancelexport. */
    job: exportJob.optional(),
  }),
  testinvoice: define<TestInvoiceResult>()({
    msatoshi,
    description: text.optional(),
    merchant: nonEmptyText.default('bob'),
  }),
  subscribe: define<SubscriptionResult>()({ events }),
  unsubscribe: define<SubscriptionResult>()({ events }),
  stoppay: define<StopPayResult>()({ payment_hash: hex32 }),
  listnodes: define<ListNodesResult>()({ ids: nodeIdList.optional(), alias: nonEmptyText.optional() }),
  checkplan: define<CheckPlanResult>()({ bolt11, msatoshi: msatoshi.optional(), parts: plan }),
  // Issue 16: rebalance (a payment to ourselves out over sources, back over targets) and probe.
  planrebalance: define<PlanRebalanceResult>()(REBALANCE_PARAMS),
  rebalance: define<RebalanceResult>()({
    ...REBALANCE_PARAMS,
    retry_for: seconds.default(60),
    /** The first plan (planrebalance's parts, maybe edited): sent first, in order. */
    plan: plan.optional(),
  }),
  listrebalances: define<ListRebalancesResult>()({ payment_hash: hex32.optional() }),
  probe: define<ProbeResult>()({ parts: plan, bolt11: bolt11.optional() }),
  // The command list and each command's parameters (help.ts), as c-lightning's `help`.
  help: define<HelpResult>()({ command: nonEmptyText.optional() }),
  exportprogress: define<ExportProgressResult>()({ job: exportJob }),
  cancelexport: define<CancelExportResult>()({ job: exportJob }),
} satisfies Record<string, CommandDefinition>;

type Definitions = typeof COMMAND_DEFINITIONS;
export type CommandName = keyof Definitions;

type ParamsOf<S extends Shape> = z.output<z.ZodObject<S>>;
type ArgsOf<S extends Shape> = z.input<z.ZodObject<S>>;

/** What a handler receives: parsed, normalised, defaults applied. */
export type CommandParams = { [K in CommandName]: ParamsOf<Definitions[K]['params']> };
/** What a caller may send by name (amounts as number, bigint or decimal string). */
export type CommandArgs = { [K in CommandName]: ArgsOf<Definitions[K]['params']> };
/** What a command answers. */
export type CommandResult = {
  [K in CommandName]: Definitions[K] extends CommandDefinition<Shape, infer R> ? R : never;
};

export const COMMANDS = Object.keys(COMMAND_DEFINITIONS) as CommandName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(COMMAND_DEFINITIONS, name);
}

/** A command's parameter names in positional order. */
export function paramNames(name: CommandName): string[] {
  return Object.keys(COMMAND_DEFINITIONS[name].params);
}

/**
 * Checks and converts a command's params: positional (an array, in the listed order) or named (a plain object);
 * `undefined` for none. `null` counts as not given. Throws ApiError -32601 for an unknown command, -32602 naming
 * the field and the value for anything else wrong.
 */
export function parseParams<N extends CommandName>(name: N, params: unknown): CommandParams[N];
export function parseParams(name: string, params: unknown): CommandParams[CommandName];
export function parseParams(name: string, params: unknown): CommandParams[CommandName] {
  if (!isCommandName(name)) throw new ApiError(ErrorCode.MethodNotFound, `unknown command: ${name}`);
  const shape: Shape = COMMAND_DEFINITIONS[name].params;
  const names = Object.keys(shape);
  const given = new Map<string, unknown>();
  if (Array.isArray(params)) {
    if (params.length > names.length) {
      throw invalidParam(
        'params',
        params,
        `${name} takes at most ${names.length} parameter${names.length === 1 ? '' : 's'} (${names.join(', ') || 'none'}), ${params.length} given`,
      );
    }
    for (const [i, v] of params.entries()) given.set(names[i] as string, v);
  } else if (isPlainObject(params)) {
    for (const [key, v] of Object.entries(params)) {
      if (!Object.hasOwn(shape, key)) {
        throw invalidParam(key, v, `unknown parameter of ${name} (takes ${names.join(', ') || 'none'})`);
      }
      given.set(key, v);
    }
  } else if (params !== undefined && params !== null) {
    throw invalidParam('params', params, 'must be an array (by position) or an object (by name)');
  }

  const out: Record<string, unknown> = {};
  for (const key of names) {
    const schema = shape[key] as z.ZodType;
    let v = given.get(key);
    if (v === null) v = undefined;
    const result = schema.safeParse(v);
    if (!result.success) {
      if (v === undefined) throw invalidParam(key, v, 'missing required parameter');
      throw issueError(key, v, result.error);
    }
    if (result.data !== undefined) out[key] = result.data;
  }
  return out as CommandParams[CommandName];
}

/** The first issue as ApiError -32602, naming e.g. `route[1].msatoshi` and the value found there. */
function issueError(key: string, value: unknown, error: z.ZodError): ApiError {
  const issue = error.issues[0];
  if (!issue) return invalidParam(key, value, 'invalid');
  let field = key;
  let at: unknown = value;
  for (const segment of issue.path) {
    field += typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`;
    at = at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[segment] : undefined;
  }
  return invalidParam(field, at, at === undefined ? 'missing' : issue.message);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
