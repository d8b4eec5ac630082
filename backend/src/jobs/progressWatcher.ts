import type { JobProgress } from '@aiplat/api';
import { nextLogSeq } from '../logs/logReader.js';
import { followJobLogs, type LogCursor, type LogFollow, type LogSource } from './jobLogs.js';
import { mayBeProgress, ProgressHistory, ProgressTracker } from './progress/index.js';

export interface ProgressWatcherOptions {
  /** Called with the latest progress at most once per `intervalMs`, and once more at the end. */
  onProgress: (progress: JobProgress) => void;
  intervalMs?: number;
  /** How long `progressAt` waits for this watcher to read up to a cursor before answering with less. */
  catchUpMs?: number;
}

interface Waiter {
  cursor: LogCursor;
  resolve: () => void;
}

/** Where every instance log of a job ends now: the start of the job's next run. */
export function logEnds(sources: readonly LogSource[]): LogCursor {
  const cursor: LogCursor = {};
  for (const source of sources) cursor[source.index] = nextLogSeq(source.file);
  return cursor;
}

/**
 * Reads a job's program output from `from` on as it is written and keeps its progress and ETA
 * (see `ProgressTracker`), reporting changes throttled.
 */
export class ProgressWatcher {
  private readonly tracker = new ProgressTracker();
  private readonly history = new ProgressHistory();
  /** The next line to read of each instance. */
  private readonly read: LogCursor;
  private waiters: Waiter[] = [];
  /** A cursor this watcher did not reach in time: until it does, `progressAt` answers without waiting. */
  private lagging: LogCursor | undefined;
  private readonly follow: LogFollow;
  private timer: NodeJS.Timeout | undefined;
  private pending: JobProgress | undefined;
  private stopped = false;

  constructor(
    sources: readonly LogSource[],
    from: LogCursor,
    private readonly options: ProgressWatcherOptions,
  ) {
    this.read = { ...from };
    this.follow = followJobLogs({
      sources,
      cursor: from,
      send: () => Promise.resolve(),
      // Most output says nothing about progress: test it before decoding it.
      receiveRaw: async (index, lines) => {
        for (const line of lines) {
          if (line.s === 'platform' || !mayBeProgress(line.mJson)) continue;
          const progress = this.tracker.push(JSON.parse(line.mJson) as string, new Date(line.t), index);
          if (!progress) continue;
          this.history.record(index, line.seq, progress);
          this.schedule(progress);
        }
        const last = lines.at(-1);
        if (last) this.read[index] = Math.max(this.read[index] ?? 0, last.seq + 1);
        this.wakeWaiters();
      },
    });
  }

  /**
   * The progress as of `cursor`, a reader's place in the job's logs: after the last line before it
   * that changed the progress. Waits (up to `catchUpMs`) for this watcher to have read that far.
   */
  async progressAt(cursor: LogCursor): Promise<JobProgress | undefined> {
    if (this.lagging && this.hasRead(this.lagging)) this.lagging = undefined;
    // Far behind (re-reading a long run after a restart): the stream does not wait for it batch by batch.
    if (!this.stopped && !this.lagging && !this.hasRead(cursor)) {
      await new Promise<void>((resolve) => {
        const waiter: Waiter = { cursor, resolve: () => undefined };
        const timer = setTimeout(() => {
          this.lagging = cursor;
          waiter.resolve();
        }, this.options.catchUpMs ?? 2000);
        timer.unref();
        waiter.resolve = () => {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve();
        };
        this.waiters.push(waiter);
      });
    }
    return this.history.at(cursor);
  }

  private hasRead(cursor: LogCursor): boolean {
    return Object.entries(cursor).every(([index, seq]) => (this.read[Number(index)] ?? 0) >= seq);
  }

  private wakeWaiters(): void {
    for (const waiter of [...this.waiters]) if (this.stopped || this.hasRead(waiter.cursor)) waiter.resolve();
  }

  private schedule(progress: JobProgress): void {
    this.pending = progress;
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => this.flush(), this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Reports the progress the throttle holds back, if any, now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const progress = this.pending;
    this.pending = undefined;
    if (progress) this.options.onProgress(progress);
  }

  /**
   * The job has finished: reads the end of its output (a reader that fell behind skips to the last
   * lines, which hold the final progress), reports the last progress, stops.
   */
  async finish(): Promise<void> {
    await this.follow.finish({ lastLines: 1000 });
    this.stopped = true;
    this.flush();
  }

  dispose(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.follow.dispose();
    this.wakeWaiters();
  }
}
