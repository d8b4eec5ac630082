import type { DevMachineIdle } from '@aiplat/api';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fake } from '../test/vscodeFake.js';
import { clockTime } from '@aiplat/api';
import { idleSignalIcon, idleSignalRows, idleVerdict } from './idleReport.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

beforeEach(() => fake.reset());

const policy = {
  thresholds: { cpuPercent: 5 },
  combine: 'all' as const,
  forMinutes: 30,
  excludeProcesses: [],
  activity: { kernels: true, terminals: true, codeServer: false, jobs: true },
};

const busy: DevMachineIdle = {
  policy,
  sampledAt: '2026-01-05T10:00:00Z',
  idle: false,
  signals: [
    { name: 'cpu', value: '3.2%', counts: true, idle: true },
    { name: 'memory', value: '41%', counts: false, idle: true },
    { name: 'terminals', value: '2 open', counts: true, idle: false },
    { name: 'code-server', value: '1 connected', counts: false, idle: true },
    { name: 'jobs', value: '1 running', counts: true, idle: false },
  ],
};

describe('why not idle', () => {
  it('names what keeps a machine up: the signals that count and are not idle', () => {
    expect(idleVerdict(busy)).toBe('Kept up by: Terminals, Jobs');
  });

  it('says since when an idle machine is idle and when it stops', () => {
    const idleSince = '2026-01-05T09:40:00Z';
    const stopsAt = '2026-01-05T10:10:00Z';
    const idle = { ...busy, idle: true, idleSince, stopsAt, signals: [] };
    expect(idleVerdict(idle)).toBe(`Idle since ${clockTime(idleSince)}, stops at ${clockTime(stopsAt)}`);
    expect(idleVerdict({ ...idle, idleSince: undefined })).toBe(`Idle, stops at ${clockTime(stopsAt)}`);
  });

  it('says when there is no policy, or no look yet', () => {
    expect(idleVerdict({ idle: false, signals: [] })).toBe('No idle policy');
    expect(idleVerdict({ policy, idle: false, signals: [] })).toBe('Not looked at yet');
    expect(idleVerdict({ ...busy, signals: [] })).toBe('Not idle');
  });

  it('lists each signal with an icon, its value, and whether it counts', () => {
    expect(idleSignalRows(busy).map(({ label, description }) => ({ label, description }))).toEqual([
      { label: '$(debug-pause) CPU', description: '3.2% · idle' },
      { label: '$(circle-slash) Memory', description: '41% · ignored' },
      { label: '$(pulse) Terminals', description: '2 open · active' },
      { label: '$(circle-slash) code-server', description: '1 connected · ignored' },
      { label: '$(pulse) Jobs', description: '1 running · active' },
    ]);
    expect(idleSignalIcon({ counts: false, idle: false })).toBe('circle-slash');
  });
});
