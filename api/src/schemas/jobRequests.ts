import { z } from 'zod';
import { JobEventSchema } from './jobEvents.js';
import { JobIdSchema } from './jobIdentifiers.js';
import { InstanceSchema } from './jobInstances.js';
import { JOB_LIMITS } from './jobLimits.js';
import { LogLineSchema, LogStreamSchema } from './jobLogs.js';
import { FINISHED_JOB_HAS_NO_ETA, JobProgressSchema, JobSchema } from './jobs.js';
import { JobSpecSchema } from './jobSpec.js';
import { JobStateSchema } from './jobStates.js';
import { boolParam, intParam, listParam } from './params.js';

/* Requests and responses of the job routes; the resources themselves are in `jobs.ts` and its neighbours. */

export const JobIdParamsSchema = z.object({ id: JobIdSchema });

export const MAX_JOB_LIST_LIMIT = 500;
export const DEFAULT_JOB_LIST_LIMIT = 50;

const StateFilterSchema = listParam(JobStateSchema);

export const JobListQuerySchema = z.object({
  state: StateFilterSchema.optional(),
  /** `key=value` or just `key`. */
  tag: z
    .string()
    .max(400)
    .regex(/^[^=]+(=.*)?$/s, 'tag filter must be key=value or key')
    .optional(),
  /** Only the caller's own jobs. */
  mine: boolParam().default(false),
  cursor: z.string().max(8192).optional(),
  limit: intParam(1, MAX_JOB_LIST_LIMIT).default(DEFAULT_JOB_LIST_LIMIT),
});

export const JobListResponseSchema = z
  .object({
    jobs: z.array(JobSchema),
    /** Pass back as `cursor` for the next page; absent on the last page. */
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'JobList' });
export type JobListResponse = z.infer<typeof JobListResponseSchema>;

/**
 * Create a job from `spec` (JSON) or `yaml` (the text of a job.yaml), exactly one of them. The
 * server turns `yaml` into a spec with `parseJobYaml`; see `specFromCreateBody`.
 */
export const CreateJobBodySchema = z
  .object({
    spec: JobSpecSchema.optional(),
    yaml: z.string().max(JOB_LIMITS.yamlChars, `yaml is longer than ${JOB_LIMITS.yamlChars} characters`).optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.spec === undefined) === (body.yaml === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['spec'],
        input: body,
        message: 'send the job as either spec (JSON) or yaml (the job.yaml text), exactly one of them',
      });
    }
  });
export type CreateJobBody = z.output<typeof CreateJobBodySchema>;

/** What the cluster said of the objects when asked to create them with `dryRun=All`. */
export const ServerDryRunResultSchema = z.object({
  ok: z.boolean(),
  /** Why the cluster refused, or why it could not be asked. */
  message: z.string().optional(),
  /** The objects as the cluster would store them (defaults filled in). */
  objects: z.array(z.unknown()).optional(),
});
export type ServerDryRunResult = z.infer<typeof ServerDryRunResultSchema>;

/**
 * The exact Kubernetes objects a job would be created as (`POST /api/jobs/dry-run`, same body as
 * creating it): as JSON and as the multi-document YAML `kubectl apply -f -` reads. `serverDryRun`
 * only when a cluster is connected.
 */
export const JobDryRunResponseSchema = z
  .object({
    engine: z.literal('kubernetes'),
    namespace: z.string(),
    manifests: z.array(z.unknown()),
    yaml: z.string(),
    serverDryRun: ServerDryRunResultSchema.optional(),
  })
  .meta({ id: 'JobDryRun' });
export type JobDryRunResponse = z.infer<typeof JobDryRunResponseSchema>;

export const StopJobBodySchema = z.object({
  /** Skip the grace period: SIGKILL (or delete) at once instead of SIGTERM first. */
  force: z.boolean().default(false),
});

/** Re-run a finished job under the same id, with the same spec; restarts start from 0 again. */
export const StartJobAgainBodySchema = z.object({});

/** The spec of a job, for editing and submitting as a new job (the name gets a `-copy` suffix). */
export const CopyJobResponseSchema = z.object({ spec: JobSpecSchema });

export const DeleteJobResponseSchema = z.object({ deleted: JobIdSchema });

/** A job with its instances, as `getJob` answers. */
export const JobDetailSchema = JobSchema.safeExtend({ instances: z.array(InstanceSchema) }).meta({
  id: 'JobDetail',
  ...FINISHED_JOB_HAS_NO_ETA,
});
export type JobDetail = z.infer<typeof JobDetailSchema>;

export const JobEventsQuerySchema = z.object({
  /** Only events after this many (the length of a list already read). */
  after: intParam(0, Number.MAX_SAFE_INTEGER).default(0),
  limit: intParam(1, 5000).default(1000),
});
export const JobEventsResponseSchema = z
  .object({ events: z.array(JobEventSchema), total: z.number().int().nonnegative() })
  .meta({ id: 'JobEvents' });
export type JobEventsResponse = z.infer<typeof JobEventsResponseSchema>;

export const MAX_LOG_PAGE = 10_000;
export const DEFAULT_LOG_PAGE = 1000;

const StreamFilterSchema = listParam(LogStreamSchema, 100);

export const JobLogsQuerySchema = z.object({
  /** Only this instance (its index); every instance when left out, merged by time. */
  instance: intParam(0, JOB_LIMITS.instances - 1).optional(),
  /** Continue where a previous page (or a follow) stopped: its `nextCursor`. */
  cursor: z
    .string()
    .max(64 * 1024)
    .optional(),
  /** ISO 8601 bounds on the line time, inclusive. */
  since: z.iso.datetime({ offset: true, message: 'since must be an ISO 8601 time' }).optional(),
  until: z.iso.datetime({ offset: true, message: 'until must be an ISO 8601 time' }).optional(),
  /** Case-insensitive text the line must contain. */
  search: z.string().min(1).max(500).optional(),
  stream: StreamFilterSchema.optional(),
  limit: intParam(1, MAX_LOG_PAGE).default(DEFAULT_LOG_PAGE),
});
export type JobLogsQuery = z.output<typeof JobLogsQuerySchema>;

export const JobLogsResponseSchema = z
  .object({
    lines: z.array(LogLineSchema),
    /** Pass back as `cursor` to read on, or to follow over the WebSocket from here. */
    nextCursor: z.string(),
    /** True when the page stopped at `limit` and more matching lines may follow. */
    more: z.boolean(),
  })
  .meta({ id: 'JobLogs' });
export type JobLogsResponse = z.infer<typeof JobLogsResponseSchema>;

export const MetricPointSchema = z
  .object({
    time: z.string(),
    /** 100 = one full CPU core. */
    cpuPercent: z.number().nonnegative().optional(),
    memoryBytes: z.number().nonnegative(),
    processCount: z.number().int().nonnegative(),
    accelerator: z
      .object({
        utilizationPercent: z.number().min(0).max(100).optional(),
        memoryBytes: z.number().nonnegative().optional(),
      })
      .optional(),
  })
  .meta({ id: 'MetricPoint' });
export type MetricPoint = z.infer<typeof MetricPointSchema>;

export const JobMetricsQuerySchema = z.object({
  instance: intParam(0, JOB_LIMITS.instances - 1).optional(),
  since: z.iso.datetime({ offset: true, message: 'since must be an ISO 8601 time' }).optional(),
  /** Points are averaged into at most this many buckets per instance. */
  maxPoints: intParam(1, 10_000).default(600),
});

export const JobMetricsResponseSchema = z
  .object({
    instances: z.array(z.object({ instance: z.number().int().nonnegative(), points: z.array(MetricPointSchema) })),
  })
  .meta({ id: 'JobMetrics' });
export type JobMetricsResponse = z.infer<typeof JobMetricsResponseSchema>;

/** New metric points of a job's instances, as they are sampled (the `job-metrics/<jobId>` topic). */
export const JobMetricsBatchSchema = z
  .object({
    jobId: z.string(),
    instances: z.array(z.object({ instance: z.number().int().nonnegative(), points: z.array(MetricPointSchema) })),
  })
  .meta({ id: 'JobMetricsBatch' });
export type JobMetricsBatch = z.infer<typeof JobMetricsBatchSchema>;

/** The environment each instance got: the platform's variables and the user's own, no more. */
export const JobEnvResponseSchema = z
  .object({
    instances: z.array(
      z.object({ index: z.number().int().nonnegative(), name: z.string(), env: z.record(z.string(), z.string()) }),
    ),
  })
  .meta({ id: 'JobEnv' });
export type JobEnvResponse = z.infer<typeof JobEnvResponseSchema>;

// ---- WebSocket payloads -----------------------------------------------------------------------

/** `jobs` topic: a job changed (state, progress, wait reason...) or was deleted. */
export const JobChangeSchema = z.union([
  z.object({ change: z.literal('updated'), job: JobSchema }),
  z.object({ change: z.literal('deleted'), id: JobIdSchema }),
]);
export type JobChange = z.infer<typeof JobChangeSchema>;

/**
 * `job-logs/<jobId>` topic: lines as they are written, in batches; subscribe with the `cursor` of
 * a page read over HTTP to continue from it without a gap. `end` comes once the job finished and
 * every line has been sent.
 */
export const JobLogBatchSchema = z.object({
  lines: z.array(LogLineSchema),
  cursor: z.string(),
  end: z.boolean().optional(),
  /**
   * The job's progress as of `cursor` (after the last line of this batch), while the job runs: the
   * same reading as `Job.progress`, so a view shows the progress its log pane has reached.
   */
  progress: JobProgressSchema.optional(),
});
export type JobLogBatch = z.infer<typeof JobLogBatchSchema>;

/** `job-events/<jobId>` topic: each event as it happens. */
export const JobEventMessageSchema = JobEventSchema;
