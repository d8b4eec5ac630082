import type { DevMachine } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import {
  AUTO_STOP_CHECK_MAX_MS,
  AutoStopNoticeModel,
  clockTime,
  nextAutoStopCheckIn,
  staleAutoStopNotices,
} from './autoStopNotices.js';

const MIN = 60_000;
const STOP = Date.parse('2026-03-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function machine(id: string, patch: Partial<DevMachine> = {}): DevMachine {
  return {
    id,
    owner: 'alice',
    spec: { name: `box-${id}` } as DevMachine['spec'],
    state: 'Running',
    createdAt: iso(STOP - 5 * 60 * MIN),
    autoStopAt: iso(STOP),
    urls: {},
    ...patch,
  };
}

describe('which dev machines are due an auto-stop notice', () => {
  const none = new Set<string>();

  it('takes back notices whose machine stopped, went or was snoozed', () => {
    const key = `dm-aaaaaa@${iso(STOP)}`;
    expect(staleAutoStopNotices([machine('dm-aaaaaa')], [key])).toEqual([]);
    expect(staleAutoStopNotices([machine('dm-aaaaaa', { state: 'Stopped' })], [key])).toEqual([key]);
    expect(staleAutoStopNotices([], [key])).toEqual([key]);
    expect(staleAutoStopNotices([machine('dm-aaaaaa', { autoStopAt: iso(STOP + 60 * MIN) })], [key])).toEqual([key]);
  });

  it('checks again when the next notice falls due, at least every minute', () => {
    const box = machine('dm-aaaaaa');
    expect(nextAutoStopCheckIn([], STOP, none)).toBe(AUTO_STOP_CHECK_MAX_MS);
    expect(nextAutoStopCheckIn([box], STOP - 10 * MIN - 5000, none)).toBe(5000);
    expect(nextAutoStopCheckIn([box], STOP - 60 * MIN, none)).toBe(AUTO_STOP_CHECK_MAX_MS);
    expect(nextAutoStopCheckIn([box], STOP - 10 * MIN - 5000, new Set([`dm-aaaaaa@${iso(STOP)}`]))).toBe(
      AUTO_STOP_CHECK_MAX_MS,
    );
  });

  it('formats the auto-stop as local HH:MM', () => {
    const local = new Date(2026, 2, 1, 9, 5).toISOString();
    expect(clockTime(local)).toBe('09:05');
    expect(clockTime('soon')).toBe('soon');
  });
});

describe('the auto-stop notice model, on an injected clock', () => {
  it('tells once per auto-stop time as the clock moves, and takes back what no longer holds', () => {
    let now = STOP - 30 * MIN;
    const notices = new AutoStopNoticeModel(() => now);
    let machines = [machine('dm-aaaaaa'), machine('dm-bbbbbb', { autoStopAt: iso(STOP + 30 * MIN) })];
    expect(notices.check(machines)).toEqual({ show: [], withdraw: [] });
    expect(notices.nextCheckIn(machines)).toBe(AUTO_STOP_CHECK_MAX_MS);
    now = STOP - 9 * MIN;
    expect(notices.check(machines).show.map((n) => n.machine.id)).toEqual(['dm-aaaaaa']);
    // Every change and every tick checks again: no second notice for the same time.
    expect(notices.check(machines)).toEqual({ show: [], withdraw: [] });
    now = STOP - 2 * MIN;
    expect(notices.check(machines).show).toEqual([]);
    // Snoozed by an hour: the notice is taken back; a new one 10 minutes before the new time.
    machines = [machine('dm-aaaaaa', { autoStopAt: iso(STOP + 60 * MIN) }), machines[1] as DevMachine];
    expect(notices.check(machines)).toEqual({ show: [], withdraw: [`dm-aaaaaa@${iso(STOP)}`] });
    now = STOP + 25 * MIN;
    expect(notices.check(machines).show.map((n) => n.machine.id)).toEqual(['dm-bbbbbb']);
    now = STOP + 50 * MIN;
    expect(notices.check(machines).show.map((n) => n.machine.autoStopAt)).toEqual([iso(STOP + 60 * MIN)]);
    // Closed by the user: nothing to take back when it stops.
    notices.closed(`dm-aaaaaa@${iso(STOP + 60 * MIN)}`);
    expect(notices.check([machines[1] as DevMachine]).withdraw).toEqual([]);
    expect(notices.check([]).withdraw).toEqual([`dm-bbbbbb@${iso(STOP + 30 * MIN)}`]);
  });
});
