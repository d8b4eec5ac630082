import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@aiplat/api';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { chunkArrivals } from '../../../../testing/src/services/gatewayHarness.js';
import { metricTotals } from '../../../../testing/src/services/metricTotals.js';

/*
 * An LLM service through the gateway, for real: an OpenAI-compatible chat server streams SSE with
 * `usage`; the gateway passes each chunk on as it comes, counts the tokens per bearer token, and
 * refuses a token whose day is spent (after letting the stream that spent it finish).
 */

const CHAT_SERVER = fileURLToPath(new URL('../../../../testing/src/services/chat_server.py', import.meta.url));

let fx: PlatformFixture;
let token: { id: string; token: string };

beforeAll(async () => {
  fx = await startPlatform({ services: { readyTimeoutMs: 30_000, stopGraceMs: 1_000 } });
  await fx.client().deployService({
    body: {
      spec: {
        name: 'chat',
        auth: ['token'],
        limits: { qpsPerReplica: 100, concurrencyPerReplica: 8, maxBodyBytes: 4096, upstreamTimeoutSeconds: 1 },
        version: {
          model: 'mount/models/tiny-gpt2',
          command: `exec python3 ${CHAT_SERVER}`,
          env: { CHUNK_DELAY_MS: '150', REPLY_WORDS: '5' },
          resources: { cpu: 0.5, memory: '256Mi' },
        },
      },
    },
  });
  const deadline = Date.now() + 30_000;
  let service: Service | undefined;
  while (Date.now() < deadline && service?.state !== 'Running') {
    service = await fx.client().getService({ params: { name: 'chat' } });
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(service?.state).toBe('Running');
  token = await fx.client().createServiceToken({ params: { name: 'chat' }, body: { tokensPerDay: 20 } });
}, 60_000);
afterAll(() => fx?.close(), 60_000);

const chat = (stream: boolean, body: object = {}) =>
  fetch(`${fx.baseUrl}/services/chat/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'hi' }], stream, ...body }),
  });

describe('an LLM service through the gateway', () => {
  it('streams SSE chunk by chunk, unbuffered, and counts the usage of the final chunk', async () => {
    const response = await chat(true, { stream_options: { include_usage: true } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const arrivals = await chunkArrivals(response);
    const words = arrivals.filter((a) => a.text.includes('"delta"'));
    expect(words.length).toBeGreaterThanOrEqual(4);
    // The upstream waits 150 ms between words: a buffering gateway would deliver them together.
    expect(words.at(-1)!.at - words[0]!.at).toBeGreaterThan(400);
    expect(arrivals.map((a) => a.text).join('')).toContain('data: [DONE]');
    const listed = await fx.client().listServiceTokens({ params: { name: 'chat' } });
    expect(listed.tokens[0]).toMatchObject({ id: token.id, usedToday: 15 });
  });

  it('lets the call that spends the limit finish, then answers 429 with Retry-After', async () => {
    const json = await chat(false);
    expect(json.status).toBe(200);
    expect(((await json.json()) as { usage: { total_tokens: number } }).usage.total_tokens).toBe(15);
    const listed = await fx.client().listServiceTokens({ params: { name: 'chat' } });
    expect(listed.tokens[0]!.usedToday).toBe(30);
    const spent = await chat(true);
    expect(spent.status).toBe(429);
    expect(Number(spent.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await spent.json()) as { message: string }).message).toContain('20 tokens of today');
    const metrics = await fx.client().serviceMetrics({ params: { name: 'chat' }, query: { step: 3600 } });
    expect(metricTotals(metrics.points)).toMatchObject({ tokens: 30, throttled: 1 });
    expect(metrics.points.some((point) => point.ttftP50Ms! > 0)).toBe(true);
  });

  it('refuses a body over the limit with 413 and a slow replica with 504', async () => {
    await fx.client().updateServiceToken({ params: { name: 'chat', id: token.id }, body: { tokensPerDay: null } });
    const big = await chat(false, { padding: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    const slow = await fetch(`${fx.baseUrl}/services/chat/slow?ms=2500`, {
      headers: { authorization: `Bearer ${token.token}` },
    });
    expect(slow.status).toBe(504);
    expect(((await slow.json()) as { message: string }).message).toContain('upstreamTimeoutSeconds');
  });
});
