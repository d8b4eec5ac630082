import { execFileSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { serveBehindDataPlane, type DataPlaneGateway } from '../../../../testing/src/services/dataPlaneHarness.js';
import {
  freePort,
  startChatServer,
  testDirectory,
  testService,
  type ChatServer,
  type TestDirectory,
} from '../../../../testing/src/services/gatewayHarness.js';
import { metricTotals } from '../../../../testing/src/services/metricTotals.js';

/*
 * The services gateway split in two: nginx (serviceGateway.lua) serves signed and open calls itself
 * and hands the rest to the gateway behind it. Both share one replay cache and one admission per
 * service, nginx's counts reach the gateway's metrics at each pull, the state it serves is pushed,
 * and it is started again when it dies. Real nginx, real chat servers.
 */

const ORIGIN = 'http://ide.example.test';
let chat: ChatServer;
/** Streams its answers slowly: calls stay in flight for a second and a half. */
let slow: ChatServer;
/** The replica of the service with its own domain. */
let domainReplica: ChatServer;
/** Tells what it saw: path and headers. */
let headersReplica: http.Server;
let directory: TestDirectory;
let dp: DataPlaneGateway;
const registry = new Registry();

beforeAll(async () => {
  [chat, slow, domainReplica] = await Promise.all([
    startChatServer(),
    startChatServer({ CHUNK_DELAY_MS: '100', REPLY_WORDS: '15' }),
    startChatServer(),
  ]);
  headersReplica = http.createServer((req, res) => res.end(JSON.stringify({ url: req.url, headers: req.headers })));
  await new Promise<void>((resolve) => headersReplica.listen(0, '127.0.0.1', resolve));
  const headersPort = (headersReplica.address() as AddressInfo).port;
  directory = testDirectory([
    testService('signed', [chat.replica(1, 0)], { auth: ['appkey'] }),
    testService('single', [slow.replica(1, 0)], { auth: ['appkey'], limits: { concurrencyPerReplica: 1 } }),
    testService('metered', [chat.replica(1, 0)], { auth: ['appkey'], limits: { qpsPerReplica: 2 } }),
    testService('open', [chat.replica(1, 0)]),
    testService('owned', [domainReplica.replica(1, 0)], { domain: 'owned.example.test' }),
    testService('flaky', [chat.replica(1, 0)]),
    testService('headers', [{ key: '1/0', version: 1, index: 0, target: { host: '127.0.0.1', port: headersPort } }], {
      auth: ['appkey'],
    }),
  ]);
  const services = ['signed', 'single', 'metered', 'headers'];
  directory.appKeys.set('ak-1', { secret: 's3cret', enabled: true, owner: 'alice', services });
  directory.appKeys.set('ak-2', { secret: 'other', enabled: true, owner: 'alice', services: ['signed'] });
  dp = await serveBehindDataPlane(directory, { registry, isOriginAllowed: (origin) => origin === ORIGIN });
}, 30_000);

afterAll(async () => {
  await dp?.close();
  chat?.stop();
  slow?.stop();
  domainReplica?.stop();
  headersReplica?.close();
});

let lastTimestamp = 0;
/** AppKey headers signed now; each call its own Timestamp (the same Sign twice is a replay). */
const signed = (appKey = 'ak-1', secret = 's3cret') => {
  lastTimestamp = Math.max(Date.now(), lastTimestamp + 1);
  const timestamp = String(lastTimestamp);
  const sign = createHmac('sha1', secret).update(`${appKey}${secret}${timestamp}`).digest('hex');
  return { appkey: appKey, timestamp, sign };
};

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A call read to its end (nginx counts a call when it ends); a `chunked` body is sent as such. */
const call = (path: string, headers: Record<string, string> = {}, chunked?: string) =>
  new Promise<Answer>((resolve, reject) => {
    const request = http.request(`${dp.server.url}${path}`, {
      method: chunked === undefined ? 'GET' : 'POST',
      headers: chunked === undefined ? headers : { ...headers, 'transfer-encoding': 'chunked' },
    });
    request.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject); // cut short (nginx killed mid-answer)
    });
    request.on('error', reject);
    request.setTimeout(5000, () => request.destroy(new Error(`no answer to ${path} in 5 s`)));
    request.end(chunked);
  });

const json = (answer: Answer) => JSON.parse(answer.body) as Record<string, unknown>;

/** The calls of a service counted so far: the gateway's at once, nginx's from its last pull (sync). */
const counted = (name: string) =>
  dp.gateway.metrics(name, { step: 10 }).points.reduce((total, point) => total + point.requests, 0);

/** Who answered one call of a service: the gateway counts it at once, nginx at its next pull. */
async function servedBy(name: string, makeCall: () => Promise<Answer>): Promise<[Answer, 'gateway' | 'nginx']> {
  await dp.sync();
  const before = counted(name);
  const answer = await makeCall();
  const atOnce = counted(name) - before;
  await dp.sync();
  expect(counted(name) - before).toBe(1);
  return [answer, atOnce === 1 ? 'gateway' : 'nginx'];
}

const STREAM = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true });

/** A streamed completion of 'single', in flight until its body is read to the end. */
const startStream = async (headers: Record<string, string>) => {
  const response = await fetch(`${dp.server.url}/services/single/v1/chat/completions`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: STREAM,
  });
  expect(response.status).toBe(200);
  return response;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tries until `check` holds or `ms` pass: the last answer, or the last failure thrown. */
async function eventually<T>(attempt: () => Promise<T>, check: (value: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const value = await attempt();
      if (check(value) || Date.now() > deadline) return value;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await sleep(100);
  }
}

describe('one replay cache', () => {
  it('refuses through the gateway a signature nginx accepted', async () => {
    const headers = signed();
    const [first, firstBy] = await servedBy('signed', () => call('/services/signed/v1/models', headers));
    expect([first.status, firstBy]).toEqual([200, 'nginx']);
    // A browser's call (Origin) and a chunked body are the gateway's: the same signature is a replay there.
    const [browser, browserBy] = await servedBy('signed', () =>
      call('/services/signed/v1/models', { ...headers, origin: ORIGIN }),
    );
    expect([browser.status, browserBy]).toEqual([401, 'gateway']);
    expect(json(browser)).toMatchObject({ reason: 'replayed_signature' });
    expect(browser.headers['access-control-allow-origin']).toBe(ORIGIN);
    const [chunked, chunkedBy] = await servedBy('signed', () =>
      call('/services/signed/v1/chat/completions', { ...headers, 'content-type': 'application/json' }, '{}'),
    );
    expect([chunked.status, chunkedBy]).toEqual([401, 'gateway']);
    expect(json(chunked)).toMatchObject({ reason: 'replayed_signature' });
  });

  it('refuses on nginx a signature the gateway accepted', async () => {
    const headers = signed();
    const [first, firstBy] = await servedBy('signed', () =>
      call('/services/signed/v1/models', { ...headers, origin: ORIGIN }),
    );
    expect([first.status, firstBy]).toEqual([200, 'gateway']);
    const [again, againBy] = await servedBy('signed', () => call('/services/signed/v1/models', headers));
    expect([again.status, againBy]).toEqual([401, 'nginx']);
    expect(json(again)).toMatchObject({ error: 'unauthorized', reason: 'replayed_signature' });
  });
});

describe('one admission per service', () => {
  /** A browser's call (Origin) is the gateway's. */
  const viaGateway = () => ({ ...signed(), origin: ORIGIN });

  it('counts a call in flight on nginx against a call handed to the gateway', async () => {
    const stream = await startStream(signed());
    try {
      const [refused, by] = await servedBy('single', () => call('/services/single/v1/models', viaGateway()));
      expect([refused.status, by]).toEqual([429, 'gateway']);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(json(refused)).toMatchObject({ error: 'too_many_requests' });
      expect(await stream.text()).toContain('data: [DONE]');
      // nginx gave the place back when the stream ended.
      expect((await call('/services/single/v1/models', viaGateway())).status).toBe(200);
    } finally {
      await stream.body?.cancel().catch(() => undefined);
    }
  });

  it('counts a call in flight through the gateway against a call nginx serves', async () => {
    const stream = await startStream(viaGateway());
    try {
      const [refused, by] = await servedBy('single', () => call('/services/single/v1/models', signed()));
      expect([refused.status, by]).toEqual([429, 'nginx']);
      expect(refused.headers['retry-after']).toBe('1');
      expect(await stream.text()).toContain('data: [DONE]');
      // The gateway gives its place back right after its call ends (a message to nginx, not awaited).
      const after = await eventually(
        () => call('/services/single/v1/models', signed()),
        (answer) => answer.status !== 429,
        1000,
      );
      expect(after.status).toBe(200);
    } finally {
      await stream.body?.cancel().catch(() => undefined);
    }
  });
});

describe('counts', () => {
  it('records nginx’s calls in the gateway’s metrics and the AppKey’s last use at each pull', async () => {
    await dp.sync();
    const uses = directory.appKeyUses.length;
    const started = Date.now();
    const statuses = [];
    for (const headers of [signed(), signed(), { ...signed(), sign: '0'.repeat(40) }, signed(), signed()]) {
      statuses.push((await call('/services/metered/v1/models', headers)).status);
    }
    // Two a second with one replica: the fourth and fifth wait.
    expect(statuses).toEqual([200, 200, 401, 429, 429]);
    expect(dp.gateway.metrics('metered', { step: 10 }).points).toEqual([]);
    expect(directory.appKeyUses.length).toBe(uses);
    await dp.sync();
    const points = dp.gateway.metrics('metered', { step: 10 }).points;
    const total = (key: 'requests' | 'successes' | 'status4xx' | 'status5xx' | 'throttled') =>
      points.reduce((sum, point) => sum + point[key], 0);
    expect({
      requests: total('requests'),
      successes: total('successes'),
      status4xx: total('status4xx'),
      status5xx: total('status5xx'),
      throttled: total('throttled'),
    }).toEqual({ requests: 5, successes: 2, status4xx: 3, status5xx: 0, throttled: 2 });
    expect(points.at(-1)!.latencyP50Ms).toBeGreaterThan(0);
    // One use per pull: the last signature accepted (the throttled calls' too).
    expect(directory.appKeyUses.slice(uses)).toEqual([{ appKey: 'ak-1', atMs: expect.any(Number) as number }]);
    expect(directory.appKeyUses.at(-1)!.atMs).toBeGreaterThanOrEqual(started);
    expect(directory.appKeyUses.at(-1)!.atMs).toBeLessThanOrEqual(Date.now());
    const exposed = await registry.metrics();
    expect(exposed).toMatch(/aiplat_service_requests_total\{service="metered",version="1",code="200"\} 2/);
    expect(exposed).toMatch(/aiplat_service_requests_total\{service="metered",version="1",code="401"\} 1/);
    expect(exposed).toMatch(/aiplat_service_throttled_total\{service="metered"\} 2/);
  });
});

describe('LLM answers nginx serves', () => {
  it('counts the OpenAI usage of JSON and streamed answers, and the time to a stream’s first byte', async () => {
    const completion = (body: object) =>
      fetch(`${dp.server.url}/services/open/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }),
      });
    await dp.sync();
    const tokensBefore = metricTotals(dp.gateway.metrics('open', { step: 3600 }).points).tokens;
    // The chat server's usage: 10 prompt tokens and one per word (5 words).
    const whole = await completion({});
    expect(whole.status).toBe(200);
    expect(((await whole.json()) as { usage: { total_tokens: number } }).usage.total_tokens).toBe(15);
    const streamed = await completion({ stream: true, stream_options: { include_usage: true } });
    expect(streamed.headers.get('content-type')).toContain('text/event-stream');
    expect(await streamed.text()).toContain('"usage"');
    const [, by] = await servedBy('open', () => call('/services/open/v1/models'));
    expect(by).toBe('nginx');
    const points = dp.gateway.metrics('open', { step: 3600 }).points;
    expect(metricTotals(points).tokens - tokensBefore).toBe(30);
    // The stream's first word came ~200 ms after its headers (CHUNK_DELAY_MS), its first byte before.
    expect(points.some((point) => point.ttftP50Ms! > 0)).toBe(true);
  });
});

describe('the state nginx serves', () => {
  it('refuses an AppKey disabled once the state is pushed', async () => {
    expect((await call('/services/signed/v1/models', signed('ak-2', 'other'))).status).toBe(200);
    directory.appKeys.get('ak-2')!.enabled = false;
    try {
      await dp.sync();
      const [refused, by] = await servedBy('signed', () => call('/services/signed/v1/models', signed('ak-2', 'other')));
      expect([refused.status, by]).toEqual([401, 'nginx']);
      expect(json(refused)).toMatchObject({ reason: 'app_key_disabled' });
    } finally {
      directory.appKeys.get('ak-2')!.enabled = true;
      await dp.sync();
    }
  });

  it('hands every call on a service’s own domain to the gateway, /services/ paths too', async () => {
    const [open, openBy] = await servedBy('open', () => call('/services/open/x'));
    expect([open.status, openBy]).toEqual([200, 'nginx']);
    expect(json(open)).toMatchObject({ path: '/x', port: chat.port });
    // On the domain (any case, any port), the same path is the domain's service's own.
    const [owned, ownedBy] = await servedBy('owned', () =>
      call('/services/open/x', { host: 'Owned.Example.Test:8080' }),
    );
    expect([owned.status, ownedBy]).toEqual([200, 'gateway']);
    expect(json(owned)).toMatchObject({ path: '/services/open/x', port: domainReplica.port });
    // By its path, a service with an own domain is the gateway's too (its limits and replays stay in one place).
    const [byPath, byPathBy] = await servedBy('owned', () => call('/services/owned/y'));
    expect([byPath.status, byPathBy]).toEqual([200, 'gateway']);
  });

  it('leaves a call with an empty AppKey to the gateway: no credentials, not an unknown key', async () => {
    const [refused, by] = await servedBy('signed', () => call('/services/signed/v1/models', { appkey: '' }));
    expect([refused.status, by]).toEqual([401, 'gateway']);
    expect(json(refused)).toMatchObject({ reason: 'missing_credentials' });
  });

  it('passes none of the caller’s credentials to the replica', async () => {
    const [answer, by] = await servedBy('headers', () =>
      call('/services/headers/h?x=1', {
        ...signed(),
        authorization: 'Bearer nope',
        'proxy-authorization': 'Basic c2VjcmV0',
        'x-custom': 'kept',
      }),
    );
    expect([answer.status, by]).toEqual([200, 'nginx']);
    const seen = json(answer) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/h?x=1');
    for (const name of ['authorization', 'proxy-authorization', 'appkey', 'sign', 'timestamp']) {
      expect(seen.headers[name]).toBeUndefined();
    }
    expect(seen.headers).toMatchObject({ 'x-custom': 'kept', 'x-forwarded-for': '127.0.0.1' });
  });
});

describe('a body over the limit', () => {
  it('is refused with 413 before it is read, and the connection closed', async () => {
    const limits = directory.services.get('open')!.limits;
    const kept = limits.maxBodyBytes;
    limits.maxBodyBytes = 100;
    onTestFinished(async () => {
      limits.maxBodyBytes = kept;
      await dp.sync();
    });
    await dp.sync();
    const socket = net.connect(dp.server.port, '127.0.0.1');
    const answer = new Promise<{ text: string; closedAfterMs: number }>((resolve) => {
      let text = '';
      const started = Date.now();
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      // nginx closes with the body unread: the kernel may answer the rest with a reset, after the 413.
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }));
    });
    socket.write('POST /services/open/x HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n' + 'x'.repeat(1000));
    const { text, closedAfterMs } = await answer;
    expect(text).toMatch(/^HTTP\/1.1 413 /);
    expect(text).toContain('"error":"payload_too_large"');
    expect(text).toContain('open takes at most 100');
    // Not after reading (and dropping) 100 MB that will never come.
    expect(closedAfterMs).toBeLessThan(1000);
  });
});

describe('replicas refusing connections', () => {
  it('retries a call on another replica, and answers a JSON 502 when none is left', async () => {
    const flaky = directory.services.get('flaky')!;
    const dead = { key: '1/9', version: 1, index: 9, target: { host: '127.0.0.1', port: await freePort() } };
    flaky.replicas = [dead, chat.replica(1, 0)];
    await dp.sync();
    for (let i = 0; i < 4; i++) {
      const [answer, by] = await servedBy('flaky', () => call(`/services/flaky/try?n=${i}`));
      expect([answer.status, by]).toEqual([200, 'nginx']);
    }
    flaky.replicas = [dead];
    await dp.sync();
    const [failed, by] = await servedBy('flaky', () => call('/services/flaky/try'));
    expect([failed.status, by]).toEqual([502, 'nginx']);
    expect(failed.headers['content-type']).toContain('application/json');
    expect(json(failed)).toMatchObject({ error: 'bad_gateway' });
  });
});

describe('nginx dying', () => {
  const nginxPid = () => (dp.dataPlane as unknown as { child?: ChildProcess }).child?.pid;
  const workersOf = (master: number) =>
    execFileSync('pgrep', ['-P', String(master)])
      .toString()
      .split(/\s+/)
      .filter(Boolean);
  /** Running, not gone or a zombie (whose port is closed). */
  const running = (pid: string) => {
    try {
      return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  /** A key only a state pushed after the kill has. */
  const addKey = (appKey: string) =>
    directory.appKeys.set(appKey, { secret: 'fresh', enabled: true, owner: 'alice', services: ['signed'] });
  const servedAgain = (appKey: string) =>
    eventually(
      () => servedBy('signed', () => call('/services/signed/v1/models', signed(appKey, 'fresh'))),
      ([answer, by]) => answer.status === 200 && by === 'nginx',
      10_000,
    );

  it('is started again within a few seconds, its state pushed again', async () => {
    const killed = nginxPid()!;
    const workers = workersOf(killed);
    expect(workers.length).toBeGreaterThan(0);
    const killedAt = Date.now();
    process.kill(killed, 'SIGKILL');
    // Once it is being started again, a change can only reach the new nginx (the control socket is
    // its own): served, it proves that the new one has the port and was given the state.
    await eventually(
      async () => nginxPid(),
      (pid) => pid !== undefined && pid !== killed,
      5000,
    );
    addKey('ak-after-kill');
    const [answer, by] = await servedAgain('ak-after-kill');
    expect([answer.status, by]).toEqual([200, 'nginx']);
    expect(Date.now() - killedAt).toBeLessThan(5000);
    expect(nginxPid()).not.toBe(killed);
    // Its worker went with it: left, it would keep the port (and the control connection) to itself.
    expect(workers.filter(running)).toEqual([]);
  });

  it('is started again after a start that failed (its port taken for a while)', async () => {
    process.kill(nginxPid()!, 'SIGKILL');
    const squatter = http.createServer();
    const listen = () =>
      new Promise<boolean>((resolve) => {
        squatter.once('error', () => resolve(false));
        squatter.listen(dp.server.port, '127.0.0.1', () => resolve(true));
      });
    expect(await eventually(listen, (listening) => listening, 2000)).toBe(true);
    // nginx tries to bind for 2.5 s: the start a second after the kill fails.
    await sleep(4000);
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
    addKey('ak-after-squatter');
    const [answer, by] = await servedAgain('ak-after-squatter');
    expect([answer.status, by]).toEqual([200, 'nginx']);
  }, 20_000);
});
