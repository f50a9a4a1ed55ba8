import type { Browser, Page } from 'playwright-core';
import { addRebalanceChannels } from '../simnet/topology/rebalance';
import { type App, closeBrowser, launchBrowser, openApp } from './browser';
import { buildRenderer, type Stack, startStack } from './stack';

// The rebalance suites' app: the in-process browser harness on simnet's small network with alice's two nearly empty
// channels (simnet/topology/rebalance.ts), open in headless Chromium.

export interface RebalanceApp {
  stack: Stack;
  browser: Browser;
  app: App;
  page: Page;
}

export async function openRebalanceApp(): Promise<RebalanceApp> {
  const rendererDir = await buildRenderer();
  const [stack, browser] = await Promise.all([startStack({ rendererDir }), launchBrowser()]);
  addRebalanceChannels(stack.simnet.sim, 1);
  const app = await openApp(browser, stack.url, { defaultTimeoutMs: 30_000 });
  return { stack, browser, app, page: app.page };
}

export async function closeRebalanceApp(r: Partial<RebalanceApp> | undefined): Promise<void> {
  await closeBrowser(r?.app, r?.browser);
  await r?.stack?.stop();
}

/** Alice's side of each of her channels, msat, by the network's channel id, as the network holds it. */
export function ownBalances(stack: Stack): Map<bigint, bigint> {
  const net = stack.simnet.sim.net;
  const alice = net.nodeByAlias('alice')?.index;
  return new Map(
    net.channels
      .filter((c) => c.node1 === alice || c.node2 === alice)
      .map((c) => [c.id, c.node1 === alice ? c.balance[0] : c.balance[1]]),
  );
}
