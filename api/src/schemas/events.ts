import { z } from 'zod';
import { ErrorCodeSchema } from '../errors.js';
import { DevMachineChangeSchema } from './devMachines.js';
import { JobChangeSchema, JobEventMessageSchema, JobLogBatchSchema, JobMetricsBatchSchema } from './jobRequests.js';
import { ServiceChangeSchema } from './services.js';
import { ServiceMetricsUpdateSchema } from './serviceMetrics.js';
import { ScalarUpdateSchema, TensorBoardChangeSchema } from './scalars.js';
import { FileChangesSchema, UploadProgressSchema } from './workspace.js';
import { ImageSaveSchema } from './images.js';
import { AssetTaskSchema } from './assets.js';

/**
 * Topics a WebSocket client can subscribe to. A topic string is `<kind>` or `<kind>/<id>`
 * (`job-logs/<jobId>`); each kind has one payload schema. Events of per-user kinds reach only the
 * connections of the user they belong to.
 */
export const topicPayloads = {
  uploads: UploadProgressSchema,
  /** Every job's changes (`jobs`), or one job's (`jobs/<jobId>`). */
  jobs: JobChangeSchema,
  'job-events': JobEventMessageSchema,
  /** A streamed topic: each subscription follows the job's logs from its own cursor. */
  'job-logs': JobLogBatchSchema,
  /** New metric points of one job (`job-metrics/<jobId>`), pushed as they are sampled. */
  'job-metrics': JobMetricsBatchSchema,
  /**
   * Changes in one folder under /work (`files/<path relative to /work>`, e.g. `files/home/out` for the user's own home/out):
   * the entries created, changed or deleted in it (not deeper). Refused like a listing of that folder.
   */
  files: FileChangesSchema,
  /** Every dev machine's changes (`devmachines`), or one's (`devmachines/<id>`). */
  devmachines: DevMachineChangeSchema,
  /**
   * New scalar points in a log directory under /work (`scalars/<path>`, e.g. `scalars/home/summaries/<job id>`),
   * pushed as the tfevents files grow. Refused like a listing of that folder.
   */
  scalars: ScalarUpdateSchema,
  /** The user's TensorBoards (`tensorboards`). */
  tensorboards: TensorBoardChangeSchema,
  /** Every service's changes (`services`), or one's (`services/<name>`). */
  services: ServiceChangeSchema,
  /** A streamed topic: follows a dev machine's lifecycle script output (`devmachine-logs/<id>`) from a cursor. */
  'devmachine-logs': JobLogBatchSchema,
  /** A streamed topic: follows a service's replica logs (`service-logs/<name>`) from a cursor. */
  'service-logs': JobLogBatchSchema,
  /** Each closed bucket of a service's traffic (`service-metrics/<name>`). */
  'service-metrics': ServiceMetricsUpdateSchema,
  /** The user's saves of dev machines as images (`image-saves`): state and progress as they change. */
  'image-saves': ImageSaveSchema,
  /** The user's dataset and model imports, accelerations and exports (`asset-tasks`): progress as it happens. */
  'asset-tasks': AssetTaskSchema,
} as const;
export type TopicKind = keyof typeof topicPayloads;
export const TOPIC_KINDS = Object.keys(topicPayloads) as TopicKind[];
export type TopicPayload<K extends TopicKind> = z.infer<(typeof topicPayloads)[K]>;

const ID_TOPIC = /^[a-z][a-z0-9-]*(\/[A-Za-z0-9_.:-]+)?$/;
/** `files/<path>`, `scalars/<path>`: any path the file API takes (slashes, any script), no control characters. */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const PATH_TOPIC = /^(files|scalars)(\/[^\u0000-\u001f\u007f]+)?$/;
const PATH_TOPIC_KINDS = ['files/', 'scalars/'];

export const TopicSchema = z
  .string()
  .max(4200)
  .refine((t) => ID_TOPIC.test(t) || PATH_TOPIC.test(t), {
    message: 'topic must look like <kind>, <kind>/<id>, files/<path> or scalars/<path>',
  })
  .refine((t) => (TOPIC_KINDS as string[]).includes(t.split('/')[0] ?? ''), {
    message: `topic kind must be one of: ${TOPIC_KINDS.join(', ')}`,
  })
  .refine((t) => PATH_TOPIC_KINDS.some((kind) => t.startsWith(kind)) || t.length <= 256, {
    message: 'topic is longer than 256 characters',
  });

export function topicKind(topic: string): TopicKind {
  return topic.split('/')[0] as TopicKind;
}

/** The part after `<kind>/` (a job id, or for `files` and `scalars` the folder's path relative to /work). */
export function topicId(topic: string): string {
  const slash = topic.indexOf('/');
  return slash < 0 ? '' : topic.slice(slash + 1);
}

export function filesTopic(path: string): string {
  return `files/${path.replace(/^\/+|\/+$/g, '')}`;
}

// ---- client -> server ----------------------------------------------------------------------

export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('subscribe'),
    topic: TopicSchema,
    /** Streamed topics (`job-logs`): where to start, a cursor from the matching HTTP read. */
    cursor: z
      .string()
      .max(64 * 1024)
      .optional(),
  }),
  z.object({ type: z.literal('unsubscribe'), topic: TopicSchema }),
  z.object({ type: z.literal('ping'), id: z.string().max(64).optional() }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

// ---- server -> client ----------------------------------------------------------------------

const eventVariants = TOPIC_KINDS.map((kind) =>
  z.object({
    type: z.literal('event'),
    topic: z.string(),
    kind: z.literal(kind),
    data: topicPayloads[kind],
  }),
);

export const EventMessageSchema = z.union(
  eventVariants as unknown as [(typeof eventVariants)[0], ...(typeof eventVariants)[number][]],
);
export type EventMessage = {
  [K in TopicKind]: { type: 'event'; topic: string; kind: K; data: TopicPayload<K> };
}[TopicKind];

export const ServerMessageSchema = z.union([
  z.object({
    type: z.literal('hello'),
    apiVersion: z.string(),
    user: z.string(),
    heartbeatIntervalMs: z.number().int(),
  }),
  z.object({ type: z.literal('subscribed'), topic: z.string() }),
  z.object({ type: z.literal('unsubscribed'), topic: z.string() }),
  z.object({ type: z.literal('heartbeat'), time: z.string() }),
  z.object({ type: z.literal('pong'), id: z.string().optional() }),
  z.object({ type: z.literal('error'), code: ErrorCodeSchema, message: z.string() }),
  EventMessageSchema,
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

/** WebSocket close codes the server uses (4000-4999 are application codes). */
export const WS_CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policyViolation: 1008,
  /** The client read too slowly and its send buffer passed the bound. */
  slowConsumer: 4008,
  /** No pong to the server's heartbeat pings. */
  heartbeatTimeout: 4009,
  unauthorized: 4401,
  forbiddenOrigin: 4403,
} as const;

/** Subprotocol carrying the bearer token from browsers, which cannot set headers on WebSockets. */
export const WS_PROTOCOL = 'aiplat.v1';
export const WS_TOKEN_PROTOCOL_PREFIX = 'aiplat.bearer.';
export const WS_PATH = '/api/ws';
