import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { browserLogin } from '../../../../testing/src/backend/browserLogin.js';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { waitForService } from '../../../../testing/src/services/waitForService.js';

/*
 * The owner may call their own service through the gateway with their platform credentials (the
 * IDEs' test panels). A browser session counts only for requests from a page of this server, as on
 * the API: a page on another site must not make the owner's browser call the service as the owner.
 */

const MODEL_SERVER = fileURLToPath(new URL('../../../../testing/src/services/model_server.py', import.meta.url));

let fx: PlatformFixture;
let cookie: string;

beforeAll(async () => {
  fx = await startPlatform({ services: { readyTimeoutMs: 30_000, stopGraceMs: 1_000, signatureWindowSeconds: 300 } });
  await fx.client().deployService({
    body: {
      spec: {
        name: 'owned',
        auth: ['token'],
        version: {
          model: 'mount/models/tiny-gpt2',
          command: `exec python3 ${MODEL_SERVER}`,
          resources: { cpu: 0.5, memory: '256Mi' },
          probes: { readiness: { type: 'http', path: '/ready', periodSeconds: 1 } },
        },
      },
    },
  });
  await waitForService(fx.client(), 'owned', (s) => s.state === 'Running');
  cookie = await browserLogin(fx, 'alice', '/');
}, 60_000);
afterAll(() => fx?.close(), 60_000);

const call = (headers: Record<string, string>, init: RequestInit = {}) =>
  fetch(`${fx.baseUrl}/services/owned/healthz`, { ...init, headers: { cookie, ...headers } });

describe("the owner's browser session through the gateway", () => {
  it('is refused from another site: its Origin, or a cross-site navigation with no Origin', async () => {
    const fromEvil = await call({ origin: 'https://evil.example' });
    expect(fromEvil.status).toBe(401);
    expect(await fromEvil.json()).toMatchObject({ reason: 'missing_credentials' });
    const navigated = await call({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' });
    expect(navigated.status).toBe(401);
    const referred = await call({ referer: 'https://evil.example/page' });
    expect(referred.status).toBe(401);
    const posted = await call({ origin: 'https://evil.example' }, { method: 'POST', body: '{}' });
    expect(posted.status).toBe(401);
  });

  it('is refused for a WebSocket opened from another site', async () => {
    const socket = new WebSocket(`${fx.baseUrl.replace('http', 'ws')}/services/owned/ws`, {
      headers: { cookie, origin: 'https://evil.example' },
    });
    const refused = await new Promise<string>((resolve) => {
      socket.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
      socket.once('open', () => resolve('open'));
      socket.once('error', (error) => resolve(error.message));
    });
    expect(refused).toBe('HTTP 401');
    socket.terminate();
  });

  it('passes from a page of this server (its Origin or Referer)', async () => {
    const sameOrigin = await call({ origin: fx.baseUrl, 'sec-fetch-site': 'same-origin' });
    expect(sameOrigin.status).toBe(200);
    const referred = await call({ referer: `${fx.baseUrl}/lab` });
    expect(referred.status).toBe(200);
    const posted = await call(
      { origin: fx.baseUrl, 'content-type': 'application/json' },
      { method: 'POST', body: '{"text":"hi"}' },
    );
    expect(posted.status).toBe(200);
  });

  it('does not stand in for the platform token, which works from anywhere', async () => {
    const bearer = await fetch(`${fx.baseUrl}/services/owned/healthz`, {
      headers: { authorization: 'Bearer alice-token-0123456789abcdef', origin: 'https://evil.example' },
    });
    expect(bearer.status).toBe(200);
    const wrong = await fetch(`${fx.baseUrl}/services/owned/healthz`, {
      headers: { authorization: 'Bearer alice-token-0123456789abcdeX' },
    });
    expect(wrong.status).toBe(401);
  });
});
