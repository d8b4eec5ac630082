import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { SqliteStore } from '../store/sqliteStore.js';
import { IdleServices } from './idleServices.js';
import { serviceRecord } from '../../../testing/src/services/serviceRecords.js';

const MINUTE_MS = 60_000;
let store: SqliteStore;
let clock: number;
let slept: string[];
const idle = (sleepAfterMinutes: number) =>
  new IdleServices({
    store: store.services,
    sleep: async (name, minutes) => {
      slept.push(`${name} after ${minutes}`);
      store.services.update(name, { state: 'Sleeping' });
    },
    sleepAfterMinutes,
    log: pino({ level: 'silent' }),
    now: () => clock,
  });

beforeEach(() => {
  store = new SqliteStore(':memory:');
  clock = 0;
  slept = [];
});
afterEach(() => store.close());

describe('IdleServices', () => {
  it('puts a Running service to sleep once no call came for sleepAfterMinutes', async () => {
    store.services.insert(serviceRecord('busy', { state: 'Running', auth: ['token'], versions: [] }));
    store.services.insert(serviceRecord('quiet', { state: 'Running', auth: ['token'], versions: [] }));
    const services = idle(10);
    await services.sweep();
    clock = 9 * MINUTE_MS;
    services.touch('busy');
    await services.sweep();
    expect(slept).toEqual([]);
    clock = 10 * MINUTE_MS;
    await services.sweep();
    expect(slept).toEqual(['quiet after 10']);
    clock = 19 * MINUTE_MS;
    await services.sweep();
    expect(slept).toEqual(['quiet after 10', 'busy after 10']);
  });

  it('counts idle time from when a service is seen Running, not from a call before it stopped', async () => {
    store.services.insert(serviceRecord('chat', { state: 'Stopped', auth: ['token'], versions: [] }));
    const services = idle(10);
    services.touch('chat');
    await services.sweep();
    clock = 30 * MINUTE_MS;
    store.services.update('chat', { state: 'Running' });
    await services.sweep();
    expect(slept).toEqual([]);
    clock = 40 * MINUTE_MS;
    await services.sweep();
    expect(slept).toEqual(['chat after 10']);
  });

  it('does nothing when sleepAfterMinutes is 0', async () => {
    store.services.insert(serviceRecord('chat', { state: 'Running', auth: ['token'], versions: [] }));
    const services = idle(0);
    expect(services.enabled).toBe(false);
    await services.sweep();
    clock = 1_000 * MINUTE_MS;
    await services.sweep();
    expect(slept).toEqual([]);
  });

  it('sweeps often enough for short idle times, at most once a minute', () => {
    expect(idle(1).sweepEveryMs()).toBe(15_000);
    expect(idle(60).sweepEveryMs()).toBe(60_000);
  });
});
