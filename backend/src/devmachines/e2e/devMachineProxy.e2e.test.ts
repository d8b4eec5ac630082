import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { DevMachine } from '@aiplat/api';
import { waitForDevMachine } from '../../../../testing/src/devMachines.js';
import { browserLogin } from '../../../../testing/src/backend/browserLogin.js';
import { startPlatform, type PlatformFixture, type TestUser } from '../../../../testing/src/backend/platformFixture.js';

/*
 * A dev machine's IDEs through the platform's proxy, as a browser reaches them: a one-time login
 * link sets the session cookie; JupyterLab's page, its API and a kernel's WebSocket pass through
 * with the IDE's secret added; code-server's page too; everyone else is refused.
 */

const waitForState = waitForDevMachine;

let fx: PlatformFixture;
let machine: DevMachine;

/** Logs a browser in through a login link; returns its Cookie header. */
const login = (user: TestUser, next: string) => browserLogin(fx, user, next);

const browser = (cookie: string, extra: Record<string, string> = {}) => ({
  cookie,
  origin: fx.baseUrl,
  ...extra,
});

beforeAll(async () => {
  fx = await startPlatform({ devMachines: { startDefault: false, readyTimeoutMs: 90_000, stopGraceMs: 2_000 } });
  await mkdir(path.join(fx.workRoot, 'home', 'alice'), { recursive: true });
  const created = await fx.client().createDevMachine({
    body: { spec: { name: 'proxied', resources: { cpu: 1, memory: '2Gi' } } },
  });
  machine = await waitForState(fx.client(), created.id, ['Running', 'Failed']);
  expect(machine.state).toBe('Running');
}, 120_000);
afterAll(() => fx?.close(), 60_000);

describe('the dev machine proxy', () => {
  it('logs a browser in once through a login link: an HttpOnly, SameSite cookie, then the IDE', async () => {
    const lab = machine.urls.jupyterlab!;
    const link = await fx.client().createLoginLink({ body: { next: lab } });
    expect(link.path).toMatch(/^\/login\?ticket=[A-Za-z0-9_-]{43}$/);
    const first = await fetch(fx.baseUrl + link.path, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(lab);
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');
    expect(first.headers.get('cache-control')).toBe('no-store');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^aiplat_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Lax; Path=\/; Max-Age=\d+$/);
    const again = await fetch(fx.baseUrl + link.path, { redirect: 'manual' });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('expired or was already used');
    const forged = await fetch(`${fx.baseUrl}/login?ticket=${'A'.repeat(43)}`, { redirect: 'manual' });
    expect(forged.status).toBe(410);
    // A link not opened within its lifetime is refused like a used one.
    const expiring = fx.platform.loginLinks.issue('alice', lab, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const expired = await fetch(fx.baseUrl + expiring.path, { redirect: 'manual' });
    expect(expired.status).toBe(410);
    expect(expired.headers.get('set-cookie')).toBeNull();
    const refused = await rejectionOf(fx.client().createLoginLink({ body: { next: '//evil.example/' } }));
    expect(refused).toBe(400);
  });

  it('serves JupyterLab with our extension, its API with the IDE’s secret added, and a kernel over a WebSocket', async () => {
    const lab = machine.urls.jupyterlab!;
    const cookie = await login('alice', lab);
    const page = await fetch(`${fx.baseUrl}${lab}lab`, { headers: browser(cookie) });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('@aiplat/jupyterlab-ext');
    expect((await fetch(`${fx.baseUrl}${lab}api/status`, { headers: browser(cookie) })).status).toBe(200);

    const kernel = await fetch(`${fx.baseUrl}${lab}api/kernels`, {
      method: 'POST',
      headers: browser(cookie, { 'content-type': 'application/json' }),
      body: JSON.stringify({ name: 'python3' }),
    });
    expect(kernel.status).toBe(201);
    const { id: kernelId } = (await kernel.json()) as { id: string };
    const output = await new Promise<string>((resolve, reject) => {
      const socket = new WebSocket(`${fx.baseUrl.replace('http', 'ws')}${lab}api/kernels/${kernelId}/channels`, {
        headers: browser(cookie),
      });
      const session = randomUUID();
      socket.on('error', reject);
      socket.on('open', () =>
        socket.send(
          JSON.stringify({
            header: {
              msg_id: randomUUID(),
              username: 'alice',
              session,
              msg_type: 'execute_request',
              version: '5.3',
              date: new Date().toISOString(),
            },
            parent_header: {},
            metadata: {},
            content: {
              code: 'print(6 * 7)',
              silent: false,
              store_history: false,
              user_expressions: {},
              allow_stdin: false,
              stop_on_error: true,
            },
            channel: 'shell',
            buffers: [],
          }),
        ),
      );
      socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString('utf8')) as { msg_type: string; content: { text?: string } };
        if (message.msg_type === 'stream') {
          socket.close();
          resolve(message.content.text ?? '');
        }
      });
    });
    expect(output).toBe('42\n');
  }, 60_000);

  it('lets pages of the platform call its API with their session, and nobody else', async () => {
    const cookie = await login('alice', '/');
    const fromPage = await fetch(`${fx.baseUrl}/api/info`, {
      headers: { cookie, referer: `${fx.baseUrl}${machine.urls.jupyterlab!}lab` },
    });
    expect(fromPage.status).toBe(200);
    expect(((await fromPage.json()) as { user: string }).user).toBe('alice');
    const posted = await fetch(`${fx.baseUrl}/api/login-links`, {
      method: 'POST',
      headers: browser(cookie, { 'content-type': 'application/json' }),
      body: JSON.stringify({ next: '/' }),
    });
    expect(posted.status).toBe(200);
    // Another site's page, or a request that says nothing of where it comes from: no session.
    const foreign = await fetch(`${fx.baseUrl}/api/info`, { headers: { cookie, origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect((await fetch(`${fx.baseUrl}/api/info`, { headers: { cookie } })).status).toBe(401);
    const events = await new Promise<string>((resolve) => {
      const socket = new WebSocket(`${fx.baseUrl.replace('http', 'ws')}/api/ws`, 'aiplat.v1', {
        headers: browser(cookie),
      });
      socket.on('open', () => {
        socket.close();
        resolve('open');
      });
      socket.on('unexpected-response', (_req, response) => resolve(String(response.statusCode)));
    });
    expect(events).toBe('open');
  });

  it('serves code-server with the prefix taken off', async () => {
    const code = machine.urls['code-server']!;
    const cookie = await login('alice', code);
    const bare = await fetch(`${fx.baseUrl}${code.replace(/\/$/, '')}`, {
      headers: browser(cookie),
      redirect: 'manual',
    });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, code]);
    const page = await fetch(`${fx.baseUrl}${code}`, { headers: browser(cookie) });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('workbench');
  });

  it('logs out only from a page of its own: then the cookie is cleared and the session over', async () => {
    const lab = machine.urls.jupyterlab!;
    const alice = await login('alice', lab);
    const status = () => fetch(`${fx.baseUrl}${lab}api/status`, { headers: browser(alice) }).then((r) => r.status);
    expect(await status()).toBe(200);
    const foreign = await fetch(`${fx.baseUrl}/logout`, {
      method: 'POST',
      headers: { cookie: alice, origin: 'https://evil.example' },
      redirect: 'manual',
    });
    expect(foreign.status).toBe(403);
    expect(await status()).toBe(200);
    const out = await fetch(`${fx.baseUrl}/logout`, { method: 'POST', headers: browser(alice), redirect: 'manual' });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toBe('aiplat_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0');
    expect(await status()).toBe(401);
  });

  it('refuses: no session, another user, a foreign Origin on a WebSocket or a POST, a stopped dev machine', async () => {
    const lab = machine.urls.jupyterlab!;
    const anonymous = await fetch(`${fx.baseUrl}${lab}lab`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).toContain('Sign in first');
    const chinese = await fetch(`${fx.baseUrl}${lab}lab`, { headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    expect(await chinese.text()).toContain('请先登录');
    // A bearer token is the API's, not a browser's: it does not open an IDE.
    const bearer = await fx.fetch(`${lab}api/status`);
    expect(bearer.status).toBe(401);

    const bob = await login('bob', '/');
    expect((await fetch(`${fx.baseUrl}${lab}api/status`, { headers: browser(bob) })).status).toBe(404);

    const alice = await login('alice', lab);
    const foreignPost = await fetch(`${fx.baseUrl}${lab}api/kernels`, {
      method: 'POST',
      headers: { cookie: alice, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(foreignPost.status).toBe(403);
    const foreignSocket = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${fx.baseUrl.replace('http', 'ws')}${lab}api/kernels/x/channels`, {
        headers: { cookie: alice, origin: 'https://evil.example' },
      });
      socket.on('unexpected-response', (_req, response) => resolve(response.statusCode ?? 0));
      socket.on('error', () => resolve(-1));
    });
    expect(foreignSocket).toBe(403);

    await fx.client().stopDevMachine({ params: { id: machine.id }, body: {} });
    await waitForState(fx.client(), machine.id, ['Stopped']);
    const stopped = await fetch(`${fx.baseUrl}${lab}lab`, { headers: browser(alice) });
    expect(stopped.status).toBe(503);
    expect(await stopped.text()).toContain('The dev machine proxied is Stopped');
  }, 60_000);
});

async function rejectionOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 0;
  } catch (error) {
    return (error as { status?: number }).status ?? -1;
  }
}
