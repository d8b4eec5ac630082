import type { Logger } from 'pino';
import { autoStopOf, type DevMachineService } from '../devMachineService.js';

export interface AutoStopperDeps {
  machines: DevMachineService;
  log: Logger;
  now?: () => number;
  /** How often the clock looks (30 s unless given). */
  everyMs?: number;
}

/**
 * The auto-stop clock, engine-neutral: each running dev machine with `autoStop` is warned 10 minutes
 * before its time (an event its owner's IDEs show, with a snooze) and stopped at it.
 */
export class AutoStopper {
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: AutoStopperDeps) {
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.deps.everyMs ?? 30_000);
    this.timer.unref();
  }

  /** Warns and stops what is due now. */
  async tick(): Promise<void> {
    const now = this.now();
    for (const record of this.deps.machines.records()) {
      const due = autoStopOf(record, now);
      if (!due || due.due === 'none') continue;
      if (due.due === 'warn') {
        this.deps.machines.warnAutoStop(record.id, due.stopAt);
        continue;
      }
      const hours = record.spec.autoStop!.afterHours + (record.snoozes ?? 0);
      await this.deps.machines
        .stop(record.id, record.owner, false, `Stopped by itself after ${hours} h of running (auto-stop).`)
        .catch((error: unknown) =>
          this.deps.log.warn({ id: record.id, err: error }, 'auto-stop could not stop a dev machine'),
        );
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
