import type { DevMachine } from './schemas/devMachines.js';

/*
 * When an IDE warns of a dev machine's auto-stop (both extensions): the backend stops a running
 * machine with `autoStop` at its `autoStopAt`; the IDE warns 10 minutes before, once for each
 * `autoStopAt` (a snooze moves it, and so warns again before the new time).
 */

/** How long before its auto-stop a machine's owner is warned. */
export const AUTO_STOP_WARNING_MS = 10 * 60 * 1000;

/** A notice due: the machine, and the key that says it was shown (one per `autoStopAt`). */
export interface AutoStopNotice {
  machine: DevMachine;
  key: string;
  /** When it stops, ms since the epoch. */
  stopsAt: number;
}

/** The key of a machine's notice for its current `autoStopAt`. */
export function autoStopNoticeKey(machine: Pick<DevMachine, 'id' | 'autoStopAt'>): string {
  return `${machine.id}@${machine.autoStopAt ?? ''}`;
}

/** When a running machine stops by itself (ms since the epoch), or undefined when it does not. */
export function autoStopTime(machine: Pick<DevMachine, 'state' | 'autoStopAt'>): number | undefined {
  if (machine.state !== 'Running' || !machine.autoStopAt) return undefined;
  const at = Date.parse(machine.autoStopAt);
  return Number.isNaN(at) ? undefined : at;
}

/**
 * The machines due a notice at `now`: running, within 10 minutes of their `autoStopAt` (not past
 * it), and not yet warned of this `autoStopAt`.
 */
export function dueAutoStopNotices(
  machines: readonly DevMachine[],
  now: number,
  notified: ReadonlySet<string>,
): AutoStopNotice[] {
  return machines.flatMap((machine) => {
    const stopsAt = autoStopTime(machine);
    if (stopsAt === undefined || now < stopsAt - AUTO_STOP_WARNING_MS || now >= stopsAt) return [];
    const key = autoStopNoticeKey(machine);
    return notified.has(key) ? [] : [{ machine, key, stopsAt }];
  });
}

/** A time of day as HH:MM (24 hours, local time); what it was given when that is no time. */
export function clockTime(time: number | string | Date): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
