import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DevMachineSpecSchema } from '@aiplat/api';
import { SqliteStore } from '../../store/sqliteStore.js';
import { NULL_PUBLISHER } from '../../server/eventPublisher.js';
import { DevMachineService } from '../devMachineService.js';
import type { DevMachineEngine, EngineIdleSample } from '../engine.js';
import { IdleMonitor } from './idleMonitor.js';

/*
 * The idle monitor with an injected clock: the service, the store (SQLite in memory), the rules and
 * the monitor are the product's; the engine is a stand-in whose looks the test scripts.
 */

const MINUTE = 60_000;
const T0 = Date.parse('2026-12-06T08:00:00Z');
let store: SqliteStore | undefined;
afterEach(() => store?.close());

const quiet: EngineIdleSample = {
  processes: [{ name: 'python3', cpuPercent: 0.4, memoryPercent: 2 }],
  kernels: { busy: 0, connected: 0 },
  terminals: 0,
};

function setUp() {
  let now = T0;
  let look: EngineIdleSample = quiet;
  let jobs = 0;
  store = new SqliteStore(':memory:');
  const machines = new DevMachineService({
    store: store.devMachines,
    events: NULL_PUBLISHER,
    log: pino({ level: 'silent' }),
    now: () => new Date(now),
  });
  const engine: DevMachineEngine = {
    validate: () => undefined,
    start: async (machine) => machines.observed(machine.id, { state: 'Running' }),
    stop: async (machine) => machines.observed(machine.id, { state: 'Stopped' }),
    release: async () => undefined,
    endpoint: () => undefined,
    sampleIdle: async () => look,
  };
  machines.useEngine('local', engine);
  const monitor = new IdleMonitor({
    machines,
    runningJobs: () => jobs,
    log: pino({ level: 'silent' }),
    now: () => now,
  });
  return {
    machines,
    monitor,
    at: (ms: number) => (now = T0 + ms),
    looks: (next: EngineIdleSample) => (look = next),
    jobs: (count: number) => (jobs = count),
  };
}

const spec = DevMachineSpecSchema.parse({
  name: 'box',
  resources: { cpu: 1, memory: '1Gi' },
  idlePolicy: { thresholds: { cpuPercent: 5 }, forMinutes: 30, excludeProcesses: ['syncd'] },
});

describe('the idle monitor', () => {
  it('stops a machine idle for its policy’s duration, saying which signals were idle; activity resets the count', async () => {
    const { machines, monitor, at, looks, jobs } = setUp();
    const { id } = await machines.create('alice', spec, true);
    await monitor.tick();
    at(10 * MINUTE);
    // A job started from the machine keeps it up, and so does a busy kernel.
    jobs(1);
    await monitor.tick();
    const why = await machines.get(id, 'alice');
    expect(why.state).toBe('Running');
    const status = await monitor.status(id, 'alice');
    expect(status.idle).toBe(false);
    expect(status.signals.find((signal) => signal.name === 'jobs')).toEqual({
      name: 'jobs',
      value: '1',
      counts: true,
      idle: false,
    });
    jobs(0);
    at(20 * MINUTE);
    looks({ ...quiet, kernels: { busy: 1, connected: 1 } });
    await monitor.tick();
    // Idle from here on; an excluded process's CPU does not count.
    looks({ ...quiet, processes: [...quiet.processes, { name: 'syncd', cpuPercent: 80, memoryPercent: 1 }] });
    at(21 * MINUTE);
    await monitor.tick();
    at(50 * MINUTE);
    await monitor.tick();
    expect(machines.get(id, 'alice').state).toBe('Running');
    const waiting = await monitor.status(id, 'alice');
    expect(waiting).toMatchObject({
      idle: true,
      idleSince: new Date(T0 + 21 * MINUTE).toISOString(),
      stopsAt: new Date(T0 + 51 * MINUTE).toISOString(),
    });
    expect(waiting.signals.find((signal) => signal.name === 'cpu')).toEqual({
      name: 'cpu',
      value: '0.4%',
      counts: true,
      idle: true,
    });
    at(51 * MINUTE);
    await monitor.tick();
    expect(machines.get(id, 'alice').state).toBe('Stopped');
    expect(machines.events(id, 'alice').events.map((event) => event.message)).toContain(
      'Stopped: idle for 30 min by its idle policy (cpu 0.4%, kernels 0 busy, 0 connected, terminals 0, code-server no heartbeat, jobs 0).',
    );
  });

  it('shows the values of a machine without a policy, none of them counting, and nothing of a stopped one', async () => {
    const { machines, monitor } = setUp();
    const plain = await machines.create(
      'alice',
      DevMachineSpecSchema.parse({ name: 'plain', resources: { cpu: 1, memory: '1Gi' } }),
      true,
    );
    const status = await monitor.status(plain.id, 'alice');
    expect(status.policy).toBeUndefined();
    expect(status.signals.map((signal) => [signal.name, signal.value, signal.counts])).toEqual([
      ['cpu', '0.4%', false],
      ['memory', '2%', false],
      ['accelerator', 'none', false],
      ['kernels', '0 busy, 0 connected', false],
      ['terminals', '0', false],
      ['code-server', 'no heartbeat', false],
      ['jobs', '0', false],
    ]);
    await machines.stop(plain.id, 'alice', true);
    expect(await monitor.status(plain.id, 'alice')).toEqual({ idle: false, signals: [] });
    await expect(monitor.status(plain.id, 'bob')).rejects.toThrow(/no dev machine/);
  });
});
