import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { ProxyCore, type ProxyRoute } from './proxyCore.js';

/*
 * The proxy core on its own, between real servers: an upstream on a Unix socket (as the IDEs
 * listen) and a front server that forwards everything under /p/ to it.
 */

let dir: string;
let socketPath: string;
let upstream: http.Server;
let front: http.Server;
let frontUrl: string;
let seen: { url: string; headers: http.IncomingHttpHeaders }[] = [];
let keepsPrefix = false;
const core = new ProxyCore();

const route = (): ProxyRoute => ({
  target: { socketPath },
  prefix: '/p/',
  keepsPrefix,
  headers: { 'x-ide-secret': 's' },
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-proxy-'));
  socketPath = path.join(dir, 'upstream.sock');
  upstream = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (req.method === 'POST') {
      const hash = createHash('sha256');
      req.on('data', (chunk: Buffer) => hash.update(chunk));
      req.on('end', () => res.end(hash.digest('hex')));
      return;
    }
    res.setHeader('set-cookie', 'ide=1; Path=/');
    res.end('hello');
  });
  const sockets = new WebSocketServer({ server: upstream });
  sockets.on('connection', (socket, req) => {
    socket.on('message', (data, binary) => socket.send(data, { binary }));
    socket.send(`protocol ${socket.protocol} ${req.url}`);
  });
  await new Promise<void>((resolve) => upstream.listen(socketPath, resolve));
  front = http.createServer((req, res) => core.web(req, res, route()));
  front.on('upgrade', (req, socket, head) => core.upgrade(req, socket, head, route()));
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  frontUrl = `http://127.0.0.1:${(front.address() as { port: number }).port}`;
});
afterAll(async () => {
  core.close();
  await new Promise((resolve) => front.close(resolve));
  await new Promise((resolve) => upstream.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('the proxy core', () => {
  it('forwards with the prefix taken off or kept, adds the route’s headers, keeps the platform’s credentials', async () => {
    seen = [];
    keepsPrefix = false;
    const response = await fetch(`${frontUrl}/p/lab/tree?x=1`, {
      headers: { authorization: 'Bearer platform-token', cookie: 'a=1; aiplat_session=secret; b=2' },
    });
    expect([response.status, await response.text(), response.headers.get('set-cookie')]).toEqual([
      200,
      'hello',
      'ide=1; Path=/',
    ]);
    keepsPrefix = true;
    await fetch(`${frontUrl}/p/lab/tree?x=1`);
    expect(seen.map((s) => s.url)).toEqual(['/lab/tree?x=1', '/p/lab/tree?x=1']);
    const { headers } = seen[0]!;
    expect(headers.authorization).toBeUndefined();
    expect(headers.cookie).toBe('a=1; b=2');
    expect(headers['x-ide-secret']).toBe('s');
    expect(headers['x-forwarded-prefix']).toBe('/p');
    expect(headers['x-forwarded-for']).toMatch(/127\.0\.0\.1/);
  });

  it('streams a request body of several MB intact', async () => {
    const body = randomBytes(8 * 1024 * 1024);
    const response = await fetch(`${frontUrl}/p/upload`, { method: 'POST', body });
    expect(await response.text()).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it('passes WebSockets through: subprotocol, text and binary frames, the close code', async () => {
    keepsPrefix = false;
    const socket = new WebSocket(`${frontUrl.replace('http', 'ws')}/p/channels?k=1`, ['ide.v1']);
    const messages: (string | Buffer)[] = [];
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.on('message', (data: Buffer, binary) => messages.push(binary ? data : data.toString()));
    await new Promise((resolve, reject) => {
      socket.on('open', resolve);
      socket.on('error', reject);
    });
    socket.send('ping');
    socket.send(Buffer.from([1, 2, 3]));
    await expect.poll(() => messages.length).toBe(3);
    expect(messages[0]).toBe('protocol ide.v1 /channels?k=1');
    expect(messages[1]).toBe('ping');
    expect([...(messages[2] as Buffer)]).toEqual([1, 2, 3]);
    socket.close(4001, 'done');
    expect(await closed).toBe(4001);
  });

  it('answers 502 with a reason when the upstream is not there, for pages and WebSockets alike', async () => {
    const down = http.createServer((req, res) =>
      core.web(req, res, { target: { socketPath: path.join(dir, 'missing.sock') }, prefix: '/p/', keepsPrefix: false }),
    );
    down.on('upgrade', (req, socket, head) =>
      core.upgrade(req, socket, head, { target: { host: '127.0.0.1', port: 9 }, prefix: '/p/', keepsPrefix: false }),
    );
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const url = `127.0.0.1:${(down.address() as { port: number }).port}`;
    try {
      const page = await fetch(`http://${url}/p/lab`);
      expect([page.status, await page.text()]).toEqual([
        502,
        'The IDE is not answering: it is not listening (is the dev machine still starting?)\n',
      ]);
      const status = await new Promise<number>((resolve) => {
        const socket = new WebSocket(`ws://${url}/p/channels`);
        socket.on('unexpected-response', (_req, response) => resolve(response.statusCode ?? 0));
        socket.on('error', () => resolve(-1));
      });
      expect(status).toBe(502);
    } finally {
      await new Promise((resolve) => down.close(resolve));
    }
  });

  it('survives a client that goes away in the middle of a download', async () => {
    const big = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(64 * 1024 * 1024) });
      const chunk = Buffer.alloc(64 * 1024);
      const write = () => {
        while (res.write(chunk));
      };
      res.on('drain', write);
      write();
    });
    const bigSocket = path.join(dir, 'big.sock');
    await new Promise<void>((resolve) => big.listen(bigSocket, resolve));
    const relay = http.createServer((req, res) =>
      core.web(req, res, { target: { socketPath: bigSocket }, prefix: '/p/', keepsPrefix: false }),
    );
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    try {
      const controller = new AbortController();
      const response = await fetch(`http://127.0.0.1:${(relay.address() as { port: number }).port}/p/big`, {
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
      // The upstream's side is closed too: its server ends up with no connection.
      await expect
        .poll(() => new Promise<number>((resolve) => big.getConnections((_e, count) => resolve(count))), {
          timeout: 5_000,
        })
        .toBe(0);
      expect((await fetch(`${frontUrl}/p/still-alive`)).status).toBe(200);
    } finally {
      big.closeAllConnections();
      await new Promise((resolve) => relay.close(resolve));
      await new Promise((resolve) => big.close(resolve));
    }
  });
});
