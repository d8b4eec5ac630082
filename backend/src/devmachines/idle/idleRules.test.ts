import { describe, expect, it } from 'vitest';
import { autoStopAt, decideIdle, type IdlePolicy, type IdleSample } from './idleRules.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-12-06T08:00:00Z');

const policy = (overrides: Partial<IdlePolicy> = {}): IdlePolicy => ({
  thresholds: { cpuPercent: 5, memoryPercent: 50 },
  combine: 'all',
  forMinutes: 30,
  excludeProcesses: ['syncthing'],
  activity: { kernels: true, terminals: true, codeServer: true, jobs: true },
  ...overrides,
});

/** A machine at rest at minute `m`, with `changes`. */
const at = (m: number, changes: Partial<IdleSample> = {}): IdleSample => ({
  at: T0 + m * MINUTE,
  processes: [
    { name: 'python3', cpuPercent: 0.5, memoryPercent: 10 },
    { name: 'syncthing', cpuPercent: 40, memoryPercent: 5 },
  ],
  kernels: { busy: 0, connected: 0 },
  terminals: 0,
  runningJobs: 0,
  ...changes,
});

const busyCpu = { processes: [{ name: 'python3', cpuPercent: 90, memoryPercent: 10 }] };
const busyMemory = { processes: [{ name: 'python3', cpuPercent: 1, memoryPercent: 70 }] };

describe('decideIdle', () => {
  const cases: {
    name: string;
    samples: IdleSample[];
    policy?: Partial<IdlePolicy>;
    now: number;
    idle: boolean;
    stop: boolean;
    sinceMinute?: number;
  }[] = [
    { name: 'no samples yet: not idle', samples: [], now: 0, idle: false, stop: false },
    {
      name: 'at rest for 30 min: stops',
      samples: [at(0), at(15), at(30)],
      now: T0 + 30 * MINUTE,
      idle: true,
      stop: true,
      sinceMinute: 0,
    },
    {
      name: 'at rest for 29 min: not yet',
      samples: [at(0), at(29)],
      now: T0 + 29 * MINUTE,
      idle: true,
      stop: false,
      sinceMinute: 0,
    },
    {
      name: 'a busy sample breaks the run',
      samples: [at(0), at(10, busyCpu), at(20), at(40)],
      now: T0 + 40 * MINUTE,
      idle: true,
      stop: false,
      sinceMinute: 20,
    },
    {
      name: 'an excluded process does not count',
      samples: [at(0), at(30)],
      policy: { excludeProcesses: [] },
      now: T0 + 30 * MINUTE,
      idle: false,
      stop: false,
    },
    {
      name: 'all: memory over its threshold keeps it up',
      samples: [at(0, busyMemory), at(30, busyMemory)],
      now: T0 + 30 * MINUTE,
      idle: false,
      stop: false,
    },
    {
      name: 'any: CPU under its threshold is enough',
      samples: [at(0, busyMemory), at(30, busyMemory)],
      policy: { combine: 'any' },
      now: T0 + 30 * MINUTE,
      idle: true,
      stop: true,
      sinceMinute: 0,
    },
    {
      name: 'a busy kernel keeps it up',
      samples: [at(0), at(30, { kernels: { busy: 1, connected: 1 } })],
      now: T0 + 30 * MINUTE,
      idle: false,
      stop: false,
    },
    {
      name: 'a connected kernel keeps it up',
      samples: [at(0), at(30, { kernels: { busy: 0, connected: 1 } })],
      now: T0 + 30 * MINUTE,
      idle: false,
      stop: false,
    },
    {
      name: 'kernels ignored when the policy says so',
      samples: [at(0, { kernels: { busy: 1, connected: 1 } }), at(30, { kernels: { busy: 1, connected: 1 } })],
      policy: { activity: { kernels: false, terminals: true, codeServer: true, jobs: true } },
      now: T0 + 30 * MINUTE,
      idle: true,
      stop: true,
      sinceMinute: 0,
    },
    {
      name: 'an open terminal keeps it up',
      samples: [at(0), at(30, { terminals: 1 })],
      now: T0 + 30 * MINUTE,
      idle: false,
      stop: false,
    },
    {
      name: 'a recent code-server heartbeat keeps it up',
      samples: [at(0), at(30, { codeServerHeartbeat: T0 + 25 * MINUTE })],
      now: T0 + 30 * MINUTE,
      idle: false,
      stop: false,
    },
    {
      name: 'an old heartbeat does not',
      samples: [at(31, { codeServerHeartbeat: T0 })],
      now: T0 + 61 * MINUTE,
      idle: true,
      stop: true,
      sinceMinute: 31,
    },
    {
      name: 'a running job started from it keeps it up',
      samples: [at(0), at(30, { runningJobs: 1 })],
      now: T0 + 30 * MINUTE,
      idle: false,
      stop: false,
    },
    {
      name: 'busy accelerators keep it up',
      samples: [at(0, { acceleratorPercent: 80 }), at(30, { acceleratorPercent: 80 })],
      policy: { thresholds: { acceleratorPercent: 10 } },
      now: T0 + 30 * MINUTE,
      idle: false,
      stop: false,
    },
    {
      name: 'no thresholds: only activity decides',
      samples: [at(0, busyCpu), at(30, busyCpu)],
      policy: { thresholds: {} },
      now: T0 + 30 * MINUTE,
      idle: true,
      stop: true,
      sinceMinute: 0,
    },
  ];
  it.each(cases)('$name', ({ samples, policy: changes, now, idle, stop, sinceMinute }) => {
    const verdict = decideIdle(samples, policy(changes), now);
    expect({ idle: verdict.idle, stop: verdict.stop }).toEqual({ idle, stop });
    if (sinceMinute !== undefined) expect(verdict.idleSinceMs).toBe(T0 + sinceMinute * MINUTE);
  });

  it('says each signal’s value and whether it counts (why not idle)', () => {
    const verdict = decideIdle(
      [at(0, { kernels: { busy: 1, connected: 2 }, codeServerHeartbeat: T0 - 3 * MINUTE })],
      policy(),
      T0,
    );
    expect(verdict.signals).toEqual([
      { name: 'cpu', value: '0.5%', counts: true, idle: true },
      { name: 'memory', value: '10%', counts: true, idle: true },
      { name: 'accelerator', value: 'none', counts: false, idle: true },
      { name: 'kernels', value: '1 busy, 2 connected', counts: true, idle: false },
      { name: 'terminals', value: '0', counts: true, idle: true },
      { name: 'code-server', value: 'last heartbeat 3 min ago', counts: true, idle: false },
      { name: 'jobs', value: '0', counts: true, idle: true },
    ]);
  });
});

describe('autoStopAt', () => {
  const started = T0;
  it.each([
    { name: 'running less than the hours: nothing due', minutes: 60, snoozes: 0, due: 'none' },
    { name: '10 minutes before: the warning', minutes: 110, snoozes: 0, due: 'warn' },
    { name: 'at the hours: stop', minutes: 120, snoozes: 0, due: 'stop' },
    { name: 'a snooze puts it off an hour', minutes: 120, snoozes: 1, due: 'none' },
    { name: 'and warns again before the new time', minutes: 171, snoozes: 1, due: 'warn' },
  ] as const)('$name', ({ minutes, snoozes, due }) => {
    const result = autoStopAt(started, 2, snoozes, started + minutes * MINUTE);
    expect(result.due).toBe(due);
    expect(result.stopAt).toBe(started + (120 + snoozes * 60) * MINUTE);
    expect(result.warnAt).toBe(result.stopAt - 10 * MINUTE);
  });
});
