import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { downloadToFile, DownloadRefused, type DownloadPolicy, type DownloadProgress } from './download.js';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

interface TestServer {
  origin: string;
  requests: IncomingMessage['headers'][];
  close(): Promise<void>;
}

const servers: TestServer[] = [];

/** A server on 127.0.0.1; `n` counts requests from 1. */
async function serve(handler: Handler): Promise<TestServer> {
  const requests: IncomingMessage['headers'][] = [];
  const server = createServer((req, res) => {
    requests.push(req.headers);
    handler(req, res, requests.length);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const test: TestServer = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  servers.push(test);
  return test;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const PAYLOAD = randomBytes(1 << 20);
const ETAG = '"v1"';

/** Writes `data` in `size`-byte chunks, `everyMs` apart; stops when the client goes away. */
function trickle(res: ServerResponse, data: Buffer, size: number, everyMs: number): void {
  let offset = 0;
  const timer = setInterval(() => {
    if (offset >= data.length) {
      clearInterval(timer);
      res.end();
      return;
    }
    res.write(data.subarray(offset, (offset += size)));
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

/** Serves PAYLOAD honouring `Range: bytes=N-`; the first answer breaks off after `dropAt` bytes. */
function rangeServer(dropAt: number, drop: 'reset' | 'stall' = 'reset', honourRange = true): Handler {
  return (req, res, n) => {
    const start = honourRange ? Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0) : 0;
    const headers = {
      etag: ETAG,
      'accept-ranges': honourRange ? 'bytes' : 'none',
      'content-type': 'application/octet-stream',
    };
    if (start > 0) {
      res.writeHead(206, {
        ...headers,
        'content-length': PAYLOAD.length - start,
        'content-range': `bytes ${start}-${PAYLOAD.length - 1}/${PAYLOAD.length}`,
      });
    } else {
      res.writeHead(200, { ...headers, 'content-length': PAYLOAD.length });
    }
    if (n > 1) {
      res.end(PAYLOAD.subarray(start));
      return;
    }
    res.write(PAYLOAD.subarray(0, dropAt), () => {
      if (drop === 'reset') res.socket?.destroy();
    });
  };
}

let dir: string;
let seq = 0;
const nextDest = () => path.join(dir, `dl-${++seq}`);
const policy = (over: Partial<DownloadPolicy> = {}): DownloadPolicy => ({
  maxBytes: 8 << 20,
  allowHosts: ['127.0.0.1'],
  idleTimeoutMs: 2_000,
  ...over,
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'download-'));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refused(options: Parameters<typeof downloadToFile>[0]): Promise<DownloadRefused> {
  const err = await downloadToFile(options).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DownloadRefused);
  expect(existsSync(options.dest)).toBe(false);
  return err as DownloadRefused;
}

describe('downloadToFile', () => {
  it('downloads a file with Content-Length, named by Content-Disposition, reporting progress', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, {
        'content-length': PAYLOAD.length,
        'content-type': 'application/zip',
        'content-disposition': `attachment; filename="../evil.zip"; filename*=UTF-8''r%C3%A9sum%C3%A9.zip`,
      });
      res.end(PAYLOAD);
    });
    const dest = nextDest();
    const seen: DownloadProgress[] = [];
    const got = await downloadToFile({
      url: `${server.origin}/get?id=7`,
      dest,
      policy: policy(),
      onProgress: (p) => seen.push(p),
    });
    expect(got).toEqual({
      bytes: PAYLOAD.length,
      fileName: 'résumé.zip',
      contentType: 'application/zip',
      finalUrl: `${server.origin}/get?id=7`,
    });
    expect(sha256(await readFile(dest))).toBe(sha256(PAYLOAD));
    expect(seen.at(-1)).toEqual({ bytesDone: PAYLOAD.length, bytesTotal: PAYLOAD.length, resumed: 0 });
    expect(server.requests[0]).toMatchObject({ 'accept-encoding': 'identity' });
  });

  it('downloads a chunked body named by the URL, reporting progress at most every ~100 ms', async () => {
    const data = PAYLOAD.subarray(0, 40 * 1024);
    const server = await serve((_req, res) => trickle(res, data, 1024, 10));
    const dest = nextDest();
    const times: number[] = [];
    const seen: DownloadProgress[] = [];
    const got = await downloadToFile({
      url: `${server.origin}/sets/train%20split.csv`,
      dest,
      policy: policy(),
      onProgress: (p) => {
        times.push(performance.now());
        seen.push(p);
      },
    });
    expect(got).toMatchObject({ bytes: data.length, fileName: 'train split.csv' });
    expect(sha256(await readFile(dest))).toBe(sha256(data));
    expect(seen.at(-1)).toEqual({ bytesDone: data.length, bytesTotal: undefined, resumed: 0 });
    // ~40 chunks over ~400 ms: a handful of reports, spaced by the interval (the last is the final one).
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeLessThan(12);
    for (let i = 1; i < times.length - 1; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(95);
    expect(seen.map((p) => p.bytesDone)).toEqual([...seen.map((p) => p.bytesDone)].sort((a, b) => a - b));
  });

  it('refuses a file whose Content-Length is over the limit, before reading it', async () => {
    const server = await serve((_req, res) => res.writeHead(200, { 'content-length': 5000 }).end(Buffer.alloc(5000)));
    const err = await refused({
      url: `${server.origin}/big.bin`,
      dest: nextDest(),
      policy: policy({ maxBytes: 1000 }),
    });
    expect(err.code).toBe('too_large');
    expect(err.message).toBe(
      `${server.origin}/big.bin is 4.9 KiB, more than the 1000 bytes limit (catalog.download.maxBytes); ` +
        'pick a smaller file or ask the operator to raise the limit',
    );
  });

  it('stops a chunked body the moment it passes the limit and removes the partial file', async () => {
    let sent = 0;
    const server = await serve((_req, res) => {
      const timer = setInterval(() => {
        sent += 16 * 1024;
        res.write(Buffer.alloc(16 * 1024));
      }, 5);
      res.on('close', () => clearInterval(timer));
    });
    const err = await refused({
      url: `${server.origin}/endless`,
      dest: nextDest(),
      policy: policy({ maxBytes: 100_000 }),
    });
    expect(err.code).toBe('too_large');
    expect(err.message).toMatch(/is larger than the 97\.7 KiB limit \(catalog\.download\.maxBytes\)/);
    expect(sent).toBeLessThan(1 << 20);
  });

  it('resumes a dropped connection with Range and If-Range, byte for byte', async () => {
    const server = await serve(rangeServer(300_000));
    const dest = nextDest();
    const seen: DownloadProgress[] = [];
    const got = await downloadToFile({
      url: `${server.origin}/model.bin`,
      dest,
      policy: policy(),
      onProgress: (p) => seen.push(p),
    });
    expect(got.bytes).toBe(PAYLOAD.length);
    expect(sha256(await readFile(dest))).toBe(sha256(PAYLOAD));
    expect(server.requests).toHaveLength(2);
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(server.requests[1]!.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(300_000);
    expect(server.requests[1]!['if-range']).toBe(ETAG);
    expect(seen.at(-1)).toEqual({ bytesDone: PAYLOAD.length, bytesTotal: PAYLOAD.length, resumed: 1 });
  });

  it('starts over when the server ignores Range and answers 200 again', async () => {
    const server = await serve(rangeServer(300_000, 'reset', false));
    const dest = nextDest();
    const got = await downloadToFile({ url: `${server.origin}/model.bin`, dest, policy: policy() });
    expect(got.bytes).toBe(PAYLOAD.length);
    expect(sha256(await readFile(dest))).toBe(sha256(PAYLOAD));
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.range).toMatch(/^bytes=\d+-$/);
  });

  it('treats a connection silent for idleTimeoutMs as dropped and resumes it', async () => {
    const server = await serve(rangeServer(100_000, 'stall'));
    const dest = nextDest();
    const got = await downloadToFile({
      url: `${server.origin}/slow.bin`,
      dest,
      policy: policy({ idleTimeoutMs: 300 }),
    });
    expect(got.bytes).toBe(PAYLOAD.length);
    expect(sha256(await readFile(dest))).toBe(sha256(PAYLOAD));
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after maxAttempts resumptions and removes the partial file', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': PAYLOAD.length });
      res.write(PAYLOAD.subarray(0, 1000), () => res.socket?.destroy());
    });
    const err = await refused({ url: `${server.origin}/flaky`, dest: nextDest(), policy: policy(), maxAttempts: 2 });
    expect(err.code).toBe('network');
    expect(err.message).toMatch(
      new RegExp(
        `^the connection to 127\\.0\\.0\\.1:\\d+ kept dropping \\(3 times\\) while downloading ${server.origin}/flaky: `,
      ),
    );
    expect(server.requests).toHaveLength(3);
  });

  it('waits out a 503 answer to a resume request like another drop', async () => {
    const serveRange = rangeServer(200_000);
    const server = await serve((req, res, n) => (n === 2 ? res.writeHead(503).end() : serveRange(req, res, n)));
    const dest = nextDest();
    const got = await downloadToFile({ url: `${server.origin}/busy.bin`, dest, policy: policy() });
    expect(sha256(await readFile(dest))).toBe(sha256(PAYLOAD));
    expect(got.bytes).toBe(PAYLOAD.length);
    expect(server.requests).toHaveLength(3);
  });

  it('does not mistake a failing progress callback for a dropped connection', async () => {
    const server = await serve(rangeServer(PAYLOAD.length));
    const dest = nextDest();
    const failing = () => {
      throw new Error('listener broke');
    };
    await expect(
      downloadToFile({ url: `${server.origin}/f`, dest, policy: policy(), onProgress: failing }),
    ).rejects.toThrow('listener broke');
    expect(server.requests).toHaveLength(1);
    expect(existsSync(dest)).toBe(false);
  });

  it('explains a non-2xx answer', async () => {
    const server = await serve((_req, res) => res.writeHead(404).end('nope'));
    const err = await refused({ url: `${server.origin}/missing.zip?v=2`, dest: nextDest(), policy: policy() });
    expect(err.code).toBe('http_status');
    expect(err.message).toBe(`the server answered 404 Not Found for ${server.origin}/missing.zip?v=2`);
  });

  it('explains a server that cannot be reached', async () => {
    const server = await serve(() => {});
    const url = `${server.origin}/x`;
    await server.close();
    servers.length = 0;
    const err = await refused({ url, dest: nextDest(), policy: policy() });
    expect(err.code).toBe('network');
    expect(err.message).toBe(`could not download ${url}: the server refused the connection`);
  });

  it('cancels midway: the request ends, the partial file goes, the promise rejects with AbortError', async () => {
    let closed = false;
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': PAYLOAD.length });
      res.on('close', () => (closed = true));
      trickle(res, PAYLOAD, 4096, 10);
    });
    const dest = nextDest();
    const controller = new AbortController();
    const err = await downloadToFile({
      url: `${server.origin}/big`,
      dest,
      policy: policy(),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesDone > 0) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(existsSync(dest)).toBe(false);
    await expect.poll(() => closed).toBe(true);
  });

  it('rejects at once with AbortError when already cancelled', async () => {
    const server = await serve((_req, res) => res.end('x'));
    const err = await downloadToFile({
      url: server.origin,
      dest: nextDest(),
      policy: policy(),
      signal: AbortSignal.abort(),
    }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(server.requests).toHaveLength(0);
  });

  it('names the option to fix when called wrongly', async () => {
    await expect(
      downloadToFile({ url: 'http://x/', dest: nextDest(), policy: policy({ maxBytes: 0 }) }),
    ).rejects.toThrow('downloadToFile: policy.maxBytes must be a positive number of bytes');
    await expect(
      downloadToFile({ url: 'http://x/', dest: nextDest(), policy: policy(), maxAttempts: -1 }),
    ).rejects.toThrow(/maxAttempts must be a whole number/);
    await expect(downloadToFile({ url: ' ', dest: nextDest(), policy: policy() })).rejects.toThrow(/the link is empty/);
  });
});
