import { Counter, type Registry } from 'prom-client';
import type { ServiceMetricPoint, ServiceMetricsQuery, ServiceMetricsResponse } from '@aiplat/api';
import { ServiceDurations } from './serviceDurations.js';

const BUCKET_MS = 10_000;
const KEEP_MS = 24 * 3600_000;
/** Latency histogram: 0.1 ms × 1.2^i, 80 bins (up to ~2 h). */
const BINS = 80;
const LOG_STEP = Math.log(1.2);
const binOf = (ms: number) => (ms <= 0.1 ? 0 : Math.min(BINS - 1, Math.ceil(Math.log(ms / 0.1) / LOG_STEP)));
const upperOf = (bin: number) => 0.1 * 1.2 ** bin;

interface Bucket {
  start: number;
  version: number;
  replica: number;
  requests: number;
  successes: number;
  status4xx: number;
  status5xx: number;
  throttled: number;
  tokens: number;
  latency: Uint32Array;
  /** Only for buckets with streamed calls. */
  ttft?: Uint32Array;
}

export interface CallOutcome {
  service: string;
  version: number;
  replica: number;
  status: number;
  latencyMs: number;
  throttled?: boolean;
  tokens?: number;
  ttftMs?: number;
}

/** Calls of one service version and replica, counted by status and latency bin (the data plane's). */
export interface CountedCalls {
  version: number;
  /** -1: refused before any replica. */
  replica: number;
  statuses: readonly (readonly [status: number, count: number])[];
  /** [bin, count]: bins of 0.1 ms × 1.2^bin, as this module's. */
  latency: readonly (readonly [bin: number, count: number])[];
  ttft: readonly (readonly [bin: number, count: number])[];
  throttled: number;
  tokens: number;
}

const isBin = (bin: number) => Number.isInteger(bin) && bin >= 0 && bin < BINS;

function percentile(hist: Uint32Array, p: number): number | undefined {
  let total = 0;
  for (const n of hist) total += n;
  if (total === 0) return undefined;
  let seen = 0;
  for (let bin = 0; bin < hist.length; bin++) {
    seen += hist[bin]!;
    if (seen >= p * total) return Math.round(upperOf(bin) * 100) / 100;
  }
  return upperOf(hist.length - 1);
}

/**
 * One service's Prometheus counts as plain numbers, handed to prom-client when /metrics is
 * scraped (a prom-client child still hashes its labels on every `inc`); its durations are
 * ServiceDurations'.
 */
interface ServiceTally {
  /** Calls per version and status code, by version × 1000 + code. */
  requests: Map<number, number>;
  throttled: number;
  tokens: number;
}

/**
 * Each service's traffic in 10-second buckets per version and replica (24 hours kept), aggregated
 * into wider steps on request; the same calls counted for Prometheus.
 */
export class TrafficMetrics {
  private readonly buckets = new Map<string, Bucket[]>();
  /** The start of the last bucket handed to onBucketClosed, per service. */
  private readonly published = new Map<string, number>();
  private readonly tallies = new Map<string, ServiceTally>();
  private readonly durations: ServiceDurations;

  constructor(
    registry: Registry,
    private readonly onBucketClosed?: (service: string, point: ServiceMetricPoint) => void,
  ) {
    const tallies = this.tallies;
    new Counter({
      name: 'aiplat_service_requests_total',
      help: 'Calls of online services through the gateway, by service, version and status code',
      labelNames: ['service', 'version', 'code'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [service, tally] of tallies) {
          for (const [key, count] of tally.requests) {
            this.inc({ service, version: String(Math.floor(key / 1000)), code: String(key % 1000) }, count);
          }
        }
      },
    });
    this.durations = new ServiceDurations(
      'aiplat_service_request_duration_seconds',
      'Time to the last byte of calls of online services',
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30, 120],
    ).register(registry);
    new Counter({
      name: 'aiplat_service_throttled_total',
      help: 'Calls refused with 429 by a QPS, concurrency or token limit',
      labelNames: ['service'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [service, tally] of tallies) if (tally.throttled) this.inc({ service }, tally.throttled);
      },
    });
    new Counter({
      name: 'aiplat_service_tokens_total',
      help: 'LLM tokens counted from the usage field of responses',
      labelNames: ['service'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [service, tally] of tallies) if (tally.tokens) this.inc({ service }, tally.tokens);
      },
    });
  }

  record(call: CallOutcome, nowMs: number): void {
    const bucket = this.bucketFor(call.service, call.version, call.replica, nowMs);
    const status = call.status;
    bucket.requests += 1;
    if (status < 400) bucket.successes += 1;
    else if (status < 500) bucket.status4xx += 1;
    else bucket.status5xx += 1;
    bucket.latency[binOf(call.latencyMs)]! += 1;
    if (call.ttftMs !== undefined) (bucket.ttft ??= new Uint32Array(BINS))[binOf(call.ttftMs)]! += 1;
    const tally = this.tallyOf(call.service);
    const key = call.version * 1000 + status;
    tally.requests.set(key, (tally.requests.get(key) ?? 0) + 1);
    this.durations.observe(call.service, call.latencyMs / 1000);
    if (call.throttled) {
      bucket.throttled += 1;
      tally.throttled += 1;
    }
    if (call.tokens) {
      bucket.tokens += call.tokens;
      tally.tokens += call.tokens;
    }
  }

  /**
   * Calls counted elsewhere (the data plane) since the last time, as they would have been recorded
   * one by one: statuses and latency bins with their counts. Prometheus' durations get each bin's
   * upper bound.
   */
  recordTally(service: string, tally: CountedCalls, nowMs: number): void {
    const bucket = this.bucketFor(service, tally.version, tally.replica, nowMs);
    const serviceTally = this.tallyOf(service);
    for (const [status, count] of tally.statuses) {
      bucket.requests += count;
      if (status < 400) bucket.successes += count;
      else if (status < 500) bucket.status4xx += count;
      else bucket.status5xx += count;
      const key = tally.version * 1000 + status;
      serviceTally.requests.set(key, (serviceTally.requests.get(key) ?? 0) + count);
    }
    for (const [bin, count] of tally.latency) {
      if (!isBin(bin)) continue;
      bucket.latency[bin]! += count;
      this.durations.observe(service, upperOf(bin) / 1000, count);
    }
    for (const [bin, count] of tally.ttft) if (isBin(bin)) (bucket.ttft ??= new Uint32Array(BINS))[bin]! += count;
    bucket.throttled += tally.throttled;
    serviceTally.throttled += tally.throttled;
    bucket.tokens += tally.tokens;
    serviceTally.tokens += tally.tokens;
  }

  private tallyOf(service: string): ServiceTally {
    let tally = this.tallies.get(service);
    if (!tally) {
      tally = { requests: new Map(), throttled: 0, tokens: 0 };
      this.tallies.set(service, tally);
    }
    return tally;
  }

  query(service: string, query: ServiceMetricsQuery, nowMs: number): ServiceMetricsResponse {
    const stepMs = Math.max(BUCKET_MS, Math.round(query.step / (BUCKET_MS / 1000)) * BUCKET_MS);
    const since = query.since ? Date.parse(query.since) : nowMs - 3600_000;
    const groups = new Map<number, Bucket[]>();
    for (const bucket of this.buckets.get(service) ?? []) {
      if (bucket.start < since - BUCKET_MS) continue;
      if (query.version !== undefined && bucket.version !== query.version) continue;
      if (query.replica !== undefined && bucket.replica !== query.replica) continue;
      const at = Math.floor(bucket.start / stepMs) * stepMs;
      const group = groups.get(at);
      if (group) group.push(bucket);
      else groups.set(at, [bucket]);
    }
    const points = [...groups.entries()].sort(([a], [b]) => a - b).map(([at, list]) => pointOf(at, list));
    return { step: stepMs / 1000, points };
  }

  forget(service: string): void {
    this.buckets.delete(service);
    this.published.delete(service);
    this.tallies.delete(service);
    this.durations.remove(service);
  }

  /**
   * Hands each bucket that has closed (its 10 seconds are over) to `onBucketClosed` once, every
   * version and replica together; called on each call and by the gateway's timer.
   */
  closeBuckets(nowMs: number): void {
    for (const service of this.buckets.keys()) this.closeService(service, nowMs);
  }

  private closeService(service: string, nowMs: number): void {
    const list = this.buckets.get(service);
    const last = list?.[list.length - 1];
    const published = this.published.get(service) ?? -1;
    if (!list || !last || last.start >= Math.floor(nowMs / BUCKET_MS) * BUCKET_MS || last.start <= published) return;
    let first = list.length - 1;
    while (first > 0 && list[first - 1]!.start > published) first--;
    for (let i = first; i < list.length;) {
      let j = i;
      while (j < list.length && list[j]!.start === list[i]!.start) j++;
      this.onBucketClosed?.(service, pointOf(list[i]!.start, list.slice(i, j)));
      i = j;
    }
    this.published.set(service, last.start);
    while (list.length > 0 && list[0]!.start < nowMs - KEEP_MS) list.shift();
  }

  private bucketFor(service: string, version: number, replica: number, nowMs: number): Bucket {
    const start = Math.floor(nowMs / BUCKET_MS) * BUCKET_MS;
    let list = this.buckets.get(service);
    if (!list) this.buckets.set(service, (list = []));
    const last = list[list.length - 1];
    if (last && last.start < start) this.closeService(service, nowMs);
    // The current bucket's entries are at the end (one per version and replica that was called).
    let bucket: Bucket | undefined;
    for (let i = list.length - 1; i >= 0 && list[i]!.start === start; i--) {
      const b = list[i]!;
      if (b.version === version && b.replica === replica) {
        bucket = b;
        break;
      }
    }
    if (!bucket) {
      bucket = {
        start,
        version,
        replica,
        requests: 0,
        successes: 0,
        status4xx: 0,
        status5xx: 0,
        throttled: 0,
        tokens: 0,
        latency: new Uint32Array(BINS),
      };
      list.push(bucket);
    }
    return bucket;
  }
}

function pointOf(at: number, list: readonly Bucket[]): ServiceMetricPoint {
  const latency = new Uint32Array(BINS);
  const ttft = new Uint32Array(BINS);
  const sum = (key: 'requests' | 'successes' | 'status4xx' | 'status5xx' | 'throttled' | 'tokens') =>
    list.reduce((total, b) => total + b[key], 0);
  for (const b of list) {
    for (let i = 0; i < BINS; i++) {
      latency[i]! += b.latency[i]!;
      if (b.ttft) ttft[i]! += b.ttft[i]!;
    }
  }
  const optional = (key: string, value: number | undefined) => (value === undefined ? {} : { [key]: value });
  return {
    time: new Date(at).toISOString(),
    requests: sum('requests'),
    successes: sum('successes'),
    status4xx: sum('status4xx'),
    status5xx: sum('status5xx'),
    throttled: sum('throttled'),
    tokens: sum('tokens'),
    ...optional('latencyP50Ms', percentile(latency, 0.5)),
    ...optional('latencyP90Ms', percentile(latency, 0.9)),
    ...optional('latencyP99Ms', percentile(latency, 0.99)),
    ...optional('ttftP50Ms', percentile(ttft, 0.5)),
  };
}
