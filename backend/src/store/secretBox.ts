import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Where the box keeps its key: the platform's settings. */
export interface SecretSettings {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/**
 * Secrets the platform must read back (AppSecrets, TLS private keys) sealed for the database:
 * AES-256-GCM under a key generated once and kept in the platform's settings, so a copy of the
 * records alone (an export, a backup of a table) does not give them away.
 */
export class SecretBox {
  private key: Buffer | undefined;

  constructor(
    private readonly settings: SecretSettings,
    private readonly settingKey = 'services:appSecretKey',
  ) {}

  seal(secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.ownKey(), iv);
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64')).join('.');
  }

  open(sealed: string): string {
    const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64'));
    const decipher = createDecipheriv('aes-256-gcm', this.ownKey(), iv!);
    decipher.setAuthTag(tag!);
    return Buffer.concat([decipher.update(body!), decipher.final()]).toString('utf8');
  }

  private ownKey(): Buffer {
    if (this.key) return this.key;
    let stored = this.settings.get(this.settingKey);
    if (!stored) {
      stored = randomBytes(32).toString('base64');
      this.settings.set(this.settingKey, stored);
    }
    this.key = Buffer.from(stored, 'base64');
    return this.key;
  }
}
