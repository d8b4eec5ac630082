import type { Logger } from 'pino';
import type { ServiceStore } from './serviceStore.js';

export interface IdleServicesDeps {
  store: ServiceStore;
  /** Puts an idle Running service to sleep (the core's `sleep`). */
  sleep: (name: string, idleMinutes: number) => Promise<void>;
  sleepAfterMinutes: number;
  log: Logger;
  now?: () => number;
}

/**
 * Sleeping services: the gateway reports each call (`touch`); a Running service with no call for
 * `sleepAfterMinutes` is put to sleep by `sweep`. A service is idle from the first sweep that sees
 * it Running (not from a call made before it last stopped), so one started or woken is not put
 * back to sleep at once.
 */
export class IdleServices {
  private readonly lastCall = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly deps: IdleServicesDeps) {
    this.now = deps.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.deps.sleepAfterMinutes > 0;
  }

  touch(name: string): void {
    if (this.enabled) this.lastCall.set(name, this.now());
  }

  /** How often `sweep` should run: often enough that a service sleeps within a quarter of its idle time. */
  sweepEveryMs(): number {
    return Math.min(60_000, Math.max(1_000, (this.deps.sleepAfterMinutes * 60_000) / 4));
  }

  async sweep(): Promise<void> {
    if (!this.enabled) return;
    const now = this.now();
    const idleMs = this.deps.sleepAfterMinutes * 60_000;
    const running = new Set<string>();
    for (const record of this.deps.store.list()) {
      if (record.state !== 'Running') continue;
      running.add(record.name);
      const last = this.lastCall.get(record.name);
      if (last === undefined) this.lastCall.set(record.name, now);
      else if (now - last >= idleMs) {
        this.lastCall.delete(record.name);
        await this.deps.sleep(record.name, this.deps.sleepAfterMinutes).catch((error: unknown) => {
          this.deps.log.warn({ name: record.name, err: error }, 'an idle service could not be put to sleep');
        });
      }
    }
    for (const name of this.lastCall.keys()) if (!running.has(name)) this.lastCall.delete(name);
  }
}
