import type { AppKey } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { parseWebviewMessage, type ShownSecret } from './protocol.js';
import { parseTokenLimit, secretAfterListChange, signingAppKeys, type KeyState } from './serviceKeyRules.js';

describe('the service page’s key rules', () => {
  it('reads an empty token limit as no limit, and only a whole number above 0 as a limit', () => {
    expect(parseTokenLimit('')).toEqual({ limit: undefined });
    expect(parseTokenLimit('  ')).toEqual({ limit: undefined });
    expect(parseTokenLimit('1000')).toEqual({ limit: 1000 });
    expect(parseTokenLimit(' 7 ')).toEqual({ limit: 7 });
    for (const bad of ['0', '00', '-5', '0.5', '1.0', '1e3', 'abc', '10000000000000']) {
      expect(parseTokenLimit(bad), bad).toBeUndefined();
    }
  });

  it('reads only limits the host takes', () => {
    for (const text of ['1', '1000000000000']) {
      const limit = parseTokenLimit(text)?.limit;
      expect(parseWebviewMessage({ type: 'createToken', tokensPerMinute: limit }), text).toBeDefined();
    }
  });

  it('keeps a secret shown once until its key is disabled or deleted', () => {
    const secret: ShownSecret = { kind: 'token', id: 'tk-1', secret: 's' };
    const enabled: KeyState[] = [{ id: 'tk-1', enabled: true }];
    const disabled: KeyState[] = [{ id: 'tk-1', enabled: false }];
    // Posted before the list is read again: a key no list has yet keeps it.
    expect(secretAfterListChange(secret, 'token', [], [])).toBe(secret);
    expect(secretAfterListChange(secret, 'token', [], enabled)).toBe(secret);
    expect(secretAfterListChange(secret, 'token', enabled, disabled)).toBeUndefined();
    expect(secretAfterListChange(secret, 'token', enabled, [])).toBeUndefined();
    // A list of the other kind leaves it alone.
    expect(secretAfterListChange<ShownSecret>(secret, 'appKey', enabled, [])).toBe(secret);
    expect(secretAfterListChange(undefined, 'token', enabled, [])).toBeUndefined();
  });

  it('signs curl commands with enabled AppKeys only', () => {
    const key = (appKey: string, enabled: boolean) => ({ appKey, enabled }) as AppKey;
    expect(signingAppKeys([key('ak-on', true), key('ak-off', false)])).toEqual(['ak-on']);
    expect(signingAppKeys([key('ak-off', false)])).toEqual([]);
  });
});
