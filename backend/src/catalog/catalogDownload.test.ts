import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, AssetTask } from '@aiplat/api';
import { startPlatform, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';

/*
 * Download links through the real API, with the operator's allow list letting the backend reach a
 * local server: an archive fetched and extracted, and a slow download cancelled half-way.
 */

let fx: PlatformFixture;
let alice: ApiClient;
let server: http.Server;
let base: string;
let archive: Buffer;

beforeAll(async () => {
  fx = await startPlatform({
    seedExamples: false,
    catalog: {
      maxUploadBytes: 1024 ** 3,
      extract: { maxBytes: 1024 ** 3, maxEntries: 1000, maxRatio: 200 },
      download: { maxBytes: 1024 ** 3, allowHosts: ['127.0.0.1'], idleTimeoutMs: 10_000 },
    },
  });
  alice = fx.client('alice');
  const src = path.join(fx.dir, 'src');
  await mkdir(path.join(src, 'train'), { recursive: true });
  await writeFile(
    path.join(src, 'train/part-0.jsonl'),
    '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}\n',
  );
  execFileSync('tar', ['-czf', path.join(fx.dir, 'data.tar.gz'), '-C', src, 'train']);
  archive = await readFile(path.join(fx.dir, 'data.tar.gz'));
  server = http.createServer((req, res) => {
    if (req.url === '/data.tar.gz') {
      res.writeHead(200, { 'content-length': archive.length, 'content-type': 'application/gzip' });
      res.end(archive);
      return;
    }
    // /slow: 64 KiB every 50 ms, of a declared 100 MiB.
    res.writeHead(200, { 'content-length': 100 * 1024 * 1024 });
    const timer = setInterval(() => res.write(Buffer.alloc(64 * 1024)), 50);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await fx?.close();
});

async function until(task: AssetTask, done: (t: AssetTask) => boolean): Promise<AssetTask> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const now = await alice.getAssetTask({ params: { taskId: task.id } });
    if (done(now)) return now;
    if (Date.now() > deadline) throw new Error(`task never got there: ${JSON.stringify(now)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('download links', () => {
  it('fetches an archive into a dataset, extracted and checked', async () => {
    const dataset = await alice.createAsset({
      params: { kind: 'datasets' },
      body: { name: 'chat', annotationType: 'conversation' },
    });
    const task = await alice.importIntoAsset({
      params: { kind: 'datasets', id: dataset.id },
      body: { source: { type: 'url', url: `${base}/data.tar.gz` } },
    });
    const done = await until(task, (t) => t.state !== 'running');
    expect(done.state, done.message).toBe('succeeded');
    expect(done.records).toMatchObject({ recordsChecked: 1, badRecords: 0 });
    expect(await readdir(path.join(fx.workRoot, 'home/alice/datasets/chat/train'))).toEqual(['part-0.jsonl']);
  });

  it('cancels a download half-way: the version it was filling and the staging folder are gone', async () => {
    const model = await alice.createAsset({ params: { kind: 'models' }, body: { name: 'slow' } });
    const task = await alice.importIntoAsset({
      params: { kind: 'models', id: model.id },
      body: { source: { type: 'url', url: `${base}/slow` } },
    });
    const moving = await until(task, (t) => t.bytesDone > 0);
    expect(moving).toMatchObject({ phase: 'downloading', bytesTotal: 100 * 1024 * 1024, version: 'v1' });
    expect((await alice.getAsset({ params: { kind: 'models', id: model.id } })).versions[0]?.state).toBe('importing');
    const cancelled = await alice.cancelAssetTask({ params: { taskId: task.id } });
    expect(cancelled.state).toBe('cancelled');
    expect((await alice.getAsset({ params: { kind: 'models', id: model.id } })).versions).toEqual([]);
    expect(await readdir(path.join(fx.workRoot, 'home/alice/.catalog/.staging'))).toEqual([]);
  });
});
