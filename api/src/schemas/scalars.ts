import { z } from 'zod';
import { intParam, WorkPathSchema } from './params.js';

/*
 * Scalars read from TensorBoard event files (tfevents) under a folder of /work: the platform's own
 * charts, no TensorBoard needed. A folder is a log directory as TensorBoard means it: every folder in
 * it holding tfevents files is a run, named by its path inside the log directory ("." for itself).
 */

/** Where a job writes its summaries when its spec names no `summaryDir`: its own folder under the owner's home. */
export function jobSummaryDir(job: {
  readonly id: string;
  readonly spec: { readonly summaryDir?: string | undefined };
}): string {
  return job.spec.summaryDir ?? `home/summaries/${job.id}`;
}

/** Points kept per run and tag (TensorBoard's default for scalars); the last point is always kept. */
export const SCALAR_POINTS_PER_TAG = 1000;
export const MAX_SCALAR_POINTS = 10_000;

export const ScalarPointSchema = z
  .object({
    step: z.number().int(),
    /** Seconds since the Unix epoch, as the writer recorded them. */
    wallTime: z.number(),
    /** NaN and infinities are sent as null. */
    value: z.number().nullable(),
  })
  .meta({ id: 'ScalarPoint' });
export type ScalarPoint = z.infer<typeof ScalarPointSchema>;

/** A record that could not be read (bad checksum, undecodable): skipped, named here, never fatal. */
export const ScalarWarningSchema = z
  .object({ run: z.string(), file: z.string(), offset: z.number().int().nonnegative(), message: z.string() })
  .meta({ id: 'ScalarWarning' });
export type ScalarWarning = z.infer<typeof ScalarWarningSchema>;

export const ScalarTagSchema = z.object({
  tag: z.string(),
  /** Points seen so far (before downsampling). */
  count: z.number().int().nonnegative(),
  lastStep: z.number().int(),
  lastWallTime: z.number(),
  lastValue: z.number().nullable(),
});
export type ScalarTag = z.infer<typeof ScalarTagSchema>;

export const ScalarRunSchema = z.object({
  /** The run's folder relative to the log directory; "." for the log directory itself. */
  name: z.string(),
  tags: z.array(ScalarTagSchema),
});
export type ScalarRun = z.infer<typeof ScalarRunSchema>;

export const ScalarRunsQuerySchema = z.object({ path: WorkPathSchema });

export const ScalarRunsResponseSchema = z
  .object({
    path: z.string(),
    runs: z.array(ScalarRunSchema),
    warnings: z.array(ScalarWarningSchema),
  })
  .meta({ id: 'ScalarRuns' });
export type ScalarRunsResponse = z.infer<typeof ScalarRunsResponseSchema>;

export const ScalarSeriesQuerySchema = z.object({
  path: WorkPathSchema,
  /** One run; every run when left out. */
  run: z.string().max(4096).optional(),
  /** One tag; every tag when left out. */
  tag: z.string().max(1024).optional(),
  fromStep: intParam(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER).optional(),
  toStep: intParam(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER).optional(),
  /** At most this many points per series, spread evenly, the last one kept. */
  points: intParam(2, MAX_SCALAR_POINTS).default(SCALAR_POINTS_PER_TAG),
});

export const ScalarSeriesSchema = z.object({ run: z.string(), tag: z.string(), points: z.array(ScalarPointSchema) });
export type ScalarSeries = z.infer<typeof ScalarSeriesSchema>;

export const ScalarSeriesResponseSchema = z
  .object({
    path: z.string(),
    series: z.array(ScalarSeriesSchema),
    warnings: z.array(ScalarWarningSchema),
  })
  .meta({ id: 'ScalarSeriesList' });
export type ScalarSeriesResponse = z.infer<typeof ScalarSeriesResponseSchema>;

/** `scalars/<path>` topic: points written since the last push (new runs and tags included). */
export const ScalarUpdateSchema = z
  .object({
    path: z.string(),
    series: z.array(ScalarSeriesSchema),
    warnings: z.array(ScalarWarningSchema),
  })
  .meta({ id: 'ScalarUpdate' });
export type ScalarUpdate = z.infer<typeof ScalarUpdateSchema>;

export function scalarsTopic(path: string): string {
  return `scalars/${path.replace(/^\/+|\/+$/g, '')}`;
}

// ---- TensorBoard itself -------------------------------------------------------------------------

export const TENSORBOARD_STATES = ['Starting', 'Running', 'Stopped', 'Failed'] as const;
export const TensorBoardStateSchema = z.enum(TENSORBOARD_STATES);
export type TensorBoardState = z.infer<typeof TensorBoardStateSchema>;

export const TensorBoardIdSchema = z.string().regex(/^tb-[a-z0-9]{1,32}$/, 'a TensorBoard id looks like tb-1a2b3c');

/** A TensorBoard the platform runs for one log directory, reached at `/tensorboard/<id>/`. */
export const TensorBoardSchema = z
  .object({
    id: TensorBoardIdSchema,
    user: z.string(),
    /** The log directory, relative to /work. */
    path: z.string(),
    /** The job whose summaries it shows, when it was started for a job. */
    jobId: z.string().optional(),
    state: TensorBoardStateSchema,
    /** Why it failed or stopped on its own (idle, TensorBoard exited...). */
    reason: z.string().optional(),
    /** Where a browser opens it, on this server. */
    url: z.string(),
    engine: z.string(),
    createdAt: z.string(),
    /** Last request through the proxy; it stops after the configured idle time. */
    lastActivityAt: z.string(),
  })
  .meta({ id: 'TensorBoard' });
export type TensorBoard = z.infer<typeof TensorBoardSchema>;

export const StartTensorBoardBodySchema = z
  .union([z.strictObject({ path: WorkPathSchema }), z.strictObject({ jobId: z.string().min(1).max(64) })], {
    error: 'give either path (a folder under /work) or jobId',
  })
  .meta({ id: 'StartTensorBoard' });
export type StartTensorBoardBody = z.infer<typeof StartTensorBoardBodySchema>;

export const TensorBoardIdParamsSchema = z.object({ id: TensorBoardIdSchema });
export const TensorBoardListResponseSchema = z
  .object({
    items: z.array(TensorBoardSchema),
    /** Why a TensorBoard cannot be started here (and how to install it); absent when it can. */
    unavailable: z.string().optional(),
  })
  .meta({ id: 'TensorBoardList' });

/** `tensorboards` topic: one of the user's TensorBoards changed. */
export const TensorBoardChangeSchema = z.object({ tensorboard: TensorBoardSchema });
