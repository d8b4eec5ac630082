import { z } from 'zod';
import { shown } from './fieldErrors.js';

export const JOB_STATES = [
  'Submitting',
  'Queued',
  'Starting',
  'Running',
  'Succeeded',
  'Failed',
  'Stopping',
  'Stopped',
] as const;
export const JobStateSchema = z.enum(JOB_STATES, {
  error: (iss) => `state must be one of ${JOB_STATES.join(', ')} (got ${shown(iss.input)})`,
});
export type JobState = z.infer<typeof JobStateSchema>;

export const TERMINAL_JOB_STATES: readonly JobState[] = ['Succeeded', 'Failed', 'Stopped'];

export function isTerminalJobState(state: JobState): boolean {
  return TERMINAL_JOB_STATES.includes(state);
}

/**
 * Every allowed state change. Notes: a preempted job goes back to Queued (from Starting or
 * Running); an auto-restart re-runs through Queued or Starting; a stop of a job that holds nothing
 * yet (Submitting, Queued) goes straight to Stopped; "start again" takes a finished job back to
 * Submitting under the same id.
 */
export const JOB_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  Submitting: ['Queued', 'Failed', 'Stopped'],
  Queued: ['Starting', 'Failed', 'Stopping', 'Stopped'],
  Starting: ['Running', 'Queued', 'Failed', 'Stopping'],
  Running: ['Succeeded', 'Failed', 'Stopping', 'Queued', 'Starting'],
  Stopping: ['Stopped', 'Failed'],
  Succeeded: ['Submitting'],
  Failed: ['Submitting'],
  Stopped: ['Submitting'],
};

export function canTransition(from: JobState, to: JobState): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

export const FAILURE_KINDS = [
  /** An instance exited non-zero (`instance`, `exitCode`, maybe `signal`). */
  'exit-code',
  /** An instance ran out of memory (OOM-killed). */
  'oom',
  /** Preempted by a higher-priority job and not requeued. */
  'preempted',
  /** It failed again after `autoRestart.maxRestarts` restarts. */
  'restart-limit',
  /** Its processes or pods vanished (backend restart with nothing to re-adopt, node lost). */
  'lost',
  /** An instance could not be started (missing working dir, bad image...). */
  'start-failed',
  /** It can never fit the queue's capacity. */
  'unschedulable',
  /** The engine refused or failed (e.g. a missing CRD). */
  'engine-error',
] as const;
export const FailureKindSchema = z.enum(FAILURE_KINDS);
export type FailureKind = z.infer<typeof FailureKindSchema>;

export const FailureReasonSchema = z
  .object({
    kind: FailureKindSchema,
    /** For people: what happened and, where possible, what to do. */
    message: z.string(),
    /** Index of the instance at fault. */
    instance: z.number().int().nonnegative().optional(),
    exitCode: z.number().int().optional(),
    /** Signal that ended the instance, e.g. `SIGKILL`. */
    signal: z.string().optional(),
  })
  .meta({ id: 'FailureReason' });
export type FailureReason = z.infer<typeof FailureReasonSchema>;
