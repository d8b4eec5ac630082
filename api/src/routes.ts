import { z } from 'zod';
import { devMachineRoutes } from './devMachineRoutes.js';
import { lifecycleConfigRoutes } from './lifecycleConfigRoutes.js';
import { assetRoutes } from './assetRoutes.js';
import { devMachineAccessRoutes } from './devMachineAccessRoutes.js';
import { imageRoutes } from './imageRoutes.js';
import { BinarySchema, route } from './route.js';
import { serviceRoutes } from './serviceRoutes.js';
import { tensorboardRoutes } from './tensorboardRoutes.js';
import {
  CatalogQuerySchema,
  CatalogResponseSchema,
  DeleteQuerySchema,
  DeleteResponseSchema,
  ListQuerySchema,
  ListResponseSchema,
  MkdirBodySchema,
  PathQuerySchema,
  PreviewQuerySchema,
  PreviewSchema,
  RenameBodySchema,
  UploadQuerySchema,
  WorkspaceEntrySchema,
} from './schemas/workspace.js';
import {
  CopyJobResponseSchema,
  CreateJobBodySchema,
  DeleteJobResponseSchema,
  JobDetailSchema,
  JobDryRunResponseSchema,
  JobEnvResponseSchema,
  JobEventsQuerySchema,
  JobEventsResponseSchema,
  JobIdParamsSchema,
  JobListQuerySchema,
  JobListResponseSchema,
  JobLogsQuerySchema,
  JobLogsResponseSchema,
  JobMetricsQuerySchema,
  JobMetricsResponseSchema,
  StartJobAgainBodySchema,
  StopJobBodySchema,
} from './schemas/jobRequests.js';
import { CreateLoginLinkBodySchema, LoginLinkSchema } from './schemas/sessions.js';
import { HealthSchema, OpenApiDocumentSchema, ReadinessSchema, ServerInfoSchema } from './schemas/system.js';

export type { HttpMethod, RouteDef, RouteTransfer } from './route.js';

const TextSchema = z.string();

/** Every HTTP route of the platform. The backend mounts each one; the client derives its methods. */
export const routes = {
  health: route({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness probe',
    tag: 'system',
    auth: false,
    response: HealthSchema,
  }),
  ready: route({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness probe',
    tag: 'system',
    auth: false,
    response: ReadinessSchema,
  }),
  metrics: route({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tag: 'system',
    transfer: 'text',
    response: TextSchema,
  }),
  info: route({
    method: 'get',
    path: '/api/info',
    summary: 'API version, user, engine and roots',
    tag: 'system',
    response: ServerInfoSchema,
  }),
  openapi: route({
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This API as OpenAPI 3.1',
    tag: 'system',
    response: OpenApiDocumentSchema,
  }),

  listFiles: route({
    method: 'get',
    path: '/api/files',
    summary: 'List a folder, one page at a time',
    tag: 'workspace',
    query: ListQuerySchema,
    response: ListResponseSchema,
  }),
  statFile: route({
    method: 'get',
    path: '/api/files/stat',
    summary: 'Stat one entry',
    tag: 'workspace',
    query: PathQuerySchema,
    response: WorkspaceEntrySchema,
  }),
  downloadFile: route({
    method: 'get',
    path: '/api/files/content',
    summary: 'Download a file (Range supported)',
    tag: 'workspace',
    transfer: 'download',
    query: PathQuerySchema,
    response: BinarySchema,
  }),
  uploadFile: route({
    method: 'put',
    path: '/api/files/content',
    summary: 'Upload a file as a raw byte stream',
    tag: 'workspace',
    transfer: 'upload',
    query: UploadQuerySchema,
    response: WorkspaceEntrySchema,
  }),
  makeDirectory: route({
    method: 'post',
    path: '/api/files/mkdir',
    summary: 'Create a folder',
    tag: 'workspace',
    body: MkdirBodySchema,
    response: WorkspaceEntrySchema,
  }),
  renameFile: route({
    method: 'post',
    path: '/api/files/rename',
    summary: 'Rename or move within writable roots',
    tag: 'workspace',
    body: RenameBodySchema,
    response: WorkspaceEntrySchema,
  }),
  deleteFile: route({
    method: 'delete',
    path: '/api/files',
    summary: 'Delete a file or folder',
    tag: 'workspace',
    query: DeleteQuerySchema,
    response: DeleteResponseSchema,
  }),
  previewFile: route({
    method: 'get',
    path: '/api/files/preview',
    summary: 'Preview text, JSON/JSONL, CSV, images and model folders',
    tag: 'workspace',
    query: PreviewQuerySchema,
    response: PreviewSchema,
  }),
  catalog: route({
    method: 'get',
    path: '/api/catalog',
    summary: 'Datasets and models found under the roots',
    tag: 'workspace',
    query: CatalogQuerySchema,
    response: CatalogResponseSchema,
  }),

  createJob: route({
    method: 'post',
    path: '/api/jobs',
    summary: 'Submit a training job (a JobSpec as JSON, or the text of a job.yaml)',
    tag: 'jobs',
    body: CreateJobBodySchema,
    response: JobDetailSchema,
  }),
  dryRunJob: route({
    method: 'post',
    path: '/api/jobs/dry-run',
    summary: 'The exact Kubernetes manifests a job would be created as (JSON and YAML), without creating it',
    tag: 'jobs',
    body: CreateJobBodySchema,
    response: JobDryRunResponseSchema,
  }),
  listJobs: route({
    method: 'get',
    path: '/api/jobs',
    summary: 'List jobs, newest first; filter by state, tag, own',
    tag: 'jobs',
    query: JobListQuerySchema,
    response: JobListResponseSchema,
  }),
  getJob: route({
    method: 'get',
    path: '/api/jobs/:id',
    summary: 'One job with its instances',
    tag: 'jobs',
    params: JobIdParamsSchema,
    response: JobDetailSchema,
  }),
  stopJob: route({
    method: 'post',
    path: '/api/jobs/:id/stop',
    summary: 'Stop a job: SIGTERM to every instance, SIGKILL after the grace period',
    tag: 'jobs',
    params: JobIdParamsSchema,
    body: StopJobBodySchema,
    response: JobDetailSchema,
  }),
  startJobAgain: route({
    method: 'post',
    path: '/api/jobs/:id/start-again',
    summary: 'Run a finished job again under the same id and spec',
    tag: 'jobs',
    params: JobIdParamsSchema,
    body: StartJobAgainBodySchema,
    response: JobDetailSchema,
  }),
  copyJob: route({
    method: 'get',
    path: '/api/jobs/:id/copy',
    summary: "A job's spec for editing and submitting as a new job",
    tag: 'jobs',
    params: JobIdParamsSchema,
    response: CopyJobResponseSchema,
  }),
  deleteJob: route({
    method: 'delete',
    path: '/api/jobs/:id',
    summary: 'Delete a finished job with its logs',
    tag: 'jobs',
    params: JobIdParamsSchema,
    response: DeleteJobResponseSchema,
  }),
  createLoginLink: route({
    method: 'post',
    path: '/api/login-links',
    summary: 'A one-time link that signs a browser in as you and opens next (a dev machine IDE, for one)',
    tag: 'sessions',
    body: CreateLoginLinkBodySchema,
    response: LoginLinkSchema,
  }),
  jobEvents: route({
    method: 'get',
    path: '/api/jobs/:id/events',
    summary: "A job's events, oldest first",
    tag: 'jobs',
    params: JobIdParamsSchema,
    query: JobEventsQuerySchema,
    response: JobEventsResponseSchema,
  }),
  jobLogs: route({
    method: 'get',
    path: '/api/jobs/:id/logs',
    summary: "A page of a job's logs: by instance, time range, stream and text",
    tag: 'jobs',
    params: JobIdParamsSchema,
    query: JobLogsQuerySchema,
    response: JobLogsResponseSchema,
  }),
  jobMetrics: route({
    method: 'get',
    path: '/api/jobs/:id/metrics',
    summary: 'CPU, memory and accelerator use per instance, as time series',
    tag: 'jobs',
    params: JobIdParamsSchema,
    query: JobMetricsQuerySchema,
    response: JobMetricsResponseSchema,
  }),
  jobEnv: route({
    method: 'get',
    path: '/api/jobs/:id/env',
    summary: 'The environment each instance of a job got',
    tag: 'jobs',
    params: JobIdParamsSchema,
    response: JobEnvResponseSchema,
  }),
  ...devMachineRoutes,
  ...lifecycleConfigRoutes,
  ...devMachineAccessRoutes,
  ...tensorboardRoutes,
  ...serviceRoutes,
  ...imageRoutes,
  ...assetRoutes,
} as const;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
export const ROUTE_NAMES = Object.keys(routes) as RouteName[];

type Get<R, K extends string> = R extends Record<K, infer V> ? V : undefined;

/** What a caller passes: the schemas' input types. */
export type RouteInput<R> = (Get<R, 'params'> extends z.ZodType ? { params: z.input<Get<R, 'params'>> } : unknown) &
  (Get<R, 'query'> extends z.ZodType ? { query: z.input<Get<R, 'query'>> } : unknown) &
  (Get<R, 'body'> extends z.ZodType ? { body: z.input<Get<R, 'body'>> } : unknown) &
  (Get<R, 'transfer'> extends 'upload' ? { data: BodyInit } : unknown);

/** What a handler receives: the schemas' output types (defaults applied). */
export type RouteParsed<R> = {
  params: Get<R, 'params'> extends z.ZodType ? z.output<Get<R, 'params'>> : Record<string, never>;
  query: Get<R, 'query'> extends z.ZodType ? z.output<Get<R, 'query'>> : Record<string, never>;
  body: Get<R, 'body'> extends z.ZodType ? z.output<Get<R, 'body'>> : undefined;
};

export type RouteOutput<R> = Get<R, 'response'> extends z.ZodType ? z.output<Get<R, 'response'>> : never;

/** Fills `:name` path parameters. */
export function buildPath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/:([A-Za-z_]\w*)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}
