import { isEventName } from '../../../shared/api/events';
import { helpResult } from '../../../shared/api/help';
import { checkplan } from './checkplan';
import type { Handlers } from './context';
import { exportpayments } from './export';
import { cancelexport, exportprogress } from './export-jobs';
import { buildroute, decodepay, getinfo, getroutes, listchannels, testinvoice } from './node';
import { listnodes } from './nodes';
import { listpartialpayments, listpayments, sendpartialpay, sendpay, waitpartialpay, waitsendpay } from './parts';
import { pay, splitpay, stoppay } from './pay';
import { probe } from './probe';
import { listrebalances, planrebalance, rebalance } from './rebalance';

/** Each command has exactly one handler. */
export const HANDLERS: Handlers = {
  sendpartialpay,
  waitpartialpay,
  listpartialpayments,
  sendpay,
  waitsendpay,
  listpayments,
  getinfo,
  listchannels,
  decodepay,
  getroutes,
  buildroute,
  splitpay,
  pay,
  exportpayments,
  testinvoice,
  // Subscriptions live in each transport (they are per connection); the core only checks the names.
  subscribe: async (_ctx, p) => ({ events: p.events.filter(isEventName) }),
  unsubscribe: async (_ctx, p) => ({ events: p.events.filter(isEventName) }),
  stoppay,
  listnodes,
  checkplan,
  planrebalance,
  rebalance,
  listrebalances,
  probe,
  help: async (_ctx, p) => helpResult(p.command),
  exportprogress,
  cancelexport,
};
