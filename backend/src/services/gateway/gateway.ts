import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { serviceUrl, type GatewayAuthReason, type ServiceMetricsQuery } from '@aiplat/api';
import { ProxyCore, refuseUpgrade, SESSION_COOKIE, withoutCookie } from '../../proxy/proxyCore.js';
import type { EventPublisher } from '../../server/eventPublisher.js';
import type { ReadyReplica } from '../engine.js';
import { Admission } from './admission.js';
import { ReplayCache, verifyAppKey } from './appKeyAuth.js';
import type { GatewayDirectory, GatewayService } from './directory.js';
import type { ServiceGateway } from './serviceGateway.js';
import { TokenUsage, UsageTap } from './tokenUsage.js';
import { TrafficMetrics } from './trafficMetrics.js';

export interface GatewayDeps {
  directory: GatewayDirectory;
  registry: Registry;
  events?: EventPublisher;
  signatureWindowSeconds: number;
  /** The platform's own user of a request (bearer token or session): an owner may call their service. */
  platformUser?: (req: http.IncomingMessage) => string | undefined;
  isOriginAllowed?: (origin: string | undefined, host: string | undefined) => boolean;
  onActivity?: (name: string) => void;
  now?: () => number;
  log: Logger;
}

type Caller = {
  kind: 'appkey' | 'token' | 'owner' | 'anyone';
  tokenId?: string;
  limits?: { tokensPerMinute?: number; tokensPerDay?: number };
};
type Refusal = { status: number; error: string; message: string; reason?: GatewayAuthReason; retryAfter?: number };

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const CALLER_HEADERS = ['authorization', 'appkey', 'timestamp', 'sign', 'host', 'connection', 'keep-alive'];
const PREFIX = '/services/';

/**
 * The services gateway: finds the service of a request (`/services/<name>/...` or its own domain),
 * checks the caller (慧聚 AppKey signature, TI-ONE bearer token, the owner, or anyone), applies
 * the limits, forwards to a ready replica with bodies streaming both ways, and counts the call.
 */
export class Gateway implements ServiceGateway {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' });
  private readonly replays: ReplayCache;
  private readonly admissions = new Map<string, Admission>();
  private readonly inFlight = new Map<string, number>();
  private readonly usage = new TokenUsage();
  private readonly traffic: TrafficMetrics;
  private readonly proxy = new ProxyCore();
  private readonly now: () => number;
  private turn = 0;

  constructor(private readonly deps: GatewayDeps) {
    this.now = deps.now ?? Date.now;
    this.replays = new ReplayCache(deps.signatureWindowSeconds * 1000);
    this.traffic = new TrafficMetrics(deps.registry, (name, point) => {
      const owner = deps.directory.byName(name)?.owner;
      if (owner) deps.events?.publish(`service-metrics/${name}`, 'service-metrics', { name, point }, { user: owner });
    });
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const found = this.route(req);
    if (!found) return false;
    void this.serve(req, res, found.name, found.service, found.rest).catch((error: unknown) => {
      this.deps.log.error({ err: error }, 'gateway call failed');
      if (!res.headersSent) send(res, { status: 502, error: 'bad_gateway', message: 'the service call failed' });
      else res.destroy();
    });
    return true;
  }

  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const found = this.route(req);
    if (!found) return false;
    const { service, name } = found;
    const refusal = !service ? notFound(name) : (this.authenticate(req, service) as Refusal);
    if ('status' in refusal) {
      refuseUpgrade(socket, refusal.status, refusal.message);
      return true;
    }
    const replica = this.pick(service!.ready(), new Set());
    if (!replica) {
      refuseUpgrade(socket, 503, `${name} has no ready replica`);
      return true;
    }
    this.deps.onActivity?.(name);
    const prefix = req.url?.startsWith(PREFIX) ? serviceUrl(name) : '/';
    this.proxy.upgrade(req, socket, head, { target: replica.target, prefix, keepsPrefix: prefix === '/' });
    return true;
  }

  metrics(name: string, query: ServiceMetricsQuery) {
    return this.traffic.query(name, query, this.now());
  }

  tokenUsage(tokenId: string) {
    return this.usage.used(tokenId, this.now());
  }

  forget(name: string): void {
    this.traffic.forget(name);
    this.admissions.delete(name);
  }

  async close(): Promise<void> {
    this.proxy.close();
    this.agent.destroy();
  }

  private route(req: http.IncomingMessage): { name: string; service?: GatewayService; rest: string } | undefined {
    const url = req.url ?? '/';
    if (url.startsWith(PREFIX)) {
      const end = url.slice(PREFIX.length).search(/[/?]/);
      const name = end < 0 ? url.slice(PREFIX.length) : url.slice(PREFIX.length, PREFIX.length + end);
      const rest = end < 0 ? '/' : url.slice(PREFIX.length + end);
      return { name, service: this.deps.directory.byName(name), rest: rest.startsWith('/') ? rest : `/${rest}` };
    }
    const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    const service = host ? this.deps.directory.byHost(host) : undefined;
    return service ? { name: service.name, service, rest: url } : undefined;
  }

  private async serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    name: string,
    service: GatewayService | undefined,
    rest: string,
  ): Promise<void> {
    if (!service) return send(res, notFound(name));
    const origin = req.headers.origin;
    if (origin && this.deps.isOriginAllowed?.(origin, req.headers.host)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
          'access-control-allow-headers': 'authorization, content-type, appkey, timestamp, sign',
          'access-control-max-age': '600',
        });
        return void res.end();
      }
    }
    const caller = this.authenticate(req, service);
    if ('status' in caller) return send(res, caller);
    this.deps.onActivity?.(name);
    const started = this.now();
    const limits = service.limits;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limits.maxBodyBytes) {
      return send(res, {
        status: 413,
        error: 'payload_too_large',
        message: `the body is ${declared} bytes; ${name} takes at most ${limits.maxBodyBytes}`,
      });
    }
    if (caller.tokenId && caller.limits) {
      const spent = this.usage.refusal(caller.tokenId, caller.limits, started);
      if (spent) return this.throttle(res, name, spent.retryAfter, spent.message, started);
    }
    let ready = service.ready();
    if (!service.serving && !service.sleeping) {
      return send(res, {
        status: 503,
        error: 'unavailable',
        message: `${name} is not running; start it first`,
        retryAfter: 30,
      });
    }
    if (ready.length === 0 && service.sleeping) {
      this.deps.directory.wake(name);
      ready = await this.waitForReady(service, limits.upstreamTimeoutSeconds * 1000);
    }
    if (ready.length === 0) {
      return send(res, {
        status: 503,
        error: 'unavailable',
        message: `${name} has no ready replica yet`,
        retryAfter: 5,
      });
    }
    let admission = this.admissions.get(name);
    if (!admission) this.admissions.set(name, (admission = new Admission()));
    const wait = admission.admit(limits.qpsPerReplica, limits.concurrencyPerReplica, ready.length, started);
    if (wait !== undefined) {
      return this.throttle(
        res,
        name,
        wait,
        `${name} is at its limit (${limits.qpsPerReplica} requests/s and ${limits.concurrencyPerReplica} at once per replica)`,
        started,
      );
    }
    res.once('close', () => admission.done());
    await this.forward(req, res, {
      name,
      rest,
      ready,
      caller,
      started,
      timeoutMs: limits.upstreamTimeoutSeconds * 1000,
      maxBody: limits.maxBodyBytes,
    });
  }

  private forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    call: {
      name: string;
      rest: string;
      ready: readonly ReadyReplica[];
      caller: Caller;
      started: number;
      timeoutMs: number;
      maxBody: number;
    },
  ): Promise<void> {
    const hasBody =
      req.headers['content-length'] !== undefined
        ? Number(req.headers['content-length']) > 0
        : req.headers['transfer-encoding'] !== undefined;
    const retryable = IDEMPOTENT.has(req.method ?? 'GET') && !hasBody;
    const tried = new Set<string>();
    const headers = forwardedHeaders(req);
    return new Promise<void>((resolve) => {
      const attempt = () => {
        const replica = this.pick(call.ready, tried);
        if (!replica) {
          send(res, { status: 502, error: 'bad_gateway', message: `no replica of ${call.name} answered` });
          return resolve();
        }
        tried.add(replica.key);
        this.inFlight.set(replica.key, (this.inFlight.get(replica.key) ?? 0) + 1);
        const release = once(() =>
          this.inFlight.set(replica.key, Math.max(0, (this.inFlight.get(replica.key) ?? 1) - 1)),
        );
        const target =
          'socketPath' in replica.target
            ? { socketPath: replica.target.socketPath }
            : { host: replica.target.host, port: replica.target.port };
        const upstream = http.request({ ...target, method: req.method, path: call.rest, headers, agent: this.agent });
        const timer = setTimeout(
          () => upstream.destroy(Object.assign(new Error('timeout'), { code: 'UPSTREAM_TIMEOUT' })),
          call.timeoutMs,
        );
        let answered = false;
        upstream.on('response', (answer) => {
          answered = true;
          clearTimeout(timer);
          const tap = UsageTap.forContentType(answer.headers['content-type']);
          let ttft: number | undefined;
          const outHeaders = { ...answer.headers };
          delete outHeaders.connection;
          delete outHeaders['keep-alive'];
          res.writeHead(answer.statusCode ?? 502, outHeaders);
          res.flushHeaders();
          answer.on('data', (chunk: Buffer) => {
            ttft ??= this.now() - call.started;
            tap.push(chunk);
            if (!res.write(chunk)) {
              answer.pause();
              res.once('drain', () => answer.resume());
            }
          });
          const finish = once(() => {
            release();
            const tokens = tap.end();
            if (tokens && call.caller.tokenId) this.usage.add(call.caller.tokenId, tokens, this.now());
            this.traffic.record(
              {
                service: call.name,
                version: replica.version,
                replica: replica.index,
                status: answer.statusCode ?? 502,
                latencyMs: this.now() - call.started,
                ...(tokens ? { tokens } : {}),
                ...(tap.tokens !== undefined || (answer.headers['content-type'] ?? '').includes('event-stream')
                  ? { ttftMs: ttft }
                  : {}),
              },
              this.now(),
            );
            resolve();
          });
          answer.on('end', () => {
            res.end();
            finish();
          });
          answer.on('error', () => {
            res.destroy();
            finish();
          });
          res.once('close', () => {
            if (!answer.complete) answer.destroy();
            finish();
          });
        });
        upstream.on('error', (error: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          release();
          if (answered) return;
          const connectFailed = error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET' || error.code === 'EPIPE';
          if (connectFailed && retryable && tried.size < call.ready.length) return attempt();
          const timedOut = error.code === 'UPSTREAM_TIMEOUT';
          const status = timedOut ? 504 : 502;
          this.traffic.record(
            {
              service: call.name,
              version: replica.version,
              replica: replica.index,
              status,
              latencyMs: this.now() - call.started,
            },
            this.now(),
          );
          send(res, {
            status,
            error: timedOut ? 'gateway_timeout' : 'bad_gateway',
            message: timedOut
              ? `the replica did not answer within ${Math.round(call.timeoutMs / 1000)} s (limits.upstreamTimeoutSeconds)`
              : `the replica failed: ${error.code ?? error.message}`,
          });
          resolve();
        });
        if (!hasBody) {
          upstream.end();
          return;
        }
        let bytes = 0;
        req.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > call.maxBody) {
            upstream.destroy();
            req.unpipe(upstream);
            send(res, {
              status: 413,
              error: 'payload_too_large',
              message: `the body is over ${call.maxBody} bytes (limits.maxBodyBytes)`,
            });
            resolve();
          }
        });
        req.pipe(upstream);
      };
      attempt();
    });
  }

  /** Least requests in flight, round robin among equals; never a replica already tried. */
  private pick(ready: readonly ReadyReplica[], tried: Set<string>): ReadyReplica | undefined {
    let best: ReadyReplica | undefined;
    let bestLoad = Infinity;
    const n = ready.length;
    this.turn = (this.turn + 1) % Math.max(1, n);
    for (let i = 0; i < n; i++) {
      const replica = ready[(this.turn + i) % n]!;
      if (tried.has(replica.key)) continue;
      const load = this.inFlight.get(replica.key) ?? 0;
      if (load < bestLoad) {
        best = replica;
        bestLoad = load;
      }
    }
    return best;
  }

  private authenticate(req: http.IncomingMessage, service: GatewayService): Caller | Refusal {
    const auth = service.auth;
    if (auth.includes('none')) return { kind: 'anyone' };
    const appKey = header(req, 'appkey');
    if (appKey && auth.includes('appkey')) {
      const verdict = verifyAppKey(
        { appKey, timestamp: header(req, 'timestamp'), sign: header(req, 'sign') },
        service.name,
        this.deps.directory,
        this.replays,
        this.deps.signatureWindowSeconds * 1000,
        this.now(),
      );
      return verdict.ok ? { kind: 'appkey' } : unauthorized(verdict.reason, verdict.message);
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
    if (bearer && auth.includes('token')) {
      const token = this.deps.directory.tokenByHash(createHash('sha256').update(bearer).digest('hex'));
      if (token && token.service === service.name) {
        if (!token.enabled) return unauthorized('token_disabled', 'this token is disabled');
        return { kind: 'token', tokenId: token.id, limits: token };
      }
    }
    if (this.deps.platformUser?.(req) === service.owner) return { kind: 'owner' };
    if (bearer) return unauthorized('unknown_token', `no such token for ${service.name}`);
    return unauthorized(
      'missing_credentials',
      `call ${service.name} with ${auth.map((kind) => (kind === 'appkey' ? 'AppKey, Timestamp and Sign headers' : 'Authorization: Bearer <token>')).join(' or ')}`,
    );
  }

  private throttle(res: http.ServerResponse, name: string, retryAfter: number, message: string, started: number): void {
    const serving = this.deps.directory.byName(name)?.ready()[0];
    this.traffic.record(
      {
        service: name,
        version: serving?.version ?? 0,
        replica: -1,
        status: 429,
        latencyMs: this.now() - started,
        throttled: true,
      },
      this.now(),
    );
    send(res, { status: 429, error: 'too_many_requests', message, retryAfter });
  }

  private async waitForReady(service: GatewayService, timeoutMs: number): Promise<readonly ReadyReplica[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const ready = service.ready();
      if (ready.length > 0) return ready;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return [];
  }
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function forwardedHeaders(req: http.IncomingMessage): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = { ...req.headers };
  for (const name of CALLER_HEADERS) delete headers[name];
  const cookie = withoutCookie(req.headers.cookie, SESSION_COOKIE);
  if (cookie) headers.cookie = cookie;
  else delete headers.cookie;
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
  return headers;
}

function unauthorized(reason: GatewayAuthReason, message: string): Refusal {
  return { status: 401, error: 'unauthorized', reason, message };
}

function notFound(name: string): Refusal {
  return { status: 404, error: 'not_found', message: `no service ${name.slice(0, 64)}` };
}

function send(res: http.ServerResponse, refusal: Refusal): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({
    error: refusal.error,
    message: refusal.message,
    ...(refusal.reason ? { reason: refusal.reason } : {}),
  });
  res.writeHead(refusal.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...(refusal.retryAfter !== undefined ? { 'retry-after': String(refusal.retryAfter) } : {}),
  });
  res.end(body);
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
