import { z } from 'zod';
import { JobIdSchema } from './jobIdentifiers.js';
import { JobSpecSchema } from './jobSpec.js';
import {
  FailureReasonSchema,
  isTerminalJobState,
  JobStateSchema,
  TERMINAL_JOB_STATES,
  type JobState,
} from './jobStates.js';
import { EngineKindSchema } from './system.js';

/* The job as the API shows it: its spec, where it stands, and its progress. */

export const JobProgressSchema = z
  .object({
    percent: z.number().min(0).max(100).optional(),
    step: z.number().int().nonnegative().optional(),
    totalSteps: z.number().int().nonnegative().optional(),
    epoch: z.number().int().nonnegative().optional(),
    totalEpochs: z.number().int().nonnegative().optional(),
    /** Seconds left, as of `updatedAt`. Only while the job has not finished: a finished job has no ETA. */
    etaSeconds: z.number().nonnegative().optional(),
    /** ISO 8601 time of the log line the progress was read from. */
    updatedAt: z.string().optional(),
  })
  .meta({ id: 'JobProgress' });
export type JobProgress = z.infer<typeof JobProgressSchema>;

/** Why a queued job has not started. */
export const WaitReasonSchema = z
  .object({
    /** The resource that is short, when one is. */
    resource: z.enum(['cpu', 'memory', 'accelerator', 'nodes']).optional(),
    /** The job it waits behind (strict FIFO, or a preemption in progress). */
    behind: JobIdSchema.optional(),
    /** For people, e.g. "needs 2 nvidia on one node; at most 1 free". */
    message: z.string(),
  })
  .meta({ id: 'WaitReason' });
export type WaitReason = z.infer<typeof WaitReasonSchema>;

/**
 * The progress a job in `state` shows: a job in a final state (Succeeded, Failed, Stopped) keeps what
 * it reached but has no ETA. The backend builds every `Job` through this; clients may use it too.
 */
export function jobProgressIn(state: JobState, progress: JobProgress): JobProgress;
export function jobProgressIn(state: JobState, progress: JobProgress | undefined): JobProgress | undefined;
export function jobProgressIn(state: JobState, progress: JobProgress | undefined): JobProgress | undefined {
  if (!progress || progress.etaSeconds === undefined || !isTerminalJobState(state)) return progress;
  const { etaSeconds: _etaSeconds, ...reached } = progress;
  return reached;
}

/** The rule "a finished job has no ETA" in JSON Schema, for the OpenAPI document of `Job` and `JobDetail`. */
export const FINISHED_JOB_HAS_NO_ETA = {
  if: { properties: { state: { enum: [...TERMINAL_JOB_STATES] } }, required: ['state'] },
  then: { properties: { progress: { properties: { etaSeconds: false } } } },
};

/** Checks the rule "a finished job has no ETA" on a `Job` (and on what extends it). */
export function finishedJobHasNoEta(ctx: z.core.ParsePayload<{ state: JobState; progress?: JobProgress }>): void {
  const { state, progress } = ctx.value;
  if (progress?.etaSeconds === undefined || !isTerminalJobState(state)) return;
  ctx.issues.push({
    code: 'custom',
    message: `a job in a final state (${state}) has no ETA: progress.etaSeconds must be absent`,
    path: ['progress', 'etaSeconds'],
    input: progress.etaSeconds,
  });
}

/** A dataset or model version a job reads: the pinned reference, the variable naming it and its folder under /work. */
export const JobInputSchema = z.object({
  kind: z.enum(['dataset', 'model']),
  ref: z.string(),
  env: z.string(),
  path: z.string(),
  accelerated: z.boolean(),
});
export type JobInput = z.infer<typeof JobInputSchema>;

const JobObjectSchema = z.object({
  id: JobIdSchema,
  spec: JobSpecSchema,
  state: JobStateSchema,
  /** Set when `state` is Failed. */
  reason: FailureReasonSchema.optional(),
  /** Who submitted it. */
  user: z.string(),
  /** The engine that runs it. */
  engine: EngineKindSchema,
  /** ISO 8601 times. */
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  /** Automatic restarts so far (reset by "start again"). */
  restarts: z.number().int().nonnegative(),
  /** 1-based place among the waiting jobs of its queue, while Queued. */
  queuePosition: z.number().int().positive().optional(),
  waitReason: WaitReasonSchema.optional(),
  /** How far it got; without `etaSeconds` once the job is in a final state. */
  progress: JobProgressSchema.optional(),
  /** `spec.datasets` and `spec.models` as the job reads them (pinned to a version at submit). */
  inputs: z.array(JobInputSchema).optional(),
});

export const JobSchema = JobObjectSchema.check(finishedJobHasNoEta).meta({ id: 'Job', ...FINISHED_JOB_HAS_NO_ETA });
export type Job = z.infer<typeof JobSchema>;
