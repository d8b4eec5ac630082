/**
 * Where the token the user typed is kept: per server URL, for the browser tab's session
 * (`sessionStorage` survives a reload of the tab and is gone when the tab closes). Never in the
 * settings: the only token there is the one the user chose to store in them.
 */
export interface TokenStore {
  get(serverUrl: string): string | undefined;
  /** Undefined or empty forgets the token of that server. */
  set(serverUrl: string, token: string | undefined): void;
}

/** The part of the DOM `Storage` a store needs (`window.sessionStorage`, or a fake in tests). */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const KEY_PREFIX = 'aiplat:token:';

/**
 * A store over `storage`, one key per server URL. A storage the browser refuses (disabled, full)
 * still keeps the token in memory for the page.
 */
export function storageTokenStore(storage: KeyValueStorage): TokenStore {
  const memory = memoryTokenStore();
  return {
    // This page's own copy first, then what an earlier load of the tab kept.
    get: (serverUrl) => {
      try {
        return memory.get(serverUrl) ?? (storage.getItem(KEY_PREFIX + serverUrl) || undefined);
      } catch {
        return undefined;
      }
    },
    set: (serverUrl, token) => {
      memory.set(serverUrl, token);
      try {
        if (token) storage.setItem(KEY_PREFIX + serverUrl, token);
        else storage.removeItem(KEY_PREFIX + serverUrl);
      } catch {
        // Refused: the memory copy answers `get` for this page.
      }
    },
  };
}

/** Kept in memory only: a page without session storage, and the tests. */
export function memoryTokenStore(): TokenStore {
  const tokens = new Map<string, string>();
  return {
    get: (serverUrl) => tokens.get(serverUrl),
    set: (serverUrl, token) => {
      if (token) tokens.set(serverUrl, token);
      else tokens.delete(serverUrl);
    },
  };
}
