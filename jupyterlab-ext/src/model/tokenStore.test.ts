import { describe, expect, it } from 'vitest';
import { storageTokenStore } from './tokenStore.js';

describe('storageTokenStore', () => {
  it('keeps one token per server URL in the storage and forgets it on an empty one', () => {
    const items = new Map<string, string>();
    const storage = {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    };
    storageTokenStore(storage).set('http://a:1', 't1');
    storageTokenStore(storage).set('http://b:2', 't2');
    expect(storageTokenStore(storage).get('http://a:1')).toBe('t1');
    storageTokenStore(storage).set('http://a:1', '');
    expect(storageTokenStore(storage).get('http://a:1')).toBeUndefined();
    expect([...items]).toEqual([['aiplat:token:http://b:2', 't2']]);
  });

  it('keeps the token for the page when the browser refuses the storage', () => {
    const refusing = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('quota', 'QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    const store = storageTokenStore(refusing);
    store.set('http://a:1', 't1');
    expect(store.get('http://a:1')).toBe('t1');
  });
});
