import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ServiceMetricsQuery } from '@aiplat/api';
import type { EventPublisher } from '../../server/eventPublisher.js';
import type { ReadyReplica } from '../engine.js';
import { Admission } from './admission.js';
import { ReplicaBalancer } from './balancer.js';
import { CallerAuth, type Caller } from './callerAuth.js';
import type { GatewayDirectory, GatewayService } from './directory.js';
import { Forwarder, type ForwardResult } from './forwarder.js';
import { HttpsListener } from './httpsListener.js';
import { notFound, refuseUpgrade, send, tooLarge, tooMany, unavailable, type Refusal } from './replies.js';
import type { ServiceGateway } from './serviceGateway.js';
import type { ServedByDataPlane, SharedGatewayState } from './sharedState.js';
import { TokenUsage } from './tokenUsage.js';
import { TrafficMetrics, type CallOutcome } from './trafficMetrics.js';
import { UpgradeForwarder } from './upgradeForwarder.js';

export interface GatewayDeps {
  directory: GatewayDirectory;
  /** Where the Prometheus counters go (the server's /metrics registry). */
  registry: Registry;
  /** Each closed 10 s bucket is published on `service-metrics/<name>` to the service's owner. */
  events?: EventPublisher;
  signatureWindowSeconds: number;
  /** > 0: an HTTPS listener for services with their own domain and certificate (SNI); 0: none. */
  httpsPort?: number;
  /** The address the HTTPS listener binds (the platform's host). */
  httpsHost?: string;
  /** The platform's own user of a request (bearer token or session): an owner may call their service. */
  platformUser?: (req: http.IncomingMessage) => string | undefined;
  /** CORS for browser calls (the IDEs' test panels). */
  isOriginAllowed?: (origin: string | undefined, host: string | undefined) => boolean;
  /** The replay cache and admissions of a data plane in front of this gateway (services/dataplane/). */
  shared?: SharedGatewayState;
  /** Called for every call let in (the core puts idle services to sleep). */
  onActivity?: (name: string) => void;
  now?: () => number;
  log: Logger;
}

const PREFIX = '/services/';
/** A sleeping service: it is woken, and the call waits for a ready replica. */
const ASLEEP = Symbol('asleep');
type Entry =
  typeof ASLEEP | { refusal: Refusal } | { ready: readonly ReadyReplica[]; admission: Pick<Admission, 'done'> };
const BUCKET_TIMER_MS = 10_000;
const WAKE_POLL_MS = 200;

/**
 * The services gateway: finds the service of a request (`/services/<name>/...` or its own domain),
 * lets the caller in (CallerAuth), applies the service's limits (Admission, TokenUsage, body size),
 * forwards to a ready replica (Forwarder) and counts the call (TrafficMetrics).
 */
export class Gateway implements ServiceGateway {
  readonly https?: HttpsListener;
  private readonly callers: CallerAuth;
  private readonly admissions = new Map<string, Admission>();
  private readonly usage = new TokenUsage();
  private readonly traffic: TrafficMetrics;
  private readonly forwarder: Forwarder;
  private readonly upgrades: UpgradeForwarder;
  /** WebSockets open per service: each one keeps its service awake (onActivity on every bucket tick). */
  private readonly openUpgrades = new Map<string, number>();
  private readonly now: () => number;
  private readonly bucketTimer: NodeJS.Timeout;

  constructor(private readonly deps: GatewayDeps) {
    this.now = deps.now ?? Date.now;
    this.callers = new CallerAuth({ ...deps, now: this.now });
    const balancer = new ReplicaBalancer();
    this.forwarder = new Forwarder(balancer, this.now);
    this.upgrades = new UpgradeForwarder(balancer);
    this.traffic = new TrafficMetrics(deps.registry, (name, point) => {
      const owner = deps.directory.byName(name)?.owner;
      if (owner) deps.events?.publish(`service-metrics/${name}`, 'service-metrics', { name, point }, { user: owner });
    });
    this.bucketTimer = setInterval(() => {
      this.traffic.closeBuckets(this.now());
      for (const name of this.openUpgrades.keys()) this.deps.onActivity?.(name);
    }, BUCKET_TIMER_MS);
    this.bucketTimer.unref();
    if (deps.httpsPort && deps.httpsPort > 0) {
      this.https = new HttpsListener({
        port: deps.httpsPort,
        host: deps.httpsHost ?? '127.0.0.1',
        tlsPairs: () => deps.directory.tlsPairs(),
        handle: (req, res) => this.handle(req, res),
        upgrade: (req, socket, head) => this.upgrade(req, socket, head),
        log: deps.log,
      });
    }
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const found = this.route(req);
    if (!found) return false;
    this.serve(req, res, found.name, found.service, found.rest).catch((error: unknown) => {
      this.deps.log.error({ err: error, service: found.name }, 'gateway call failed');
      send(res, { status: 502, error: 'bad_gateway', message: 'the service call failed' });
    });
    return true;
  }

  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const found = this.route(req);
    if (!found) return false;
    socket.on('error', () => socket.destroy());
    this.serveUpgrade(req, socket, head, found.name, found.service, found.rest).catch((error: unknown) => {
      this.deps.log.error({ err: error, service: found.name }, 'gateway upgrade failed');
      refuseUpgrade(socket, { status: 502, error: 'bad_gateway', message: 'the upgrade failed' });
    });
    return true;
  }

  metrics(name: string, query: ServiceMetricsQuery) {
    return this.traffic.query(name, query, this.now());
  }

  /**
   * What a data plane in front of this gateway served since the last time: its calls counted as
   * this gateway's, its AppKeys' last use, and its services' activity (idle services sleep).
   */
  absorb(served: ServedByDataPlane): void {
    const now = this.now();
    for (const { service, tallies } of served.services) {
      if (!this.deps.directory.byName(service)) continue;
      for (const tally of tallies) this.traffic.recordTally(service, tally, now);
    }
    for (const { appKey, at } of served.appKeys) this.deps.directory.appKeyUsed(appKey, at);
    for (const name of served.active) this.deps.onActivity?.(name);
  }

  tokenUsage(tokenId: string) {
    return this.usage.used(tokenId, this.now());
  }

  forget(name: string): void {
    this.traffic.forget(name);
    this.admissions.delete(name);
  }

  async close(): Promise<void> {
    clearInterval(this.bucketTimer);
    this.upgrades.close();
    await Promise.all([this.forwarder.close(), this.https?.close()]);
  }

  /**
   * The service a request is for: any path on a service's own domain (its `/services/…` paths too,
   * which are the service's own), else `/services/<name>/<rest>`.
   */
  private route(req: http.IncomingMessage): { name: string; service?: GatewayService; rest: string } | undefined {
    const url = req.url ?? '/';
    const host = req.headers.host?.toLowerCase().replace(/:\d+$/, '');
    const byHost = host ? this.deps.directory.byHost(host) : undefined;
    if (byHost) return { name: byHost.name, service: byHost, rest: url };
    if (!url.startsWith(PREFIX)) return undefined;
    const end = url.slice(PREFIX.length).search(/[/?]/);
    const name = end < 0 ? url.slice(PREFIX.length) : url.slice(PREFIX.length, PREFIX.length + end);
    const rest = end < 0 ? '/' : url.slice(PREFIX.length + end);
    return { name, service: this.deps.directory.byName(name), rest: rest.startsWith('/') ? rest : `/${rest}` };
  }

  private async serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    name: string,
    service: GatewayService | undefined,
    rest: string,
  ): Promise<void> {
    if (!service) return send(res, notFound(name));
    if (this.answeredCors(req, res)) return;
    const started = this.now();
    let caller = this.callers.authenticate(req, service);
    if (caller instanceof Promise) caller = await caller;
    if ('status' in caller) return this.refuse(res, service, caller, started);
    this.deps.onActivity?.(name);
    const limits = service.limits;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limits.maxBodyBytes) {
      const refusal = tooLarge(`the body is ${declared} bytes; ${name} takes at most ${limits.maxBodyBytes}`);
      return this.refuse(res, service, refusal, started, true);
    }
    let entry = this.enter(name, service, caller, started);
    if (entry instanceof Promise) entry = await entry;
    if (entry === ASLEEP) entry = await this.woken(name, service, caller, () => res.destroyed);
    if ('refusal' in entry) return this.refuse(res, service, entry.refusal, started);
    const { ready, admission } = entry;
    const call = {
      name,
      path: rest,
      ready,
      started,
      timeoutMs: limits.upstreamTimeoutSeconds * 1000,
      maxBodyBytes: limits.maxBodyBytes,
    };
    this.forwarder.forward(req, res, call, (result) => {
      admission.done();
      this.count(name, caller, result, started);
    });
  }

  /**
   * A WebSocket (any Upgrade) through the gateway, as a call: authenticated, limited (it holds one
   * of the service's concurrent calls for as long as it is open), waking a sleeping service, and
   * counted with the status of its handshake (101 when it is through).
   */
  private async serveUpgrade(
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
    name: string,
    service: GatewayService | undefined,
    rest: string,
  ): Promise<void> {
    if (!service) return refuseUpgrade(socket, notFound(name));
    const started = this.now();
    let caller = this.callers.authenticate(req, service);
    if (caller instanceof Promise) caller = await caller;
    if ('status' in caller) {
      this.countRefusal(service, caller.status, started);
      return refuseUpgrade(socket, caller);
    }
    this.deps.onActivity?.(name);
    let entry = this.enter(name, service, caller, started);
    if (entry instanceof Promise) entry = await entry;
    if (entry === ASLEEP) entry = await this.woken(name, service, caller, () => socket.destroyed);
    if ('refusal' in entry) {
      this.countRefusal(service, entry.refusal.status, started);
      return refuseUpgrade(socket, entry.refusal);
    }
    const { ready, admission } = entry;
    this.openUpgrades.set(name, (this.openUpgrades.get(name) ?? 0) + 1);
    socket.once('close', () => {
      admission.done();
      const left = (this.openUpgrades.get(name) ?? 1) - 1;
      if (left > 0) this.openUpgrades.set(name, left);
      else this.openUpgrades.delete(name);
    });
    const call = { name, path: rest, ready, timeoutMs: service.limits.upstreamTimeoutSeconds * 1000 };
    this.upgrades.forward(req, socket, head, call, (result) => this.count(name, caller, result, started));
  }

  /**
   * Past authentication, for calls and upgrades alike: the token's LLM budget, whether the service
   * serves (or sleeps: ASLEEP), and the QPS and concurrency limits. Admitted calls release their
   * slot with `admission.done()`.
   */
  private enter(name: string, service: GatewayService, caller: Caller, started: number): Entry | Promise<Entry> {
    const spent = caller.tokenId && caller.limits && this.usage.refusal(caller.tokenId, caller.limits, started);
    if (spent) return { refusal: tooMany(spent.message, spent.retryAfter) };
    if (!service.serving && !service.sleeping) {
      return { refusal: unavailable(`${name} is not running; start it first`, 30) };
    }
    const ready = service.ready();
    if (ready.length === 0) {
      if (service.sleeping) return ASLEEP;
      return { refusal: unavailable(`${name} has no ready replica yet`, 5) };
    }
    if (this.deps.shared?.started) return this.enterShared(this.deps.shared, name, service, ready);
    return this.admitted(name, service, ready);
  }

  /** The data plane holds the admission of the services it serves; the others' is this gateway's. */
  private async enterShared(
    shared: SharedGatewayState,
    name: string,
    service: GatewayService,
    ready: readonly ReadyReplica[],
  ): Promise<Entry> {
    let wait: number | undefined | 'local';
    try {
      wait = await shared.admit(name);
    } catch {
      wait = 'local';
    }
    if (wait === 'local') return this.admitted(name, service, ready);
    if (wait !== undefined) return { refusal: tooMany(this.limitMessage(name, service, ready), wait) };
    return { ready, admission: { done: () => shared.done(name) } };
  }

  private admitted(name: string, service: GatewayService, ready: readonly ReadyReplica[]): Entry {
    let admission = this.admissions.get(name);
    if (!admission) this.admissions.set(name, (admission = new Admission()));
    const limits = service.limits;
    const wait = admission.admit(limits.qpsPerReplica, limits.concurrencyPerReplica, ready.length, this.now());
    if (wait !== undefined) return { refusal: tooMany(this.limitMessage(name, service, ready), wait) };
    return { ready, admission };
  }

  private limitMessage(name: string, service: GatewayService, ready: readonly ReadyReplica[]): string {
    const limits = service.limits;
    return `${name} is at its limit (${limits.qpsPerReplica} requests/s and ${limits.concurrencyPerReplica} at once per ready replica, ${ready.length} ready)`;
  }

  /** A sleeping service asked to wake; the call waits for its first ready replica (or gives up at its timeout). */
  private async woken(
    name: string,
    service: GatewayService,
    caller: Caller,
    left: () => boolean,
  ): Promise<Exclude<Entry, typeof ASLEEP>> {
    this.deps.directory.wake(name);
    const ready = await this.waitForReady(service, left, service.limits.upstreamTimeoutSeconds * 1000);
    const entry = ready ? await this.enter(name, service, caller, this.now()) : ASLEEP;
    return entry === ASLEEP ? { refusal: unavailable(`${name} has no ready replica yet`, 5) } : entry;
  }

  private count(name: string, caller: Caller, result: ForwardResult, started: number): void {
    const now = this.now();
    const tokens = result.tokens;
    if (tokens && caller.tokenId) this.usage.add(caller.tokenId, tokens, now);
    const replica = result.replica;
    const outcome: CallOutcome = {
      service: name,
      version: replica ? replica.version : 0,
      replica: replica ? replica.index : -1,
      status: result.status,
      latencyMs: now - started,
    };
    if (tokens) outcome.tokens = tokens;
    if (result.ttftMs !== undefined) outcome.ttftMs = result.ttftMs;
    this.traffic.record(outcome, now);
  }

  /**
   * A call the gateway answered itself (401, 413, 429, 503): counted like any call of the service,
   * 429s also as throttled. Calls of an unknown service (404) are not: there is no service to count for.
   */
  private refuse(
    res: http.ServerResponse,
    service: GatewayService,
    refusal: Refusal,
    started: number,
    close = false,
  ): void {
    this.countRefusal(service, refusal.status, started);
    send(res, refusal, close);
  }

  private countRefusal(service: GatewayService, status: number, started: number): void {
    const serving = service.ready()[0];
    const now = this.now();
    this.traffic.record(
      {
        service: service.name,
        version: serving?.version ?? 0,
        replica: -1,
        status,
        latencyMs: now - started,
        ...(status === 429 ? { throttled: true } : {}),
      },
      now,
    );
  }

  /** Browser calls from allowed origins (the IDEs' test panels); true when it was a preflight. */
  private answeredCors(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const origin = req.headers.origin;
    if (!origin || !this.deps.isOriginAllowed?.(origin, req.headers.host)) return false;
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
    if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) return false;
    res.writeHead(204, {
      'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type, appkey, timestamp, sign',
      'access-control-max-age': '600',
    });
    res.end();
    return true;
  }

  /** Whether a woken service got a ready replica by the deadline (false too when the caller left). */
  private async waitForReady(service: GatewayService, left: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !left()) {
      if (service.ready().length > 0) return true;
      await new Promise((resolve) => setTimeout(resolve, WAKE_POLL_MS));
    }
    return false;
  }
}
