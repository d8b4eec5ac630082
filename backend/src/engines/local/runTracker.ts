import type { JobLifecycle } from '../../jobs/engine.js';
import type { JobRecord } from '../../jobs/jobStore.js';
import { describeExit, exitFailure, isSuccess } from './instanceExit.js';
import type { InstanceMetrics } from './instanceMetrics.js';
import { isRunLauncher } from './launcherOnly.js';
import { isRunOver, stopRunningInstances, type JobRun } from './jobRun.js';
import type { ExitStatus, InstanceHandle } from './supervisor/index.js';

export interface RunTrackerOptions {
  lifecycle: JobLifecycle;
  metrics: InstanceMetrics;
  /** SIGTERM first, SIGKILL this long after, when a failing instance stops the others. */
  stopGraceMs: number;
  /** A run is over and no longer tracked; `job` is the job as stored now. */
  onRunOver: (run: JobRun, job: JobRecord) => void;
}

/**
 * The runs in flight, by job: each instance's start and exit recorded on the job, one failing
 * instance stopping the others, and each run handed on once nothing of it is left running.
 */
export class RunTracker {
  private readonly runs = new Map<string, JobRun>();

  constructor(private readonly options: RunTrackerOptions) {}

  get(jobId: string): JobRun | undefined {
    return this.runs.get(jobId);
  }

  all(): IterableIterator<JobRun> {
    return this.runs.values();
  }

  add(run: JobRun): void {
    this.runs.set(run.job.id, run);
  }

  /** Stops tracking a run that never got going; the caller records how it ended. */
  drop(run: JobRun): void {
    this.runs.delete(run.job.id);
  }

  /** Records an instance that has just been started, and watches it. */
  attach(run: JobRun, index: number, handle: InstanceHandle): void {
    run.handles[index] = handle;
    this.options.lifecycle.updateInstance(run.job.id, index, {
      state: 'Running',
      pid: handle.pid,
      startedAt: new Date().toISOString(),
    });
    this.options.lifecycle.event(
      run.job.id,
      'instance-started',
      `instance ${index} started (pid ${handle.pid})`,
      index,
    );
    this.watch(run, index, handle);
  }

  /** Samples a running instance's metrics and records its exit when it comes. */
  watch(run: JobRun, index: number, handle: InstanceHandle): void {
    this.options.metrics.track(run.job.id, index, handle.pgid, run.placement.instances[index]);
    handle.onExit((exit) => this.recordExit(run, index, exit));
  }

  recordExit(run: JobRun, index: number, exit: ExitStatus): void {
    if (this.runs.get(run.job.id) !== run) return;
    const { lifecycle } = this.options;
    run.exits[index] = exit;
    run.handles[index]?.dispose();
    this.options.metrics.untrack(run.job.id, index);
    const state = isSuccess(exit) ? 'Succeeded' : run.stopping ? 'Stopped' : 'Failed';
    lifecycle.updateInstance(run.job.id, index, {
      state,
      ...(exit.code !== null ? { exitCode: exit.code } : {}),
      ...(exit.signal ? { signal: exit.signal } : {}),
      finishedAt: new Date().toISOString(),
    });
    lifecycle.event(run.job.id, 'instance-exited', `instance ${index} ${describeExit(exit)}`, index);
    if (!run.stopping && !isSuccess(exit)) {
      // Any instance failing fails the job: stop the others.
      run.stopping = { cause: 'failure', graceMs: this.options.stopGraceMs, failure: exitFailure(index, exit) };
      stopRunningInstances(run, this.options.stopGraceMs);
    } else if (!run.stopping && isRunLauncher(run.job.spec, index)) {
      // The launcher succeeded: the instances that waited for it are done too.
      run.stopping = { cause: 'completed', graceMs: this.options.stopGraceMs };
      if (run.exits.some((e) => e === undefined)) {
        lifecycle.event(run.job.id, 'engine', 'the launcher has finished: stopping the instances that waited for it');
      }
      stopRunningInstances(run, this.options.stopGraceMs);
    }
    this.settleIfDone(run);
  }

  /** Once no instance is left running (and none is still being launched), the run is over. */
  settleIfDone(run: JobRun): void {
    if (run.launching || this.runs.get(run.job.id) !== run) return;
    if (!isRunOver(run)) return;
    this.runs.delete(run.job.id);
    const job = this.options.lifecycle.getJob(run.job.id);
    if (!job) return;
    this.options.onRunOver(run, job);
  }

  /** Stops watching every run; the instances keep running for a restarted backend to adopt. */
  close(): void {
    for (const run of this.runs.values()) for (const handle of run.handles) handle?.dispose();
    this.runs.clear();
  }
}
