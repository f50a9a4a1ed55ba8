import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EMBEDDED_PROFILE_ID } from '../../shared/api/channels';
import { ApiError } from '../../shared/api/errors';
import { resolveLndCredentials } from '../core/node/config';
import { createBridge } from '../ipc/bridge';
import { REFUSED_MESSAGE, registerIpcHandlers } from '../ipc/handlers';
import { TestBus } from '../ipc/test-bus';
import { AesGcmSecretBox, type SafeStorageLike, safeStorageBox } from './secret-box';
import {
  BASIC_TEXT_MESSAGE,
  type KeyValueStore,
  SETTINGS_STORE_OPTIONS,
  Settings,
  type StoredSettings,
  UNAVAILABLE_MESSAGE,
} from './settings';

// Settings on a real `conf` store (electron-store without Electron: same options, same JSON schema) in a temporary
// folder, with real AES-GCM standing in for the OS keyring.

const MACAROON_HEX = `0201036c6e6402${'cd'.repeat(40)}`;

function openStore(dir: string): Conf<StoredSettings> {
  return new Conf<StoredSettings>({
    cwd: dir,
    projectName: 'braid',
    configName: 'settings',
    ...SETTINGS_STORE_OPTIONS,
  });
}

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

/** safeStorage as Electron has it, played by AES-GCM; the backend name and availability are the test's to set. */
function fakeSafeStorage(
  backend: string,
  options: { available?: boolean; rotate?: boolean } = {},
): SafeStorageLike & { decrypted: number } {
  const box = new AesGcmSecretBox();
  const fake = {
    decrypted: 0,
    isAsyncEncryptionAvailable: async () => options.available ?? true,
    encryptStringAsync: async (text: string) => Buffer.from(await box.encrypt(text)),
    decryptStringAsync: async (data: Buffer) => {
      fake.decrypted++;
      return { result: (await box.decrypt(data)).text, shouldReEncrypt: options.rotate ?? false };
    },
    getSelectedStorageBackend: () => backend,
  };
  return fake;
}

describe('settings', () => {
  let dir: string;
  let certPem: string;
  let certPath: string;
  let macaroonPath: string;
  let lndconnect: string;
  let box: AesGcmSecretBox;
  let settings: Settings;
  const file = () => readFileSync(join(dir, 'settings.json'), 'utf8');

  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: 'node.example.com' }], {
      keyType: 'ec',
      curve: 'P-256',
    });
    certPem = pems.cert.replace(/\r\n/g, '\n').trim();
    const der = new X509Certificate(certPem).raw;
    lndconnect = `lndconnect://node.example.com:10009?cert=${der.toString('base64url')}&macaroon=${Buffer.from(MACAROON_HEX, 'hex').toString('base64url')}`;
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'braid-settings-'));
    certPath = join(dir, 'tls.cert');
    macaroonPath = join(dir, 'admin.macaroon');
    writeFileSync(certPath, certPem);
    writeFileSync(macaroonPath, Buffer.from(MACAROON_HEX, 'hex'));
    box = new AesGcmSecretBox(randomBytes(32));
    settings = new Settings(openStore(dir), box);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts on the embedded simulated network with sat and the system theme', async () => {
    expect(await settings.view()).toEqual({
      ui: { unit: 'sat', theme: 'system' },
      profiles: [{ id: EMBEDDED_PROFILE_ID, name: 'Simulated network (built in)', kind: 'embedded' }],
      activeProfile: EMBEDDED_PROFILE_ID,
      secretsProtected: true,
    });
    expect(await settings.activeConnection()).toEqual({ profileId: EMBEDDED_PROFILE_ID, config: { kind: 'embedded' } });
  });

  it('keeps UI preferences in the file, checked on the way in', async () => {
    await settings.setUi({ unit: 'msat' });
    await settings.setUi({ theme: 'dark' });
    expect((await new Settings(openStore(dir), box).view()).ui).toEqual({ unit: 'msat', theme: 'dark' });
    expect(JSON.parse(file()).ui).toEqual({ unit: 'msat', theme: 'dark' });
    expect(await apiError(settings.setUi({ unit: 'btc' }))).toMatchObject({
      code: -32602,
      message: 'unit: must be sat or msat',
    });
    expect(await apiError(settings.setUi({ colour: 'red' }))).toMatchObject({ code: -32602 });
    expect(await apiError(settings.setUi('dark'))).toMatchObject({ code: -32602 });
  });

  it('stores an LND profile’s certificate and macaroon encrypted, read from their files, and gives them back', async () => {
    const view = await settings.saveProfile({
      name: 'home node',
      kind: 'lnd',
      host: 'node.example.com',
      cert: certPath,
      macaroon: macaroonPath,
    });
    const profile = view.profiles[1];
    expect(profile).toMatchObject({ name: 'home node', kind: 'lnd', host: 'node.example.com:10009' });
    expect(JSON.stringify(view)).not.toMatch(/macaroon|cert|BEGIN/i);

    const text = file();
    expect(text).not.toContain(MACAROON_HEX);
    expect(text).not.toContain(Buffer.from(MACAROON_HEX, 'hex').toString('base64'));
    expect(text).not.toContain('BEGIN CERTIFICATE');
    expect(text).not.toContain(certPem.split('\n')[1]);
    expect(text).not.toContain(macaroonPath);

    await settings.activateProfile(profile?.id);
    const { profileId, config } = await new Settings(openStore(dir), box).activeConnection();
    expect(profileId).toBe(profile?.id);
    expect(config).toEqual({ kind: 'lnd', host: 'node.example.com:10009', cert: certPem, macaroon: MACAROON_HEX });
    // What the core gets is directly usable: the files are no longer needed.
    rmSync(certPath);
    rmSync(macaroonPath);
    expect(resolveLndCredentials(config as Parameters<typeof resolveLndCredentials>[0])).toEqual({
      host: 'node.example.com:10009',
      certPem,
      macaroonHex: MACAROON_HEX,
    });
  });

  it('stores an lndconnect URI encrypted and shows only its host', async () => {
    const view = await settings.saveProfile({ name: 'remote', kind: 'lndconnect', uri: lndconnect });
    expect(view.profiles[1]).toMatchObject({ name: 'remote', kind: 'lndconnect', host: 'node.example.com:10009' });
    const text = file();
    expect(text).not.toContain('lndconnect://');
    expect(text).not.toContain(lndconnect.split('macaroon=')[1]);
    await settings.activateProfile(view.profiles[1]?.id);
    expect((await settings.activeConnection()).config).toEqual({ kind: 'lndconnect', uri: lndconnect });

    // Replacing keeps the id; renaming works without touching the others.
    const id = view.profiles[1]?.id as string;
    const renamed = await settings.saveProfile({ id, name: 'remote 2', kind: 'lndconnect', uri: lndconnect });
    expect(renamed.profiles.map((p) => [p.id, p.name])).toEqual([
      [EMBEDDED_PROFILE_ID, 'Simulated network (built in)'],
      [id, 'remote 2'],
    ]);
  });

  it('names the field at fault without echoing a secret', async () => {
    const badUri = await apiError(
      settings.saveProfile({ name: 'x', kind: 'lndconnect', uri: 'lndconnect://h:1?macaroon=c2VjcmV0c2VjcmV0' }),
    );
    expect(badUri.code).toBe(-32602);
    expect(badUri.message).toMatch(/^uri: /);
    expect(badUri.message).not.toContain('c2VjcmV0c2VjcmV0');
    const noFile = await apiError(
      settings.saveProfile({
        name: 'x',
        kind: 'lnd',
        host: 'h',
        cert: certPath,
        macaroon: join(dir, 'missing.macaroon'),
      }),
    );
    expect(noFile).toMatchObject({ code: -32602, message: expect.stringMatching(/^macaroon: file not found/) });
    expect(await apiError(settings.saveProfile({ name: 'x', kind: 'btcd' }))).toMatchObject({ code: -32602 });
    expect(await apiError(settings.saveProfile({ name: '', kind: 'lndconnect', uri: lndconnect }))).toMatchObject({
      code: -32602,
      message: 'name: must be a non-empty string',
    });
    expect(
      await apiError(settings.saveProfile({ name: 'x', kind: 'lndconnect', uri: lndconnect, macaroon: 'ab' })),
    ).toMatchObject({ code: -32602, message: expect.stringMatching(/^macaroon: unknown field/) });
    expect(
      await apiError(settings.saveProfile({ id: 'nope', name: 'x', kind: 'lndconnect', uri: lndconnect })),
    ).toMatchObject({
      code: 208,
    });
    expect((await settings.view()).profiles).toHaveLength(1);
  });

  it('has a schema that refuses a secret in clear, even written straight to the store', () => {
    const store = openStore(dir);
    const base = { id: 'p1', name: 'n', kind: 'lndconnect', host: 'h:1' };
    expect(() => store.set('profiles', [{ ...base, secrets: { uri: lndconnect } }] as never)).toThrow(/schema/i);
    expect(() =>
      store.set('profiles', [{ ...base, uri: lndconnect, secrets: { uri: 'QUJDREVGR0hJSktMTU5PUA==' } }] as never),
    ).toThrow(/schema/i);
    expect(() =>
      store.set('profiles', [
        { ...base, kind: 'lnd', secrets: { cert: 'QUJDREVGR0hJSktMTU5PUA==', macaroon: MACAROON_HEX } },
      ] as never),
    ).not.toThrow(); // hex is also base64 text: the schema cannot tell, hence Settings never writes anything but sealed data
    expect(() => store.set('ui', { unit: 'btc', theme: 'dark' } as never)).toThrow(/schema/i);
  });

  it('says so when a secret cannot be decrypted (the keyring changed, the file was edited)', async () => {
    const { profiles } = await settings.saveProfile({ name: 'remote', kind: 'lndconnect', uri: lndconnect });
    await settings.activateProfile(profiles[1]?.id);
    const otherKeyring = new Settings(openStore(dir), new AesGcmSecretBox(randomBytes(32)));
    await expect(otherKeyring.activeConnection()).rejects.toThrow(/cannot decrypt the uri of the connection "remote"/);
  });

  it('deletes profiles, falling back to the embedded network, and keeps the built-in one', async () => {
    const { profiles } = await settings.saveProfile({ name: 'remote', kind: 'lndconnect', uri: lndconnect });
    const id = profiles[1]?.id;
    await settings.activateProfile(id);
    const view = await settings.deleteProfile(id);
    expect(view.activeProfile).toBe(EMBEDDED_PROFILE_ID);
    expect(view.profiles).toHaveLength(1);
    expect(await apiError(settings.deleteProfile(EMBEDDED_PROFILE_ID))).toMatchObject({ code: -32602 });
    expect(await apiError(settings.deleteProfile(id))).toMatchObject({ code: 208 });
    expect(await apiError(settings.activateProfile('nope'))).toMatchObject({ code: 208 });
  });
});

describe('secrets without a keyring', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'braid-settings-keyring-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells the UI that secrets are not protected when Linux falls back to basic_text', async () => {
    const view = await new Settings(openStore(dir), safeStorageBox(fakeSafeStorage('basic_text'), 'linux')).view();
    expect(view.secretsProtected).toBe(false);
    expect(view.secretsMessage).toBe(BASIC_TEXT_MESSAGE);
  });

  it('says they are protected with a keyring, and on macOS and Windows', async () => {
    for (const [backend, platform] of [
      ['gnome_libsecret', 'linux'],
      ['kwallet6', 'linux'],
      ['basic_text', 'darwin'],
      ['basic_text', 'win32'],
    ] as const) {
      const view = await new Settings(openStore(dir), safeStorageBox(fakeSafeStorage(backend), platform)).view();
      expect(view.secretsProtected, `${backend} on ${platform}`).toBe(true);
      expect(view).not.toHaveProperty('secretsMessage');
    }
  });

  it('refuses to store secrets when encryption is unavailable', async () => {
    const settings = new Settings(
      openStore(dir),
      safeStorageBox(fakeSafeStorage('gnome_libsecret', { available: false }), 'linux'),
    );
    expect(await settings.view()).toMatchObject({ secretsProtected: false, secretsMessage: UNAVAILABLE_MESSAGE });
    const error = await apiError(
      settings.saveProfile({ name: 'x', kind: 'lndconnect', uri: 'lndconnect://h:1?macaroon=AgEDbG5k' }),
    );
    expect(error).toMatchObject({ code: -1, message: UNAVAILABLE_MESSAGE });
  });

  it('re-encrypts a secret when safeStorage says its key was rotated', async () => {
    const store = openStore(dir);
    const storage = fakeSafeStorage('kwallet5', { rotate: true });
    const settings = new Settings(store, safeStorageBox(storage, 'linux'));
    const uri = `lndconnect://h:1?macaroon=${Buffer.from(MACAROON_HEX, 'hex').toString('base64url')}`;
    const { profiles } = await settings.saveProfile({ name: 'x', kind: 'lndconnect', uri });
    await settings.activateProfile(profiles[1]?.id);
    const before = JSON.stringify(store.get('profiles'));
    expect((await settings.activeConnection()).config).toEqual({ kind: 'lndconnect', uri });
    expect(JSON.stringify(store.get('profiles'))).not.toBe(before);
    expect((await settings.activeConnection()).config).toEqual({ kind: 'lndconnect', uri });
  });
});

describe('settings over IPC', () => {
  it('answers our page without a secret and refuses a foreign frame', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'braid-settings-ipc-'));
    try {
      const bus = new TestBus();
      const settings = new Settings(openStore(dir), new AesGcmSecretBox());
      const handlers = registerIpcHandlers({
        ipcMain: bus.ipcMain,
        appOrigin: 'http://localhost:5173',
        core: new Promise(() => {}),
        settings,
      });
      const braid = createBridge(bus.window('http://localhost:5173/').renderer());
      const uri = `lndconnect://h:1?macaroon=${Buffer.from(MACAROON_HEX, 'hex').toString('base64url')}`;
      const saved = await braid.settings.saveProfile({ name: 'remote', kind: 'lndconnect', uri });
      expect(JSON.stringify(saved)).not.toContain('macaroon');
      expect((await braid.settings.setUi({ unit: 'msat' })).ui.unit).toBe('msat');
      await expect(braid.settings.setUi({ unit: 'btc' as 'sat' })).rejects.toEqual({
        code: -32602,
        message: 'unit: must be sat or msat',
      });
      const activated = await braid.settings.activateProfile(saved.profiles[1]?.id as string);
      expect(activated.activeProfile).toBe(saved.profiles[1]?.id);
      expect((await braid.settings.get()).profiles).toHaveLength(2);

      const evil = createBridge(bus.window('https://evil.example/').renderer());
      await expect(evil.settings.get()).rejects.toMatchObject({ message: expect.stringContaining(REFUSED_MESSAGE) });
      handlers.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// KeyValueStore is what electron-store and conf both are.
const _store: KeyValueStore = null as unknown as Conf<StoredSettings>;
void _store;
