import type { JobProgress } from '@aiplat/api';
import type { Logger } from 'pino';
import type { LogCursor, LogSource } from './jobLogs.js';
import type { JobRecord, JobStore } from './jobStore.js';
import { logEnds, ProgressWatcher } from './progressWatcher.js';

export interface JobProgressKeeperDeps {
  store: JobStore;
  logSources: (job: JobRecord) => LogSource[];
  /** Called with each job's latest progress (throttled by the watcher). */
  onProgress: (id: string, progress: JobProgress) => void;
  log: Logger;
}

/** Keeps each running job's progress from its output: one `ProgressWatcher` per job run. */
export class JobProgressKeeper {
  private readonly watchers = new Map<string, ProgressWatcher>();

  constructor(private readonly deps: JobProgressKeeperDeps) {}

  /**
   * Watches a job's run: a new run from the end of its logs so far (recorded in the job, so that
   * after a backend restart the same run is read again from its start).
   */
  watch(job: JobRecord, from: 'from-now' | 'recorded'): void {
    this.forget(job.id);
    const sources = this.deps.logSources(job);
    const cursor = from === 'recorded' && job.progressFrom ? job.progressFrom : logEnds(sources);
    if (from === 'from-now') this.deps.store.updateJob(job.id, { progressFrom: cursor, progress: undefined });
    const watcher = new ProgressWatcher(sources, cursor, {
      onProgress: (progress) => this.deps.onProgress(job.id, progress),
    });
    this.watchers.set(job.id, watcher);
  }

  /** Reports at once the progress read so far that the throttle still holds back. */
  flush(id: string): void {
    this.watchers.get(id)?.flush();
  }

  /** The run has ended: reads its last lines, reports once more and stops. */
  finish(id: string): void {
    const watcher = this.watchers.get(id);
    if (!watcher) return;
    this.watchers.delete(id);
    watcher
      .finish()
      .catch((error: unknown) =>
        this.deps.log.debug({ err: error, job: id }, 'progress: reading the last lines failed'),
      )
      .finally(() => watcher.dispose());
  }

  /**
   * The progress of a job's current run as of `cursor` (a log follower's place), for the batches of
   * `job-logs/<id>`; undefined once the run has ended or before any progress.
   */
  progressAt(id: string, cursor: LogCursor): Promise<JobProgress | undefined> {
    return this.watchers.get(id)?.progressAt(cursor) ?? Promise.resolve(undefined);
  }

  forget(id: string): void {
    this.watchers.get(id)?.dispose();
    this.watchers.delete(id);
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.dispose();
    this.watchers.clear();
  }
}
