import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { API_VERSION, API_VERSION_HEADER, ApiError, type RouteName } from '@aiplat/api';
import { TokenAuthenticator } from './auth.js';
import { errorMapping } from './errorMapping.js';
import type { Frontend } from './frontend.js';
import { EventHub } from './eventHub.js';
import type { Handlers, User } from './handlers.js';
import type { ServerMetrics } from './metrics.js';
import { mountRoutes } from './mountRoutes.js';
import { OriginPolicy } from './origins.js';

export interface AppOptions {
  users: readonly { name: string; token: string }[];
  allowedOrigins: readonly string[];
  websocket: { heartbeatIntervalMs: number; maxBufferedBytes: number; maxSubscriptions: number };
  shutdownGraceMs: number;
}

export interface AppDeps {
  options: AppOptions;
  /** Built with the hub, since services publish events through it. */
  handlers: (hub: EventHub) => Handlers;
  /**
   * The user of a browser session (the cookie a login link set), for requests with no bearer token:
   * JupyterLab served by the platform calls the API with it. Undefined when there is none or the
   * request did not come from a page of this server.
   */
  sessionUser?: (req: http.IncomingMessage) => User | undefined;
  /** Pages and proxied upstreams served beside the API; asked for once, after the handlers. */
  frontends?: () => readonly Frontend[];
  /**
   * The services gateway: asked first for every request and upgrade, before Express (no middleware
   * on the path of model calls); it answers what is its own and leaves the rest.
   */
  gateway?: () => Pick<Frontend, 'upgrade'> & { handle(req: http.IncomingMessage, res: http.ServerResponse): boolean };
  metrics: ServerMetrics;
  log: Logger;
}

export interface PlatformServer {
  app: express.Express;
  server: http.Server;
  hub: EventHub;
  mountedRoutes: RouteName[];
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Listens on a Unix socket instead (behind the services' data plane, which holds the port). */
  listenOnSocket(socketPath: string): Promise<void>;
  /** Stops accepting, lets in-flight requests finish within the grace period, closes sockets. */
  close(): Promise<void>;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
const EXPOSED_HEADERS = [
  'content-range',
  'content-length',
  'content-disposition',
  'x-request-id',
  API_VERSION_HEADER,
].join(', ');

/** The charset a JSON request declares (`application/json; charset=utf-16` → `utf-16`), if any. */
function jsonCharset(contentType: string | undefined): string | undefined {
  const [type = '', ...params] = (contentType ?? '').split(';');
  if (!/^\s*application\/(?:[\w.+-]+\+)?json\s*$/i.test(type)) return undefined;
  for (const param of params) {
    const match = /^\s*charset\s*=\s*"?([^"\s]*)"?\s*$/i.exec(param);
    if (match) return match[1];
  }
  return undefined;
}

/** Builds the Express app and the HTTP server around it; nothing listens until `listen`. */
export function createPlatformServer(deps: AppDeps): PlatformServer {
  const { options, metrics, log } = deps;
  const auth = new TokenAuthenticator(options.users);
  const origins = new OriginPolicy(options.allowedOrigins);
  let closing: Promise<void> | undefined;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.locals.log = log.child({ reqId: requestId });
    res.setHeader('x-request-id', requestId);
    res.setHeader(API_VERSION_HEADER, API_VERSION);
    const started = Date.now();
    res.once('finish', () => {
      // During shutdown a kept-alive connection would hold the server open until the grace ends.
      if (closing) setImmediate(() => server.closeIdleConnections());
      (res.locals.log as Logger).info(
        { method: req.method, path: req.path, status: res.statusCode, ms: Date.now() - started },
        'request',
      );
    });
    next();
  });

  let frontendList: readonly Frontend[] | undefined;
  const frontends = () => (frontendList ??= deps.frontends?.() ?? []);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const list = frontends();
    let index = 0;
    const step = (error?: unknown) => {
      const frontend = list[index++];
      if (error !== undefined || !frontend) next(error);
      else frontend.handle(req, res, step);
    };
    step();
  });

  app.use((req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (!origins.isAllowed(origin, req.get('host'))) {
      next(new ApiError('forbidden', `origin ${origin} is not allowed; add it to allowedOrigins (ALLOWED_ORIGINS)`));
      return;
    }
    if (origin) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
      res.setHeader('access-control-allow-headers', 'authorization, content-type, range, x-request-id');
      res.setHeader('access-control-max-age', '600');
      res.status(204).end();
      return;
    }
    next();
  });

  app.use((req: Request, _res: Response, next: NextFunction) => {
    const charset = jsonCharset(req.get('content-type'));
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      next(new ApiError('unsupported_media_type', `only UTF-8 JSON is accepted; the request says charset=${charset}`));
      return;
    }
    next();
  });

  const server = http.createServer((req, res) => {
    if (deps.gateway?.().handle(req, res)) return;
    app(req, res);
  });
  const hub = new EventHub({
    ...options.websocket,
    authenticate: (token) => auth.authenticate(token),
    sessionUser: (req) => deps.sessionUser?.(req),
    isOriginAllowed: (origin, host) => origins.isAllowed(origin, host),
    metrics,
    log: log.child({ component: 'ws' }),
  });
  server.on('upgrade', (req, socket, head) => {
    if (deps.gateway?.().upgrade?.(req, socket, head)) return;
    for (const frontend of frontends()) if (frontend.upgrade?.(req, socket, head)) return;
    hub.handleUpgrade(req, socket, head);
  });

  const authenticate = (req: Request): User => {
    const token = TokenAuthenticator.bearerToken(req.get('authorization'));
    const user = token ? auth.authenticate(token) : deps.sessionUser?.(req);
    if (!user)
      throw new ApiError('unauthorized', 'a valid bearer token is required: send Authorization: Bearer <token>');
    return user;
  };
  const router = express.Router();
  const mountedRoutes = mountRoutes(router, { handlers: deps.handlers(hub), metrics, authenticate });
  app.use(router);
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new ApiError('not_found', `no route ${req.method} ${req.path}; the API is described at /api/openapi.json`));
  });
  app.use(errorMapping(log));

  return {
    app,
    server,
    hub,
    mountedRoutes,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    listenOnSocket: (socketPath) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath, () => {
          server.off('error', reject);
          resolve();
        });
      }),
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await hub.close();
        const grace = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs);
        await stopped;
        clearTimeout(grace);
      })()),
  };
}
