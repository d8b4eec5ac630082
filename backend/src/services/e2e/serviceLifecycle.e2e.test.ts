import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service, ServiceSpecInput } from '@aiplat/api';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { waitForService } from '../../../../testing/src/services/waitForService.js';

/*
 * What the services core decides, seen through a real backend and real replicas: settings reach
 * the gateway at once, a version that fails while rolled out leaves the serving one answering, and
 * an idle service sleeps and is woken by the next call.
 */

const MODEL_SERVER = fileURLToPath(new URL('../../../../testing/src/services/model_server.py', import.meta.url));
/** Three seconds without a call puts a Running service to sleep. */
const SLEEP_AFTER_MINUTES = 0.05;

const spec = (name: string, command = `exec python3 ${MODEL_SERVER}`): ServiceSpecInput => ({
  name,
  auth: ['token'],
  version: {
    model: 'mount/models/tiny-gpt2',
    command,
    resources: { cpu: 0.5, memory: '256Mi' },
    probes: { readiness: { type: 'http', path: '/ready', periodSeconds: 1 } },
  },
});

let fx: PlatformFixture;

beforeAll(async () => {
  fx = await startPlatform({
    services: { readyTimeoutMs: 30_000, stopGraceMs: 1_000, sleepAfterMinutes: SLEEP_AFTER_MINUTES },
  });
}, 60_000);
afterAll(() => fx?.close(), 60_000);

const waitFor = (name: string, ok: (s: Service) => boolean, timeoutMs = 40_000) =>
  waitForService(fx.client(), name, ok, timeoutMs);

const call = (name: string, headers: Record<string, string> = {}) =>
  fetch(`${fx.baseUrl}/services/${name}/predict`, { method: 'POST', headers, body: '{"text":"hi"}' });

describe('the services core on a real backend', () => {
  it('lets anyone call once auth is changed to none, at once', async () => {
    await fx.client().deployService({ body: { spec: spec('open') } });
    await waitFor('open', (s) => s.state === 'Running');
    expect((await call('open')).status).toBe(401);
    await fx.client().updateService({ params: { name: 'open' }, body: { auth: ['none'] } });
    expect((await call('open')).status).toBe(200);
    await fx.client().updateService({ params: { name: 'open' }, body: { auth: ['token'] } });
    expect((await call('open')).status).toBe(401);
  }, 60_000);

  it('sleeps a service nobody calls, and the next call wakes it and is answered', async () => {
    const { token } = await fx.client().createServiceToken({ params: { name: 'open' }, body: {} });
    const sleeping = await waitFor('open', (s) => s.state === 'Sleeping');
    expect(sleeping.replicas).toEqual([]);
    const events = (await fx.client().serviceEvents({ params: { name: 'open' } })).events;
    expect(events.at(-1)).toMatchObject({ type: 'sleeping', state: 'Sleeping' });
    const woken = await call('open', { authorization: `Bearer ${token}` });
    expect(woken.status).toBe(200);
    expect(await woken.json()).toMatchObject({ model_type: 'gpt2' });
    expect((await fx.client().getService({ params: { name: 'open' } })).state).toBe('Running');
  }, 60_000);

  it('keeps version 1 answering when version 2 fails, and says why version 2 failed', async () => {
    const { token } = await fx.client().createServiceToken({ params: { name: 'open' }, body: {} });
    const auth = { authorization: `Bearer ${token}` };
    await waitFor('open', (s) => s.state === 'Running');
    await fx.client().updateService({
      params: { name: 'open' },
      body: { version: spec('open', 'echo the model is missing >&2; exit 3').version },
    });
    const after = await waitFor('open', (s) => s.state === 'Running' && s.versions.some((v) => v.failed));
    expect(after.version).toBe(1);
    expect(after.versions.find((v) => v.version === 2)).toMatchObject({
      serving: false,
      failed: expect.stringContaining('exited with code 3'),
    });
    const events = (await fx.client().serviceEvents({ params: { name: 'open' } })).events;
    expect(events.at(-1)).toMatchObject({ type: 'failed', version: 2 });
    const answered = await call('open', auth);
    expect(answered.status).toBe(200);
    await fx.client().stopService({ params: { name: 'open' }, body: {} });
    expect((await fx.client().deleteService({ params: { name: 'open' } })).deleted).toBe('open');
  }, 90_000);
});
