import { z } from 'zod';
import { JobIdSchema } from './jobIdentifiers.js';
import { JobSpecSchema } from './jobSpec.js';
import { FailureReasonSchema, JobStateSchema } from './jobStates.js';
import { EngineKindSchema } from './system.js';

/* The job as the API shows it: its spec, where it stands, and its progress. */

export const JobProgressSchema = z
  .object({
    percent: z.number().min(0).max(100).optional(),
    step: z.number().int().nonnegative().optional(),
    totalSteps: z.number().int().nonnegative().optional(),
    epoch: z.number().int().nonnegative().optional(),
    totalEpochs: z.number().int().nonnegative().optional(),
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

export const JobSchema = z
  .object({
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
    progress: JobProgressSchema.optional(),
  })
  .meta({ id: 'Job' });
export type Job = z.infer<typeof JobSchema>;
