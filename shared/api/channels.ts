// Electron IPC between the window and the main process: every channel name, the messages they carry and the one
// object the preload exposes as `window.braid`. Pure: names and types only. The commands themselves are
// COMMAND_DEFINITIONS (commands.ts), validated in the main process by parseParams as on every other transport.

import type { CommandArgs, CommandName, CommandResult } from './commands';
import type { ApiEvent, EventName } from './events';

/** Every IPC channel. Renderer → main ones are `ipcMain.handle` / `ipcRenderer.invoke`; main → renderer are `send`. */
export const IPC = {
  /** invoke(command, params) → IpcReply<result>. */
  call: 'braid:call',
  /** invoke(subscriptionId, events) → IpcReply<{ events }>; the events then arrive on `event`. */
  subscribe: 'braid:subscribe',
  /** invoke(subscriptionId) → IpcReply<{ removed }>. */
  unsubscribe: 'braid:unsubscribe',
  /** main → renderer: IpcEventMessage. */
  event: 'braid:event',
  /** main → renderer: OpenLinkMessage (a `lightning:` link or BOLT11 the OS handed to the app). */
  openLink: 'braid:open-link',
  /** invoke(pageId) → IpcReply<null>: this page listens on `openLink`; links that arrived before are sent now. */
  openLinkReady: 'braid:open-link-ready',
  /** invoke() → IpcReply<SettingsView>. */
  settingsGet: 'braid:settings:get',
  /** invoke(Partial<UiPrefs>) → IpcReply<SettingsView>. */
  settingsSetUi: 'braid:settings:set-ui',
  /** invoke(ProfileInput) → IpcReply<SettingsView>: adds (no id) or replaces (id) a connection profile. */
  settingsSaveProfile: 'braid:settings:save-profile',
  /** invoke(profileId) → IpcReply<SettingsView>. */
  settingsDeleteProfile: 'braid:settings:delete-profile',
  /** invoke(profileId) → IpcReply<SettingsView>: makes it the active connection; the app restarts onto it. */
  settingsActivateProfile: 'braid:settings:activate-profile',
  /** invoke(PaymentNotice) → IpcReply<{ shown }>: an OS notification, shown only when the window is not focused. */
  notify: 'braid:notify',
  /** main → renderer: ShowPaymentMessage (the user clicked a notification). */
  showPayment: 'braid:show-payment',
} as const;

export type IpcChannel = (typeof IPC)[keyof typeof IPC];

/** An error as every transport carries it (docs/commands.md "Error codes"). */
export interface IpcError {
  code: number;
  message: string;
  data?: unknown;
}

/**
 * What an `invoke` answers. Errors travel as data because Electron keeps only the message of an Error thrown in a
 * handler (and contextBridge only the message of an Error); a thrown Error means the request was refused outright
 * (a foreign frame).
 */
export type IpcReply<T> = { ok: true; result: T } | { ok: false; error: IpcError };

/** main → renderer on IPC.event: one core event for one subscription. */
export type IpcEventMessage = { subscription: string } & ApiEvent;

/** renderer → main on IPC.notify: a payment completed or failed while the user was elsewhere. */
export interface PaymentNotice {
  payment_hash: string;
  /** At most NOTICE_LIMITS.title characters. */
  title: string;
  /** At most NOTICE_LIMITS.body characters. */
  body: string;
}

export const NOTICE_LIMITS = { title: 120, body: 400 } as const;

/** main → renderer on IPC.showPayment. */
export interface ShowPaymentMessage {
  payment_hash: string;
}

/** main → renderer on IPC.openLink. */
export interface OpenLinkMessage {
  /** The BOLT11 invoice, lowercase, without `lightning:`. */
  bolt11: string;
}

export const UNITS = ['sat', 'msat'] as const;
export const THEMES = ['system', 'light', 'dark'] as const;

export interface UiPrefs {
  unit: (typeof UNITS)[number];
  theme: (typeof THEMES)[number];
}

/** The id of the built-in profile: the embedded simulated network. */
export const EMBEDDED_PROFILE_ID = 'embedded';

/** A connection profile as the window sees it: never a secret. */
export type ProfileSummary =
  | { id: typeof EMBEDDED_PROFILE_ID; name: string; kind: 'embedded' }
  | { id: string; name: string; kind: 'lndconnect'; host: string }
  | { id: string; name: string; kind: 'lnd'; host: string };

/** A profile as the window submits it; secrets go one way, into the main process, and are stored encrypted. */
export type ProfileInput =
  | { id?: string; name: string; kind: 'lndconnect'; uri: string }
  | { id?: string; name: string; kind: 'lnd'; host: string; cert: string; macaroon: string };

export interface SettingsView {
  ui: UiPrefs;
  profiles: ProfileSummary[];
  activeProfile: string;
  /** False when secrets are stored without real protection (Linux without a keyring: safeStorage `basic_text`). */
  secretsProtected: boolean;
  /** What to tell the user when `secretsProtected` is false. */
  secretsMessage?: string;
}

/**
 * `window.braid`: the only thing the preload gives the page. `call` and `subscribe` are the transport-neutral
 * command API (renderer/api/client.ts `BraidApi`); the rest is what only the desktop app has.
 */
export interface BraidBridge {
  /** Resolves with the result (amounts as bigint); rejects with a plain `{ code, message, data? }` (IpcError). */
  call<N extends CommandName>(command: N, params?: CommandArgs[N] | unknown[]): Promise<CommandResult[N]>;
  /** Returns the unsubscribe; `onError` hears a refused subscription (the listener is then already removed). */
  subscribe(events: EventName[], listener: (event: ApiEvent) => void, onError?: (error: IpcError) => void): () => void;
  /** Payment links the OS opened the app with (`lightning:` URLs, BOLT11), including any from before this call. */
  onOpenLink(listener: (link: OpenLinkMessage) => void): () => void;
  /** Shows an OS notification for a payment if the window is not focused; `shown` says whether it did. */
  notify(notice: PaymentNotice): Promise<{ shown: boolean }>;
  /** The payment whose notification the user clicked. */
  onShowPayment(listener: (message: ShowPaymentMessage) => void): () => void;
  settings: {
    get(): Promise<SettingsView>;
    setUi(prefs: Partial<UiPrefs>): Promise<SettingsView>;
    saveProfile(profile: ProfileInput): Promise<SettingsView>;
    deleteProfile(id: string): Promise<SettingsView>;
    /** Switches the connection: the app restarts onto the profile. */
    activateProfile(id: string): Promise<SettingsView>;
  };
}
