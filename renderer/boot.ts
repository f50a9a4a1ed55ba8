// Feeds the stores from the wallet: events first (so nothing between a listing and the subscription is lost), then
// getinfo, listchannels and listpayments. Payment links (Electron's `lightning:` handler, or `?lightning=` in the
// page URL) go to the Pay screen.

import type { ApiEvent } from '../shared/api/events';
import type { BraidApi } from './api';
import { api, setApi, withExclusiveCalls } from './stores/api';
import { useNode } from './stores/node';
import { watchPayments } from './stores/notices';
import { usePayments } from './stores/payments';
import { usePlanner } from './stores/planner';
import { useRebalances } from './stores/rebalances';
import { useUi } from './stores/ui';

let channelRefresh: ReturnType<typeof setTimeout> | undefined;

function onEvent(event: ApiEvent): void {
  switch (event.event) {
    case 'payment':
      usePayments.getState().applyPayments([event.data], true);
      useRebalances.getState().paymentChanged(event.data, useNode.getState().info?.id);
      break;
    case 'partialpayment':
      usePayments.getState().applyParts([event.data], true);
      if (event.data.status !== 'pending') {
        // Balances moved: refresh our channels once things settle.
        if (channelRefresh) clearTimeout(channelRefresh);
        channelRefresh = setTimeout(() => void useNode.getState().refreshChannels(), 300);
      }
      break;
    case 'node':
      useNode.getState().setConnection(event.data.state);
      break;
    case 'pay':
      usePayments.getState().applyPayEvent(event.data);
      break;
  }
}

export async function loadPayments(): Promise<void> {
  try {
    const { payments } = await api().call('listpayments');
    usePayments.getState().applyPayments(payments, false);
    usePayments.getState().setLoaded();
    // Which of them are rebalances (History marks them).
    void useRebalances.getState().load();
    // History names each receiver by alias, after a reload too: one listnodes for all of them.
    useNode.getState().requestNames([...new Set(payments.map((p) => p.destination))]);
  } catch (error) {
    usePayments.getState().setLoaded(error instanceof Error ? error.message : String(error));
  }
}

function hasHash(params: unknown): boolean {
  return typeof params === 'object' && params !== null && 'payment_hash' in params;
}

export function openLink(link: string): void {
  usePlanner.getState().setInvoiceText(link);
  useUi.getState().show('pay');
}

export function boot(braid: BraidApi): () => void {
  // listpayments (the whole history) goes alone on the wire; see withExclusiveCalls.
  setApi(withExclusiveCalls(braid, (name, params) => name === 'listpayments' && !hasHash(params)));
  const offNotices = watchPayments(braid);
  const off = braid.subscribe(['payment', 'partialpayment', 'node', 'pay'], onEvent);
  const ready = (braid as { ready?: Promise<void> }).ready;
  ready?.catch((error: unknown) =>
    useNode.getState().setTransportError(error instanceof Error ? error.message : String(error)),
  );
  // The subscribe request goes out on the next turn; list after it.
  setTimeout(() => {
    void Promise.all([useNode.getState().refreshInfo(), useNode.getState().refreshChannels()]).then(loadPayments);
  }, 0);
  let offLinks: (() => void) | undefined;
  const bridge = globalThis.window?.braid;
  if (bridge && 'onOpenLink' in bridge && typeof bridge.onOpenLink === 'function') {
    offLinks = bridge.onOpenLink((link) => openLink(link.bolt11));
  }
  const fromUrl = new URLSearchParams(globalThis.location?.search ?? '').get('lightning');
  if (fromUrl) openLink(fromUrl);
  return () => {
    off();
    offLinks?.();
    offNotices();
  };
}
