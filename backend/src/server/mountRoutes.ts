import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  ApiError,
  issuesFromZod,
  PROTO_KEY_MESSAGE,
  protoKeyPaths,
  routes,
  type RouteDef,
  type RouteName,
} from '@aiplat/api';
import { HANDLED, type Handlers, type RequestContext, type User } from './handlers.js';
import type { ServerMetrics } from './metrics.js';

function parsePart(schema: z.ZodType | undefined, value: unknown, part: string): unknown {
  if (!schema) return part === 'body' ? undefined : {};
  // zod drops a "__proto__" key without a word; JSON.parse keeps it, so it is looked for here.
  const protoKeys = protoKeyPaths(value).map((p) => ({ path: [part, ...p].join('.'), message: PROTO_KEY_MESSAGE }));
  const result = schema.safeParse(value ?? {});
  if (!result.success || protoKeys.length > 0) {
    const issues = [...protoKeys, ...(result.error ? issuesFromZod(result.error, part) : [])];
    const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new ApiError('validation_failed', `invalid request: ${summary}`, { issues });
  }
  return result.data;
}

export interface MountOptions {
  handlers: Handlers;
  metrics: ServerMetrics;
  /** Resolves the caller; throws ApiError('unauthorized') when there is none. */
  authenticate: (req: Request) => User;
  jsonLimit?: string;
}

/**
 * Mounts every route of the contract: validates params, query and body with the route's own
 * schemas (400 with the field path on failure), calls its handler, and answers JSON unless the
 * handler streamed the response itself. Returns the names it mounted.
 */
export function mountRoutes(router: Router, options: MountOptions): RouteName[] {
  const json = express.json({ limit: options.jsonLimit ?? '1mb', strict: false });
  const mounted: RouteName[] = [];
  for (const [name, def] of Object.entries(routes) as [RouteName, RouteDef][]) {
    const handler = options.handlers[name] as (input: unknown, ctx: RequestContext) => Promise<unknown>;
    const middlewares = def.body ? [json] : [];
    router[def.method](def.path, ...middlewares, async (req: Request, res: Response) => {
      const started = process.hrtime.bigint();
      res.once('finish', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        options.metrics.httpRequests.inc({ method: def.method, route: def.path, status: String(res.statusCode) });
        options.metrics.httpDuration.observe({ method: def.method, route: def.path }, seconds);
      });
      const user = def.auth ? options.authenticate(req) : { name: '' };
      if (def.body && !req.is('application/json')) {
        throw new ApiError('unsupported_media_type', 'send the body as JSON with Content-Type: application/json');
      }
      const input = {
        params: parsePart(def.params, req.params, 'params'),
        query: parsePart(def.query, req.query, 'query'),
        body: parsePart(def.body, req.body, 'body'),
      };
      const abort = new AbortController();
      res.once('close', () => {
        if (!res.writableFinished) abort.abort();
      });
      const ctx: RequestContext = {
        user,
        requestId: res.locals.requestId as string,
        log: (res.locals.log as Logger).child({ user: user.name, route: name }),
        signal: abort.signal,
        req,
        res,
      };
      const result = await handler(input, ctx);
      if (result === HANDLED) return;
      if (def.transfer === 'text') {
        res.type('text/plain; version=0.0.4; charset=utf-8').send(result as string);
        return;
      }
      res.json(result);
    });
    mounted.push(name);
  }
  return mounted;
}
