import { fileURLToPath } from 'node:url';
import type { AppKey, Service, ServiceToken } from '@aiplat/api';
import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { fake } from '../../test/vscodeFake.js';
import { useWebviewPage } from '../../test/webviewPage.js';
import type { HostMessage, WebviewMessage } from './protocol.js';
import { renderServiceHtml } from './serviceHtml.js';
import { serviceStrings, serviceSummary } from './serviceStrings.js';

vi.mock('vscode', () => import('../../test/vscodeFake.js'));

/* The service page in a real browser (../../test/webviewPage.ts: its HTML and CSP, the app bundled). */

const APP = fileURLToPath(new URL('./app.ts', import.meta.url));

const SERVICE: Service = {
  name: 'chat',
  owner: 'alice',
  tags: {},
  auth: ['appkey', 'token'],
  limits: { qpsPerReplica: 100, concurrencyPerReplica: 16, maxBodyBytes: 1024, upstreamTimeoutSeconds: 60 },
  engine: 'local',
  queue: 'default',
  priority: 5,
  state: 'Running',
  version: 1,
  versions: [
    {
      version: 1,
      serving: true,
      createdAt: '2026-01-01T00:00:00.000Z',
      spec: {
        model: 'mount/models/tiny-gpt2',
        command: 'python3 serve.py',
        env: {},
        port: 8080,
        resources: { cpu: 1, memory: '1Gi', accelerator: { type: 'none', count: 0 } },
        replicas: 2,
        probes: {},
      },
    },
  ],
  replicas: [
    { index: 0, version: 1, state: 'Ready', restarts: 0 },
    { index: 1, version: 1, state: 'NotReady', restarts: 2, message: 'readiness: 503' },
  ],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:01.000Z',
  url: '/services/chat/',
};

const browser = useWebviewPage<HostMessage, WebviewMessage>(APP, (page) =>
  renderServiceHtml({ title: 'Service: chat', ...page }),
);
const { post, sent, saved } = browser;

const t0 = Date.parse('2026-01-01T00:00:00Z');

const APP_KEY: AppKey = {
  appKey: 'ak-0123456789abcdef',
  owner: 'alice',
  services: ['chat'],
  enabled: true,
  createdAt: '2026-01-01T00:00:00.000Z',
};

const TOKEN: ServiceToken = {
  id: 'tk-0123456789ab',
  service: 'chat',
  enabled: true,
  usedThisMinute: 0,
  usedToday: 0,
  prefix: 'aiplat-sk-xy',
  createdAt: '2026-01-01T00:00:00.000Z',
};

type Init = Extract<HostMessage, { type: 'init' }>;

/** A new tab on the page, given its init (these keys, no events or traffic unless said). */
async function openWith(init: Partial<Omit<Init, 'type'>> = {}): Promise<Page> {
  const { page } = await browser.open();
  await expect.poll(() => sent(page)).toEqual([{ type: 'ready' }]);
  const service = init.service ?? SERVICE;
  await post(page, {
    type: 'init',
    service,
    summary: serviceSummary(service, 'http://127.0.0.1:8080'),
    events: [],
    points: [],
    tokens: [],
    appKeys: [APP_KEY],
    strings: serviceStrings(),
    ...init,
  });
  await page.locator('table.summary').waitFor();
  return page;
}

/** What the page sent after its `ready`. */
const sentAfterReady = async (page: Page) => (await sent(page)).filter((m) => m.type !== 'ready');

describe('service page in Chromium', () => {
  it('renders the service, charts, keys; sends what the user asks; streams a chat as deltas come', async () => {
    fake.reset();
    const { page, violations } = await browser.open();
    await expect.poll(() => sent(page)).toEqual([{ type: 'ready' }]);
    await post(page, {
      type: 'init',
      service: SERVICE,
      summary: serviceSummary(SERVICE, 'http://127.0.0.1:8080'),
      events: [{ time: '2026-01-01T00:00:00.000Z', type: 'running', message: 'serving version 1' }],
      points: [0, 1, 2].map((i) => ({
        time: new Date(t0 + i * 10_000).toISOString(),
        requests: 10,
        successes: 9,
        status4xx: 1,
        status5xx: 0,
        throttled: 0,
        tokens: 50,
        latencyP50Ms: 5,
        latencyP90Ms: 9,
        latencyP99Ms: 20,
        ttftP50Ms: 30,
      })),
      tokens: [],
      appKeys: [APP_KEY],
      strings: serviceStrings(),
    });
    await expect.poll(() => page.locator('table.summary').getAttribute('data-state')).toBe('Running');
    expect(await page.locator('table.summary').innerText()).toContain('http://127.0.0.1:8080/services/chat/');
    expect(await page.locator('#actions button').allTextContents()).toEqual([
      'Start',
      'Stop',
      'Restart',
      'Scale…',
      'Roll Out New Version…',
      'Change Auth…',
      'Change Limits…',
      'Delete',
      'Show Logs',
      'Search Logs…',
      'Copy URL',
    ]);
    expect(await page.locator('#actions button[data-action=start]').isDisabled()).toBe(true);
    expect(await page.locator('#actions button[data-action=rollOut]').isDisabled()).toBe(false);
    // The page's update buttons run the view's commands.
    await page.locator('#actions button[data-action=scale]').click();
    await expect.poll(async () => (await sent(page)).at(-1)).toEqual({ type: 'action', action: 'scale' });
    expect(await page.locator('table.replicas').innerText()).toContain('readiness: 503');
    expect(await page.locator('.chart .chart-title').allTextContents()).toEqual([
      'Requests per bucket',
      'Latency (ms)',
      'LLM tokens per bucket',
      'Time to first token, p50 (ms)',
    ]);
    expect(await page.locator('.chart[data-kind=latency] .legend-entry').allTextContents()).toEqual([
      'p50',
      'p90',
      'p99',
    ]);
    expect(await saved(page)).toEqual([{ name: 'chat' }]);

    // A token created: its secret shown once, with Copy.
    await page.locator('button#createToken').click();
    await post(page, { type: 'secret', secret: { kind: 'token', id: 'tk-0123456789ab', secret: 'aiplat-sk-xyz' } });
    await expect.poll(() => page.locator('#createdToken').textContent()).toBe('aiplat-sk-xyz');
    await page.locator('button#copy-token').click();

    // The curl form signs with the pasted secret (the host does), and shows the command.
    await page.locator('#curlSecret').fill('s3cret');
    await page.locator('#curlPath').fill('/predict');
    await page.locator('button#makeCurl').click();
    await post(page, {
      type: 'curl',
      command: "curl 'http://x/services/chat/predict' -H 'AppKey: ak-0123456789abcdef'",
      appKey: 'ak-0123456789abcdef',
    });
    await expect.poll(() => page.locator('#curlCommand').textContent()).toContain('AppKey: ak-0123456789abcdef');

    // The test panel refuses bad JSON itself, and sends a good request.
    await page.locator('#testBody').fill('{bad');
    await page.locator('button#testSend').click();
    expect(await page.locator('#testError').textContent()).toBe('The body is not valid JSON.');
    await page.locator('#testPath').fill('/predict');
    await page.locator('#testBody').fill('{"text": "hi"}');
    await page.locator('button#testSend').click();

    // The chat: each delta shows as it comes; the usage at the end.
    await page.locator('#chatPrompt').fill('Hello?');
    await page.locator('button#chatSend').click();
    await expect.poll(async () => (await sent(page)).some((m) => m.type === 'chat')).toBe(true);
    const chat = (await sent(page)).find((m) => m.type === 'chat');
    if (chat?.type !== 'chat') throw new Error('no chat sent');
    const answer = page.locator('.turn.assistant .content').last();
    await post(page, { type: 'chatDelta', id: chat.id, text: 'Hi' });
    await expect.poll(() => answer.textContent()).toBe('Hi');
    expect(await page.locator('button#chatSend').isDisabled()).toBe(true);
    await post(page, { type: 'chatDelta', id: chat.id, text: ' there' });
    await expect.poll(() => answer.textContent()).toBe('Hi there');
    await post(page, { type: 'chatDone', id: chat.id, usage: { prompt_tokens: 3, completion_tokens: 2 } });
    await expect.poll(() => page.locator('#chatUsage').textContent()).toBe('3 prompt + 2 completion tokens');
    expect(await page.locator('button#chatSend').isDisabled()).toBe(false);

    const messages = await sent(page);
    expect(messages.filter((m) => m.type !== 'ready')).toEqual([
      { type: 'action', action: 'scale' },
      { type: 'createToken' },
      { type: 'copy', text: 'aiplat-sk-xyz' },
      { type: 'signCurl', appKey: 'ak-0123456789abcdef', appSecret: 's3cret', path: '/predict' },
      { type: 'testRequest', method: 'POST', path: '/predict', body: '{"text": "hi"}' },
      { type: 'chat', id: chat.id, messages: [{ role: 'user', content: 'Hello?' }] },
    ]);
    // The secret is never saved with the page's state.
    expect(JSON.stringify(await saved(page))).not.toContain('s3cret');
    expect(violations).toEqual([]);
  }, 60_000);

  it('creates a token only with limits that are empty or whole numbers above 0, saying which field is wrong', async () => {
    const page = await openWith();
    const error = page.locator('#tokenError');
    for (const bad of ['0', '-5', '0.5', 'lots']) {
      await page.locator('#tokenPerMinute').fill(bad);
      await page.locator('button#createToken').click();
      expect(await error.textContent(), bad).toBe(
        'LLM tokens per minute: a whole number greater than 0, or empty for no limit.',
      );
    }
    await page.locator('#tokenPerMinute').fill('');
    await page.locator('#tokenPerDay').fill('0');
    await page.locator('button#createToken').click();
    expect(await error.textContent()).toBe('LLM tokens per day: a whole number greater than 0, or empty for no limit.');
    expect(await sentAfterReady(page)).toEqual([]);

    await page.locator('#tokenPerDay').fill('1000');
    await page.locator('button#createToken').click();
    expect(await error.textContent()).toBe('');
    expect(await sentAfterReady(page)).toEqual([{ type: 'createToken', tokensPerDay: 1000 }]);
  }, 30_000);

  it('shows the online test’s errors in the test panel, not at the top of the page', async () => {
    const page = await openWith();
    await page.locator('#testBody').fill('{not json');
    await page.locator('button#testSend').click();
    expect(await page.locator('#test #testError').textContent()).toBe('The body is not valid JSON.');
    expect(await page.locator('#error').textContent()).toBe('');

    await page.locator('#testBody').fill('{}');
    await page.locator('button#testSend').click();
    expect(await page.locator('#testError').textContent()).toBe('');
    expect(await page.locator('#testStatus').textContent()).toBe('Sending…');
    await post(page, { type: 'testError', message: 'Cannot reach the service' });
    await expect.poll(() => page.locator('#test #testError').textContent()).toBe('Cannot reach the service');
    expect(await page.locator('#testStatus').textContent()).toBe('');
    expect(await page.locator('#error').textContent()).toBe('');
  }, 30_000);

  it('follows the service’s auth in its keys sections, keeping what is typed while it stays', async () => {
    const page = await openWith();
    const appKeys = page.locator('#appkeys-body');
    expect(await appKeys.innerText()).not.toContain('does not take AppKey signatures');
    await page.locator('#tokenDescription').fill('typed');
    const update = (auth: Service['auth']) => {
      const service = { ...SERVICE, auth, updatedAt: '2026-01-01T00:00:02.000Z' };
      return post(page, { type: 'service', service, summary: serviceSummary(service, 'http://x'), events: [] });
    };
    await update(['appkey', 'token']);
    expect(await page.locator('#tokenDescription').inputValue()).toBe('typed');

    await update(['token']); // Change Auth… → Bearer tokens only
    await expect.poll(() => appKeys.innerText()).toContain('This service does not take AppKey signatures (auth).');
    expect(await page.locator('#tokens-body').innerText()).not.toContain('does not take bearer tokens');
    await update(['appkey']);
    await expect.poll(() => appKeys.innerText()).not.toContain('does not take AppKey signatures');
    expect(await page.locator('#tokens-body').innerText()).toContain(
      'This service does not take bearer tokens (auth).',
    );
  }, 30_000);

  it('signs curl commands with enabled AppKeys only, and forgets the secret and a command whose key is disabled', async () => {
    const page = await openWith({ appKeys: [{ ...APP_KEY, enabled: false }] });
    const options = () => page.locator('#curlAppKey option').allTextContents();
    const curlError = page.locator('#curlError');
    expect(await options()).toEqual([]);
    expect(await curlError.textContent()).toBe(
      'No enabled AppKey: create or enable one under AppKeys to sign a command.',
    );
    expect(await page.locator('button#makeCurl').isDisabled()).toBe(true);

    await post(page, { type: 'appKeys', appKeys: [APP_KEY] });
    await expect.poll(options).toEqual([APP_KEY.appKey]);
    expect(await curlError.textContent()).toBe('');
    await page.locator('button#makeCurl').click();
    expect(await curlError.textContent()).toBe('Paste the AppSecret of the chosen AppKey first.');
    await page.locator('#curlSecret').fill('s3cret');
    await page.locator('button#makeCurl').click();
    expect(await curlError.textContent()).toBe('');
    expect(await page.locator('#curlSecret').inputValue()).toBe('');
    expect(await sentAfterReady(page)).toEqual([
      { type: 'signCurl', appKey: APP_KEY.appKey, appSecret: 's3cret', path: '/' },
    ]);

    await post(page, { type: 'curl', command: `curl -H 'AppKey: ${APP_KEY.appKey}'`, appKey: APP_KEY.appKey });
    await expect.poll(() => page.locator('#curlCommand').textContent()).toContain(APP_KEY.appKey);
    await post(page, { type: 'appKeys', appKeys: [{ ...APP_KEY, enabled: false }] });
    await expect.poll(() => page.locator('#curlCommand').textContent()).toBe('');
    expect(await options()).toEqual([]);
    expect(await curlError.textContent()).toMatch(/^No enabled AppKey/);
  }, 30_000);

  it('lists tokens with their IDs, and drops a secret shown once when its key is disabled or deleted', async () => {
    const page = await openWith();
    await post(page, { type: 'secret', secret: { kind: 'token', id: TOKEN.id, secret: 'aiplat-sk-xyz' } });
    await post(page, { type: 'tokens', tokens: [TOKEN] });
    await expect.poll(() => page.locator('table.tokens tr').count()).toBe(2);
    expect(await page.locator('table.tokens th').first().textContent()).toBe('ID');
    expect(await page.locator('table.tokens td').first().textContent()).toBe(TOKEN.id);
    expect(await page.locator('#createdToken').textContent()).toBe('aiplat-sk-xyz');

    await post(page, { type: 'tokens', tokens: [{ ...TOKEN, enabled: false }] });
    await expect.poll(() => page.locator('#tokens-body .secret').count()).toBe(0);

    await post(page, { type: 'secret', secret: { kind: 'appKey', id: APP_KEY.appKey, secret: 'app-secret' } });
    await expect.poll(() => page.locator('#createdAppSecret').count()).toBe(1);
    await post(page, { type: 'appKeys', appKeys: [] }); // deleted
    await expect.poll(() => page.locator('#appkeys-body .secret').count()).toBe(0);
  }, 30_000);
});
