import {
  AUTO_STOP_WARNING_MS,
  autoStopNoticeKey,
  autoStopTime,
  dueAutoStopNotices,
  type AutoStopNotice,
  type DevMachine,
} from '@aiplat/api';

export { clockTime, type AutoStopNotice } from '@aiplat/api';

/** The longest wait between two checks, so a sleeping laptop's late timer still finds what fell due. */
export const AUTO_STOP_CHECK_MAX_MS = 60_000;

/** The keys of notices that no longer hold: their machine stopped, is gone or was snoozed. */
export function staleAutoStopNotices(machines: readonly DevMachine[], shown: Iterable<string>): string[] {
  const current = new Set(machines.filter((m) => autoStopTime(m) !== undefined).map((m) => autoStopNoticeKey(m)));
  return [...shown].filter((key) => !current.has(key));
}

/** How long to wait before the next check: until the next notice falls due, at most a minute. */
export function nextAutoStopCheckIn(
  machines: readonly DevMachine[],
  now: number,
  notified: ReadonlySet<string>,
): number {
  let wait = AUTO_STOP_CHECK_MAX_MS;
  for (const machine of machines) {
    const at = autoStopTime(machine);
    if (at === undefined || notified.has(autoStopNoticeKey(machine))) continue;
    const due = at - AUTO_STOP_WARNING_MS;
    if (due > now) wait = Math.min(wait, due - now);
  }
  return wait;
}

/**
 * Which auto-stop notices to show and to take back, with the clock injected: each is given once
 * per machine and auto-stop time, and taken back when it no longer holds.
 */
export class AutoStopNoticeModel {
  private readonly _notified = new Set<string>();
  /** The notices given that still hold. */
  private readonly _shown = new Set<string>();

  constructor(private readonly _now: () => number = Date.now) {}

  /** The notices to show now (each then counts as given) and the keys of those to take back. */
  check(machines: readonly DevMachine[]): { show: AutoStopNotice[]; withdraw: string[] } {
    const withdraw = staleAutoStopNotices(machines, this._shown);
    for (const key of withdraw) this._shown.delete(key);
    const show = dueAutoStopNotices(machines, this._now(), this._notified);
    for (const notice of show) {
      this._notified.add(notice.key);
      this._shown.add(notice.key);
    }
    return { show, withdraw };
  }

  /** The user closed the notice, or acted on it. */
  closed(key: string): void {
    this._shown.delete(key);
  }

  /** Milliseconds until the next check. */
  nextCheckIn(machines: readonly DevMachine[]): number {
    return nextAutoStopCheckIn(machines, this._now(), this._notified);
  }
}
