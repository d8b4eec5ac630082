import type { JobLifecycle } from '../../jobs/engine.js';
import { killRunningInstances, stopRunningInstances, type JobRun } from './jobRun.js';
import type { RunTracker } from './runTracker.js';

export interface RunStopperOptions {
  lifecycle: JobLifecycle;
  runs: RunTracker;
  /** SIGTERM first, SIGKILL this long after. */
  stopGraceMs: number;
}

/** Ends runs before their instances are done: a user's stop, or a preemption by a higher-priority job. */
export class RunStopper {
  constructor(private readonly options: RunStopperOptions) {}

  /** A forced stop kills every instance at once, also cutting short a stop already in its grace period. */
  stopByUser(run: JobRun, force: boolean): void {
    const graceMs = force ? 0 : this.options.stopGraceMs;
    // A stop after the launcher's success (or the user's own stop) only hastens what is under way.
    if (run.stopping?.cause === 'user' || run.stopping?.cause === 'completed') {
      if (force) killRunningInstances(run);
      return;
    }
    run.stopping = { cause: 'user', graceMs };
    const next = this.options.lifecycle.transition(run.job.id, 'Stopping', {
      type: 'stop-requested',
      message: force
        ? 'stop requested: killing every instance'
        : `stop requested: SIGTERM, SIGKILL after ${graceMs} ms`,
    });
    if (next) run.job = next;
    stopRunningInstances(run, graceMs);
    this.options.runs.settleIfDone(run);
  }

  /** Stops a run to make room for `by`; once over, the job goes back to its queue. */
  preempt(run: JobRun, by: string): void {
    if (run.stopping) return;
    const { stopGraceMs } = this.options;
    run.stopping = { cause: 'preempt', graceMs: stopGraceMs, by };
    this.options.lifecycle.event(
      run.job.id,
      'preempted',
      `preempted by ${by}, which has a higher priority; it goes back to its queue`,
    );
    stopRunningInstances(run, stopGraceMs);
    this.options.runs.settleIfDone(run);
  }
}
