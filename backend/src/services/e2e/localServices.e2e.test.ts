import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { Service, ServiceSpecInput } from '@aiplat/api';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { waitForService } from '../../../../testing/src/services/waitForService.js';
import { rejection } from '../../../../testing/src/backend/rejection.js';
import { metricTotals } from '../../../../testing/src/services/metricTotals.js';

/*
 * Online services on the local engine, for real: replicas of a Python model server run as
 * supervised process groups and are called through the gateway at /services/<name>/ with a TI-ONE
 * bearer token, a 慧聚 AppKey signature (checked against openssl) or the owner's own token.
 */

const MODEL_SERVER = fileURLToPath(new URL('../../../../testing/src/services/model_server.py', import.meta.url));

const spec = (
  name: string,
  extra: Partial<ServiceSpecInput['version']> = {},
  top: Partial<ServiceSpecInput> = {},
): ServiceSpecInput => ({
  name,
  version: {
    model: 'mount/models/tiny-gpt2',
    command: `exec python3 ${MODEL_SERVER}`,
    resources: { cpu: 0.5, memory: '256Mi' },
    probes: { readiness: { type: 'http', path: '/ready', periodSeconds: 1 } },
    ...extra,
  },
  ...top,
});

let fx: PlatformFixture;

beforeAll(async () => {
  fx = await startPlatform({ services: { readyTimeoutMs: 30_000, stopGraceMs: 1_000, signatureWindowSeconds: 300 } });
}, 60_000);
afterAll(() => fx?.close(), 60_000);

const waitFor = (name: string, ok: (s: Service) => boolean, timeoutMs = 30_000) =>
  waitForService(fx.client(), name, ok, timeoutMs);

const call = (name: string, path: string, init: RequestInit = {}) =>
  fetch(`${fx.baseUrl}/services/${name}${path}`, init);

function opensslSign(appKey: string, secret: string, timestamp: string): string {
  const out = execFileSync('openssl', ['dgst', '-sha1', '-hmac', secret], { input: `${appKey}${secret}${timestamp}` });
  return out.toString().trim().split(/\s+/).pop()!;
}

describe('online services on the local engine', () => {
  it('deploys two replicas that load the model, and gates traffic on readiness', async () => {
    const deployed = await fx
      .client()
      .deployService({ body: { spec: spec('tiny', { replicas: 2, env: { READY_AFTER_SECONDS: '1' } }) } });
    expect(deployed).toMatchObject({ name: 'tiny', state: 'Deploying', url: '/services/tiny/', version: 1 });
    const running = await waitFor('tiny', (s) => s.state === 'Running');
    expect(running.replicas.map((r) => r.state)).toEqual(['Ready', 'Ready']);
    const events = (await fx.client().serviceEvents({ params: { name: 'tiny' } })).events.map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['deploy-requested', 'replica-started', 'replica-ready', 'running']));
  }, 60_000);

  it('refuses callers without credentials, and lets the owner call with the platform token', async () => {
    const anonymous = await call('tiny', '/predict', { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ reason: 'missing_credentials' });
    const owner = await call('tiny', '/predict', {
      method: 'POST',
      headers: { authorization: 'Bearer alice-token-0123456789abcdef', 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hi' }),
    });
    expect(owner.status).toBe(200);
    const answer = (await owner.json()) as { model_type: string; parameters: number; input: unknown };
    expect(answer.model_type).toBe('gpt2');
    expect(answer.parameters).toBeGreaterThan(1000);
    expect(answer.input).toEqual({ text: 'hi' });
    const bob = await call('tiny', '/predict', {
      method: 'POST',
      headers: { authorization: 'Bearer bob-token-0123456789abcdef' },
    });
    expect(bob.status).toBe(401);
  });

  it('takes TI-ONE bearer tokens, shown once, and never forwards them', async () => {
    const created = await fx.client().createServiceToken({ params: { name: 'tiny' }, body: { description: 'ci' } });
    expect(created.token).toMatch(/^aiplat-sk-/);
    const listed = await fx.client().listServiceTokens({ params: { name: 'tiny' } });
    expect(JSON.stringify(listed)).not.toContain(created.token);
    const echo = await call('tiny', '/echo?x=1', { headers: { authorization: `Bearer ${created.token}` } });
    expect(echo.status).toBe(200);
    const seen = (await echo.json()) as { path: string; headers: Record<string, string> };
    expect(seen.path).toBe('/echo?x=1');
    expect(seen.headers.authorization).toBeUndefined();
    await fx.client().updateServiceToken({ params: { name: 'tiny', id: created.id }, body: { enabled: false } });
    const disabled = await call('tiny', '/echo', { headers: { authorization: `Bearer ${created.token}` } });
    expect(disabled.status).toBe(401);
    expect(await disabled.json()).toMatchObject({ reason: 'token_disabled' });
    const unknown = await call('tiny', '/echo', { headers: { authorization: 'Bearer nope' } });
    expect(await unknown.json()).toMatchObject({ reason: 'unknown_token' });
  });

  it('checks 慧聚 AppKey signatures: good, replayed, stale, wrong, disabled', async () => {
    const key = await fx.client().createAppKey({ body: { services: ['tiny'] } });
    const listed = await fx.client().listAppKeys();
    expect(JSON.stringify(listed)).not.toContain(key.appSecret);
    expect(listed.appKeys.find((k) => k.appKey === key.appKey)?.lastUsedAt).toBeUndefined();
    const signed = (timestamp: string, sign = opensslSign(key.appKey, key.appSecret, timestamp)) =>
      call('tiny', '/predict', {
        method: 'POST',
        headers: { AppKey: key.appKey, Timestamp: timestamp, Sign: sign },
        body: '{}',
      });
    const now = String(Date.now());
    expect((await signed(now)).status).toBe(200);
    // The data plane that served the call reports the key's use within its next second.
    await vi.waitFor(async () => {
      const used = (await fx.client().listAppKeys()).appKeys.find((k) => k.appKey === key.appKey)?.lastUsedAt;
      expect(Date.now() - Date.parse(used!)).toBeLessThan(60_000);
    }, 5_000);
    const replayed = await signed(now);
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toMatchObject({ reason: 'replayed_signature' });
    const stale = await signed(String(Date.now() - 10 * 60_000));
    expect(await stale.json()).toMatchObject({ reason: 'stale_timestamp' });
    const wrong = await signed(String(Date.now()), 'f'.repeat(40));
    expect(await wrong.json()).toMatchObject({ reason: 'bad_signature' });
    await fx.client().updateAppKey({ params: { appKey: key.appKey }, body: { enabled: false } });
    expect(await (await signed(String(Date.now() + 1))).json()).toMatchObject({ reason: 'app_key_disabled' });
    const other = await rejection(fx.client('bob').createAppKey({ body: { services: ['tiny'] } }));
    expect(other.status).toBe(400);
  });

  it('retries idempotent calls on another replica when one is killed, and restarts the killed one', async () => {
    const auth = { authorization: 'Bearer alice-token-0123456789abcdef' };
    const pids = new Set<number>();
    for (let i = 0; i < 6; i++)
      pids.add(((await (await call('tiny', '/healthz', { headers: auth })).json()) as { pid: number }).pid);
    expect(pids.size).toBe(2);
    process.kill([...pids][0]!, 'SIGKILL');
    // As many at once as one replica takes (concurrencyPerReplica 16): all of them may end up on the
    // live one, and past its limit a call is rightly a 429, which is not what this checks.
    const answers = await Promise.all(Array.from({ length: 16 }, () => call('tiny', '/healthz', { headers: auth })));
    expect(answers.map((a) => a.status)).toEqual(Array(16).fill(200));
    const back = await waitFor(
      'tiny',
      (s) => s.replicas.some((r) => r.restarts > 0) && s.replicas.every((r) => r.state === 'Ready'),
    );
    expect(back.state).toBe('Running');
  }, 60_000);

  it('answers 429 with Retry-After past the QPS limit, and counts it', async () => {
    await fx
      .client()
      .updateService({ params: { name: 'tiny' }, body: { limits: { qpsPerReplica: 1, concurrencyPerReplica: 4 } } });
    // The later tests call the service at its usual limits, whatever happens here.
    onTestFinished(async () => {
      await fx.client().updateService({
        params: { name: 'tiny' },
        body: { limits: { qpsPerReplica: 100, concurrencyPerReplica: 16 } },
      });
    });
    const auth = { authorization: 'Bearer alice-token-0123456789abcdef' };
    const answers = await Promise.all(Array.from({ length: 8 }, () => call('tiny', '/healthz', { headers: auth })));
    const throttled = answers.filter((a) => a.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(Number(throttled[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const metrics = await fx.client().serviceMetrics({ params: { name: 'tiny' }, query: { step: 3600 } });
    const total = metricTotals(metrics.points);
    expect(total.throttled).toBe(throttled.length);
    expect(total.requests).toBeGreaterThan(20);
    expect(metrics.points.at(-1)!.latencyP99Ms).toBeGreaterThan(0);
    const prometheus = await (await fx.fetch('/metrics')).text();
    expect(prometheus).toMatch(/aiplat_service_requests_total\{service="tiny",version="1",code="200"\} \d+/);
  });

  it("reads the replicas' logs like a job's, with search", async () => {
    const page = await fx.client().serviceLogs({ params: { name: 'tiny' }, query: { search: 'loaded gpt2' } });
    expect(page.lines.length).toBeGreaterThanOrEqual(2);
    expect(new Set(page.lines.map((l) => l.instance))).toEqual(new Set([0, 1]));
  });

  it('rolls out version 2 while version 1 serves, then serves version 2 only', async () => {
    const updating = await fx
      .client()
      .updateService({ params: { name: 'tiny' }, body: { version: spec('tiny', { replicas: 1 }).version } });
    expect(updating.state).toBe('Updating');
    const updated = await waitFor(
      'tiny',
      (s) => s.state === 'Running' && s.version === 2 && s.replicas.every((r) => r.version === 2),
    );
    expect(updated.versions.map((v) => [v.version, v.serving])).toEqual([
      [1, false],
      [2, true],
    ]);
    const answer = await call('tiny', '/healthz', {
      headers: { authorization: 'Bearer alice-token-0123456789abcdef' },
    });
    expect(answer.status).toBe(200);
    const echo = (await (
      await call('tiny', '/x', { headers: { authorization: 'Bearer alice-token-0123456789abcdef' } })
    ).json()) as { version: string };
    expect(echo.version).toBe('2');
  }, 60_000);

  it('restarts a replica whose liveness fails, with an event', async () => {
    await fx.client().deployService({
      body: {
        spec: spec(
          'flaky',
          {
            env: { FAIL_LIVENESS_AFTER: '2' },
            probes: { liveness: { type: 'http', path: '/live', periodSeconds: 1, failureThreshold: 2 } },
          },
          { auth: ['none'], domain: { host: 'flaky.example.test' } },
        ),
      },
    });
    const restarted = await waitFor('flaky', (s) => s.replicas.some((r) => r.restarts > 0), 40_000);
    expect(restarted.replicas[0]!.restarts).toBeGreaterThan(0);
    const events = (await fx.client().serviceEvents({ params: { name: 'flaky' } })).events;
    expect(events.some((e) => e.type === 'liveness-failed' && e.message.includes('liveness probe failed'))).toBe(true);
    expect((await call('flaky', '/healthz')).status).not.toBe(401);
    // Routed by its domain (the port of the Host header ignored); it restarts every few seconds, so ask until it is ready.
    const viaHost = () =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL(fx.baseUrl);
        http
          .get(
            { host: url.hostname, port: url.port, path: '/healthz', headers: { host: 'flaky.example.test:443' } },
            (res) => {
              let body = '';
              res.on('data', (chunk: Buffer) => (body += chunk.toString()));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            },
          )
          .on('error', reject);
      });
    let byHost = await viaHost();
    for (let i = 0; i < 50 && byHost.status === 503; i++) {
      await new Promise((r) => setTimeout(r, 200));
      byHost = await viaHost();
    }
    expect(byHost.status).toBe(200);
    expect(byHost.body).toContain('"ok": true');
    await fx.client().stopService({ params: { name: 'flaky' }, body: { force: true } });
  }, 60_000);

  it('fails a version whose command exits at once, saying with which code', async () => {
    await fx
      .client()
      .deployService({ body: { spec: spec('broken', { command: 'echo cannot load the model >&2; exit 3' }) } });
    const failed = await waitFor('broken', (s) => s.state === 'Failed', 60_000);
    expect(failed.failure?.message).toContain('exited with code 3');
    expect(failed.failure?.message).toContain('cannot load the model');
  }, 70_000);

  it('restarts a replica with a new process and start time, and says who restarted and scaled the service', async () => {
    await fx.client().deployService({ body: { spec: spec('rolling', {}, { auth: ['none'] }) } });
    const running = await waitFor('rolling', (s) => s.state === 'Running');
    const before = running.replicas[0]!.startedAt!;
    const pid = async () => ((await (await call('rolling', '/healthz')).json()) as { pid: number }).pid;
    const oldPid = await pid();
    const asked = Date.now();

    await fx.client().restartService({ params: { name: 'rolling' } });
    // The new process serves once it is ready; the old one stops then.
    await expect.poll(pid, { timeout: 30_000 }).not.toBe(oldPid);
    const restarted = await waitFor('rolling', (s) => s.replicas[0]?.state === 'Ready');
    expect(Date.parse(before)).toBeLessThan(asked);
    expect(Date.parse(restarted.replicas[0]!.startedAt!)).toBeGreaterThanOrEqual(asked);

    await fx.client().updateService({ params: { name: 'rolling' }, body: { replicas: 2 } });
    const events = (await fx.client().serviceEvents({ params: { name: 'rolling' } })).events;
    expect(events.filter((e) => e.type.endsWith('-requested')).map((e) => `${e.type}: ${e.message}`)).toEqual([
      'deploy-requested: Deploying rolling version 1 (1 replica).',
      "restart-requested: alice asked for a rolling restart of version 1's 1 replica: each gets a new process in turn, and its old one stops once the new one is ready.",
      'scale-requested: alice scaled version 1 from 1 replica to 2 replicas.',
    ]);
    await fx.client().stopService({ params: { name: 'rolling' }, body: { force: true } });
  }, 60_000);

  it('refuses bad specs with a 400 at the field, and other users see nothing', async () => {
    const missing = await rejection(
      fx.client().deployService({ body: { spec: spec('nomodel', { model: 'home/no/such/model' }) } }),
    );
    expect(missing.status).toBe(400);
    expect(missing.issues?.map((i) => i.path)).toContain('body.spec.version.model');
    // An update holds its version at body.version: the same issue points there.
    await waitFor('tiny', (s) => s.state === 'Running');
    const missingInUpdate = await rejection(
      fx.client().updateService({
        params: { name: 'tiny' },
        body: { version: spec('tiny', { model: 'home/no/such/model' }).version },
      }),
    );
    expect(missingInUpdate.status).toBe(400);
    expect(missingInUpdate.issues?.map((i) => i.path)).toEqual(['body.version.model']);
    const tls = await rejection(
      fx.client().deployService({
        body: {
          spec: spec(
            'secure',
            {},
            {
              domain: {
                host: 'a.example.test',
                tls: { certificate: '-----BEGIN CERTIFICATE-----', privateKey: '-----BEGIN PRIVATE KEY-----' },
              },
            },
          ),
        },
      }),
    );
    expect(tls.issues?.map((i) => i.path)).toEqual(['body.spec.domain.tls']);
    expect(tls.message).toContain('services.httpsPort');
    const badName = await rejection(fx.client().deployService({ body: { spec: spec('Bad_Name') } }));
    expect(badName.status).toBe(400);
    const taken = await rejection(fx.client('bob').deployService({ body: { spec: spec('tiny') } }));
    expect(taken.status).toBe(409);
    expect((await rejection(fx.client('bob').getService({ params: { name: 'tiny' } }))).status).toBe(404);
    expect((await fx.client('bob').listServices()).services).toEqual([]);
  });

  it('stops (the gateway answers 503) and deletes', async () => {
    expect((await rejection(fx.client().deleteService({ params: { name: 'tiny' } }))).status).toBe(409);
    const stopped = await fx.client().stopService({ params: { name: 'tiny' }, body: {} });
    expect(stopped.state).toBe('Stopped');
    expect(stopped.replicas).toEqual([]);
    const unavailable = await call('tiny', '/healthz', {
      headers: { authorization: 'Bearer alice-token-0123456789abcdef' },
    });
    expect(unavailable.status).toBe(503);
    await fx.client().deleteService({ params: { name: 'tiny' } });
    expect((await call('tiny', '/healthz')).status).toBe(404);
    expect((await rejection(fx.client().listServiceTokens({ params: { name: 'tiny' } }))).status).toBe(404);
  }, 30_000);
});
