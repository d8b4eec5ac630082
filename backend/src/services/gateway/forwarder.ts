import http from 'node:http';
import { SESSION_COOKIE, withoutCookie } from '../../proxy/proxyCore.js';
import type { ReadyReplica } from '../engine.js';
import type { ReplicaBalancer } from './balancer.js';
import { send, tooLarge } from './replies.js';
import { UsageTap } from './tokenUsage.js';

/** One call to forward: where, and within which limits. */
export interface ForwardCall {
  name: string;
  /** The path and query the replica sees. */
  path: string;
  ready: readonly ReadyReplica[];
  started: number;
  timeoutMs: number;
  maxBodyBytes: number;
}

/** How a forwarded call ended, for the counters. */
export interface ForwardResult {
  replica?: ReadyReplica;
  status: number;
  /** LLM tokens from the response's OpenAI `usage`. */
  tokens?: number;
  /** Streamed responses (no Content-Length): time to the first byte of the body. */
  ttftMs?: number;
}

/** Safe to send twice when the first connection failed (no body, or one that was never read). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** A connection that broke before any answer: another replica may be tried for an idempotent call. */
const BROKEN = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);
/** The caller's credentials and hop-by-hop headers: never passed to a replica. */
const DROPPED = new Set([
  'authorization',
  'appkey',
  'timestamp',
  'sign',
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
]);

/**
 * Sends a call to one of the ready replicas and streams the answer back as it comes (SSE and
 * chunked bodies unbuffered, back-pressure both ways), reading the OpenAI `usage` on the way. A
 * connection refused before anything was sent is retried on another replica; an idempotent call
 * without a body is retried on another replica also when the connection broke before the answer.
 */
export class Forwarder {
  private readonly agent = new http.Agent({ keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo' });

  constructor(
    private readonly balancer: ReplicaBalancer,
    private readonly now: () => number,
  ) {}

  forward(req: http.IncomingMessage, res: http.ServerResponse, call: ForwardCall): Promise<ForwardResult> {
    return new Promise<ForwardResult>((resolve) => {
      const bodyExpected = hasBody(req);
      const retryOnBreak = IDEMPOTENT.has(req.method ?? 'GET') && !bodyExpected;
      const headers = forwardedHeaders(req);
      const tried = new Set<string>();
      let bodyBytes = 0;
      let done = false;
      let current: { upstream: http.ClientRequest; answer?: http.IncomingMessage } | undefined;
      const finish = (result: ForwardResult) => {
        if (done) return;
        done = true;
        resolve(result);
      };
      res.once('close', () => {
        if (!current) return;
        if (!current.answer) current.upstream.destroy();
        else if (!current.answer.complete) current.answer.destroy();
      });

      const attempt = () => {
        const replica = this.balancer.pick(call.ready, tried);
        if (!replica) {
          send(res, { status: 502, error: 'bad_gateway', message: `no replica of ${call.name} answered` });
          return finish({ status: 502 });
        }
        tried.add(replica.key);
        const release = this.balancer.acquire(replica);
        const upstream = http.request({
          ...('socketPath' in replica.target
            ? { socketPath: replica.target.socketPath }
            : { host: replica.target.host, port: replica.target.port }),
          method: req.method,
          path: call.path,
          headers,
          agent: this.agent,
        });
        current = { upstream };
        const timer = setTimeout(
          () => upstream.destroy(Object.assign(new Error('upstream timeout'), { code: 'UPSTREAM_TIMEOUT' })),
          call.timeoutMs,
        );

        // The caller's body is read only once the replica's connection is up: a refused
        // connection has then consumed nothing, and the call can go to another replica.
        const onData = (chunk: Buffer) => {
          bodyBytes += chunk.length;
          if (bodyBytes > call.maxBodyBytes) {
            stopBody();
            req.resume(); // the rest is read and dropped; the connection closes after the 413
            upstream.destroy();
            send(res, tooLarge(`the body is over ${call.maxBodyBytes} bytes (limits.maxBodyBytes)`), true);
            return finish({ replica, status: 413 });
          }
          if (!upstream.write(chunk)) {
            req.pause();
            upstream.once('drain', () => req.resume());
          }
        };
        const onEnd = () => upstream.end();
        const stopBody = () => {
          req.off('data', onData);
          req.off('end', onEnd);
        };
        const startBody = () => {
          if (done) return;
          req.on('data', onData);
          req.once('end', onEnd);
        };
        if (!bodyExpected) upstream.end();
        else
          upstream.once('socket', (socket) => {
            if (socket.connecting) socket.once('connect', startBody);
            else startBody();
          });

        upstream.on('response', (answer) => {
          clearTimeout(timer);
          if (done) {
            release();
            answer.resume();
            return;
          }
          current = { upstream, answer };
          const status = answer.statusCode ?? 502;
          const streamed = answer.headers['content-length'] === undefined;
          const tap = UsageTap.forContentType(answer.headers['content-type']);
          let firstByteAt: number | undefined;
          res.writeHead(status, responseHeaders(answer));
          // Streams (SSE, chunked LLM output) get their headers at once, before the first token.
          if (streamed) res.flushHeaders();
          answer.on('data', (chunk: Buffer) => {
            firstByteAt ??= this.now();
            tap.push(chunk);
            if (!res.write(chunk)) {
              answer.pause();
              res.once('drain', () => answer.resume());
            }
          });
          answer.once('end', () => res.end());
          answer.once('close', () => {
            release();
            if (!answer.complete) res.destroy();
            const tokens = tap.end();
            finish({
              replica,
              status,
              ...(tokens ? { tokens } : {}),
              ...(streamed && firstByteAt !== undefined ? { ttftMs: firstByteAt - call.started } : {}),
            });
          });
        });

        upstream.on('error', (error: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          release();
          if (done || current?.answer) return;
          stopBody();
          if (res.destroyed) return finish({ replica, status: 499 }); // the caller went away
          const code = error.code ?? '';
          const nothingSent = code === 'ECONNREFUSED';
          if (tried.size < call.ready.length && (nothingSent || (retryOnBreak && BROKEN.has(code)))) {
            return attempt();
          }
          const timedOut = code === 'UPSTREAM_TIMEOUT';
          const status = timedOut ? 504 : 502;
          send(res, {
            status,
            error: timedOut ? 'gateway_timeout' : 'bad_gateway',
            message: timedOut
              ? `the replica did not answer within ${Math.round(call.timeoutMs / 1000)} s (limits.upstreamTimeoutSeconds)`
              : `the replica failed: ${code || error.message}`,
          });
          finish({ replica, status });
        });
      };
      attempt();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

function forwardedHeaders(req: http.IncomingMessage): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  const given = req.headers;
  for (const name in given) if (!DROPPED.has(name)) headers[name] = given[name];
  if (given.cookie) {
    const cookie = withoutCookie(given.cookie, SESSION_COOKIE);
    if (cookie) headers.cookie = cookie;
    else delete headers.cookie;
  }
  const from = req.socket.remoteAddress ?? '';
  const earlier = given['x-forwarded-for'];
  headers['x-forwarded-for'] = earlier ? `${String(earlier)}, ${from}` : from;
  if (given.host) headers['x-forwarded-host'] = given.host;
  headers['x-forwarded-proto'] = 'encrypted' in req.socket ? 'https' : 'http';
  return headers;
}

function responseHeaders(answer: http.IncomingMessage): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  const given = answer.headers;
  for (const name in given) if (name !== 'connection' && name !== 'keep-alive') headers[name] = given[name];
  return headers;
}
