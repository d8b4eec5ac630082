import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  createEventSocket,
  tokenProtocol,
  WS_CLOSE,
  WS_PROTOCOL,
  type ServerMessage,
  type WebSocketLike,
} from '@aiplat/api';
import { EventHub, type EventHubOptions } from './eventHub.js';
import { ServerMetrics } from './metrics.js';

const TOKENS: Record<string, string> = { 'alice-token': 'alice', 'bob-token': 'bob' };
let server: http.Server;
let hub: EventHub;
let base: string;
const clients: WebSocket[] = [];

async function start(overrides: Partial<EventHubOptions> = {}) {
  server = http.createServer((_req, res) => res.end());
  hub = new EventHub({
    heartbeatIntervalMs: 60_000,
    maxBufferedBytes: 256 * 1024,
    maxSubscriptions: 4,
    closeTimeoutMs: 5000,
    authenticate: (t) => (t && TOKENS[t] ? { name: TOKENS[t] } : undefined),
    isOriginAllowed: (origin) => !origin || origin === 'http://allowed.example',
    metrics: new ServerMetrics({ processMetrics: false }),
    log: pino({ level: 'silent' }),
    ...overrides,
  });
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/ws`;
}

function connect(headers: Record<string, string>, protocols: string[] = [WS_PROTOCOL]) {
  const ws = new WebSocket(base, protocols, { headers });
  ws.on('error', () => undefined);
  clients.push(ws);
  const messages: ServerMessage[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as ServerMessage));
  const next = async (type: ServerMessage['type']) => {
    for (let i = 0; i < 200; i++) {
      const index = messages.findIndex((m) => m.type === type);
      if (index >= 0) return messages.splice(index, 1)[0] as ServerMessage;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no ${type} message`);
  };
  return { ws, messages, next };
}

function refusal(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

beforeEach(() => start());
afterEach(async () => {
  for (const c of clients.splice(0)) if (c.readyState === WebSocket.OPEN) c.terminate();
  await hub.close();
  await new Promise((r) => server.close(r));
});

describe('EventHub', () => {
  it('greets an authenticated client and delivers events of its topics only', async () => {
    const a = connect({ authorization: 'Bearer alice-token' });
    const hello = await a.next('hello');
    expect(hello).toMatchObject({ type: 'hello', user: 'alice', apiVersion: '1.0' });
    a.ws.send(JSON.stringify({ type: 'subscribe', topic: 'uploads' }));
    await a.next('subscribed');
    const progress = { uploadId: 'u1', path: 'home/a', receivedBytes: 1, totalBytes: 2, state: 'receiving' as const };
    hub.publish('uploads', 'uploads', progress);
    expect(await a.next('event')).toEqual({ type: 'event', topic: 'uploads', kind: 'uploads', data: progress });
    a.ws.send(JSON.stringify({ type: 'unsubscribe', topic: 'uploads' }));
    await a.next('unsubscribed');
    hub.publish('uploads', 'uploads', progress);
    a.ws.send(JSON.stringify({ type: 'ping', id: 'p' }));
    expect(await a.next('pong')).toEqual({ type: 'pong', id: 'p' });
    expect(a.messages.filter((m) => m.type === 'event')).toEqual([]);
  });

  it('sends per-user events to that user only', async () => {
    const a = connect({ authorization: 'Bearer alice-token' });
    const b = connect({ authorization: 'Bearer bob-token' });
    for (const c of [a, b]) {
      await c.next('hello');
      c.ws.send(JSON.stringify({ type: 'subscribe', topic: 'uploads' }));
      await c.next('subscribed');
    }
    hub.publish(
      'uploads',
      'uploads',
      { uploadId: 'x', path: 'home/x', receivedBytes: 0, totalBytes: null, state: 'done' },
      { user: 'bob' },
    );
    expect(await b.next('event')).toMatchObject({ data: { uploadId: 'x' } });
    b.ws.send(JSON.stringify({ type: 'ping' }));
    a.ws.send(JSON.stringify({ type: 'ping' }));
    await a.next('pong');
    expect(a.messages.some((m) => m.type === 'event')).toBe(false);
  });

  it('takes the token from the subprotocol, as browsers must', async () => {
    const c = connect({}, [WS_PROTOCOL, tokenProtocol('bob-token')]);
    expect(await c.next('hello')).toMatchObject({ user: 'bob' });
    expect(c.ws.protocol).toBe(WS_PROTOCOL);
  });

  it('refuses a missing or wrong token with 401 and a foreign origin with 403', async () => {
    expect(await refusal(connect({}).ws)).toBe(401);
    expect(await refusal(connect({ authorization: 'Bearer nope' }).ws)).toBe(401);
    expect(await refusal(connect({ authorization: 'Bearer alice-token', origin: 'http://evil.example' }).ws)).toBe(403);
    const ok = connect({ authorization: 'Bearer alice-token', origin: 'http://allowed.example' });
    expect(await ok.next('hello')).toMatchObject({ user: 'alice' });
  });

  it('answers malformed messages with an error and stays open', async () => {
    const c = connect({ authorization: 'Bearer alice-token' });
    await c.next('hello');
    c.ws.send('not json');
    expect(await c.next('error')).toMatchObject({ code: 'validation_failed' });
    c.ws.send(JSON.stringify({ type: 'subscribe', topic: 'no-such-kind' }));
    expect(await c.next('error')).toMatchObject({ message: expect.stringContaining('topic kind must be one of') });
    for (let i = 0; i < 4; i++) c.ws.send(JSON.stringify({ type: 'subscribe', topic: `uploads/${i}` }));
    c.ws.send(JSON.stringify({ type: 'subscribe', topic: 'uploads/5' }));
    expect(await c.next('error')).toMatchObject({ message: expect.stringContaining('at most 4 subscriptions') });
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('cuts off a client that stops reading, with a reason, and keeps its buffer bounded', async () => {
    const slow = connect({ authorization: 'Bearer alice-token' });
    await slow.next('hello');
    slow.ws.send(JSON.stringify({ type: 'subscribe', topic: 'uploads' }));
    await slow.next('subscribed');
    const fast = connect({ authorization: 'Bearer alice-token' });
    await fast.next('hello');
    fast.ws.send(JSON.stringify({ type: 'subscribe', topic: 'uploads' }));
    await fast.next('subscribed');
    const socket = (slow.ws as unknown as { _socket: Socket })._socket;
    socket.pause();
    const close = closed(slow.ws);
    const big = 'x'.repeat(16 * 1024);
    const connections = (hub as unknown as { connections: Set<{ socket: WebSocket; closing: boolean }> }).connections;
    const slowest = () => [...connections].some((c) => c.closing);
    let maxBuffered = 0;
    let sent = 0;
    while (!slowest() && sent < 4000) {
      hub.publish('uploads', 'uploads', {
        uploadId: 'big',
        path: big,
        receivedBytes: sent++,
        totalBytes: null,
        state: 'receiving',
      });
      for (const c of connections) maxBuffered = Math.max(maxBuffered, c.socket.bufferedAmount);
      if (sent % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(slowest()).toBe(true);
    socket.resume();
    const { code, reason } = await close;
    expect(code).toBe(WS_CLOSE.slowConsumer);
    expect(reason).toMatch(/slow consumer/);
    expect(maxBuffered).toBeLessThanOrEqual(256 * 1024);
    // The client that keeps up is untouched.
    fast.ws.send(JSON.stringify({ type: 'ping', id: 'still-here' }));
    expect(await fast.next('pong')).toMatchObject({ id: 'still-here' });
  });

  it('closes a peer that stops answering heartbeats', async () => {
    await hub.close();
    await new Promise((r) => server.close(r));
    await start({ heartbeatIntervalMs: 100 });
    const c = connect({ authorization: 'Bearer alice-token' });
    await c.next('hello');
    // Swallow pings so no pong goes back.
    (c.ws as unknown as { pong: () => void }).pong = () => undefined;
    (c.ws as unknown as { _receiver: { removeAllListeners: (e: string) => void } })._receiver.removeAllListeners(
      'ping',
    );
    const { code, reason } = await closed(c.ws);
    expect(code).toBe(WS_CLOSE.heartbeatTimeout);
    expect(reason).toMatch(/heartbeat/);
  });

  it("works through the contract's event socket client", async () => {
    const events = createEventSocket({
      baseUrl: base.replace('ws://', 'http://').replace('/api/ws', ''),
      token: 'alice-token',
      createWebSocket: (url, protocols) => {
        const ws = new WebSocket(url, protocols);
        clients.push(ws);
        return ws as unknown as WebSocketLike;
      },
    });
    const hello = await events.ready();
    expect(hello.user).toBe('alice');
    const received: unknown[] = [];
    events.subscribe('uploads', (e) => received.push(e.data));
    await new Promise((r) => setTimeout(r, 50));
    hub.publish('uploads', 'uploads', {
      uploadId: 'c',
      path: 'home/c',
      receivedBytes: 5,
      totalBytes: 5,
      state: 'done',
    });
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(received).toEqual([{ uploadId: 'c', path: 'home/c', receivedBytes: 5, totalBytes: 5, state: 'done' }]);
    events.close();
  });
});
