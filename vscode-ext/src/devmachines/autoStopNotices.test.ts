import type { DevMachine } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { AUTO_STOP_WARNING_MS, autoStopNoticeKey, clockTime, dueAutoStopNotices } from '@aiplat/api';

const STOPS_AT = Date.parse('2026-05-04T12:00:00.000Z');
const MINUTE = 60 * 1000;

function machine(overrides: Partial<DevMachine> = {}): DevMachine {
  return {
    id: 'dm-abc123',
    owner: 'alice',
    spec: {
      name: 'box',
      ides: ['jupyterlab'],
      resources: { cpu: 1, memory: '1Gi', accelerator: { type: 'none', count: 0 } },
      workingDir: 'home',
      priority: 5,
      queue: 'default',
      autoStop: { afterHours: 2 },
    } as DevMachine['spec'],
    state: 'Running',
    createdAt: '2026-05-04T09:00:00.000Z',
    startedAt: '2026-05-04T10:00:00.000Z',
    autoStopAt: new Date(STOPS_AT).toISOString(),
    urls: {},
    ...overrides,
  };
}

/** The ids due a notice at `now` (an injected clock), with `notified` already shown. */
const due = (machines: DevMachine[], now: number, notified: Set<string> = new Set()) =>
  dueAutoStopNotices(machines, now, notified).map((n) => n.machine.id);

describe('auto-stop notices', () => {
  it('are due from 10 minutes before autoStopAt until it', () => {
    const box = machine();
    expect(due([box], STOPS_AT - AUTO_STOP_WARNING_MS - 1)).toEqual([]);
    expect(due([box], STOPS_AT - AUTO_STOP_WARNING_MS)).toEqual(['dm-abc123']);
    expect(due([box], STOPS_AT - MINUTE)).toEqual(['dm-abc123']);
    expect(due([box], STOPS_AT)).toEqual([]);
    expect(due([box], STOPS_AT + MINUTE)).toEqual([]);
  });

  it('come once for each autoStopAt: a snooze moves it and warns again', () => {
    const box = machine();
    const [notice] = dueAutoStopNotices([box], STOPS_AT - 5 * MINUTE, new Set());
    expect(notice).toMatchObject({ key: autoStopNoticeKey(box), stopsAt: STOPS_AT });
    const notified = new Set([notice!.key]);
    expect(due([box], STOPS_AT - 4 * MINUTE, notified)).toEqual([]);
    const snoozed = machine({ autoStopAt: new Date(STOPS_AT + 60 * MINUTE).toISOString(), snoozes: 1 });
    expect(due([snoozed], STOPS_AT - 4 * MINUTE, notified)).toEqual([]);
    expect(due([snoozed], STOPS_AT + 55 * MINUTE, notified)).toEqual(['dm-abc123']);
  });

  it('skip machines that are not running or have no (valid) autoStopAt', () => {
    const now = STOPS_AT - 5 * MINUTE;
    const machines = [
      machine({ id: 'dm-stopping', state: 'Stopping' }),
      machine({ id: 'dm-stopped1', state: 'Stopped' }),
      machine({ id: 'dm-noauto1', autoStopAt: undefined }),
      machine({ id: 'dm-garbled', autoStopAt: 'soon' }),
      machine({ id: 'dm-later01', autoStopAt: new Date(STOPS_AT + 60 * MINUTE).toISOString() }),
      machine({ id: 'dm-due0001' }),
    ];
    expect(due(machines, now)).toEqual(['dm-due0001']);
  });

  it('show times as HH:MM in local time', () => {
    expect(clockTime(new Date(2026, 4, 4, 9, 5).getTime())).toBe('09:05');
    expect(clockTime(new Date(2026, 4, 4, 23, 59).toISOString())).toBe('23:59');
  });
});
