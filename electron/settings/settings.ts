import { randomUUID } from 'node:crypto';
import {
  EMBEDDED_PROFILE_ID,
  type ProfileSummary,
  type SettingsView,
  THEMES,
  type UiPrefs,
  UNITS,
} from '../../shared/api/channels';
import { ApiError, ErrorCode } from '../../shared/api/errors';
import { type NodeConfig, NodeConfigError, parseLndconnect, resolveLndCredentials } from '../core/node/config';
import type { SettingsPort } from '../ipc/handlers';
import type { SecretBox } from './secret-box';

// The desktop app's settings: connection profiles (the embedded simulated network, built in and the default; LND by
// lndconnect URI or host + certificate + macaroon) and UI preferences. Kept in a JSON file through electron-store
// in the app, `conf` (the same store without Electron) in tests; the file is checked against SETTINGS_SCHEMA on every
// write and load. Secrets are encrypted by a SecretBox (safeStorage) and stored as base64, never in clear; nothing
// secret ever leaves this module except as the NodeConfig the core is started with.

/** The part of electron-store / conf used: whole top-level keys. */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** A secret as stored: base64 of what the SecretBox produced. */
type Sealed = string;

type StoredProfile =
  | { id: string; name: string; kind: 'lndconnect'; host: string; secrets: { uri: Sealed } }
  | { id: string; name: string; kind: 'lnd'; host: string; secrets: { cert: Sealed; macaroon: Sealed } };

export interface StoredSettings {
  ui: UiPrefs;
  activeProfile: string;
  profiles: StoredProfile[];
}

export const DEFAULT_UI: Readonly<UiPrefs> = Object.freeze({ unit: 'sat', theme: 'system' });

export const SETTINGS_DEFAULTS: Readonly<StoredSettings> = Object.freeze({
  ui: DEFAULT_UI,
  activeProfile: EMBEDDED_PROFILE_ID,
  profiles: [],
});

export const MAX_PROFILES = 32;
const MAX_NAME = 64;
const ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const SEALED = { type: 'string', minLength: 16, maxLength: 65536, pattern: '^[A-Za-z0-9+/]+={0,2}$' } as const;
const PROFILE_BASE = {
  id: { type: 'string', pattern: ID_PATTERN, not: { const: EMBEDDED_PROFILE_ID } },
  name: { type: 'string', minLength: 1, maxLength: MAX_NAME },
  host: { type: 'string', minLength: 1, maxLength: 300 },
} as const;

/**
 * The JSON schema of the settings file (conf's `schema`: one schema per top-level key). Secrets can only be base64
 * strings under `secrets`; there is no field where a macaroon or a URI could be kept in clear.
 */
export const SETTINGS_SCHEMA = {
  ui: {
    type: 'object',
    properties: { unit: { enum: [...UNITS] }, theme: { enum: [...THEMES] } },
    required: ['unit', 'theme'],
    additionalProperties: false,
  },
  activeProfile: { type: 'string', pattern: ID_PATTERN },
  profiles: {
    type: 'array',
    maxItems: MAX_PROFILES,
    items: {
      oneOf: [
        {
          type: 'object',
          properties: {
            ...PROFILE_BASE,
            kind: { const: 'lndconnect' },
            secrets: {
              type: 'object',
              properties: { uri: SEALED },
              required: ['uri'],
              additionalProperties: false,
            },
          },
          required: ['id', 'name', 'kind', 'host', 'secrets'],
          additionalProperties: false,
        },
        {
          type: 'object',
          properties: {
            ...PROFILE_BASE,
            kind: { const: 'lnd' },
            secrets: {
              type: 'object',
              properties: { cert: SEALED, macaroon: SEALED },
              required: ['cert', 'macaroon'],
              additionalProperties: false,
            },
          },
          required: ['id', 'name', 'kind', 'host', 'secrets'],
          additionalProperties: false,
        },
      ],
    },
  },
} as const;

/** Options for `new Store(…)` (electron-store) and `new Conf(…)` alike; add `cwd`/`projectName` for conf. */
export const SETTINGS_STORE_OPTIONS = {
  schema: SETTINGS_SCHEMA,
  defaults: SETTINGS_DEFAULTS,
  /** A file that fails the schema stops the app rather than being wiped: it holds the user's connections. */
  clearInvalidConfig: false,
  accessPropertiesByDotNotation: false,
} as const;

export const BASIC_TEXT_MESSAGE =
  'No system keyring (GNOME Keyring or KWallet) is available, so the macaroon and certificate of your node are ' +
  'stored with a built-in key that anyone able to read your files can undo. Install or unlock a keyring, restart ' +
  'Braid, then enter the connection again.';
export const UNAVAILABLE_MESSAGE =
  'This system cannot encrypt secrets, so connections that need a macaroon cannot be saved.';

const bad = (field: string, why: string) => new ApiError(ErrorCode.InvalidParams, `${field}: ${why}`);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(input: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) throw bad(key, `unknown field of ${what} (takes ${allowed.join(', ')})`);
  }
}

/** A profile id or name from the window; secrets are never echoed back in an error. */
function text(input: Record<string, unknown>, field: string, max: number): string {
  const value = input[field];
  if (typeof value !== 'string' || value.trim() === '') throw bad(field, 'must be a non-empty string');
  if (value.length > max) throw bad(field, `at most ${max} characters`);
  return value.trim();
}

function asConfigError(error: unknown): never {
  if (error instanceof NodeConfigError) throw new ApiError(ErrorCode.InvalidParams, error.message);
  throw error;
}

export class Settings implements SettingsPort {
  constructor(
    private readonly store: KeyValueStore,
    private readonly box: SecretBox,
  ) {}

  private ui(): UiPrefs {
    const stored = this.store.get('ui');
    const ui = isRecord(stored) ? stored : {};
    return {
      unit: (UNITS as readonly unknown[]).includes(ui.unit) ? (ui.unit as UiPrefs['unit']) : DEFAULT_UI.unit,
      theme: (THEMES as readonly unknown[]).includes(ui.theme) ? (ui.theme as UiPrefs['theme']) : DEFAULT_UI.theme,
    };
  }

  private profiles(): StoredProfile[] {
    const stored = this.store.get('profiles');
    return Array.isArray(stored) ? (stored as StoredProfile[]) : [];
  }

  private activeId(): string {
    const id = this.store.get('activeProfile');
    return typeof id === 'string' && this.profiles().some((p) => p.id === id) ? id : EMBEDDED_PROFILE_ID;
  }

  /** Whether secrets are really protected, and what to tell the user when they are not. */
  async secretsStatus(): Promise<{ secretsProtected: boolean; backend: string; message?: string }> {
    const backend = this.box.backend();
    if (!(await this.box.isAvailable())) return { secretsProtected: false, backend, message: UNAVAILABLE_MESSAGE };
    if (backend === 'basic_text') return { secretsProtected: false, backend, message: BASIC_TEXT_MESSAGE };
    return { secretsProtected: true, backend };
  }

  /** Everything the window may see: no secret. */
  async view(): Promise<SettingsView> {
    const profiles: ProfileSummary[] = [
      { id: EMBEDDED_PROFILE_ID, name: 'Simulated network (built in)', kind: 'embedded' },
      ...this.profiles().map(({ id, name, kind, host }) => ({ id, name, kind, host }) as ProfileSummary),
    ];
    const status = await this.secretsStatus();
    return {
      ui: this.ui(),
      profiles,
      activeProfile: this.activeId(),
      secretsProtected: status.secretsProtected,
      ...(status.message ? { secretsMessage: status.message } : {}),
    };
  }

  async setUi(prefs: unknown): Promise<SettingsView> {
    if (!isRecord(prefs)) throw bad('prefs', 'must be an object');
    checkKeys(prefs, ['unit', 'theme'], 'the UI preferences');
    const ui = this.ui();
    if (prefs.unit !== undefined) {
      if (!(UNITS as readonly unknown[]).includes(prefs.unit)) throw bad('unit', `must be ${UNITS.join(' or ')}`);
      ui.unit = prefs.unit as UiPrefs['unit'];
    }
    if (prefs.theme !== undefined) {
      if (!(THEMES as readonly unknown[]).includes(prefs.theme)) throw bad('theme', `must be ${THEMES.join(', ')}`);
      ui.theme = prefs.theme as UiPrefs['theme'];
    }
    this.store.set('ui', ui);
    return this.view();
  }

  private async seal(secret: string): Promise<Sealed> {
    return Buffer.from(await this.box.encrypt(secret)).toString('base64');
  }

  /**
   * Adds a profile (no `id`) or replaces one. The input is checked the way the core will use it: an lndconnect URI
   * is parsed; a certificate and a macaroon given as file paths are read now, and their content is what is stored
   * (encrypted), so the profile does not depend on those files later.
   */
  async saveProfile(input: unknown): Promise<SettingsView> {
    if (!isRecord(input)) throw bad('profile', 'must be an object');
    const profiles = this.profiles();
    let id: string;
    if (input.id === undefined) {
      if (profiles.length >= MAX_PROFILES) throw bad('profile', `at most ${MAX_PROFILES} profiles`);
      id = randomUUID();
    } else {
      id = text(input, 'id', 64);
      if (id === EMBEDDED_PROFILE_ID) throw bad('id', 'the built-in profile cannot be changed');
      if (!profiles.some((p) => p.id === id)) throw new ApiError(ErrorCode.NotFound, `id: no profile ${id}`);
    }
    const name = text(input, 'name', MAX_NAME);
    if (!(await this.box.isAvailable())) throw new ApiError(ErrorCode.Internal, UNAVAILABLE_MESSAGE);

    let profile: StoredProfile;
    if (input.kind === 'lndconnect') {
      checkKeys(input, ['id', 'name', 'kind', 'uri'], 'an lndconnect profile');
      if (typeof input.uri !== 'string' || input.uri.trim() === '') throw bad('uri', 'must be an lndconnect:// URI');
      const uri = input.uri.trim();
      let host: string;
      try {
        host = parseLndconnect(uri).host;
      } catch (error) {
        asConfigError(error);
      }
      profile = { id, name, kind: 'lndconnect', host, secrets: { uri: await this.seal(uri) } };
    } else if (input.kind === 'lnd') {
      checkKeys(input, ['id', 'name', 'kind', 'host', 'cert', 'macaroon'], 'an LND profile');
      for (const field of ['host', 'cert', 'macaroon'] as const) {
        if (typeof input[field] !== 'string' || (input[field] as string).trim() === '') {
          throw bad(field, 'must be a non-empty string');
        }
      }
      let credentials: ReturnType<typeof resolveLndCredentials>;
      try {
        credentials = resolveLndCredentials({
          kind: 'lnd',
          host: input.host as string,
          cert: input.cert as string,
          macaroon: input.macaroon as string,
        });
      } catch (error) {
        asConfigError(error);
      }
      profile = {
        id,
        name,
        kind: 'lnd',
        host: credentials.host,
        secrets: {
          cert: await this.seal(credentials.certPem ?? ''),
          macaroon: await this.seal(credentials.macaroonHex),
        },
      };
    } else {
      throw bad('kind', `must be "lndconnect" or "lnd" (got ${JSON.stringify(input.kind)})`);
    }
    const index = profiles.findIndex((p) => p.id === id);
    if (index >= 0) profiles[index] = profile;
    else profiles.push(profile);
    this.store.set('profiles', profiles);
    return this.view();
  }

  async deleteProfile(id: unknown): Promise<SettingsView> {
    if (id === EMBEDDED_PROFILE_ID) throw bad('id', 'the built-in profile cannot be deleted');
    const profiles = this.profiles();
    const remaining = profiles.filter((p) => p.id !== id);
    if (remaining.length === profiles.length) throw new ApiError(ErrorCode.NotFound, `id: no profile ${String(id)}`);
    if (this.store.get('activeProfile') === id) this.store.set('activeProfile', EMBEDDED_PROFILE_ID);
    this.store.set('profiles', remaining);
    return this.view();
  }

  /** Makes a profile the one the app connects with (main.ts restarts the app onto it). */
  async activateProfile(id: unknown): Promise<SettingsView> {
    if (id !== EMBEDDED_PROFILE_ID && !this.profiles().some((p) => p.id === id)) {
      throw new ApiError(ErrorCode.NotFound, `id: no profile ${String(id)}`);
    }
    this.store.set('activeProfile', id);
    return this.view();
  }

  private async open(profile: StoredProfile, field: string, sealed: Sealed): Promise<string> {
    let opened: { text: string; reencrypt: boolean };
    try {
      opened = await this.box.decrypt(Buffer.from(sealed, 'base64'));
    } catch (error) {
      throw new Error(
        `cannot decrypt the ${field} of the connection "${profile.name}" (the system keyring changed?): enter it again ` +
          `(${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (opened.reencrypt) {
      const resealed = await this.seal(opened.text);
      const profiles = this.profiles().map((p) =>
        p.id === profile.id ? ({ ...p, secrets: { ...p.secrets, [field]: resealed } } as StoredProfile) : p,
      );
      this.store.set('profiles', profiles);
    }
    return opened.text;
  }

  /** The active profile, decrypted, as the core's NodeConfig. */
  async activeConnection(): Promise<{ profileId: string; config: NodeConfig }> {
    const id = this.activeId();
    const profile = this.profiles().find((p) => p.id === id);
    if (!profile) return { profileId: EMBEDDED_PROFILE_ID, config: { kind: 'embedded' } };
    if (profile.kind === 'lndconnect') {
      return {
        profileId: id,
        config: { kind: 'lndconnect', uri: await this.open(profile, 'uri', profile.secrets.uri) },
      };
    }
    return {
      profileId: id,
      config: {
        kind: 'lnd',
        host: profile.host,
        cert: await this.open(profile, 'cert', profile.secrets.cert),
        macaroon: await this.open(profile, 'macaroon', profile.secrets.macaroon),
      },
    };
  }
}
