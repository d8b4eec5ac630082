import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import {
  ApiError,
  ServiceSpecSchema,
  ServiceVersionSpecSchema,
  type ServiceSpecInput,
  type ServiceVersionSpecInput,
} from '@aiplat/api';
import type { EventPublisher } from '../server/eventPublisher.js';
import { SqliteStore } from '../store/sqliteStore.js';
import type { ServiceEngine, VersionLaunch } from './engine.js';
import { ServiceService } from './serviceService.js';

/*
 * The services core's state machine with a scripted engine: the engine records what it was asked
 * and the test reports replicas as an engine would (`observed`).
 */

class ScriptedEngine implements ServiceEngine {
  readonly calls: string[] = [];
  startFailure: string | undefined;
  validate(): void {}
  async startVersion(launch: VersionLaunch): Promise<void> {
    this.calls.push(`start ${launch.service.name} v${launch.version}`);
    if (this.startFailure) throw new Error(this.startFailure);
  }
  async stopVersion(name: string, version: number, force: boolean): Promise<void> {
    this.calls.push(`stop ${name} v${version}${force ? ' force' : ''}`);
  }
  async scale(launch: VersionLaunch, replicas: number): Promise<void> {
    this.calls.push(`scale ${launch.service.name} v${launch.version} to ${replicas}`);
  }
  async restart(launch: VersionLaunch): Promise<void> {
    this.calls.push(`restart ${launch.service.name} v${launch.version}`);
  }
  readyReplicas() {
    return [];
  }
  logFile() {
    return undefined;
  }
  async release(service: { name: string }): Promise<void> {
    this.calls.push(`release ${service.name}`);
  }
  async close(): Promise<void> {}
}

const versionSpec = (extra: Partial<ServiceVersionSpecInput> = {}) =>
  ServiceVersionSpecSchema.parse({
    model: 'mount/models/tiny-gpt2',
    command: 'python3 serve.py',
    resources: { cpu: 1, memory: '1Gi' },
    ...extra,
  });
const spec = (name: string, extra: Partial<ServiceSpecInput> = {}) =>
  ServiceSpecSchema.parse({ name, version: versionSpec(), ...extra });

let store: SqliteStore;
let engine: ScriptedEngine;
let core: ServiceService;
let published: { topic: string; user: string | undefined; data: unknown }[];
let changed: string[];
/** The core's clock: moved on by the tests that look at times. */
let clock: Date;

beforeEach(() => {
  store = new SqliteStore(':memory:');
  engine = new ScriptedEngine();
  published = [];
  changed = [];
  clock = new Date('2025-03-01T08:00:00.000Z');
  const events: EventPublisher = {
    publish: (topic, _kind, data, options) => void published.push({ topic, user: options?.user, data }),
  };
  core = new ServiceService({
    store: store.services,
    events,
    log: pino({ level: 'silent' }),
    onChange: (name) => changed.push(name),
    now: () => clock,
  });
  core.useEngine('local', engine);
});
afterEach(() => store.close());

const ready = (name: string, version: number, index: number) =>
  core.observed(name, { replica: { version, index, state: 'Ready' } });
const eventTypes = (name: string) => core.events(name, 'alice').events.map((e) => e.type);
const settled = () => new Promise((resolve) => setImmediate(resolve));
const later = (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000));
const lastEvent = (name: string) => core.events(name, 'alice').events.at(-1)!;

async function running(name: string, replicas = 1) {
  await core.deploy('alice', spec(name, { version: versionSpec({ replicas }) }));
  for (let index = 0; index < replicas; index++) ready(name, 1, index);
  expect(core.get(name, 'alice').state).toBe('Running');
}

describe('ServiceService', () => {
  it('deploys version 1 and runs once every replica is Ready, publishing to the owner', async () => {
    const deployed = await core.deploy('alice', spec('chat', { version: versionSpec({ replicas: 2 }) }));
    expect(deployed).toMatchObject({ state: 'Deploying', version: 1, url: '/services/chat/' });
    expect(deployed.versions).toEqual([expect.objectContaining({ version: 1, serving: true })]);
    expect(engine.calls).toEqual(['start chat v1']);
    ready('chat', 1, 0);
    expect(core.get('chat', 'alice').state).toBe('Deploying');
    ready('chat', 1, 1);
    const service = core.get('chat', 'alice');
    expect(service.state).toBe('Running');
    expect(service.replicas.map((r) => [r.version, r.index, r.state])).toEqual([
      [1, 0, 'Ready'],
      [1, 1, 'Ready'],
    ]);
    expect(eventTypes('chat')).toEqual(['deploy-requested', 'running']);
    expect(lastEvent('chat').message).toBe('Running: 2 replicas of version 1 ready.');
    expect(new Set(published.map((p) => p.topic))).toEqual(new Set(['services', 'services/chat']));
    expect(published.every((p) => p.user === 'alice')).toBe(true);
    expect(changed).toContain('chat');
  });

  it('keeps names global and owners apart: a taken name or host is a 409, another user sees 404', async () => {
    await core.deploy('alice', spec('chat', { domain: { host: 'chat.example.com' } }));
    const taken = await core.deploy('bob', spec('chat')).catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(ApiError);
    expect(taken).toMatchObject({ code: 'conflict', message: expect.stringContaining('chat is taken') });
    const host = await core.deploy('bob', spec('other', { domain: { host: 'chat.example.com' } })).catch((e) => e);
    expect(host).toMatchObject({ code: 'conflict', message: expect.stringContaining('chat.example.com') });
    expect(() => core.get('chat', 'bob')).toThrow(expect.objectContaining({ code: 'not_found' }));
    await expect(core.stop('chat', 'bob', false)).rejects.toMatchObject({ code: 'not_found' });
    expect(core.list('bob')).toEqual([]);
    expect(core.list('alice').map((s) => s.name)).toEqual(['chat']);
  });

  it('fails the service with the engine’s message when its only version fails', async () => {
    await core.deploy('alice', spec('exits'));
    core.observed('exits', { versionFailed: { version: 1, message: 'the command exited with code 3' } });
    await settled();
    const service = core.get('exits', 'alice');
    expect(service.state).toBe('Failed');
    expect(service.failure?.message).toBe('the command exited with code 3');
    expect(engine.calls).toContain('stop exits v1 force');
  });

  it('fails at once when the engine cannot start the version', async () => {
    engine.startFailure = 'no room in queue default';
    const deployed = await core.deploy('alice', spec('full'));
    expect(deployed.state).toBe('Failed');
    expect(deployed.failure?.message).toBe('no room in queue default');
  });

  it('rolls out version 2 while version 1 serves, then serves 2 and stops 1', async () => {
    await running('chat');
    const updating = await core.update('chat', 'alice', { version: versionSpec({ env: { MODE: 'two' } }) });
    expect(updating.state).toBe('Updating');
    expect(updating.version).toBe(1);
    expect(updating.versions.map((v) => [v.version, v.serving])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(engine.calls).toEqual(['start chat v1', 'start chat v2']);
    ready('chat', 2, 0);
    await settled();
    const updated = core.get('chat', 'alice');
    expect(updated).toMatchObject({ state: 'Running', version: 2 });
    expect(updated.versions.map((v) => [v.version, v.serving])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(updated.replicas.map((r) => r.version)).toEqual([2]);
    expect(engine.calls).toContain('stop chat v1');
    expect(eventTypes('chat')).toEqual(['deploy-requested', 'running', 'update-requested', 'updated']);
  });

  it('keeps version 1 serving when version 2 fails, and records why 2 failed', async () => {
    await running('chat');
    await core.update('chat', 'alice', { version: versionSpec({ command: 'python3 broken.py' }) });
    core.observed('chat', { versionFailed: { version: 2, message: 'No module named broken' } });
    await settled();
    const service = core.get('chat', 'alice');
    expect(service).toMatchObject({ state: 'Running', version: 1 });
    expect(service.versions.find((v) => v.version === 2)).toMatchObject({
      serving: false,
      failed: 'No module named broken',
    });
    const failed = core.events('chat', 'alice').events.at(-1)!;
    expect(failed).toMatchObject({ type: 'failed', version: 2 });
    expect(failed.message).toContain('Version 1 keeps serving');
    // The next rollout is version 3, and once it is ready nothing waits on the failed 2.
    await core.update('chat', 'alice', { version: versionSpec() });
    ready('chat', 3, 0);
    await settled();
    expect(core.get('chat', 'alice')).toMatchObject({ state: 'Running', version: 3 });
  });

  it('scales, changes settings without the engine, and restarts through the engine', async () => {
    await running('chat');
    await core.update('chat', 'alice', { replicas: 3 });
    expect(engine.calls.at(-1)).toBe('scale chat v1 to 3');
    expect(core.get('chat', 'alice').versions[0]!.spec.replicas).toBe(3);
    const before = engine.calls.length;
    const changedBefore = changed.length;
    const updated = await core.update('chat', 'alice', { auth: ['token'], description: 'the chat model' });
    expect(updated).toMatchObject({ auth: ['token'], description: 'the chat model' });
    expect(engine.calls.length).toBe(before);
    expect(changed.length).toBeGreaterThan(changedBefore);
    await core.restart('chat', 'alice');
    expect(engine.calls.at(-1)).toBe('restart chat v1');
  });

  it('says who scaled the service, from and to how many replicas, and whether replicas start or stop now', async () => {
    await running('chat', 2);
    await core.update('chat', 'alice', { replicas: 3 });
    expect(lastEvent('chat')).toMatchObject({
      type: 'scale-requested',
      message: 'alice scaled version 1 from 2 to 3 replicas.',
      version: 1,
    });
    await core.update('chat', 'alice', { replicas: 1 });
    expect(lastEvent('chat').message).toBe('alice scaled version 1 from 3 replicas to 1 replica.');
    await core.update('chat', 'alice', { replicas: 1 });
    expect(lastEvent('chat').message).toBe('alice asked for 1 replica of version 1, as it has: nothing changes.');
    await core.stop('chat', 'alice', false);
    const calls = engine.calls.length;
    await core.update('chat', 'alice', { replicas: 2 });
    expect(lastEvent('chat').message).toBe(
      'alice scaled version 1 from 1 replica to 2 replicas; the service is Stopped, so no replica starts or stops now.',
    );
    expect(engine.calls.length).toBe(calls);
    expect(eventTypes('chat').filter((type) => type === 'scale-requested')).toHaveLength(4);
  });

  it('says who asked for a rolling restart, of which version and how many replicas, before the engine restarts it', async () => {
    await running('chat', 2);
    await core.restart('chat', 'alice');
    expect(lastEvent('chat')).toMatchObject({
      type: 'restart-requested',
      message:
        "alice asked for a rolling restart of version 1's 2 replicas: each gets a new process in turn, and its old one stops once the new one is ready.",
      version: 1,
    });
    expect(engine.calls.at(-1)).toBe('restart chat v1');
  });

  it("shows each replica's start time as its current process's", async () => {
    await core.deploy('alice', spec('chat'));
    const starting = (startedAt?: string) =>
      core.observed('chat', {
        replica: { version: 1, index: 0, state: 'Starting', ...(startedAt ? { startedAt } : {}) },
      });
    const startedAt = () => core.get('chat', 'alice').replicas[0]!.startedAt;
    starting();
    const first = clock.toISOString();
    later(5);
    ready('chat', 1, 0);
    expect(startedAt()).toBe(first);
    // A new process (a restart, a rolling restart's replacement) turns the replica Starting again.
    later(60);
    starting();
    starting();
    expect(startedAt()).toBe(clock.toISOString());
    // When the engine says when the process started, that is the time, whatever its state.
    starting('2025-03-01T09:00:00.000Z');
    core.observed('chat', { replica: { version: 1, index: 0, state: 'Ready', startedAt: '2025-03-01T07:00:00.000Z' } });
    expect(startedAt()).toBe('2025-03-01T07:00:00.000Z');
  });

  it('refuses a rollout unless Running, and deleting unless Stopped or Failed', async () => {
    await core.deploy('alice', spec('chat'));
    await expect(core.update('chat', 'alice', { version: versionSpec() })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('is Deploying'),
    });
    expect(() => core.delete('chat', 'alice')).toThrow(expect.objectContaining({ code: 'conflict' }));
  });

  it('stops every live version, starts again from Stopped, and deletes with its events', async () => {
    await running('chat');
    await core.update('chat', 'alice', { version: versionSpec() });
    const stopped = await core.stop('chat', 'alice', false);
    expect(stopped).toMatchObject({ state: 'Stopped', replicas: [] });
    expect(engine.calls.filter((c) => c.startsWith('stop'))).toEqual(['stop chat v1', 'stop chat v2']);
    expect(stopped.versions.map((v) => v.version)).toEqual([1]);
    // Dropping the version the stop cut short is said.
    expect(store.services.events('chat').at(-1)?.message).toBe(
      'Stopped: every replica has ended. The rollout of version 2 is cancelled and the version dropped; start deploys version 1.',
    );
    const started = await core.start('chat', 'alice');
    expect(started.state).toBe('Deploying');
    expect(engine.calls.at(-1)).toBe('start chat v1');
    await core.stop('chat', 'alice', true);
    expect(core.delete('chat', 'alice')).toEqual({ deleted: 'chat' });
    expect(store.services.get('chat')).toBeUndefined();
    expect(store.services.events('chat')).toEqual([]);
    expect(published.at(-1)).toMatchObject({ topic: 'services/chat', data: { change: 'deleted', name: 'chat' } });
  });

  it('sleeps an idle Running service, and wakes it by starting the serving version', async () => {
    await running('chat');
    await core.sleep('chat', 15);
    const sleeping = core.get('chat', 'alice');
    expect(sleeping).toMatchObject({ state: 'Sleeping', replicas: [] });
    expect(core.events('chat', 'alice').events.at(-1)!.message).toContain('no call for 15 minutes');
    expect(engine.calls.at(-1)).toBe('stop chat v1');
    await core.start('chat', 'alice');
    ready('chat', 1, 0);
    expect(core.get('chat', 'alice').state).toBe('Running');
  });

  it('recovers after a restart: the engine releases what ran, and the service says it stopped', async () => {
    await running('chat');
    await core.deploy('alice', spec('stays'));
    await core.stop('stays', 'alice', false);
    await running('dozes');
    await core.sleep('dozes', 5);
    await core.recover();
    expect(core.get('dozes', 'alice').state).toBe('Sleeping');
    expect(engine.calls).toContain('release chat');
    expect(engine.calls).not.toContain('release stays');
    const service = core.get('chat', 'alice');
    expect(service.state).toBe('Stopped');
    expect(core.events('chat', 'alice').events.at(-1)!.message).toContain('the platform restarted');
  });

  it('ignores news of a stopped service and drops replicas that stopped', async () => {
    await running('chat', 2);
    core.observed('chat', { replica: { version: 1, index: 1, state: 'Stopped' } });
    expect(core.get('chat', 'alice').replicas.map((r) => r.index)).toEqual([0]);
    await core.stop('chat', 'alice', false);
    ready('chat', 1, 0);
    expect(core.get('chat', 'alice')).toMatchObject({ state: 'Stopped', replicas: [] });
  });
});
