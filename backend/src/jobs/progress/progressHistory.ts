import type { JobProgress } from '@aiplat/api';

/** Where each instance's reading stands: instance index → next sequence number (a log cursor). */
export type LinePosition = Readonly<Record<number, number>>;

interface Reading {
  instance: number;
  seq: number;
  progress: JobProgress;
}

/** Readings kept by default: about the last few thousand progress lines of a run. */
export const DEFAULT_PROGRESS_READINGS = 5000;

/**
 * The progress of one run after each line that changed it, in the order the lines were read, so that
 * the progress "as of" a log cursor can be told: what a reader who has the lines before that cursor
 * has seen. Pure: no I/O, no clock.
 */
export class ProgressHistory {
  private readings: Reading[] = [];

  constructor(private readonly capacity = DEFAULT_PROGRESS_READINGS) {}

  /** The line `seq` of `instance` left the progress at `progress`. */
  record(instance: number, seq: number, progress: JobProgress): void {
    this.readings.push({ instance, seq, progress });
    if (this.readings.length > this.capacity * 2) this.readings = this.readings.slice(-this.capacity);
  }

  /**
   * The progress after the last reading whose line comes before `cursor` (a line `seq` of instance `i`
   * is before it when `seq < cursor[i]`); undefined when none does (or those were forgotten).
   */
  at(cursor: LinePosition): JobProgress | undefined {
    for (let i = this.readings.length - 1; i >= 0; i--) {
      const r = this.readings[i]!;
      if (r.seq < (cursor[r.instance] ?? 0)) return r.progress;
    }
    return undefined;
  }

  clear(): void {
    this.readings = [];
  }
}
