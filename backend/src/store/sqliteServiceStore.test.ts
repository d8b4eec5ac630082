import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RECORD_TIME, serviceRecord } from '../../../testing/src/services/serviceRecords.js';
import type { AppKeyRecord, ServiceTokenRecord } from '../services/serviceStore.js';
import { SqliteStore } from './sqliteStore.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-service-store-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const at = RECORD_TIME;
const appKey = (key: string, services: string[], owner = 'alice'): AppKeyRecord => ({
  appKey: key,
  owner,
  services,
  enabled: true,
  createdAt: at,
  secretCiphertext: 'iv.tag.body',
});
const token = (id: string, serviceName: string): ServiceTokenRecord => ({
  id,
  service: serviceName,
  enabled: true,
  prefix: 'aiplat-sk-abcd',
  createdAt: at,
  hash: `hash-of-${id}`,
});

describe('SqliteServiceStore', () => {
  it('keeps services, events, AppKeys and tokens across a reopen', () => {
    const file = path.join(dir, 'aiplat.sqlite');
    const store = new SqliteStore(file);
    store.services.insert({ ...serviceRecord('chat'), domain: { host: 'chat.example.com' } });
    store.services.appendEvent('chat', {
      time: at,
      type: 'deploy-requested',
      message: 'Deploying.',
      state: 'Deploying',
    });
    store.services.insertAppKey(appKey('ak-0123456789abcdef', ['chat']));
    store.services.insertToken(token('tk-0123456789ab', 'chat'));
    store.close();

    const again = new SqliteStore(file);
    expect(again.services.get('chat')).toMatchObject({ owner: 'alice', domain: { host: 'chat.example.com' } });
    expect(again.services.events('chat').map((e) => e.type)).toEqual(['deploy-requested']);
    expect(again.services.getAppKey('ak-0123456789abcdef')?.services).toEqual(['chat']);
    expect(again.services.tokenByHash('hash-of-tk-0123456789ab')?.id).toBe('tk-0123456789ab');
    again.close();
  });

  it('keeps a TLS private key sealed in its row, opened on reading, after a reopen and an update', () => {
    const file = path.join(dir, 'tls.sqlite');
    const pair = {
      certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n',
      privateKey: '-----BEGIN PRIVATE KEY-----\nMIGH\n',
    };
    let store = new SqliteStore(file);
    store.services.insert(serviceRecord('chat', { domain: { host: 'chat.example.test', tls: pair } }));
    store.close();
    const raw = new Database(file);
    const row = raw.prepare("SELECT data FROM services WHERE name = 'chat'").get() as { data: string };
    expect(row.data).toContain(pair.certificate.split('\n')[0]);
    expect(row.data).not.toContain('BEGIN PRIVATE KEY');
    // A row written before keys were sealed still reads.
    raw
      .prepare('INSERT INTO services (name, owner, data) VALUES (?, ?, ?)')
      .run('old', 'alice', JSON.stringify(serviceRecord('old', { domain: { host: 'old.example.test', tls: pair } })));
    raw.close();
    store = new SqliteStore(file);
    expect(store.services.get('chat')?.domain).toEqual({ host: 'chat.example.test', tls: pair });
    expect(store.services.get('old')?.domain?.tls).toEqual(pair);
    expect(store.services.update('chat', { state: 'Running' }).domain?.tls).toEqual(pair);
    expect(store.services.list().map((s) => s.domain?.tls?.privateKey)).toEqual([pair.privateKey, pair.privateKey]);
    store.close();
  });

  it('lists one owner’s services newest first, or everyone’s', () => {
    const store = new SqliteStore(':memory:');
    store.services.insert(serviceRecord('one'));
    store.services.insert(serviceRecord('two', { owner: 'bob' }));
    store.services.insert(serviceRecord('three'));
    expect(store.services.list('alice').map((s) => s.name)).toEqual(['three', 'one']);
    expect(store.services.list().map((s) => s.name)).toEqual(['three', 'two', 'one']);
    store.close();
  });

  it('applies a patch, an undefined value clearing the field', () => {
    const store = new SqliteStore(':memory:');
    store.services.insert({ ...serviceRecord('chat'), failure: { message: 'exit 3' }, state: 'Failed' });
    const updated = store.services.update('chat', { state: 'Deploying', failure: undefined });
    expect(updated.state).toBe('Deploying');
    expect(updated).not.toHaveProperty('failure');
    expect(store.services.get('chat')).not.toHaveProperty('failure');
    expect(() => store.services.update('nope', { state: 'Running' })).toThrow(/no service nope/);
    store.close();
  });

  it('refuses a second service of the same name, and a second token of the same hash', () => {
    const store = new SqliteStore(':memory:');
    store.services.insert(serviceRecord('chat'));
    expect(() => store.services.insert(serviceRecord('chat', { owner: 'bob' }))).toThrow();
    store.services.insertToken(token('tk-1', 'chat'));
    expect(() => store.services.insertToken({ ...token('tk-2', 'chat'), hash: 'hash-of-tk-1' })).toThrow();
    store.close();
  });

  it('deletes a service with its events and tokens, and unbinds it from AppKeys', () => {
    const store = new SqliteStore(':memory:');
    store.services.insert(serviceRecord('chat'));
    store.services.insert(serviceRecord('other'));
    store.services.appendEvent('chat', { time: at, type: 'running', message: 'Running.' });
    store.services.insertToken(token('tk-chat', 'chat'));
    store.services.insertToken(token('tk-other', 'other'));
    store.services.insertAppKey(appKey('ak-both', ['chat', 'other']));
    store.services.delete('chat');
    expect(store.services.get('chat')).toBeUndefined();
    expect(store.services.events('chat')).toEqual([]);
    expect(store.services.getToken('tk-chat')).toBeUndefined();
    expect(store.services.tokenByHash('hash-of-tk-chat')).toBeUndefined();
    expect(store.services.listTokens().map((t) => t.id)).toEqual(['tk-other']);
    expect(store.services.getAppKey('ak-both')?.services).toEqual(['other']);
    store.close();
  });

  it('updates and deletes AppKeys and tokens, listing AppKeys per owner', () => {
    const store = new SqliteStore(':memory:');
    store.services.insert(serviceRecord('chat'));
    store.services.insertAppKey(appKey('ak-a', ['chat']));
    store.services.insertAppKey(appKey('ak-b', [], 'bob'));
    expect(store.services.listAppKeys('alice').map((k) => k.appKey)).toEqual(['ak-a']);
    expect(store.services.updateAppKey('ak-a', { enabled: false }).enabled).toBe(false);
    store.services.deleteAppKey('ak-a');
    expect(store.services.getAppKey('ak-a')).toBeUndefined();
    store.services.insertToken({ ...token('tk-1', 'chat'), tokensPerDay: 1000 });
    const limited = store.services.updateToken('tk-1', { tokensPerDay: undefined, enabled: false });
    expect(limited).not.toHaveProperty('tokensPerDay');
    expect(limited.enabled).toBe(false);
    store.services.deleteToken('tk-1');
    expect(store.services.listTokens('chat')).toEqual([]);
    store.close();
  });
});
