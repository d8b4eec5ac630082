import { execFileSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { appKeySignature } from '@aiplat/api';
import { Admission } from './admission.js';
import { ReplicaBalancer } from './balancer.js';
import { appKeySign, ReplayCache, verifyAppKey } from './appKeyAuth.js';
import { TokenUsage, UsageTap } from './tokenUsage.js';
import { TrafficMetrics } from './trafficMetrics.js';

const openssl = (message: string, secret: string) =>
  execFileSync('openssl', ['dgst', '-sha1', '-hmac', secret], { input: message }).toString().trim().split(/\s+/).pop();

describe('慧聚 AppKey signatures', () => {
  const vectors = [
    ['ak-0123456789abcdef', 'secret', '1733400000000'],
    ['ak-ffffffffffffffff', 'Zm9vYmFyYmF6-_', '1'],
    ['ak-0000000000000000', '密钥', '1733400000123'],
  ] as const;
  it.each(vectors)('matches openssl dgst -sha1 -hmac for %s (server and WebCrypto alike)', async (key, secret, ts) => {
    const expected = openssl(`${key}${secret}${ts}`, secret);
    expect(appKeySign(key, secret, ts)).toBe(expected);
    expect(await appKeySignature(key, secret, ts)).toBe(expected);
  });

  const directory = {
    appKey: (key: string) =>
      key === 'ak-1' ? { secret: 's3cret', enabled: true, owner: 'alice', services: ['chat'] } : undefined,
  };
  const now = 1_733_400_000_000;
  const check = (
    headers: { appKey: string; timestamp?: string; sign?: string },
    replays = new ReplayCache(300_000),
    at = now,
  ) => verifyAppKey(headers, 'chat', directory, replays, 300_000, at);
  const signed = (ts: number) => ({
    appKey: 'ak-1',
    timestamp: String(ts),
    sign: appKeySign('ak-1', 's3cret', String(ts)),
  });

  it.each([
    ['a good signature', signed(now), true],
    ['the edge of the window', signed(now - 300_000), true],
    ['a timestamp past the window', signed(now - 300_001), 'stale_timestamp'],
    ['a timestamp from the future', signed(now + 300_001), 'stale_timestamp'],
    ['seconds instead of milliseconds as text', { ...signed(now), timestamp: 'abc' }, 'bad_timestamp'],
    ['an uppercase Sign', { ...signed(now), sign: signed(now).sign.toUpperCase() }, 'bad_signature'],
    ['a Sign of another length', { ...signed(now), sign: 'abc' }, 'bad_signature'],
    ['an unknown key', { ...signed(now), appKey: 'ak-2' }, 'unknown_app_key'],
  ] as const)('%s', (_label, headers, expected) => {
    const verdict = check(headers);
    expect(verdict.ok ? true : verdict.reason).toBe(expected);
  });

  it('refuses a replay inside the window and forgets it after', () => {
    const replays = new ReplayCache(300_000);
    expect(check(signed(now), replays).ok).toBe(true);
    expect(check(signed(now), replays)).toMatchObject({ ok: false, reason: 'replayed_signature' });
    for (let i = 1; i <= 1000; i++) check(signed(now + i), replays, now + i);
    check(signed(now + 700_000), replays, now + 700_000);
    expect(replays.size).toBeLessThan(10);
  });
});

describe('admission per ready replica', () => {
  it('lets qps × replicas through per second and refuses the rest with a wait', () => {
    const admission = new Admission();
    const results = Array.from({ length: 5 }, () => admission.admit(2, 100, 2, 1000));
    expect(results.filter((r) => r === undefined)).toHaveLength(4);
    expect(results[4]).toBe(1);
    for (let i = 0; i < 4; i++) admission.done();
    expect(admission.admit(2, 100, 2, 1250)).toBeUndefined();
  });

  it('counts requests in flight against concurrency × replicas', () => {
    const admission = new Admission();
    expect(admission.admit(1000, 1, 2, 0)).toBeUndefined();
    expect(admission.admit(1000, 1, 2, 1)).toBeUndefined();
    expect(admission.admit(1000, 1, 2, 2)).toBe(1);
    admission.done();
    expect(admission.admit(1000, 1, 2, 3)).toBeUndefined();
  });
});

describe('OpenAI usage', () => {
  const stream =
    'data: {"choices":[{"delta":{"content":"a"}}]}\n\n' +
    'data: {"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}\n\n' +
    'data: [DONE]\n\n';

  it.each([1, 3, 7, 64])('reads the usage chunk of an SSE stream split every %i bytes', (size) => {
    const tap = UsageTap.forContentType('text/event-stream; charset=utf-8');
    const bytes = Buffer.from(stream);
    for (let i = 0; i < bytes.length; i += size) tap.push(bytes.subarray(i, i + size));
    expect(tap.end()).toBe(15);
  });

  it('reads a JSON body, and adds prompt and completion without a total', () => {
    const tap = UsageTap.forContentType('application/json');
    tap.push(Buffer.from('{"usage":{"prompt_tokens":3,'));
    tap.push(Buffer.from('"completion_tokens":4}}'));
    expect(tap.end()).toBe(7);
    expect(UsageTap.forContentType('text/plain').end()).toBeUndefined();
  });

  it('refuses a spent token until the next minute or UTC day', () => {
    const usage = new TokenUsage();
    const at = Date.UTC(2026, 11, 5, 10, 0, 30);
    usage.add('tk', 15, at);
    expect(usage.refusal('tk', { tokensPerMinute: 20 }, at)).toBeUndefined();
    usage.add('tk', 5, at);
    expect(usage.refusal('tk', { tokensPerMinute: 20 }, at)).toMatchObject({ retryAfter: 30 });
    expect(usage.refusal('tk', { tokensPerMinute: 20 }, at + 30_000)).toBeUndefined();
    expect(usage.refusal('tk', { tokensPerDay: 20 }, at + 30_000)?.retryAfter).toBe(14 * 3600 - 60);
  });
});

describe('traffic buckets', () => {
  it('aggregates calls into steps with percentiles, and per version', () => {
    const metrics = new TrafficMetrics(new Registry());
    const t0 = Date.UTC(2026, 11, 5, 10, 0, 0);
    for (let i = 1; i <= 100; i++)
      metrics.record({ service: 's', version: 1, replica: 0, status: 200, latencyMs: i }, t0 + i);
    metrics.record({ service: 's', version: 2, replica: 0, status: 503, latencyMs: 5 }, t0 + 15_000);
    metrics.record({ service: 's', version: 2, replica: -1, status: 429, latencyMs: 0, throttled: true }, t0 + 15_000);
    const all = metrics.query('s', { step: 60, since: new Date(t0).toISOString() }, t0 + 20_000);
    expect(all.points).toHaveLength(1);
    expect(all.points[0]).toMatchObject({ requests: 102, successes: 100, status5xx: 1, status4xx: 1, throttled: 1 });
    expect(all.points[0]!.latencyP50Ms).toBeGreaterThanOrEqual(45);
    expect(all.points[0]!.latencyP50Ms).toBeLessThan(62);
    expect(all.points[0]!.latencyP99Ms).toBeGreaterThanOrEqual(99);
    const v2 = metrics.query('s', { step: 10, version: 2, since: new Date(t0).toISOString() }, t0 + 20_000);
    expect(v2.points.map((p) => p.requests)).toEqual([2]);
  });
});

describe('closed buckets', () => {
  it('hands each closed 10 s bucket over once, versions and replicas together, also without new calls', async () => {
    const closed: { service: string; time: string; requests: number }[] = [];
    const registry = new Registry();
    const metrics = new TrafficMetrics(registry, (service, point) =>
      closed.push({ service, time: point.time, requests: point.requests }),
    );
    const t0 = Date.UTC(2026, 11, 5, 10, 0, 0);
    metrics.record({ service: 's', version: 1, replica: 0, status: 200, latencyMs: 1 }, t0 + 1);
    metrics.record({ service: 's', version: 1, replica: 1, status: 200, latencyMs: 1 }, t0 + 2);
    metrics.closeBuckets(t0 + 9_999);
    expect(closed).toEqual([]);
    metrics.record({ service: 's', version: 2, replica: 0, status: 200, latencyMs: 1 }, t0 + 10_500);
    metrics.closeBuckets(t0 + 11_000);
    expect(closed).toEqual([{ service: 's', time: new Date(t0).toISOString(), requests: 2 }]);
    metrics.closeBuckets(t0 + 25_000); // the timer: the second bucket closed with no call after it
    metrics.closeBuckets(t0 + 35_000);
    expect(closed.map((c) => c.requests)).toEqual([2, 1]);
    expect(await registry.metrics()).toContain('aiplat_service_requests_total{service="s",version="2",code="200"} 1');
    metrics.forget('s');
    expect(metrics.query('s', { step: 10 }, t0 + 35_000).points).toEqual([]);
    expect(await registry.metrics()).not.toContain('service="s"');
  });
});

describe('balancing over ready replicas', () => {
  const replicas = [0, 1, 2].map((index) => ({
    key: `1/${index}`,
    version: 1,
    index,
    target: { host: '127.0.0.1', port: 1000 + index },
  }));

  it('takes turns among equally loaded replicas and prefers the least loaded', () => {
    const balancer = new ReplicaBalancer();
    const picked = Array.from({ length: 6 }, () => balancer.pick(replicas, new Set())!.index);
    expect(new Set(picked.slice(0, 3)).size).toBe(3);
    for (const key of ['1/0', '1/1', '1/1']) balancer.acquire(key);
    expect(balancer.pick(replicas, new Set())!.index).toBe(2);
    balancer.release('1/0');
    expect(balancer.load('1/0')).toBe(0);
    expect(balancer.load('1/1')).toBe(2);
    expect(balancer.pick(replicas, new Set(['1/0', '1/2']))!.index).toBe(1);
    expect(balancer.pick(replicas, new Set(['1/0', '1/1', '1/2']))).toBeUndefined();
  });
});

describe('admission with an injected clock', () => {
  it('refills at qps × replicas per second and gives the seconds to wait', () => {
    const admission = new Admission();
    expect(admission.admit(0.5, 100, 1, 0)).toBeUndefined(); // the clock may start at 0
    expect(admission.admit(0.5, 100, 1, 0)).toBe(2);
    expect(admission.admit(0.5, 100, 1, 1_000)).toBe(1);
    expect(admission.admit(0.5, 100, 1, 2_000)).toBeUndefined();
  });
});
