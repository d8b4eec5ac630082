import type { SecretStore } from '../connection/connectionService.js';

/** `ExtensionContext.secrets` for tests: a map, with the stored values visible to assertions. */
export class MemorySecretStore implements SecretStore {
  readonly values = new Map<string, string>();

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.values.get(key));
  }

  store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.values.delete(key);
    return Promise.resolve();
  }
}
