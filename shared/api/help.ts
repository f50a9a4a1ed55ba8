// The command reference: one help entry per command, typed by the command table, so that a command or a parameter
// without help fails the typecheck. The `help` command answers from it, and docs/commands.md is generated from it
// (`npm run docs:commands`; a test keeps the two in sync). Required/optional and schema defaults come from
// COMMAND_DEFINITIONS itself; defaults a handler applies are written here from shared/policy.ts.

import {
  DEFAULT_EXEMPT_FEE_MSAT,
  DEFAULT_FINAL_CLTV,
  DEFAULT_MAX_FEE_PERCENT,
  DEFAULT_MAX_PARTS,
  FINAL_CLTV_MARGIN,
} from '../policy';
import { COMMAND_DEFINITIONS, COMMANDS, type CommandName, isCommandName, paramNames } from './commands';
import { ErrorCode, invalidParam } from './errors';
import { EVENTS } from './events';
import { REBALANCE_HELP, REBALANCE_TYPES } from './help-rebalance';
import type { HelpEntry, HelpParam, HelpResult } from './results';

type Definitions = typeof COMMAND_DEFINITIONS;
type ParamName<N extends CommandName> = Extract<keyof Definitions[N]['params'], string>;

export interface ParamHelp {
  /** The value's type in words: `msatoshi`, `hex32`, `route`, `string`… (TYPES below says what each is). */
  type: keyof typeof TYPES;
  description: string;
  /** A default the handler applies (the schema's own defaults are read from it). */
  default?: string;
}

export interface CommandHelp<N extends CommandName = CommandName> {
  /** One line, for the command list. */
  summary: string;
  /** The rules, when a line is not enough. */
  description?: string;
  params: { [P in ParamName<N>]: ParamHelp };
  result: string;
  /** The codes this command answers with beyond -32602 and -1 (which any command may), and when. */
  errors?: readonly { code: number; when: string }[];
}

/** The parameter types, as the reference names them. */
export const TYPES = {
  msatoshi: 'integer millisatoshi: a JSON number up to 2^53-1 or a decimal string up to 2^64-1, never a fraction',
  hex32: '64 hex characters (a hash, secret or preimage)',
  'node id': '66 hex characters, a compressed public key (02… or 03…)',
  'node ids': 'array of node ids, at least one',
  channel: 'short channel id BLOCKxTXxOUTPUT',
  exclusions: 'array of channels BLOCKxTXxOUT/DIR (direction 0 or 1) or node ids',
  route: "array of hops in c-lightning's format: {id, channel, direction?, msatoshi, delay}",
  bolt11: 'BOLT11 invoice (ln…; a lightning: prefix is dropped)',
  string: 'text',
  'non-empty string': 'text of at least one character',
  integer: 'positive integer (a JSON number or a decimal string)',
  seconds: 'non-negative number of seconds (fractions allowed)',
  percent: 'number from 0 to 100',
  'unix time': 'Unix time in seconds',
  format: "'csv' or 'json'",
  status: "'pending', 'complete' or 'failed'",
  events: `an event name or an array of them: ${EVENTS.join(', ')}`,
  plan: 'array of parts {route}, at least one, each route as sendpartialpay takes it',
  mode: "'auto' or 'manual'",
  'node id list': 'array of node ids',
  boolean: 'true or false',
  job: '1 to 64 letters, digits, - or _',
  ...REBALANCE_TYPES,
} as const;

const NOT_FOUND = { code: ErrorCode.NotFound, when: 'no such partial payment or payment' };
const WAIT_TIMEOUT = { code: ErrorCode.InProgress, when: 'the timeout passed first (the current object in `data`)' };
const defaultFee = `${DEFAULT_MAX_FEE_PERCENT}`;
const defaultExempt = `${DEFAULT_EXEMPT_FEE_MSAT} (${DEFAULT_EXEMPT_FEE_MSAT / 1000n} sat)`;

export const COMMAND_HELP: { [N in CommandName]: CommandHelp<N> } = {
  sendpartialpay: {
    summary: 'Send one part of a payment over the given route; returns the new partial payment, pending.',
    description:
      'The proposal’s rules: with no payment of this hash one is created for `intended_msatoshi`; an `intended_msatoshi` ' +
      'that differs from the payment’s fails and changes nothing; a complete payment is returned at once (no part is ' +
      'created); a failed one becomes pending again. The part plus the parts pending or complete must not exceed ' +
      '`intended_msatoshi`; the last hop must be the payment’s destination; the payment secret (or `bolt11`) is ' +
      'required for the first part. The part is on disk before its HTLC leaves; the call returns once the node has it.',
    params: {
      route: { type: 'route', description: 'the path of this part; its last hop’s msatoshi is what the part delivers' },
      payment_hash: { type: 'hex32', description: 'the payment this part belongs to' },
      intended_msatoshi: { type: 'msatoshi', description: 'the whole payment’s amount, the same for every part' },
      description: { type: 'string', description: 'a label for the payment' },
      payment_secret: { type: 'hex32', description: 'the invoice’s payment secret (required for the first part)' },
      bolt11: {
        type: 'bolt11',
        description: 'the invoice: supplies the secret and destination, kept with the payment',
      },
    },
    result: 'the partial payment (status pending), or the payment when it is already complete',
    errors: [
      { code: ErrorCode.InProgress, when: 'the part would pay more than `intended_msatoshi`' },
      { code: ErrorCode.Mismatch, when: 'the destination or the payment secret differs from the payment’s' },
    ],
  },
  waitpartialpay: {
    summary: 'Wait until a partial payment is no longer pending; returns it.',
    params: {
      id: { type: 'integer', description: 'the partial payment' },
      timeout: { type: 'seconds', description: 'how long to wait', default: 'wait as long as it takes' },
    },
    result: 'the partial payment: complete with payment_preimage, or failed with failure',
    errors: [WAIT_TIMEOUT, NOT_FOUND],
  },
  listpartialpayments: {
    summary: 'List partial payments: all, one id, or those of one payment hash.',
    params: {
      id: { type: 'integer', description: 'only this partial payment' },
      payment_hash: { type: 'hex32', description: 'only the parts of this payment' },
    },
    result: '{ partialpayments: [...] }, ascending id',
  },
  sendpay: {
    summary: 'Send a whole payment over one route, tracked as one partial payment; returns the payment.',
    description:
      'A pending payment of this hash fails with 200 and nothing changes; a complete one is returned at once; a ' +
      'failed one becomes pending again and is sent.',
    params: {
      route: { type: 'route', description: 'the path; its last hop’s msatoshi is the amount delivered' },
      payment_hash: { type: 'hex32', description: 'the payment' },
      description: { type: 'string', description: 'a label for the payment' },
      msatoshi: { type: 'msatoshi', description: 'when given, must equal the route’s delivered amount' },
      payment_secret: { type: 'hex32', description: 'the invoice’s payment secret (sent as an MPP record)' },
      bolt11: { type: 'bolt11', description: 'the invoice' },
    },
    result: 'the payment',
    errors: [
      { code: ErrorCode.InProgress, when: 'the payment is already pending' },
      { code: ErrorCode.Mismatch, when: 'the destination or the payment secret differs from the payment’s' },
    ],
  },
  waitsendpay: {
    summary: 'Wait until a payment is no longer pending; returns it.',
    params: {
      payment_hash: { type: 'hex32', description: 'the payment' },
      timeout: { type: 'seconds', description: 'how long to wait', default: 'wait as long as it takes' },
    },
    result: 'the payment',
    errors: [WAIT_TIMEOUT, NOT_FOUND],
  },
  listpayments: {
    summary: 'List payments, oldest first, or the one of a payment hash.',
    params: { payment_hash: { type: 'hex32', description: 'only this payment' } },
    result: '{ payments: [...] }, oldest first',
  },
  getinfo: {
    summary: 'The node: id, alias, network, block height, active channels, version, and whether it is simulated.',
    params: {},
    result: '{ id, alias, network, blockheight, num_active_channels, simulated, version }',
  },
  listchannels: {
    summary: 'Our channels with their balances.',
    params: {},
    result:
      '{ channels: [{ channel, peer_id, peer_alias, capacity_msatoshi, local_msatoshi, remote_msatoshi, active }] }',
  },
  decodepay: {
    summary: 'Decode a BOLT11 invoice.',
    params: { bolt11: { type: 'bolt11', description: 'the invoice' } },
    result:
      '{ payment_hash, payment_secret, msatoshi (absent when amountless), destination, description, created_at, ' +
      'expiry, min_final_cltv_expiry, features: { mpp }, route_hints }',
  },
  getroutes: {
    summary: 'Candidate routes to a node for an amount, with fee, delay and estimated probability.',
    params: {
      destination: { type: 'node id', description: 'where the routes lead' },
      msatoshi: { type: 'msatoshi', description: 'the amount to deliver' },
      count: { type: 'integer', description: 'how many routes, at most (up to 100)' },
      first_channel: { type: 'channel', description: 'the channel every route must leave by' },
      exclude: { type: 'exclusions', description: 'channel directions and nodes to avoid' },
      final_cltv: {
        type: 'integer',
        description: 'the final CLTV delta (up to 65535)',
        default: `${DEFAULT_FINAL_CLTV} (LND's 80 plus ${FINAL_CLTV_MARGIN})`,
      },
    },
    result: '{ routes: [{ route, fee_msatoshi, delay, probability }] }',
  },
  buildroute: {
    summary: 'A route through the given nodes, fees and delays from the channel policies.',
    params: {
      hops: { type: 'node ids', description: 'the nodes to pass, first hop first, the wallet’s own node left out' },
      msatoshi: { type: 'msatoshi', description: 'the amount to deliver' },
      first_channel: { type: 'channel', description: 'the channel to leave by' },
      final_cltv: {
        type: 'integer',
        description: 'the final CLTV delta (up to 65535)',
        default: `${DEFAULT_FINAL_CLTV} (LND's 80 plus ${FINAL_CLTV_MARGIN})`,
      },
    },
    result: '{ route }',
  },
  splitpay: {
    summary: 'Propose a split of an invoice’s payment into parts with routes; sends nothing.',
    description:
      'Planned by the min-cost-flow planner over the node’s graph, our exact channel balances, the parts in flight and ' +
      'what earlier outcomes taught.',
    params: {
      bolt11: { type: 'bolt11', description: 'the invoice' },
      msatoshi: { type: 'msatoshi', description: 'the amount, for an invoice without one (must match otherwise)' },
      parts: { type: 'integer', description: 'the most parts (up to 100)', default: `${DEFAULT_MAX_PARTS}` },
      maxfeepercent: { type: 'percent', description: 'the fee limit, in percent of the amount', default: defaultFee },
      exemptfee: { type: 'msatoshi', description: 'fees up to this are always accepted', default: defaultExempt },
      missing_msatoshi: {
        type: 'msatoshi',
        description:
          'plan only what is still missing once earlier parts failed (positive, at most the amount), around the ' +
          'parts in flight',
        default: 'the whole amount',
      },
    },
    result: '{ parts: [{ route, msatoshi, fee_msatoshi, probability }], fee_msatoshi, probability }',
    errors: [{ code: ErrorCode.PayGaveUp, when: 'no plan within the limits' }],
  },
  pay: {
    summary: 'Pay an invoice: split, send every part, re-plan what fails, until complete or retry_for runs out.',
    description:
      'Re-plans only what is missing, first with half the free part slots; gives up at once when nothing is out and ' +
      'no plan exists.',
    params: {
      bolt11: { type: 'bolt11', description: 'the invoice' },
      msatoshi: { type: 'msatoshi', description: 'the amount, for an invoice without one (must match otherwise)' },
      maxfeepercent: { type: 'percent', description: 'the fee limit, in percent of the amount', default: defaultFee },
      exemptfee: { type: 'msatoshi', description: 'fees up to this are always accepted', default: defaultExempt },
      max_parts: {
        type: 'integer',
        description: 'the most parts at once (up to 100)',
        default: `${DEFAULT_MAX_PARTS}`,
      },
      retry_for: { type: 'seconds', description: 'how long to keep trying' },
      plan: {
        type: 'plan',
        description:
          'the first plan: the parts the user saw or edited (e.g. splitpay’s), sent first, in order; its fees count ' +
          'in the fee limit',
      },
      mode: {
        type: 'mode',
        description:
          'auto: after the plan, re-plan what is missing until complete; manual: send exactly `plan` (required) and ' +
          're-plan nothing',
        default: "'auto'",
      },
    },
    result: 'the payment (complete)',
    errors: [
      {
        code: ErrorCode.PayGaveUp,
        when:
          'gave up: no plan exists, or retry_for ran out; in manual mode, a part failed and the amount is missing ' +
          '(the payment, still open, in `data`)',
      },
      { code: ErrorCode.DestinationRefused, when: 'the receiver refused the payment for good (no route changes that)' },
      { code: ErrorCode.PayStopped, when: 'stopped by stoppay (parts in flight resolve as the network decides)' },
      { code: ErrorCode.InProgress, when: 'another pay of this payment is running' },
    ],
  },
  exportpayments: {
    summary: 'Write the payment history, payments and their parts, as CSV or JSON.',
    params: {
      format: { type: 'format', description: 'the file format' },
      path: {
        type: 'non-empty string',
        description: 'the file to write',
        default: 'DATA_DIR/exports/payments-TIME.FORMAT',
      },
      since: { type: 'unix time', description: 'only payments created at or after this time' },
      until: { type: 'unix time', description: 'only payments created before this time' },
      status: { type: 'status', description: 'only payments in this status' },
      overwrite: {
        type: 'boolean',
        description: 'replace an existing file that is not an earlier export',
        default: 'false',
      },
      search: {
        type: 'string',
        description: 'History’s search: the payment’s hash, destination id or alias, or description holds this text',
      },
      job: {
        type: 'job',
        description: 'the caller’s name for this export, to follow it (exportprogress) or stop it (cancelexport)',
      },
    },
    result: '{ path, payments, partialpayments }: the file and how many of each it holds',
    errors: [{ code: ErrorCode.ExportCancelled, when: 'cancelled by cancelexport (no file is left)' }],
  },
  testinvoice: {
    summary: 'On the simulated network: an invoice from one of its merchants.',
    params: {
      msatoshi: { type: 'msatoshi', description: 'the amount' },
      description: { type: 'string', description: 'the invoice’s description' },
      merchant: { type: 'non-empty string', description: 'bob, carol or dave' },
    },
    result: '{ bolt11, merchant }',
    errors: [{ code: ErrorCode.Internal, when: 'not on the simulated network' }],
  },
  subscribe: {
    summary: 'Receive events as notifications on this connection: partialpayment, payment, node.',
    params: { events: { type: 'events', description: 'the events to receive' } },
    result: '{ events }: every event subscribed to after the call',
  },
  unsubscribe: {
    summary: 'Stop receiving events on this connection.',
    params: { events: { type: 'events', description: 'the events to stop' } },
    result: '{ events }: every event still subscribed to',
  },
  exportprogress: {
    summary: 'Where an export named by its job stands: payments looked at, of how many, and written.',
    params: { job: { type: 'job', description: 'the export’s name, as exportpayments was given it' } },
    result: '{ job, state: running|done|cancelled|failed|unknown, scanned, total, payments }',
  },
  cancelexport: {
    summary: 'Stop an export under way: it answers 220 and leaves no file.',
    params: { job: { type: 'job', description: 'the export’s name, as exportpayments was given it' } },
    result: '{ job, cancelled }: cancelled is false when no export of that name was running',
  },
  stoppay: {
    summary: 'Stop a running pay: no new part of the payment leaves; parts in flight resolve as the network decides.',
    params: { payment_hash: { type: 'hex32', description: 'the payment whose pay to stop' } },
    result: '{ payment_hash, stopped, pending_parts }: stopped is false when no pay was running',
  },
  listnodes: {
    summary: 'Name nodes by their alias from the graph the planner keeps (cached).',
    params: {
      ids: { type: 'node id list', description: 'only these nodes (unknown ones are left out)' },
      alias: { type: 'non-empty string', description: 'only nodes with this alias, case aside' },
    },
    result: '{ nodes: [{ id, alias, color }] }',
  },
  checkplan: {
    summary: 'The planner’s probability and fees for exactly these parts, and the channels they overdraw.',
    params: {
      bolt11: { type: 'bolt11', description: 'the invoice the parts pay' },
      msatoshi: { type: 'msatoshi', description: 'the amount, for an invoice without one' },
      parts: { type: 'plan', description: 'the parts to check' },
    },
    result:
      '{ probability, fee_msatoshi, parts: [{ probability, fee_msatoshi }], overdrawn: [{ channel, from, ' +
      'asked_msatoshi, available_msatoshi }] }',
  },
  ...REBALANCE_HELP,
  help: {
    summary: 'The commands with a line each; `help COMMAND` gives its parameters, result and errors.',
    params: { command: { type: 'non-empty string', description: 'the command to describe' } },
    result: '{ help: [{ command, summary }] }; for one command also description, params, result, errors',
    errors: [{ code: ErrorCode.InvalidParams, when: 'no such command' }],
  },
};

/** Errors any command may answer. */
export const COMMON_ERRORS: { code: number; when: string }[] = [
  { code: ErrorCode.ParseError, when: 'not JSON (JSON-RPC only)' },
  { code: ErrorCode.InvalidRequest, when: 'not a JSON-RPC 2.0 request' },
  { code: ErrorCode.MethodNotFound, when: 'unknown command' },
  {
    code: ErrorCode.InvalidParams,
    when: 'bad parameters: missing, unknown, wrong type or value (the message names it)',
  },
  { code: ErrorCode.Internal, when: 'the node is not connected, or an internal error' },
];

function formatDefault(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}

/** A command's parameters in positional order, with what the schemas say (required, default) and the help's words. */
export function commandParams(name: CommandName): HelpParam[] {
  const shape = COMMAND_DEFINITIONS[name].params as Record<
    string,
    { safeParse(v: unknown): { success: boolean; data?: unknown } }
  >;
  const help = COMMAND_HELP[name].params as Record<string, ParamHelp>;
  return paramNames(name).map((param, position) => {
    const schema = shape[param];
    const words = help[param] as ParamHelp;
    const absent = schema?.safeParse(undefined);
    const out: HelpParam = {
      name: param,
      position,
      type: words.type,
      required: !absent?.success,
      description: words.description,
    };
    const fallback = absent?.success && absent.data !== undefined ? formatDefault(absent.data) : words.default;
    if (fallback !== undefined) out.default = fallback;
    return out;
  });
}

/** `pay bolt11 [msatoshi] …`: required parameters bare, optional ones in brackets. */
export function usage(name: CommandName): string {
  return [name, ...commandParams(name).map((p) => (p.required ? p.name : `[${p.name}]`))].join(' ');
}

/** The `help` command's answer: every command with its summary, or one command in full. */
export function helpResult(command?: string): HelpResult {
  if (command === undefined) {
    return { help: COMMANDS.map((name) => ({ command: usage(name), summary: COMMAND_HELP[name].summary })) };
  }
  if (!isCommandName(command)) throw invalidParam('command', command, 'no such command (`help` lists them)');
  const help: CommandHelp = COMMAND_HELP[command];
  const entry: HelpEntry = { command: usage(command), summary: help.summary };
  if (help.description) entry.description = help.description;
  entry.params = commandParams(command);
  entry.result = help.result;
  entry.errors = [...(help.errors ?? [])];
  return { help: [entry] };
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The generated part of docs/commands.md: every command, then the parameter types and the error codes. */
export function commandsMarkdown(): string {
  const out: string[] = [];
  out.push('| command | what it does |', '| --- | --- |');
  for (const name of COMMANDS) out.push(`| [\`${name}\`](#${name}) | ${cell(COMMAND_HELP[name].summary)} |`);
  for (const name of COMMANDS) {
    const help: CommandHelp = COMMAND_HELP[name];
    out.push('', `### ${name}`, '', `\`${usage(name)}\``, '', help.summary);
    if (help.description) out.push('', help.description);
    const params = commandParams(name);
    if (params.length === 0) out.push('', 'No parameters.');
    else {
      out.push('', '| # | parameter | type | required | default | meaning |', '| --- | --- | --- | --- | --- | --- |');
      for (const p of params) {
        out.push(
          `| ${p.position} | \`${p.name}\` | ${p.type} | ${p.required ? 'yes' : 'no'} | ${cell(p.default ?? '')} | ${cell(p.description)} |`,
        );
      }
    }
    out.push('', `**Result:** ${cell(help.result)}`);
    const errors = help.errors ?? [];
    if (errors.length > 0) {
      out.push('', `**Errors:** ${errors.map((e) => `${e.code}: ${e.when}`).join('; ')}.`);
    }
  }
  out.push('', '## Parameter types', '', '| type | what it is |', '| --- | --- |');
  for (const [type, what] of Object.entries(TYPES)) out.push(`| ${type} | ${cell(what)} |`);
  out.push('', '## Error codes', '', 'Any command may answer these; each command above lists its own as well.', '');
  out.push('| code | when |', '| --- | --- |');
  for (const e of COMMON_ERRORS) out.push(`| ${e.code} | ${cell(e.when)} |`);
  return `${out.join('\n')}\n`;
}
