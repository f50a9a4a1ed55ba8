import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// Where the settings' secrets (macaroon, certificate, lndconnect URI) are encrypted: Electron's safeStorage in the
// app (the OS keyring: Keychain, DPAPI, libsecret/kwallet), AES-GCM under a key in memory in tests.

export interface SecretBox {
  /**
   * Which store holds the key. On Linux safeStorage's backend name; `basic_text` means there is no keyring and the
   * key is a constant built into Chromium: the secrets are then obfuscated, not protected.
   */
  backend(): string;
  /** Whether encrypt/decrypt work at all right now. */
  isAvailable(): Promise<boolean>;
  encrypt(plainText: string): Promise<Uint8Array>;
  /** `reencrypt`: the key was rotated; store the secret again, encrypted anew. */
  decrypt(cipherText: Uint8Array): Promise<{ text: string; reencrypt: boolean }>;
}

/** The part of Electron's safeStorage used (its async API: the sync one is deprecated in 45, gone in 46). */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  getSelectedStorageBackend(): string;
}

/** Electron's safeStorage as a SecretBox. Call after the app is ready (before it, Linux reports `unknown`). */
export function safeStorageBox(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretBox {
  return {
    backend: () =>
      platform === 'linux'
        ? safeStorage.getSelectedStorageBackend()
        : platform === 'darwin'
          ? 'keychain'
          : platform === 'win32'
            ? 'dpapi'
            : 'unknown',
    isAvailable: () => safeStorage.isAsyncEncryptionAvailable(),
    encrypt: async (plainText) => new Uint8Array(await safeStorage.encryptStringAsync(plainText)),
    decrypt: async (cipherText) => {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(Buffer.from(cipherText));
      return { text: result, reencrypt: shouldReEncrypt };
    },
  };
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM under a key held in memory: stands in for the OS keyring in tests (real encryption, so a test can prove
 * that the settings file holds no secret in clear). `iv | ciphertext | tag`.
 */
export class AesGcmSecretBox implements SecretBox {
  constructor(
    private readonly key: Uint8Array = randomBytes(32),
    private readonly backendName = 'test_aes_gcm',
  ) {
    if (key.length !== 32) throw new Error('AesGcmSecretBox: the key must be 32 bytes');
  }

  backend(): string {
    return this.backendName;
  }

  async isAvailable(): Promise<boolean> {
    return true;
  }

  async encrypt(plainText: string): Promise<Uint8Array> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    return new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()]));
  }

  async decrypt(cipherText: Uint8Array): Promise<{ text: string; reencrypt: boolean }> {
    const data = Buffer.from(cipherText);
    if (data.length < IV_BYTES + TAG_BYTES) throw new Error('not an AES-GCM secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    const text = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    return { text: text.toString('utf8'), reencrypt: false };
  }
}
