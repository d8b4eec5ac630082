import { z } from 'zod';
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
import { HealthSchema, OpenApiDocumentSchema, ReadinessSchema, ServerInfoSchema } from './schemas/system.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * How a route's bodies travel: `json` both ways; `download` answers a byte stream (with Range);
 * `upload` takes a raw byte stream and answers JSON; `text` answers plain text.
 */
export type RouteTransfer = 'json' | 'download' | 'upload' | 'text';

export interface RouteDef {
  method: HttpMethod;
  /** Express-style path, `:name` for path parameters. */
  path: string;
  summary: string;
  tag: string;
  transfer: RouteTransfer;
  /** False only for health probes. */
  auth: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: z.ZodType;
}

function route<const R extends Omit<RouteDef, 'transfer' | 'auth'> & Partial<RouteDef>>(
  def: R,
): R & { transfer: R['transfer'] extends RouteTransfer ? R['transfer'] : 'json'; auth: boolean } {
  return { transfer: 'json', auth: true, ...def } as never;
}

const BinarySchema = z.custom<Response>(() => true).meta({ description: 'byte stream' });
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
