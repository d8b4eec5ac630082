import type { FailureReason } from '@aiplat/api';
import type { JobRecord } from '../../jobs/jobStore.js';
import type { Placement } from './scheduler/index.js';
import type { ExitStatus, InstanceHandle } from './supervisor/index.js';
import { signalQuietly } from './supervisor/instanceState.js';

/** `completed`: the launcher of a launcher-only mode has exited 0 and the instances waiting for it are stopped. */
export type StopCause = 'user' | 'preempt' | 'failure' | 'completed';

/** Why a run is ending, and how long its instances get between SIGTERM and SIGKILL. */
export interface RunStop {
  cause: StopCause;
  graceMs: number;
  /** What failed, when the cause is a failure. */
  failure?: FailureReason;
  /** The job a preemption makes room for. */
  by?: string;
}

/** A job that holds resources (Starting, Running or Stopping) and what is known of its instances. */
export interface JobRun {
  job: JobRecord;
  placement: Placement;
  /** One entry per instance, by index: set once the instance is started or adopted. */
  handles: (InstanceHandle | undefined)[];
  /** One entry per instance, by index: set once the instance has exited. */
  exits: (ExitStatus | undefined)[];
  /** Still starting instances. */
  launching: boolean;
  /** The resolved working directory. */
  cwd?: string;
  stopping?: RunStop;
}

/** Kept in the job record so a restarted backend can account for a running job's resources. */
export interface LocalRuntime {
  placement: Placement;
}

export function newJobRun(job: JobRecord, placement: Placement, instanceCount: number, launching: boolean): JobRun {
  return {
    job,
    placement,
    handles: Array.from({ length: instanceCount }, () => undefined),
    exits: Array.from({ length: instanceCount }, () => undefined),
    launching,
  };
}

/** Asks every instance still running to stop: SIGTERM to its process group, SIGKILL after `graceMs`. */
export function stopRunningInstances(run: JobRun, graceMs: number): void {
  run.handles.forEach((handle, i) => {
    if (handle && run.exits[i] === undefined) void handle.stop(graceMs).catch(() => undefined);
  });
}

/** SIGKILLs every instance still running, cutting short a stop's grace period. */
export function killRunningInstances(run: JobRun): void {
  run.handles.forEach((handle, i) => {
    if (handle && run.exits[i] === undefined) signalQuietly(-handle.pgid, 'SIGKILL');
  });
}

/**
 * Whether every instance that was started has exited; a run that is not stopping also waits for
 * the instances it has not started yet.
 */
export function isRunOver(run: JobRun): boolean {
  const started = run.handles.filter((h, i) => h !== undefined || run.exits[i] !== undefined).length;
  const done = run.exits.filter((e) => e !== undefined).length;
  if (done < started) return false;
  return Boolean(run.stopping) || done >= run.handles.length;
}
