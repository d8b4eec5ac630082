import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqliteStore.js';
import { CallerKeys, tokenHash } from './callerKeys.js';
import { serviceRecord } from '../../../testing/src/services/serviceRecords.js';

let store: SqliteStore;
let changes: number;
const keysOf = (s: SqliteStore) =>
  new CallerKeys({
    store: s.services,
    settings: { get: (key) => s.getSetting(key), set: (key, value) => s.setSetting(key, value) },
    usage: (id) => (id === 'tk-used' ? { usedThisMinute: 0, usedToday: 0 } : { usedThisMinute: 12, usedToday: 345 }),
    onChange: () => void changes++,
  });

beforeEach(() => {
  store = new SqliteStore(':memory:');
  store.services.insert(serviceRecord('chat', { state: 'Running' }));
  store.services.insert(serviceRecord('bobs', { owner: 'bob', state: 'Running' }));
  changes = 0;
});
afterEach(() => store.close());

describe('CallerKeys: AppKeys', () => {
  it('creates ak-<16 hex> with a 32-byte secret shown once and kept only encrypted', () => {
    const keys = keysOf(store);
    const created = keys.createAppKey('alice', { services: ['chat'], description: 'the app' });
    expect(created.appKey).toMatch(/^ak-[0-9a-f]{16}$/);
    expect(Buffer.from(created.appSecret, 'base64url')).toHaveLength(32);
    expect(created).toMatchObject({ owner: 'alice', services: ['chat'], enabled: true, description: 'the app' });
    const kept = store.services.getAppKey(created.appKey)!;
    expect(kept.secretCiphertext).not.toContain(created.appSecret);
    expect(JSON.stringify(keys.listAppKeys('alice'))).not.toContain(created.appSecret);
    expect(keys.listAppKeys('alice').appKeys[0]).not.toHaveProperty('secretCiphertext');
    expect(keys.appKeySecret(created.appKey)?.secret).toBe(created.appSecret);
    expect(changes).toBe(1);
  });

  it('reads secrets back after a restart with the key kept in the settings, generated once', () => {
    const created = keysOf(store).createAppKey('alice', { services: ['chat'] });
    const setting = store.getSetting('services:appSecretKey');
    expect(Buffer.from(setting!, 'base64')).toHaveLength(32);
    const afterRestart = keysOf(store);
    expect(afterRestart.appKeySecret(created.appKey)?.secret).toBe(created.appSecret);
    afterRestart.createAppKey('alice', { services: ['chat'] });
    expect(store.getSetting('services:appSecretKey')).toBe(setting);
  });

  it('refuses a secret whose ciphertext was altered (AES-GCM authenticates it)', () => {
    const keys = keysOf(store);
    const created = keys.createAppKey('alice', { services: ['chat'] });
    const [iv, tag, body] = store.services.getAppKey(created.appKey)!.secretCiphertext.split('.');
    const flipped = Buffer.from(body!, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    store.services.updateAppKey(created.appKey, { secretCiphertext: [iv, tag, flipped.toString('base64')].join('.') });
    expect(() => keys.appKeySecret(created.appKey)).toThrow();
  });

  it('binds a key only to its owner’s services, naming the one that is not', () => {
    const keys = keysOf(store);
    expect(() => keys.createAppKey('alice', { services: ['chat', 'bobs'] })).toThrow(
      expect.objectContaining({
        code: 'validation_failed',
        message: expect.stringContaining('you have no service bobs'),
        issues: [{ path: 'body.services.1', message: 'you have no service bobs' }],
      }),
    );
    const created = keys.createAppKey('alice', { services: ['chat'] });
    expect(() => keys.updateAppKey('alice', created.appKey, { services: ['ghost'] })).toThrow(
      /you have no service ghost/,
    );
  });

  it('lets only the owner list, disable and delete a key (another user gets 404)', () => {
    const keys = keysOf(store);
    const created = keys.createAppKey('alice', { services: ['chat'] });
    expect(keys.listAppKeys('bob').appKeys).toEqual([]);
    expect(() => keys.updateAppKey('bob', created.appKey, { enabled: false })).toThrow(
      expect.objectContaining({ code: 'not_found' }),
    );
    expect(() => keys.deleteAppKey('bob', created.appKey)).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(keys.updateAppKey('alice', created.appKey, { enabled: false }).enabled).toBe(false);
    expect(keys.deleteAppKey('alice', created.appKey)).toEqual({ deleted: created.appKey });
    expect(keys.listAppKeys('alice').appKeys).toEqual([]);
  });
});

describe('CallerKeys: tokens', () => {
  it('creates tk-<12 hex> whose text is shown once and kept only as its SHA-256', () => {
    const keys = keysOf(store);
    const created = keys.createToken('chat', { description: 'ci', tokensPerMinute: 1000 });
    expect(created.id).toMatch(/^tk-[0-9a-f]{12}$/);
    expect(created.token.length).toBeGreaterThan(32);
    expect(created.token.startsWith(created.prefix)).toBe(true);
    const kept = store.services.getToken(created.id)!;
    expect(kept.hash).toBe(createHash('sha256').update(created.token).digest('hex'));
    expect(tokenHash(created.token)).toBe(kept.hash);
    expect(JSON.stringify(kept)).not.toContain(created.token);
    const listed = keys.listTokens('chat').tokens;
    expect(listed).toEqual([expect.objectContaining({ id: created.id, tokensPerMinute: 1000 })]);
    expect(listed[0]).not.toHaveProperty('hash');
    expect(listed[0]).not.toHaveProperty('token');
  });

  it('lists what each token spent, as the gateway counts it', () => {
    const keys = keysOf(store);
    const created = keys.createToken('chat', {});
    expect(keys.listTokens('chat').tokens[0]).toMatchObject({ id: created.id, usedThisMinute: 12, usedToday: 345 });
  });

  it('disables, clears a limit and deletes a token of the named service only', () => {
    const keys = keysOf(store);
    const created = keys.createToken('chat', { tokensPerDay: 5000 });
    expect(() => keys.updateToken('bobs', created.id, { enabled: false })).toThrow(
      expect.objectContaining({ code: 'not_found', message: expect.stringContaining('service bobs has no token') }),
    );
    const updated = keys.updateToken('chat', created.id, { enabled: false, tokensPerDay: null });
    expect(updated.enabled).toBe(false);
    expect(updated).not.toHaveProperty('tokensPerDay');
    expect(keys.deleteToken('chat', created.id)).toEqual({ deleted: created.id });
    expect(store.services.tokenByHash(tokenHash(created.token))).toBeUndefined();
  });
});
