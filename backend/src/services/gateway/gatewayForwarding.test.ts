import http from 'node:http';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLANES, serveOnPlane, type ServedGateway } from '../../../../testing/src/services/dataPlaneHarness.js';
import {
  freePort,
  chunkArrivals,
  startChatServer,
  testDirectory,
  testService,
  type ChatServer,
  type TestDirectory,
} from '../../../../testing/src/services/gatewayHarness.js';
import { metricTotals } from '../../../../testing/src/services/metricTotals.js';

/*
 * The gateway against real upstream processes (testing/src/services/chat_server.py): streaming,
 * LLM token limits, QPS and concurrency limits, body and time limits, and a replica killed under load.
 * Each test runs against the gateway alone and behind its data plane (nginx), which serves the
 * services open to anyone itself and hands the bearer-token calls to the gateway.
 */

describe.each(PLANES)('%s', (plane) => {
  let chat: ChatServer;
  let spare: ChatServer;
  let directory: TestDirectory;
  let served: ServedGateway;
  let clock: number | undefined;
  const registry = new Registry();

  beforeAll(async () => {
    [chat, spare] = await Promise.all([
      startChatServer({ CHUNK_DELAY_MS: '150', REPLY_WORDS: '5' }),
      startChatServer({ CHUNK_DELAY_MS: '10', REPLY_WORDS: '5' }),
    ]);
    directory = testDirectory([
      testService('chat', [chat.replica(1, 0)], { auth: ['token'] }),
      testService('qps', [chat.replica(1, 0)], { limits: { qpsPerReplica: 2 } }),
      testService('one-at-a-time', [chat.replica(1, 0)], { limits: { concurrencyPerReplica: 1 } }),
      testService('small', [chat.replica(1, 0)], { limits: { maxBodyBytes: 1024, upstreamTimeoutSeconds: 1 } }),
      testService('pair', [chat.replica(1, 0), spare.replica(1, 1)]),
    ]);
    directory.addToken('day-token', { id: 'tk-day', service: 'chat', enabled: true, tokensPerDay: 10 });
    directory.addToken('open-token', { id: 'tk-open', service: 'chat', enabled: true });
    served = await serveOnPlane(plane, directory, {
      registry,
      signatureWindowSeconds: 300,
      now: () => clock ?? Date.now(),
    });
  }, 30_000);

  afterAll(async () => {
    await served?.close();
    chat?.stop();
    spare?.stop();
  });

  const completion = (token: string, body: object) =>
    fetch(`${served.url}/services/chat/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'hi' }], ...body }),
    });

  describe('LLM streams through the gateway', () => {
    it('passes SSE chunks on as they come and counts the usage of the final chunk', async () => {
      const response = await completion('open-token', { stream: true, stream_options: { include_usage: true } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const arrivals = await chunkArrivals(response);
      const words = arrivals.filter((a) => a.text.includes('"delta"'));
      // Five words 150 ms apart upstream: a buffering gateway would hand them over together.
      expect(words.length).toBeGreaterThanOrEqual(4);
      expect(words.at(-1)!.at - words[0]!.at).toBeGreaterThan(400);
      expect(arrivals.map((a) => a.text).join('')).toContain('data: [DONE]');
      expect(served.gateway.tokenUsage('tk-open')).toEqual({ usedThisMinute: 15, usedToday: 15 });
    });

    it('lets the stream that spends a token limit finish, then refuses the next call with 429', async () => {
      const response = await completion('day-token', { stream: true, stream_options: { include_usage: true } });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain('"usage"');
      expect(text.trim().endsWith('data: [DONE]')).toBe(true);
      expect(served.gateway.tokenUsage('tk-day').usedToday).toBe(15);
      const refused = await completion('day-token', { stream: false });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({
        error: 'too_many_requests',
        message: expect.stringContaining('10 tokens of today'),
      });
      // The other token of the service is not concerned; a JSON answer's usage counts too.
      const json = await completion('open-token', { stream: false });
      expect(json.status).toBe(200);
      expect(served.gateway.tokenUsage('tk-open').usedToday).toBe(30);
      await served.sync();
      const points = served.gateway.metrics('chat', { step: 3600 }).points;
      expect(metricTotals(points)).toMatchObject({ requests: 4, successes: 3, status4xx: 1, throttled: 1, tokens: 45 });
      expect(points.some((point) => point.ttftP50Ms! > 0)).toBe(true);
    });
  });

  describe('limits', () => {
    it('takes qpsPerReplica × ready replicas a second and refuses the rest with 429 and Retry-After', async () => {
      // nginx serves 'qps' behind the data plane and keeps real time: there, a real second passes.
      if (plane === 'gateway') clock = 1_000_000;
      try {
        const statuses = [];
        for (let i = 0; i < 4; i++) {
          const response = await fetch(`${served.url}/services/qps/`);
          statuses.push(response.status);
          if (response.status === 429) expect(response.headers.get('retry-after')).toBe('1');
          await response.arrayBuffer();
        }
        expect(statuses).toEqual([200, 200, 429, 429]);
        // A second ready replica doubles the service's rate.
        directory.services.get('qps')!.replicas.push(spare.replica(1, 1));
        await served.sync();
        if (clock === undefined) await sleep(1000);
        else clock += 1000;
        const after = [];
        for (let i = 0; i < 5; i++) {
          const response = await fetch(`${served.url}/services/qps/`);
          after.push(response.status);
          // Read to the end: nginx passes the headers on first, and counts a call when it ends.
          await response.arrayBuffer();
        }
        expect(after).toEqual([200, 200, 200, 200, 429]);
        await served.sync();
        // Since the epoch: the gateway's calls are at the test's clock, the data plane's at real times.
        const points = served.gateway.metrics('qps', { step: 3600, since: new Date(0).toISOString() }).points;
        expect(metricTotals(points)).toMatchObject({ requests: 9, throttled: 3, status4xx: 3 });
      } finally {
        clock = undefined;
      }
      const exposed = await registry.metrics();
      expect(exposed).toMatch(/aiplat_service_throttled_total\{service="qps"\} 3/);
      expect(exposed).toMatch(/aiplat_service_requests_total\{service="qps",version="1",code="200"\} 6/);
    });

    it('refuses a call past concurrencyPerReplica while the first is in flight', async () => {
      const slow = fetch(`${served.url}/services/one-at-a-time/slow?ms=1500`);
      const deadline = Date.now() + 5000;
      while (((await chat.stats())['/slow'] ?? 0) < 1 && Date.now() < deadline) await sleep(20);
      const refused = await fetch(`${served.url}/services/one-at-a-time/`);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      const first = await slow;
      expect(first.status).toBe(200);
      await first.arrayBuffer(); // the call holds its place until its body ends (nginx sends headers first)
      expect((await fetch(`${served.url}/services/one-at-a-time/`)).status).toBe(200);
    });

    it('refuses a declared body over maxBodyBytes at once, and a chunked one when it grows past it', async () => {
      const before = (await chat.stats())['/v1/chat/completions'] ?? 0;
      const big = await fetch(`${served.url}/services/small/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ padding: 'x'.repeat(2000) }),
      });
      expect(big.status).toBe(413);
      expect(await big.json()).toMatchObject({ error: 'payload_too_large' });
      expect((await chat.stats())['/v1/chat/completions'] ?? 0).toBe(before); // never reached the replica
      const chunked = await new Promise<number>((resolve, reject) => {
        const request = http.request(`${served.url}/services/small/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        });
        request.on('response', (response) => resolve(response.statusCode ?? 0));
        request.on('error', reject);
        let sent = 0;
        const more = () => {
          if (sent >= 8192) return request.end();
          sent += 512;
          request.write('x'.repeat(512));
          setTimeout(more, 10);
        };
        more();
      });
      expect(chunked).toBe(413);
    });

    it('answers 504 when the replica sends no headers within upstreamTimeoutSeconds', async () => {
      const slow = await fetch(`${served.url}/services/small/slow?ms=2500`);
      expect(slow.status).toBe(504);
      expect(await slow.json()).toMatchObject({
        error: 'gateway_timeout',
        message: expect.stringContaining('upstreamTimeoutSeconds'),
      });
    });
  });

  describe('replicas', () => {
    it('spreads calls over the ready replicas and loses no GET when one is killed under load', async () => {
      const victim = await startChatServer();
      const pair = directory.services.get('pair')!;
      pair.replicas = [victim.replica(1, 0), spare.replica(1, 1)];
      await served.sync();
      const statuses: number[] = [];
      let killed = false;
      const worker = async () => {
        while (statuses.length < 300) {
          const response = await fetch(`${served.url}/services/pair/item?n=${statuses.length}`);
          await response.arrayBuffer();
          statuses.push(response.status);
          if (statuses.length >= 60 && !killed) {
            killed = true;
            victim.stop();
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      expect(killed).toBe(true);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect((await spare.stats())['/item']).toBeGreaterThan(150);
    });

    it('sends a POST to another replica when the first refuses the connection, once', async () => {
      const deadPort = await freePort();
      const dead = { key: '1/9', version: 1, index: 9, target: { host: '127.0.0.1', port: deadPort } };
      directory.services.get('pair')!.replicas = [dead, spare.replica(1, 1)];
      await served.sync();
      const before = (await spare.stats())['/v1/chat/completions'] ?? 0;
      for (let i = 0; i < 4; i++) {
        const response = await fetch(`${served.url}/services/pair/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ messages: [] }),
        });
        expect(response.status).toBe(200);
      }
      expect((await spare.stats())['/v1/chat/completions']).toBe(before + 4);
    });
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
