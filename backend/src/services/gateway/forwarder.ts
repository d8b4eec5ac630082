import type http from 'node:http';
import type { Dispatcher } from 'undici';
import { SESSION_COOKIE, withoutCookie } from '../../proxy/proxyCore.js';
import type { ReadyReplica } from '../engine.js';
import type { ReplicaBalancer } from './balancer.js';
import { send, tooLarge } from './replies.js';
import { RequestBody } from './requestBody.js';
import { UsageTap } from './tokenUsage.js';
import { UpstreamPools } from './upstreamPools.js';

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
const BROKEN = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
/** Nothing of the call reached the replica: any call may go to another one. */
const NOTHING_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT']);
/**
 * Never passed to a replica: the caller's credentials, hop-by-hop headers, and the framing headers
 * the upstream client sets itself (Transfer-Encoding, Expect).
 */
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
  'transfer-encoding',
  'expect',
]);

/** Set by the gateway itself (x-forwarded-for extends the caller's): a caller's own would be taken for the gateway's. */
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto']);

/**
 * Sends a call to one of the ready replicas and streams the answer back as it comes (SSE and
 * chunked bodies unbuffered, back-pressure both ways), reading the OpenAI `usage` on the way. A
 * connection refused before anything was sent is retried on another replica; an idempotent call
 * without a body is retried on another replica also when the connection broke before the answer.
 */
export class Forwarder {
  readonly pools = new UpstreamPools();

  constructor(
    readonly balancer: ReplicaBalancer,
    readonly now: () => number,
  ) {}

  /** Forwards the call; `done` is called once, when it ended one way or another. */
  forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    call: ForwardCall,
    done: (result: ForwardResult) => void,
  ): void {
    new UpstreamCall(this, req, res, call, done).attempt();
  }

  close(): Promise<void> {
    return this.pools.close();
  }
}

/** One forwarded call, as undici's dispatch handler: one object per call, no closures. */
class UpstreamCall implements Dispatcher.DispatchHandlers {
  private readonly headers: string[];
  private readonly bodyExpected: boolean;
  private replica: ReadyReplica | undefined;
  private tried: Set<string> | undefined;
  private body: RequestBody | undefined;
  private abort: ((error?: Error) => void) | undefined;
  private released = true;
  private ended = false;
  private answered = false;
  private status = 502;
  private streamed = false;
  private tap: UsageTap | undefined;
  private firstByteAt: number | undefined;
  private resume: (() => void) | undefined;

  constructor(
    private readonly forwarder: Forwarder,
    private readonly req: http.IncomingMessage,
    private readonly res: http.ServerResponse,
    private readonly call: ForwardCall,
    private readonly done: (result: ForwardResult) => void,
  ) {
    this.headers = forwardedHeaders(req);
    this.bodyExpected = hasBody(req);
    (res as CallerResponse)[UPSTREAM_CALL] = this;
    res.on('close', onCallerClose);
  }

  attempt(): void {
    const replica = this.forwarder.balancer.pick(this.call.ready, this.tried ?? NONE_TRIED);
    if (!replica) {
      send(this.res, { status: 502, error: 'bad_gateway', message: `no replica of ${this.call.name} answered` });
      return this.finish(502);
    }
    this.replica = replica;
    this.forwarder.balancer.acquire(replica.key);
    this.released = false;
    // The caller's body is read only once the replica's connection is up: a refused connection
    // has then consumed nothing, and the call can go to another replica.
    this.body = this.bodyExpected ? new RequestBody(this.req, this.call.maxBodyBytes, this) : undefined;
    this.forwarder.pools.of(replica.target).dispatch(
      {
        path: this.call.path,
        method: (this.req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: this.headers,
        body: this.body ?? null,
        headersTimeout: this.call.timeoutMs,
        bodyTimeout: 0,
      },
      this,
    );
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abort = abort;
    if (this.ended || this.res.destroyed) abort();
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    if (this.ended) return false;
    this.answered = true;
    this.status = status;
    this.resume = resume;
    const headers: string[] = [];
    let length: string | undefined;
    let type: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!.toString('latin1');
      const value = raw[i + 1]!.toString('latin1');
      const lower = name.length === 10 || name.length === 12 || name.length === 14 ? name.toLowerCase() : name;
      if (lower === 'connection' || lower === 'keep-alive') continue;
      if (lower === 'content-length') length = value;
      else if (lower === 'content-type') type = value;
      headers.push(name, value);
    }
    this.streamed = length === undefined;
    this.tap = UsageTap.forContentType(type);
    this.res.writeHead(status, headers);
    // Streams (SSE, chunked LLM output) get their headers at once, before the first token.
    if (this.streamed) this.res.flushHeaders();
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.streamed) this.firstByteAt ??= this.forwarder.now();
    this.tap!.push(chunk);
    if (this.res.write(chunk)) return true;
    this.res.once('drain', this.resume!);
    return false;
  }

  onComplete(): void {
    this.res.end();
    this.finish(this.status);
  }

  onError(error: Error & { code?: string }): void {
    this.release();
    this.body?.stop();
    if (this.ended) return;
    if (this.answered) {
      this.res.destroy();
      return this.finish(this.status);
    }
    if (this.res.destroyed) return this.finish(499); // the caller went away
    const code = error.code ?? '';
    const retryOnBreak = !this.bodyExpected && IDEMPOTENT.has(this.req.method ?? 'GET');
    const tried = (this.tried ??= new Set()).add(this.replica!.key);
    if (tried.size < this.call.ready.length && (NOTHING_SENT.has(code) || (retryOnBreak && BROKEN.has(code)))) {
      return this.attempt();
    }
    const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
    const status = timedOut ? 504 : 502;
    send(this.res, {
      status,
      error: timedOut ? 'gateway_timeout' : 'bad_gateway',
      message: timedOut
        ? `the replica did not answer within ${Math.round(this.call.timeoutMs / 1000)} s (limits.upstreamTimeoutSeconds)`
        : `the replica failed: ${code || error.message}`,
    });
    this.finish(status);
  }

  /** The caller's body grew past maxBodyBytes (RequestBody): 413, and the replica's request is dropped. */
  bodyTooLarge(): void {
    if (this.ended || this.answered) return;
    this.req.resume(); // the rest is read and dropped; the connection closes after the 413
    send(this.res, tooLarge(`the body is over ${this.call.maxBodyBytes} bytes (limits.maxBodyBytes)`), true);
    this.finish(413);
    this.abort?.();
  }

  callerLeft(): void {
    if (this.ended && !this.answered) return;
    this.abort?.();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.forwarder.balancer.release(this.replica!.key);
  }

  private finish(status: number): void {
    this.release();
    if (this.ended) return;
    this.ended = true;
    const tokens = this.tap?.end();
    const result: ForwardResult = { status };
    if (this.replica) result.replica = this.replica;
    if (tokens) result.tokens = tokens;
    if (this.streamed && this.firstByteAt !== undefined) result.ttftMs = this.firstByteAt - this.call.started;
    this.done(result);
  }
}

const NONE_TRIED: ReadonlySet<string> = new Set();

/** The caller's response knows its call: one listener function for all calls, no closure per call. */
const UPSTREAM_CALL = Symbol('upstreamCall');
type CallerResponse = http.ServerResponse & { [UPSTREAM_CALL]?: UpstreamCall };
function onCallerClose(this: CallerResponse): void {
  this[UPSTREAM_CALL]?.callerLeft();
}

export function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** The caller's headers a replica sees, as a flat [name, value, ...] list; the session cookie taken out. */
export function forwardedHeaders(req: http.IncomingMessage): string[] {
  const headers: string[] = [];
  const given = req.headers;
  for (const name in given) {
    if (DROPPED.has(name) || name === 'cookie' || FORWARDED.has(name)) continue;
    const value = given[name];
    if (value === undefined) continue;
    if (typeof value === 'string') headers.push(name, value);
    else for (const each of value) headers.push(name, each);
  }
  if (given.cookie) {
    const cookie = withoutCookie(given.cookie, SESSION_COOKIE);
    if (cookie) headers.push('cookie', cookie);
  }
  // Behind the data plane (a Unix socket) the caller's address is already the last of the chain.
  const from = req.socket.remoteAddress;
  const forwardedFor = given['x-forwarded-for'];
  const earlier = Array.isArray(forwardedFor) ? forwardedFor.join(', ') : forwardedFor;
  const chain = from ? (earlier ? `${earlier}, ${from}` : from) : earlier;
  if (chain) headers.push('x-forwarded-for', chain);
  if (given.host) headers.push('x-forwarded-host', given.host);
  headers.push('x-forwarded-proto', 'encrypted' in req.socket ? 'https' : 'http');
  return headers;
}
