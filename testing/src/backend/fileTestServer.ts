import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { pino } from 'pino';
import type { z } from 'zod';
import { ApiError, issuesFromZod, routes, type RouteDef } from '@aiplat/api';
import type { EventPublisher, PublishOptions } from '../../../backend/src/server/eventPublisher.js';
import { HANDLED, type RequestContext } from '../../../backend/src/server/handlers.js';

/** An in-memory EventPublisher that keeps what was published. */
export class RecordingPublisher implements EventPublisher {
  readonly events: { topic: string; kind: string; data: unknown; options: PublishOptions | undefined }[] = [];
  publish(topic: string, kind: string, data: unknown, options?: PublishOptions): void {
    this.events.push({ topic, kind, data, options });
  }
}

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

function parse(schema: z.ZodType | undefined, value: unknown, part: string): unknown {
  if (!schema) return part === 'body' ? undefined : {};
  const result = schema.safeParse(value ?? {});
  if (!result.success)
    throw new ApiError('validation_failed', 'invalid request', { issues: issuesFromZod(result.error, part) });
  return result.data;
}

/**
 * A tiny stand-in for the real app: mounts the given handlers on their contract routes, validates
 * with the route schemas, builds a RequestContext by hand and maps ApiError to the error body.
 */
export async function startTestServer(handlers: Record<string, unknown>, user = 'alice'): Promise<TestServer> {
  const app = express();
  const log = pino({ level: 'silent' });
  for (const [name, handler] of Object.entries(handlers)) {
    const def = (routes as Record<string, RouteDef>)[name];
    if (!def) throw new Error(`no route ${name}`);
    const middlewares = def.body ? [express.json()] : [];
    app[def.method](def.path, ...middlewares, async (req: Request, res: Response, next: NextFunction) => {
      try {
        const abort = new AbortController();
        res.once('close', () => {
          if (!res.writableFinished) abort.abort();
        });
        const ctx: RequestContext = { user: { name: user }, requestId: 'test', log, signal: abort.signal, req, res };
        const input = {
          params: {},
          query: parse(def.query, req.query, 'query'),
          body: parse(def.body, req.body, 'body'),
        };
        const result = await (handler as (i: unknown, c: RequestContext) => Promise<unknown>)(input, ctx);
        if (result !== HANDLED) res.json(result);
      } catch (e) {
        next(e);
      }
    });
  }
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err instanceof ApiError ? err : new ApiError('internal', String(err));
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(e.status).json(e.toBody());
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
