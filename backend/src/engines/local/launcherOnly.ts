import { LAUNCHER_ONLY_MODES, runsCommand, type JobSpec } from '@aiplat/api';

/*
 * Modes whose command runs on the launcher only (horovod): instance 0 runs the job's command; the
 * others are real, supervised instances that hold their resources and wait, as TI-ONE's workers
 * run `sleep infinity`, for the processes the launcher's mpirun / horovodrun starts on their slots.
 * The launcher's exit ends the run: its result is the job's, and the waiting instances are stopped
 * (Stopped, not Failed). A waiting instance that dies first fails the job like any instance that
 * fails: the launcher has lost a host it counts on.
 */

/** What a waiting instance runs: nothing but holding its place until it is stopped. */
export const WAIT_COMMAND = 'exec sleep infinity';

/** The shell command instance `index` of a job runs. */
export function instanceCommand(spec: JobSpec, index: number): string {
  return runsCommand(spec.mode, index) ? spec.command : WAIT_COMMAND;
}

/** Whether instance `index` is a launcher whose exit ends its run (the others wait for it). */
export function isRunLauncher(spec: JobSpec, index: number): boolean {
  return index === 0 && LAUNCHER_ONLY_MODES.includes(spec.mode);
}
