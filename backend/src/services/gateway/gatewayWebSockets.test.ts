import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { PLANES, serveOnPlane, type ServedGateway } from '../../../../testing/src/services/dataPlaneHarness.js';
import { testDirectory, testService, type TestDirectory } from '../../../../testing/src/services/gatewayHarness.js';
import { metricTotals } from '../../../../testing/src/services/metricTotals.js';

/*
 * WebSocket upgrades through the gateway as calls, against a real `ws` upstream: counted with the
 * status of their handshake, holding one of the service's concurrent calls while open (429 with
 * Retry-After past the limit), waking a sleeping service, and a replica's refusal passed on. Each
 * runs against the gateway alone and behind its data plane (nginx), which hands every upgrade (and
 * every call of a service taking bearer tokens) to the gateway.
 */

describe.each(PLANES)('%s', (plane) => {
  const registry = new Registry();
  let upstream: http.Server;
  let upstreamPort: number;
  let directory: TestDirectory;
  let served: ServedGateway;
  const activity: string[] = [];

  const replica = () => ({ key: '1/0', version: 1, index: 0, target: { host: '127.0.0.1', port: upstreamPort } });

  beforeAll(async () => {
    // Echoes each message with the path it was opened on; refuses upgrades on /refuse with 403.
    upstream = http.createServer((_req, res) => res.end('plain'));
    const sockets = new WebSocketServer({ noServer: true });
    upstream.on('upgrade', (req, socket, head) => {
      if (req.url?.startsWith('/refuse')) {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\nnot you');
        return;
      }
      sockets.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (data) => ws.send(`${req.url} ${String(data)}`));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamPort = (upstream.address() as AddressInfo).port;
    directory = testDirectory([
      testService('chat', [replica()], { auth: ['token'], limits: { concurrencyPerReplica: 1 } }),
      testService('sleepy', [], { limits: { upstreamTimeoutSeconds: 1 } }),
    ]);
    directory.addToken('good-token', { id: 'tk-1', service: 'chat', enabled: true });
    served = await serveOnPlane(plane, directory, {
      registry,
      signatureWindowSeconds: 300,
      onActivity: (name) => activity.push(name),
    });
  });

  afterAll(async () => {
    await served?.close();
    upstream?.close();
  });

  const token = { authorization: 'Bearer good-token' };

  /** A WebSocket through the gateway, open; or the HTTP answer that refused it. */
  const connect = (path: string, headers: Record<string, string> = token) =>
    new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${served.port}${path}`, { headers });
      socket.once('open', () => resolve(socket));
      socket.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () =>
          reject(
            Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, headers: res.headers, body }),
          ),
        );
      });
      socket.once('error', reject);
    });
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.unreachable('the upgrade went through'),
      (error: { status: number; headers: http.IncomingHttpHeaders; body: string }) => error,
    );
  const echo = (socket: WebSocket, text: string) =>
    new Promise<string>((resolve) => {
      socket.once('message', (data) => resolve(String(data)));
      socket.send(text);
    });
  const closed = (socket: WebSocket) =>
    new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close();
    });
  /** A closed connection frees its slot as the gateway sees the close: retried on 429 until then. */
  const connectWhenFree = async (path: string) => {
    for (let refused = 0; ; refused++) {
      const socket = await connect(path).catch((error: { status?: number }) => {
        if (error.status !== 429 || refused >= 50) throw error;
        return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 20));
      });
      if (socket) return { socket, refused };
    }
  };
  const counted = async (name: string) => {
    await served.sync();
    return metricTotals(served.gateway.metrics(name, { step: 3600 }).points);
  };

  describe('WebSocket upgrades through the gateway', () => {
    it('are counted with the status of their handshake, and keep their service awake', async () => {
      activity.length = 0;
      const socket = await connect('/services/chat/ws?room=1');
      expect(await echo(socket, 'hello')).toBe('/ws?room=1 hello');
      expect(activity).toEqual(['chat']);
      expect(await counted('chat')).toMatchObject({ requests: 1, successes: 1, status4xx: 0 });
      expect(await registry.metrics()).toMatch(
        /aiplat_service_requests_total\{service="chat",version="1",code="101"\} 1/,
      );
      await closed(socket);
    });

    it('hold one concurrent call while open: past the limit an upgrade or a call gets 429 with Retry-After', async () => {
      const { socket: first, refused: before } = await connectWhenFree('/services/chat/ws');
      const refused = await refusal(connect('/services/chat/ws'));
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(refused.body)).toMatchObject({ error: 'too_many_requests' });
      const call = await fetch(`${served.url}/services/chat/`, { headers: token });
      expect(call.status).toBe(429);
      // The first connection still works; once it is closed, its slot is free again.
      expect(await echo(first, 'still here')).toBe('/ws still here');
      await closed(first);
      const { socket: second, refused: meanwhile } = await connectWhenFree('/services/chat/ws');
      expect(await echo(second, 'again')).toBe('/ws again');
      await closed(second);
      const throttled = 2 + before + meanwhile;
      expect(await counted('chat')).toMatchObject({ throttled, status4xx: throttled });
    });

    it('are refused without credentials, counted as a 4xx call', async () => {
      const before = await counted('chat');
      expect((await refusal(connect('/services/chat/ws', {}))).status).toBe(401);
      expect(await counted('chat')).toMatchObject({
        requests: before.requests + 1,
        status4xx: before.status4xx + 1,
        throttled: before.throttled,
      });
    });

    it('pass on a replica’s refusal of the upgrade and count it', async () => {
      const before = (await counted('chat')).status4xx;
      const refused = await refusal(connect('/services/chat/refuse'));
      expect(refused).toMatchObject({ status: 403, body: 'not you' });
      expect((await counted('chat')).status4xx).toBe(before + 1);
    });

    it('wake a sleeping service and go through once a replica is ready', async () => {
      const sleepy = directory.services.get('sleepy')!;
      Object.assign(sleepy, { sleeping: true, serving: false, replicas: [] });
      directory.wake = (name) => {
        directory.woken.push(name);
        setTimeout(() => Object.assign(sleepy, { sleeping: false, serving: true, replicas: [replica()] }), 300);
      };
      const socket = await connect('/services/sleepy/ws', {});
      expect(directory.woken).toEqual(['sleepy']);
      expect(await echo(socket, 'awake')).toBe('/ws awake');
      await closed(socket);
    });

    it('answer 503 with Retry-After when a sleeping service has no ready replica in time', async () => {
      const sleepy = directory.services.get('sleepy')!;
      Object.assign(sleepy, { sleeping: true, serving: false, replicas: [] });
      directory.wake = (name) => void directory.woken.push(name);
      const refused = await refusal(connect('/services/sleepy/ws', {}));
      expect(refused.status).toBe(503);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('are ended when the gateway closes', async () => {
      const other = await serveOnPlane(plane, directory, { registry: new Registry(), signatureWindowSeconds: 300 });
      const socket = await new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${other.port}/services/chat/ws`, { headers: token });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
      const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await other.gateway.close();
      await ended;
      await other.close();
    });
  });
});
