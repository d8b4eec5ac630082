import type { StateStore } from '../workspace/knownRoots.js';

/** `ExtensionContext.globalState` for tests: a map (values copied through JSON, as VS Code stores them). */
export class MemoryMemento implements StateStore {
  readonly values = new Map<string, string>();

  get<T>(key: string): T | undefined {
    const value = this.values.get(key);
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }

  update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, JSON.stringify(value));
    return Promise.resolve();
  }
}
