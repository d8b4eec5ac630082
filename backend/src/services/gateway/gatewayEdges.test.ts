import { createHmac, X509Certificate } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { PLANES, serveOnPlane, type ServedGateway } from '../../../../testing/src/services/dataPlaneHarness.js';
import {
  freePort,
  testDirectory,
  testService,
  type TestDirectory,
} from '../../../../testing/src/services/gatewayHarness.js';
import { metricTotals } from '../../../../testing/src/services/metricTotals.js';
import { selfSignedPair, tlsGet } from '../../../../testing/src/services/selfSignedPair.js';

/*
 * What the gateway decides before and around forwarding: which service a request is for (path or
 * Host), who may call (AppKey signatures, bearer tokens, the owner), which headers a replica never
 * sees, sleeping services, WebSocket upgrades and HTTPS by SNI for a service's own domain. Each test
 * runs against the gateway alone and behind its data plane (nginx): there, 'open' is nginx's to
 * serve, and 'echo' (an own domain) is the gateway's, so its calls prove the hand-over.
 */

describe.each(PLANES)('%s', (plane) => {
  let upstream: http.Server;
  let upstreamPort: number;
  let directory: TestDirectory;
  let served: ServedGateway;
  let httpsPort: number;
  const registry = new Registry();

  const replica = () => ({ key: '1/0', version: 1, index: 0, target: { host: '127.0.0.1', port: upstreamPort } });

  beforeAll(async () => {
    // An upstream that tells what it saw: path, headers; and echoes WebSocket messages.
    upstream = http.createServer((req, res) => {
      const body = JSON.stringify({ url: req.url, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    const sockets = new WebSocketServer({ server: upstream });
    sockets.on('connection', (socket, req) => {
      socket.on('message', (data) => socket.send(`${req.url} ${String(data)}`));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamPort = (upstream.address() as AddressInfo).port;
    directory = testDirectory([
      testService('echo', [replica()], { auth: ['appkey', 'token'], domain: 'echo.example.test' }),
      testService('open', [replica()], { auth: ['none'] }),
    ]);
    directory.appKeys.set('ak-0123456789abcdef', {
      secret: 's3cret',
      enabled: true,
      owner: 'alice',
      services: ['echo'],
    });
    directory.appKeys.set('ak-dddddddddddddddd', { secret: 'x', enabled: false, owner: 'alice', services: ['echo'] });
    directory.appKeys.set('ak-bbbbbbbbbbbbbbbb', { secret: 'y', enabled: true, owner: 'alice', services: ['open'] });
    directory.addToken('good-token', { id: 'tk-1', service: 'echo', enabled: true });
    directory.addToken('off-token', { id: 'tk-2', service: 'echo', enabled: false });
    httpsPort = await freePort();
    served = await serveOnPlane(plane, directory, {
      registry,
      signatureWindowSeconds: 300,
      httpsPort,
      platformUser: (req) => req.headers['x-platform-user'] as string | undefined,
      isOriginAllowed: (origin) => origin === 'http://ide.example.test',
    });
    await served.gateway.https!.listening;
  });

  afterAll(async () => {
    await served?.close();
    upstream?.close();
  });

  /** node:http, as fetch does not send a Host header of its own choosing. */
  const viaHost = (url: string, host: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .get(`${served.url}${url}`, { headers: { ...headers, host } }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });

  const call = async (url: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${served.url}${url}`, { headers });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  };
  const token = { authorization: 'Bearer good-token' };
  const signed = (appKey: string, secret: string, timestamp = String(Date.now())) => ({
    appkey: appKey,
    timestamp,
    sign: createHmac('sha1', secret).update(`${appKey}${secret}${timestamp}`, 'utf8').digest('hex'),
  });

  describe('routing', () => {
    it.each([
      ['/services/open/a/b?x=1', '/a/b?x=1'],
      ['/services/open/', '/'],
      ['/services/open', '/'],
      ['/services/open?x=1', '/?x=1'],
    ])('%s reaches the replica as %s', async (url, seen) => {
      expect((await call(url)).body.url).toBe(seen);
    });

    it('routes every path of a service’s own domain by Host, port aside, and leaves other hosts alone', async () => {
      const response = await viaHost('/v1/models?x=1', 'Echo.Example.Test:8443', token);
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ url: '/v1/models?x=1' });
      expect((await viaHost('/v1/models', 'platform.example.test')).status).toBe(418); // the platform's app
      // On the domain, /services/… paths are the service's own, never another service's.
      const own = await viaHost('/services/open/x', 'echo.example.test', token);
      expect(JSON.parse(own.body)).toMatchObject({ url: '/services/open/x' });
      expect((await viaHost('/services/open/x', 'echo.example.test')).status).toBe(401);
    });

    it('answers 404 for an unknown service and 503 with Retry-After for one not serving', async () => {
      expect(await call('/services/nope/x')).toMatchObject({ status: 404, body: { error: 'not_found' } });
      // Behind the data plane, each change is pushed (sync): nginx then hands 'open' to the gateway.
      const open = directory.services.get('open')!;
      open.serving = false;
      await served.sync();
      const stopped = await call('/services/open/');
      open.serving = true;
      expect(stopped).toMatchObject({ status: 503, body: { error: 'unavailable' } });
      expect(Number(stopped.headers.get('retry-after'))).toBeGreaterThan(0);
      open.replicas = [];
      await served.sync();
      const none = await call('/services/open/');
      expect(none).toMatchObject({ status: 503, body: { message: expect.stringContaining('no ready replica') } });
      open.replicas = [replica()];
      await served.sync();
    });

    it('wakes a sleeping service and answers once a replica is ready', async () => {
      const open = directory.services.get('open')!;
      Object.assign(open, { sleeping: true, serving: false, replicas: [] });
      await served.sync();
      directory.wake = (name) => {
        directory.woken.push(name);
        setTimeout(() => Object.assign(open, { sleeping: false, serving: true, replicas: [replica()] }), 300);
      };
      const response = await call('/services/open/after-sleep');
      expect(response).toMatchObject({ status: 200, body: { url: '/after-sleep' } });
      expect(directory.woken).toEqual(['open']);
    });
  });

  describe('callers', () => {
    it.each([
      ['no credentials', {}, 'missing_credentials'],
      ['an unknown token', { authorization: 'Bearer nope' }, 'unknown_token'],
      ['a disabled token', { authorization: 'Bearer off-token' }, 'token_disabled'],
      ['an unknown AppKey', signed('ak-eeeeeeeeeeeeeeee', 's3cret'), 'unknown_app_key'],
      ['a disabled AppKey', signed('ak-dddddddddddddddd', 'x'), 'app_key_disabled'],
      ['an AppKey bound to other services', signed('ak-bbbbbbbbbbbbbbbb', 'y'), 'app_key_not_bound'],
      ['a wrong Sign', { ...signed('ak-0123456789abcdef', 's3cret'), sign: '0'.repeat(40) }, 'bad_signature'],
      ['a stale Timestamp', signed('ak-0123456789abcdef', 's3cret', String(Date.now() - 301_000)), 'stale_timestamp'],
      ['another user of the platform', { 'x-platform-user': 'bob' }, 'missing_credentials'],
    ])('refuses %s with 401 and its reason', async (_label, headers, reason) => {
      expect(await call('/services/echo/', headers)).toMatchObject({
        status: 401,
        body: { error: 'unauthorized', reason, message: expect.any(String) },
      });
    });

    it('counts its own answers as calls of the service: 401 as a 4xx, 503 as a 5xx', async () => {
      const calls = async () => {
        await served.sync();
        return metricTotals(served.gateway.metrics('echo', { step: 3600 }).points);
      };
      const before = await calls();
      expect((await call('/services/echo/', { authorization: 'Bearer nope' })).status).toBe(401);
      const echo = directory.services.get('echo')!;
      echo.serving = false;
      const stopped = await call('/services/echo/', token);
      echo.serving = true;
      expect(stopped.status).toBe(503);
      expect(await calls()).toMatchObject({
        requests: before.requests + 2,
        status4xx: before.status4xx + 1,
        status5xx: before.status5xx + 1,
      });
      const exposed = await registry.metrics();
      expect(exposed).toMatch(/aiplat_service_requests_total\{service="echo",version="1",code="401"\} [1-9]/);
      expect(exposed).toMatch(/aiplat_service_requests_total\{service="echo",version="1",code="503"\} 1/);
      // An unknown service has nothing to count for.
      expect((await call('/services/nope/x')).status).toBe(404);
      expect(exposed).not.toMatch(/service="nope"/);
    });

    it('lets a signed call in once: the same signature again is a replay', async () => {
      const headers = signed('ak-0123456789abcdef', 's3cret');
      const usesBefore = directory.appKeyUses.length;
      expect((await call('/services/echo/', headers)).status).toBe(200);
      expect(await call('/services/echo/', headers)).toMatchObject({
        status: 401,
        body: { reason: 'replayed_signature' },
      });
      // Only the accepted call is the key's use.
      expect(directory.appKeyUses.slice(usesBefore)).toEqual([
        { appKey: 'ak-0123456789abcdef', atMs: expect.any(Number) as number },
      ]);
    });

    it('lets in a bearer token of the service and its owner signed in to the platform', async () => {
      expect((await call('/services/echo/', token)).status).toBe(200);
      expect((await call('/services/echo/', { 'x-platform-user': 'alice' })).status).toBe(200);
    });

    it('never passes the caller’s credentials or the platform’s session cookie to the replica', async () => {
      const response = await call('/services/echo/h', {
        ...signed('ak-0123456789abcdef', 's3cret'),
        authorization: 'Bearer good-token',
        cookie: 'aiplat_session=secret; theme=dark',
        'x-custom': 'kept',
      });
      expect(response.status).toBe(200);
      const seen = response.body.headers as Record<string, string>;
      for (const name of ['authorization', 'appkey', 'sign', 'timestamp']) expect(seen[name]).toBeUndefined();
      expect(seen.cookie).toBe('theme=dark');
      expect(seen['x-custom']).toBe('kept');
      expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    });

    it('answers a CORS preflight from an allowed origin and marks the answer', async () => {
      const preflight = await fetch(`${served.url}/services/echo/v1/chat/completions`, {
        method: 'OPTIONS',
        headers: { origin: 'http://ide.example.test', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://ide.example.test');
      expect(preflight.headers.get('access-control-allow-headers')).toContain('sign');
      const other = await fetch(`${served.url}/services/echo/`, { headers: { origin: 'http://evil.test', ...token } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('WebSocket upgrades', () => {
    const open = (headers: Record<string, string>) =>
      new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${served.port}/services/echo/ws?room=1`, { headers });
        socket.once('open', () => resolve(socket));
        socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
        socket.once('error', reject);
      });

    it('pass to a ready replica after auth, the path without the prefix', async () => {
      const socket = await open(token);
      const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
      socket.send('hello');
      expect(await reply).toBe('/ws?room=1 hello');
      socket.close();
    });

    it('are refused without credentials', async () => {
      await expect(open({})).rejects.toThrow('HTTP 401');
    });
  });

  describe('HTTPS for a service’s own domain', () => {
    const certificate = (host: string) => ({ host, ...selfSignedPair(host) });
    const get = (servername: string, ca: string) =>
      tlsGet(httpsPort, servername, ca, '/v1/models', { host: servername, ...token });

    it('serves the pair of the SNI name, picks up a changed pair, and refuses a name without one', async () => {
      const first = certificate('echo.example.test');
      directory.pairs = [first];
      const answer = await get('echo.example.test', first.certificate);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ url: '/v1/models' });
      expect(answer.fingerprint).toBe(new X509Certificate(first.certificate).fingerprint256);
      const second = certificate('echo.example.test');
      directory.pairs = [second];
      expect((await get('echo.example.test', second.certificate)).fingerprint).toBe(
        new X509Certificate(second.certificate).fingerprint256,
      );
      await expect(get('other.example.test', second.certificate)).rejects.toThrow();
    });
  });
});
