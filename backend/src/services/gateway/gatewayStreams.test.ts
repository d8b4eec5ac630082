import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLANES, serveOnPlane, type ServedGateway } from '../../../../testing/src/services/dataPlaneHarness.js';
import { testDirectory, testService } from '../../../../testing/src/services/gatewayHarness.js';
import { metricTotals } from '../../../../testing/src/services/metricTotals.js';
import { UpstreamPools } from './upstreamPools.js';

/*
 * Bodies through the gateway as streams, against a Node.js upstream that shows what it sees: a
 * caller reading slowly slows the replica's writes, a replica reading slowly slows the caller's
 * upload, and a caller leaving mid-answer ends the replica's request. Each runs against the gateway
 * alone and behind its data plane (nginx), which serves 'files' itself but hands chunked uploads over.
 */

const CHUNK = Buffer.alloc(64 * 1024, 'x');
const TOTAL_BYTES = 64 * 1024 * 1024;

describe.each(PLANES)('%s', (plane) => {
  let upstream: http.Server;
  let served: ServedGateway;
  /** What the upstream did, per test. */
  const seen = { written: 0, read: 0, reading: true, closedEarly: Promise.resolve(false) };

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      if (req.url === '/download') {
        // As much as the caller takes: write until the socket says wait, go on at 'drain'.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        seen.written = 0;
        const more = () => {
          while (seen.written < TOTAL_BYTES) {
            seen.written += CHUNK.length;
            if (!res.write(CHUNK)) return void res.once('drain', more);
          }
          res.end();
        };
        more();
      } else if (req.url === '/upload') {
        // Reads nothing until the test lets it, then everything.
        seen.read = 0;
        req.pause();
        const read = () => {
          if (!seen.reading) return void setTimeout(read, 20);
          req.on('data', (chunk: Buffer) => (seen.read += chunk.length));
          req.on('end', () => res.end(String(seen.read)));
          req.resume();
        };
        read();
      } else if (req.url === '/forever') {
        // Headers and a first line, then nothing: the request ends only when the gateway ends it.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: first\n\n');
        seen.closedEarly = new Promise((resolve) => res.once('close', () => resolve(!res.writableFinished)));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const port = (upstream.address() as AddressInfo).port;
    const replica = { key: '1/0', version: 1, index: 0, target: { host: '127.0.0.1', port } };
    served = await serveOnPlane(
      plane,
      testDirectory([testService('files', [replica], { limits: { maxBodyBytes: 2 * TOTAL_BYTES } })]),
    );
  });

  afterAll(async () => {
    await served?.close();
    upstream?.close();
  });

  /** Pulls the data plane's counts (sync) before each look; gives up within the test's 5 s, so its check says what it saw. */
  const waitFor = async (check: () => boolean, ms = 3000) => {
    const deadline = Date.now() + ms;
    while (!(await served.sync().then(check)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  describe('back-pressure', () => {
    it('slows the replica’s writes while the caller does not read, and loses nothing once it does', async () => {
      const response = await new Promise<http.IncomingMessage>((resolve, reject) =>
        http.get(`${served.url}/services/files/download`, resolve).on('error', reject),
      );
      response.pause();
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Socket buffers on both hops hold a few MiB; without back-pressure all 64 MiB would be written by now.
      expect(seen.written).toBeLessThan(TOTAL_BYTES / 2);
      let received = 0;
      response.on('data', (chunk: Buffer) => (received += chunk.length));
      response.resume();
      await new Promise((resolve) => response.once('end', resolve));
      expect(received).toBe(TOTAL_BYTES);
    });

    it('slows the caller’s upload while the replica does not read, and passes all of it once it does', async () => {
      seen.reading = false;
      let sent = 0;
      const request = http.request(`${served.url}/services/files/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
      });
      const answer = new Promise<string>((resolve, reject) => {
        request.on('response', (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve(body));
        });
        request.on('error', reject);
      });
      const write = () => {
        while (sent < TOTAL_BYTES) {
          sent += CHUNK.length;
          if (!request.write(CHUNK)) return void request.once('drain', write);
        }
        request.end();
      };
      write();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(sent).toBeLessThan(TOTAL_BYTES / 2);
      seen.reading = true;
      expect(await answer).toBe(String(TOTAL_BYTES));
    });
  });

  describe('a caller leaving', () => {
    it('ends the replica’s request of a stream it stopped reading', async () => {
      const response = await new Promise<http.IncomingMessage>((resolve, reject) =>
        http.get(`${served.url}/services/files/forever`, resolve).on('error', reject),
      );
      const first = await new Promise<string>((resolve) =>
        response.once('data', (chunk: Buffer) => resolve(String(chunk))),
      );
      expect(first).toContain('data: first');
      response.destroy();
      expect(await seen.closedEarly).toBe(true);
      const totals = () => metricTotals(served.gateway.metrics('files', { step: 60 }).points);
      await waitFor(() => totals().requests >= 3);
      expect(totals()).toMatchObject({ requests: 3, successes: 3 });
    });
  });
});

describe('upstream pools', () => {
  it('keeps one pool per replica address and closes those no call used for a while', async () => {
    const pools = new UpstreamPools();
    const a = { host: '127.0.0.1', port: 1 };
    expect(pools.of(a)).toBe(pools.of({ ...a }));
    pools.of({ host: '::1', port: 1 });
    pools.of({ socketPath: '/tmp/replica.sock' });
    expect(pools.size).toBe(3);
    for (let i = 0; i < 4; i++) {
      pools.sweep();
      pools.of(a);
    }
    pools.sweep();
    expect(pools.size).toBe(1);
    await pools.close();
    expect(pools.size).toBe(0);
  });
});
