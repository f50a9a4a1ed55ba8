// The node in use: getinfo, our channels (listchannels), the connection state (`node` events) and the names we know
// for node ids.

import { create } from 'zustand';
import type { ChannelInfo, GetInfoResult } from '../../shared/api/results';
import type { NodeConnectionState } from '../../shared/types';
import { api, errorText } from './api';

export interface NodeStore {
  info?: GetInfoResult;
  infoError?: string;
  channels: ChannelInfo[];
  channelsError?: string;
  /** From `node` events; before the first one, what getinfo implies. */
  connection: NodeConnectionState | 'unknown';
  /** node id → alias. */
  aliases: Readonly<Record<string, string>>;
  /** The page lost its connection to the wallet itself (WebSocket closed). */
  transportError?: string;
  refreshInfo(): Promise<void>;
  refreshChannels(): Promise<void>;
  setConnection(state: NodeConnectionState): void;
  addAlias(id: string, alias: string): void;
  setTransportError(message: string): void;
  /**
   * Asks the core for the aliases of these node ids (listnodes), unless known or asked before: the ids asked within
   * one turn go in one call, so a screen or a plan costs one call, never one per hop.
   */
  requestNames(ids: readonly string[]): void;
  /** The ids of the nodes whose alias is `alias` (case-insensitive): the names known here, else listnodes. */
  lookupAlias(alias: string): Promise<string[]>;
}

function withAliases(aliases: Readonly<Record<string, string>>, entries: [string, string | undefined][]) {
  let next: Record<string, string> | undefined;
  for (const [id, alias] of entries) {
    if (!alias || aliases[id] === alias) continue;
    next ??= { ...aliases };
    next[id] = alias;
  }
  return next ?? aliases;
}

/** Names learned from test invoices (merchant → node id) are kept in the page's storage, for History. */
const ALIASES_KEY = 'braid.aliases';

function storedAliases(): Record<string, string> {
  try {
    const raw = globalThis.localStorage?.getItem(ALIASES_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter(([id, alias]) => /^0[23][0-9a-f]{64}$/.test(id) && typeof alias === 'string'),
    ) as Record<string, string>;
  } catch {
    return {};
  }
}

function storeAlias(id: string, alias: string): void {
  try {
    globalThis.localStorage?.setItem(ALIASES_KEY, JSON.stringify({ ...storedAliases(), [id]: alias }));
  } catch {
    // No storage (private window, tests): the name lasts this session.
  }
}

/** Ids already asked for (or on their way): asked once per page. */
const asked = new Set<string>();
let batch: string[] = [];

export const useNode = create<NodeStore>()((set, get) => ({
  channels: [],
  connection: 'unknown',
  aliases: storedAliases(),
  async refreshInfo() {
    try {
      const info = await api().call('getinfo');
      set((s) => ({
        info,
        infoError: undefined,
        connection: s.connection === 'unknown' ? 'connected' : s.connection,
        aliases: withAliases(s.aliases, [[info.id, info.alias]]),
      }));
    } catch (error) {
      set({ infoError: errorText(error) });
    }
  },
  async refreshChannels() {
    try {
      const { channels } = await api().call('listchannels');
      set((s) => ({
        channels,
        channelsError: undefined,
        aliases: withAliases(
          s.aliases,
          channels.map((c) => [c.peer_id, c.peer_alias]),
        ),
      }));
    } catch (error) {
      set({ channelsError: errorText(error) });
    }
  },
  setConnection(state) {
    const before = get().connection;
    set({ connection: state });
    if (state === 'connected' && before !== 'connected') {
      void get().refreshInfo();
      void get().refreshChannels();
    }
  },
  addAlias(id, alias) {
    set((s) => ({ aliases: withAliases(s.aliases, [[id, alias]]) }));
    storeAlias(id, alias);
  },
  setTransportError(message) {
    set({ transportError: message });
  },
  requestNames(ids) {
    const known = get().aliases;
    const fresh = ids.filter((id) => !known[id] && !asked.has(id));
    if (fresh.length === 0) return;
    for (const id of fresh) asked.add(id);
    if (batch.length === 0) {
      setTimeout(() => {
        const wanted = [...new Set(batch)];
        batch = [];
        if (wanted.length === 0) return;
        void api()
          .call('listnodes', { ids: wanted })
          .then(({ nodes }) =>
            set((s) => ({
              aliases: withAliases(
                s.aliases,
                nodes.map((n) => [n.id, n.alias]),
              ),
            })),
          )
          .catch(() => {
            // Asked again on the next screen that needs them.
            for (const id of wanted) asked.delete(id);
          });
      }, 0);
    }
    batch.push(...fresh);
  },
  async lookupAlias(alias) {
    const lower = alias.toLowerCase();
    const local = Object.entries(get().aliases)
      .filter(([, a]) => a.toLowerCase() === lower)
      .map(([id]) => id);
    if (local.length > 0) return local;
    const { nodes } = await api().call('listnodes', { alias });
    set((s) => ({
      aliases: withAliases(
        s.aliases,
        nodes.map((n) => [n.id, n.alias]),
      ),
    }));
    return nodes.map((n) => n.id);
  },
}));

/** Forgets which ids were asked for (tests). */
export function forgetAskedNames(): void {
  asked.clear();
  batch = [];
}

/** "Connected", "Connection lost", … */
export function connectionText(state: NodeStore['connection']): string {
  switch (state) {
    case 'connected':
      return 'Connected';
    case 'connecting':
      return 'Connecting…';
    case 'lost':
      return 'Connection lost';
    case 'locked':
      return 'Wallet locked';
    case 'unlocked':
      return 'Unlocked, not connected yet';
    default:
      return 'Not connected yet';
  }
}
