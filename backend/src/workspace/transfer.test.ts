import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UploadProgress } from '@aiplat/api';
import { RecordingPublisher, startTestServer, type TestServer } from '../../../testing/src/backend/fileTestServer.js';
import { createFileHandlers } from './fileHandlers.js';
import { PathResolver } from './pathResolver.js';
import { contentDisposition, parseRange } from './transfer.js';

const LIMIT = 1024 * 1024;
let base: string;
let work: string;
let home: string;
let server: TestServer;
let events: RecordingPublisher;
const content = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'aiplat-transfer-'));
  work = path.join(base, 'work');
  home = path.join(work, 'home', 'alice');
  await mkdir(path.join(home, 'folder'), { recursive: true });
  await mkdir(path.join(work, 'mount'), { recursive: true });
  await writeFile(path.join(home, 'data.bin'), content);
  await writeFile(path.join(home, 'notes.txt'), 'hello');
  await writeFile(path.join(home, 'empty.txt'), '');
  await writeFile(path.join(home, 'résumé 2024.pdf'), 'pdf');
  await writeFile(path.join(base, 'outside.txt'), 'outside');
  await symlink(path.join(base, 'outside.txt'), path.join(home, 'escape'));
});
afterAll(() => rm(base, { recursive: true, force: true }));

beforeEach(async () => {
  events = new RecordingPublisher();
  const handlers = createFileHandlers({
    resolver: new PathResolver(work),
    events,
    maxUploadBytes: LIMIT,
    now: () => new Date(0),
  });
  server = await startTestServer(handlers);
});
afterEach(() => server.close());

const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
const download = (p: string, headers: Record<string, string> = {}, method = 'GET') =>
  fetch(`${server.url}/api/files/content?${q({ path: p })}`, { headers, method });
const upload = (
  p: string,
  body: NonNullable<RequestInit['body']>,
  extra: Record<string, string> = {},
  init: RequestInit = {},
) =>
  fetch(`${server.url}/api/files/content?${q({ path: p, ...extra })}`, {
    method: 'PUT',
    body,
    headers: { 'content-type': 'application/octet-stream' },
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    ...init,
  } as RequestInit);
async function errorCode(res: Response): Promise<string> {
  return `${res.status} ${((await res.json()) as { error: { code: string } }).error.code}`;
}
async function leftovers(dir = home): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith('.aiplat-upload-'));
}
/** A chunked body of `total` bytes in 64 KiB chunks, with no Content-Length. */
function chunked(total: number, onPull?: (sent: number) => Promise<void> | void): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    async pull(controller) {
      if (sent >= total) return controller.close();
      const n = Math.min(64 * 1024, total - sent);
      controller.enqueue(new Uint8Array(n).fill(7));
      sent += n;
      await onPull?.(sent);
    },
  });
}
function progress(): UploadProgress[] {
  return events.events.map((e) => e.data as UploadProgress);
}

describe('download', () => {
  it('sends the whole file with type, length, ranges advertised and a filename', async () => {
    const res = await download('home/notes.txt');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('content-length')).toBe('5');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="notes.txt"');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('hello');
    const bin = await download('home/data.bin');
    expect(bin.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await bin.arrayBuffer()).equals(content)).toBe(true);
  });

  it('answers single ranges with 206: first bytes, suffix, open-ended, clamped end', async () => {
    const cases: [string, number, number][] = [
      ['bytes=0-9', 0, 9],
      ['bytes=-10', 990, 999],
      ['bytes=995-', 995, 999],
      ['bytes=990-5000', 990, 999],
      ['bytes=-5000', 0, 999],
    ];
    for (const [range, start, end] of cases) {
      const res = await download('home/data.bin', { range });
      expect(res.status, range).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/1000`);
      expect(res.headers.get('content-length')).toBe(String(end - start + 1));
      expect(Buffer.from(await res.arrayBuffer()).equals(content.subarray(start, end + 1))).toBe(true);
    }
  });

  it('answers 416 with bytes */size when the range is unsatisfiable', async () => {
    for (const range of ['bytes=1000-', 'bytes=5000-6000', 'bytes=-0']) {
      const res = await download('home/data.bin', { range });
      expect(res.headers.get('content-range')).toBe('bytes */1000');
      expect(await errorCode(res)).toBe('416 range_not_satisfiable');
    }
    expect((await download('home/empty.txt', { range: 'bytes=0-' })).status).toBe(416);
  });

  it('ignores malformed and multi-range headers and stale If-Range', async () => {
    for (const range of ['bytes=abc', 'items=0-1', 'bytes=0-1,5-6', 'bytes=9-3']) {
      const res = await download('home/data.bin', { range });
      expect(res.status, range).toBe(200);
      await res.arrayBuffer();
    }
    const stale = await download('home/data.bin', { range: 'bytes=0-1', 'if-range': '"stale"' });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
    const etag = (await download('home/data.bin', {}, 'HEAD')).headers.get('etag') ?? '';
    const fresh = await download('home/data.bin', { range: 'bytes=0-1', 'if-range': etag });
    expect(fresh.status).toBe(206);
    await fresh.arrayBuffer();
  });

  it('answers HEAD with headers only, and empty files with an empty body', async () => {
    const head = await download('home/data.bin', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('1000');
    const empty = await download('home/empty.txt');
    expect(empty.headers.get('content-length')).toBe('0');
    expect(await empty.text()).toBe('');
  });

  it('names non-ASCII files with RFC 5987 filename*', async () => {
    const res = await download('home/résumé 2024.pdf');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="r_sum_ 2024.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%202024.pdf`,
    );
    await res.arrayBuffer();
    expect(contentDisposition('a"b\\c%.txt')).toBe(
      `attachment; filename="a_b_c_.txt"; filename*=UTF-8''a%22b%5Cc%25.txt`,
    );
  });

  it('refuses folders, missing files and links out of the root', async () => {
    expect(await errorCode(await download('home/folder'))).toBe('400 bad_request');
    expect(await errorCode(await download('home/none'))).toBe('404 not_found');
    expect(await errorCode(await download('home/escape'))).toBe('403 path_outside_root');
  });

  it('parses ranges per RFC 9110', () => {
    expect(parseRange(undefined, 10)).toEqual({ kind: 'full' });
    expect(parseRange('bytes=0-0', 10)).toEqual({ kind: 'partial', start: 0, end: 0 });
    expect(parseRange('bytes=-3', 2)).toEqual({ kind: 'partial', start: 0, end: 1 });
    expect(parseRange('bytes=10-', 10)).toEqual({ kind: 'unsatisfiable' });
  });
});

describe('upload', () => {
  it('writes the file, returns its entry and leaves no temp file', async () => {
    const res = await upload('home/new.bin', content, { uploadId: 'u1' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'new.bin', path: 'home/new.bin', type: 'file', size: 1000 });
    expect((await readFile(path.join(home, 'new.bin'))).equals(content)).toBe(true);
    expect(await leftovers()).toEqual([]);
    expect(progress().at(-1)).toEqual({
      uploadId: 'u1',
      path: 'home/new.bin',
      receivedBytes: 1000,
      totalBytes: 1000,
      state: 'done',
    });
    expect(
      events.events.every((e) => e.topic === 'uploads' && e.kind === 'uploads' && e.options?.user === 'alice'),
    ).toBe(true);
  });

  it('answers 409 for an existing file unless overwrite, then replaces it', async () => {
    await writeFile(path.join(home, 'keep.txt'), 'original');
    expect(await errorCode(await upload('home/keep.txt', 'new'))).toBe('409 conflict');
    expect(await readFile(path.join(home, 'keep.txt'), 'utf8')).toBe('original');
    const res = await upload('home/keep.txt', 'replaced', { overwrite: 'true' });
    expect(res.status).toBe(200);
    expect(await readFile(path.join(home, 'keep.txt'), 'utf8')).toBe('replaced');
    expect(await errorCode(await upload('home/folder', 'x', { overwrite: 'true' }))).toBe('409 conflict');
    expect(await leftovers()).toEqual([]);
  });

  it('refuses a declared Content-Length over the limit before reading', async () => {
    const res = await upload('home/big.bin', new Uint8Array(LIMIT + 1), { uploadId: 'big' });
    expect(await errorCode(res)).toBe('413 payload_too_large');
    expect(await leftovers()).toEqual([]);
    expect(await readdir(home)).not.toContain('big.bin');
    expect(progress()).toEqual([
      {
        uploadId: 'big',
        path: 'home/big.bin',
        receivedBytes: 0,
        totalBytes: LIMIT + 1,
        state: 'failed',
        error: expect.stringContaining('limit'),
      },
    ]);
  });

  it('stops a chunked body that passes the limit mid-stream and removes the partial file', async () => {
    await writeFile(path.join(home, 'victim.bin'), 'keep me');
    const res = await upload('home/victim.bin', chunked(LIMIT * 3), { overwrite: 'true', uploadId: 'mid' }).catch(
      (e: unknown) => e,
    );
    if (res instanceof Response) expect(await errorCode(res)).toBe('413 payload_too_large');
    // Either way (a 413, or the socket closed under a client still sending) nothing is left over.
    await until(() => progress().some((p) => p.state === 'failed'));
    expect(await leftovers()).toEqual([]);
    expect(await readFile(path.join(home, 'victim.bin'), 'utf8')).toBe('keep me');
    const failed = progress().find((p) => p.state === 'failed');
    expect(failed?.totalBytes).toBeNull();
    expect(failed?.receivedBytes).toBeGreaterThan(LIMIT);
  });

  it('publishes throttled progress and a final done', async () => {
    const res = await upload('home/progress.bin', chunked(LIMIT), { uploadId: 'p1' });
    expect(res.status).toBe(200);
    const states = progress();
    const receiving = states.filter((p) => p.state === 'receiving');
    // The clock stands still, so only the 256 KiB step applies: 3 or 4 events for 1 MiB.
    expect(receiving.length).toBeGreaterThanOrEqual(3);
    expect(receiving.length).toBeLessThanOrEqual(4);
    expect(receiving.map((p) => p.receivedBytes)).toEqual(
      [...receiving.map((p) => p.receivedBytes)].sort((a, b) => a - b),
    );
    expect(states.at(-1)).toMatchObject({ state: 'done', receivedBytes: LIMIT, totalBytes: null });
  });

  it('publishes nothing without an uploadId', async () => {
    expect((await upload('home/quiet.bin', 'x')).status).toBe(200);
    expect(events.events).toEqual([]);
  });

  it('creates no parent folders and refuses mount and links out of the root', async () => {
    const missing = await upload('home/nofolder/x.bin', 'x');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain(
      'home/nofolder does not exist',
    );
    expect(await readdir(home)).not.toContain('nofolder');
    expect(await errorCode(await upload('mount/x.bin', 'x'))).toBe('403 read_only');
    expect(await errorCode(await upload('home/escape', 'x', { overwrite: 'true' }))).toBe('403 path_outside_root');
    expect(await readFile(path.join(base, 'outside.txt'), 'utf8')).toBe('outside');
  });

  it('removes the temp file when the client disconnects mid-upload', async () => {
    const abort = new AbortController();
    let receiving!: () => void;
    const serverReceiving = new Promise<void>((resolve) => (receiving = resolve));
    const origPublish = events.publish.bind(events);
    events.publish = (topic, kind, data, options) => {
      origPublish(topic, kind, data, options);
      if ((data as UploadProgress).state === 'receiving') receiving();
    };
    // Send 512 KiB, then hold the stream open until the server has reported progress.
    const body = chunked(LIMIT / 2 + 1, async (sent) => {
      if (sent > LIMIT / 2) await new Promise<void>(() => undefined);
    });
    const pending = upload('home/aborted.bin', body, { uploadId: 'ab' }, { signal: abort.signal }).catch(
      (e: unknown) => e,
    );
    await serverReceiving;
    expect((await leftovers()).length).toBe(1);
    abort.abort();
    await pending;
    await until(() => progress().some((p) => p.state === 'failed'));
    expect(await leftovers()).toEqual([]);
    expect(await readdir(home)).not.toContain('aborted.bin');
  });
});

/**
 * Waits for a condition the server reaches asynchronously, yielding to I/O between checks, for up
 * to 10 s of time (a count of event-loop turns ran out on a loaded CI machine before the server had
 * seen the client go).
 */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}
