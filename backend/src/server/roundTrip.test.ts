import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type UploadProgress } from '@aiplat/api';
import { rejection } from '../../../testing/src/backend/rejection.js';
import { startPlatform, TOKENS, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';

let f: PlatformFixture;
beforeAll(async () => {
  f = await startPlatform({ maxUploadBytes: 1024 * 1024 });
});
afterAll(() => f.close());

describe('round trip: the typed client against the real backend', () => {
  it('connects and checks the API version', async () => {
    const info = await f.client().connect();
    expect(info).toMatchObject({ apiVersion: '1.0', user: 'alice', engine: 'local' });
    expect(info.roots.map((r) => [r.name, r.writable])).toEqual([
      ['home', true],
      ['cache', true],
      ['mount', false],
    ]);
    const future = createClient({
      baseUrl: f.baseUrl,
      token: TOKENS.alice,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        const body = (await response.json()) as Record<string, unknown>;
        return new Response(JSON.stringify({ ...body, apiVersion: '2.0' }), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        });
      },
    });
    const mismatch = await rejection(future.connect());
    expect(mismatch.code).toBe('version_mismatch');
  });

  it('lists the roots and the seeded examples', async () => {
    const client = f.client();
    const top = await client.listFiles({ query: { path: '' } });
    expect(top.entries.map((e) => e.name)).toEqual(['cache', 'home', 'mount']);
    const datasets = await client.listFiles({ query: { path: 'mount/datasets' } });
    expect(datasets.entries.length).toBeGreaterThanOrEqual(2);
    const catalog = await client.catalog({ query: {} });
    const kinds = catalog.items.map((i) => i.kind);
    expect(kinds).toContain('dataset');
    expect(kinds).toContain('model');
    const model = catalog.items.find((i) => i.kind === 'model');
    expect(model?.parameterCount).toBeGreaterThan(0);
    const preview = await client.previewFile({ query: { path: model!.path } });
    expect(preview.kind).toBe('model');
  });

  it('uploads with progress events, downloads with Range, previews, renames and deletes', async () => {
    const client = f.client();
    const events = f.events();
    await events.ready();
    const progress: UploadProgress[] = [];
    events.subscribe('uploads', (e) => progress.push(e.data as UploadProgress));
    await new Promise((r) => setTimeout(r, 50));

    await client.makeDirectory({ body: { path: 'home/proj/data', parents: true } });
    const lines = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({ instruction: `q${i}`, input: '', output: `答${i}` }),
    ).join('\n');
    const data = new TextEncoder().encode(lines);
    const entry = await client.uploadFile({ query: { path: 'home/proj/data/train.jsonl', uploadId: 'rt-1' }, data });
    expect(entry).toMatchObject({ path: 'home/proj/data/train.jsonl', type: 'file', size: data.byteLength });
    for (let i = 0; i < 100 && !progress.some((p) => p.state === 'done'); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(progress.at(-1)).toMatchObject({ uploadId: 'rt-1', state: 'done', receivedBytes: data.byteLength });

    const ranged = await client.downloadFile(
      { query: { path: 'home/proj/data/train.jsonl' } },
      { headers: { range: 'bytes=0-9' } },
    );
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe(lines.slice(0, 10));
    const whole = await client.downloadFile({ query: { path: 'home/proj/data/train.jsonl' } });
    expect(await whole.text()).toBe(lines);

    const preview = await client.previewFile({ query: { path: 'home/proj/data/train.jsonl', limit: 5 } });
    expect(preview).toMatchObject({ kind: 'json', format: 'jsonl', recordFormat: 'instruction', truncated: true });
    if (preview.kind === 'json') expect(preview.records).toHaveLength(5);

    const moved = await client.renameFile({ body: { from: 'home/proj/data/train.jsonl', to: 'cache/train.jsonl' } });
    expect(moved.path).toBe('cache/train.jsonl');
    expect((await client.statFile({ query: { path: 'cache/train.jsonl' } })).size).toBe(data.byteLength);
    await client.deleteFile({ query: { path: 'cache/train.jsonl' } });
    expect((await rejection(client.statFile({ query: { path: 'cache/train.jsonl' } }))).code).toBe('not_found');
  });

  it('keeps homes apart and shares cache', async () => {
    await f.client('alice').uploadFile({ query: { path: 'home/mine.txt' }, data: 'alice only' });
    expect((await rejection(f.client('bob').statFile({ query: { path: 'home/mine.txt' } }))).code).toBe('not_found');
    await f.client('alice').uploadFile({ query: { path: 'cache/shared.txt' }, data: 'for all' });
    expect((await f.client('bob').statFile({ query: { path: 'cache/shared.txt' } })).size).toBe(7);
  });

  it('turns refusals into typed errors', async () => {
    const client = f.client();
    const readOnly = await rejection(client.uploadFile({ query: { path: 'mount/x.txt' }, data: 'x' }));
    expect(readOnly).toMatchObject({ code: 'read_only', status: 403 });
    const tooBig = await rejection(
      client.uploadFile({ query: { path: 'home/big.bin' }, data: new Uint8Array(1024 * 1024 + 1) }),
    );
    expect(tooBig).toMatchObject({ code: 'payload_too_large', status: 413 });
    expect((await rejection(client.statFile({ query: { path: 'home/big.bin' } }))).code).toBe('not_found');
    const outside = await rejection(client.listFiles({ query: { path: 'home/../../etc' } }));
    expect(outside.code).toBe('bad_request');
    const conflict = await rejection(client.uploadFile({ query: { path: 'home/mine.txt' }, data: 'again' }));
    expect(conflict.code).toBe('conflict');
  });
});
