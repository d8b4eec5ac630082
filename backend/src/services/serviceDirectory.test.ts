import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { ServiceSpecSchema } from '@aiplat/api';
import { NULL_PUBLISHER } from '../server/eventPublisher.js';
import { SqliteStore } from '../store/sqliteStore.js';
import { CallerKeys, tokenHash } from './callerKeys.js';
import type { ReadyReplica, ServiceEngine } from './engine.js';
import { ServiceDirectory } from './serviceDirectory.js';
import { ServiceService } from './serviceService.js';
import type { ServiceStore } from './serviceStore.js';

/* The gateway's view of services, keys and tokens: read from memory, dropped when they change. */

const replica: ReadyReplica = { key: '1/0', version: 1, index: 0, target: { host: '127.0.0.1', port: 9 } };
const engine: ServiceEngine = {
  validate: () => undefined,
  startVersion: async () => undefined,
  stopVersion: async () => undefined,
  scale: async () => undefined,
  restart: async () => undefined,
  readyReplicas: () => [replica],
  logFile: () => undefined,
  release: async () => undefined,
  close: async () => undefined,
};
const spec = (name: string, extra: object = {}) =>
  ServiceSpecSchema.parse({
    name,
    version: { model: 'mount/models/tiny-gpt2', command: 'python3 serve.py', resources: { cpu: 1, memory: '1Gi' } },
    ...extra,
  });

let store: SqliteStore;
let reads: number;
let core: ServiceService;
let keys: CallerKeys;
let directory: ServiceDirectory;

/** The service store with its reads counted. */
function counted(inner: ServiceStore): ServiceStore {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (['get', 'list', 'getAppKey', 'tokenByHash'].includes(String(prop))) reads++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

beforeEach(() => {
  store = new SqliteStore(':memory:');
  reads = 0;
  const services = counted(store.services);
  directory = new ServiceDirectory({ store: services, core: () => core, callerKeys: () => keys });
  core = new ServiceService({
    store: services,
    events: NULL_PUBLISHER,
    log: pino({ level: 'silent' }),
    onChange: (name) => directory.forget(name),
  });
  core.useEngine('local', engine);
  keys = new CallerKeys({
    store: services,
    settings: { get: (key) => store.getSetting(key), set: (key, value) => store.setSetting(key, value) },
    onChange: () => directory.forgetKeys(),
  });
});
afterEach(() => store.close());

async function runningService(name: string, owner = 'alice', extra: object = {}) {
  await core.deploy(owner, spec(name, extra));
  core.observed(name, { replica: { version: 1, index: 0, state: 'Ready' } });
}

describe('ServiceDirectory', () => {
  it('answers repeated calls from memory, and sees a change of auth or limits at once', async () => {
    await runningService('chat');
    const first = directory.byName('chat')!;
    expect(first).toMatchObject({ name: 'chat', owner: 'alice', serving: true, sleeping: false });
    expect(first.ready()).toEqual([replica]);
    const before = reads;
    for (let i = 0; i < 100; i++) directory.byName('chat');
    expect(reads).toBe(before);
    await core.update('chat', 'alice', { auth: ['none'], limits: { qpsPerReplica: 7 } });
    expect(directory.byName('chat')).toMatchObject({ auth: ['none'], limits: { qpsPerReplica: 7 } });
  });

  it('finds a service by its own domain, and forgets the host when the service goes', async () => {
    await runningService('chat', 'alice', { domain: { host: 'chat.example.com' } });
    expect(directory.byHost('chat.example.com')?.name).toBe('chat');
    expect(directory.byHost('other.example.com')).toBeUndefined();
    await core.stop('chat', 'alice', false);
    expect(directory.byHost('chat.example.com')).toMatchObject({ serving: false });
    core.delete('chat', 'alice');
    expect(directory.byHost('chat.example.com')).toBeUndefined();
    expect(directory.byName('chat')).toBeUndefined();
  });

  it('keeps the TLS pairs for the HTTPS listener until a service changes', async () => {
    expect(directory.tlsPairs()).toEqual([]);
    const before = reads;
    directory.tlsPairs();
    expect(reads).toBe(before);
    const pem = (kind: string) => `-----BEGIN ${kind}-----\nAAAA\n-----END ${kind}-----\n`;
    await core.deploy('alice', spec('plain'));
    // The core checks a pair before keeping it (serviceDomain.ts); the directory only hands it on.
    const tls = { certificate: pem('CERTIFICATE'), privateKey: pem('PRIVATE KEY') };
    store.services.insert({ ...store.services.get('plain')!, name: 'tls', domain: { host: 'tls.example.com', tls } });
    directory.forget('tls');
    expect(directory.tlsPairs()).toEqual([{ host: 'tls.example.com', ...tls }]);
  });

  it('remembers an unknown name until a service of that name appears', async () => {
    expect(directory.byName('later')).toBeUndefined();
    const before = reads;
    directory.byName('later');
    expect(reads).toBe(before);
    await runningService('later');
    expect(directory.byName('later')?.name).toBe('later');
  });

  it('answers AppKeys and tokens from memory, and sees them disabled at once', async () => {
    await runningService('chat');
    const key = keys.createAppKey('alice', { services: ['chat'] });
    const token = keys.createToken('chat', { tokensPerMinute: 100 });
    expect(directory.appKey(key.appKey)).toEqual({
      secret: key.appSecret,
      enabled: true,
      owner: 'alice',
      services: ['chat'],
    });
    expect(directory.tokenByHash(tokenHash(token.token))).toEqual({
      id: token.id,
      service: 'chat',
      enabled: true,
      tokensPerMinute: 100,
    });
    const before = reads;
    directory.appKey(key.appKey);
    directory.tokenByHash(tokenHash(token.token));
    expect(directory.appKey('ak-0000000000000000')).toBeUndefined();
    directory.appKey('ak-0000000000000000');
    expect(reads).toBe(before + 1);
    keys.updateAppKey('alice', key.appKey, { enabled: false });
    keys.updateToken('chat', token.id, { enabled: false });
    expect(directory.appKey(key.appKey)?.enabled).toBe(false);
    expect(directory.tokenByHash(tokenHash(token.token))?.enabled).toBe(false);
  });

  it("keeps an AppKey's last use to the minute: one store write per key and minute", async () => {
    await runningService('chat');
    const key = keys.createAppKey('alice', { services: ['chat'] });
    const lastUsed = () => keys.listAppKeys('alice').appKeys[0]!.lastUsedAt;
    expect(lastUsed()).toBeUndefined();
    const t0 = Date.parse('2026-12-06T10:00:00.000Z');
    directory.appKeyUsed(key.appKey, t0);
    expect(lastUsed()).toBe('2026-12-06T10:00:00.000Z');
    directory.appKeyUsed(key.appKey, t0 + 59_000);
    expect(lastUsed()).toBe('2026-12-06T10:00:00.000Z');
    directory.appKeyUsed(key.appKey, t0 + 61_000);
    expect(lastUsed()).toBe('2026-12-06T10:01:01.000Z');
    // A key deleted meanwhile is not written back.
    keys.deleteAppKey('alice', key.appKey);
    expect(() => directory.appKeyUsed(key.appKey, t0 + 200_000)).not.toThrow();
    expect(keys.listAppKeys('alice').appKeys).toEqual([]);
  });

  it('lets no token or key of a deleted service call a later service of the same name', async () => {
    await runningService('chat');
    const key = keys.createAppKey('alice', { services: ['chat'] });
    const token = keys.createToken('chat', {});
    expect(directory.tokenByHash(tokenHash(token.token))?.service).toBe('chat');
    expect(directory.appKey(key.appKey)?.services).toEqual(['chat']);
    await core.stop('chat', 'alice', false);
    core.delete('chat', 'alice');
    await runningService('chat', 'bob');
    expect(directory.byName('chat')?.owner).toBe('bob');
    expect(directory.tokenByHash(tokenHash(token.token))).toBeUndefined();
    expect(directory.appKey(key.appKey)?.services).toEqual([]);
  });

  it('wakes a sleeping service by starting it', async () => {
    await runningService('chat');
    await core.sleep('chat', 5);
    expect(directory.byName('chat')).toMatchObject({ sleeping: true, serving: false });
    directory.wake('chat');
    await new Promise((resolve) => setImmediate(resolve));
    expect(core.get('chat', 'alice').state).toBe('Deploying');
    expect(directory.byName('chat')).toMatchObject({ sleeping: false });
  });
});
