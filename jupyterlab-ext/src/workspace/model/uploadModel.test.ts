import { createEventSocket, type EventSocket, type WebSocketLike } from '@aiplat/api';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startRealBackend, type RealBackend } from '../../../../testing/src/realBackend.js';
import { UploadModel, uploadFraction } from './uploadModel.js';

let backend: RealBackend;
let events: EventSocket;
beforeAll(async () => {
  backend = await startRealBackend();
  events = createEventSocket({
    baseUrl: backend.url,
    token: backend.token,
    createWebSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as WebSocketLike,
  });
  await events.ready();
});
afterAll(async () => {
  events?.close();
  await backend?.close();
});

describe('UploadModel against the real backend', () => {
  it('uploads a file, reporting the bytes the server received on the uploads topic', async () => {
    let n = 0;
    const model = new UploadModel({ client: backend.client(), events }, { newId: () => `t${n++}` });
    const size = 3 * 1024 * 1024;
    const bytes = new Uint8Array(size).map((_, i) => i % 251);
    const fractions: number[] = [];
    const uploaded: string[] = [];
    model.changed.connect(() => fractions.push(uploadFraction(model.items[0]!)));
    model.uploaded.connect((_, entry) => uploaded.push(entry.path));

    const item = await model.upload(new Blob([bytes]), 'home', 'big.bin');

    expect(item).toMatchObject({
      id: 't0',
      path: 'home/big.bin',
      state: 'done',
      receivedBytes: size,
      totalBytes: size,
    });
    expect(item.entry).toMatchObject({ path: 'home/big.bin', size });
    expect(uploaded).toEqual(['home/big.bin']);
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.some((f) => f > 0 && f < 1)).toBe(true);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    const written = await readFile(path.join(backend.workRoot, 'home', 'alice', 'big.bin'));
    expect(written.equals(Buffer.from(bytes))).toBe(true);
    model.dispose();
  });

  it('fails with the backend’s message: an existing file, a read-only root, no connection', async () => {
    const model = new UploadModel({ client: backend.client() });
    await model.upload(new Blob(['a']), 'home', 'twice.txt');
    const again = await model.upload(new Blob(['b']), 'home', 'twice.txt');
    expect(again.state).toBe('failed');
    expect(again.error).toEqual({
      code: 'conflict',
      message: 'home/twice.txt already exists; pass overwrite=true to replace it',
    });
    expect(model.canReplace(again)).toBe(true);
    const replaced = await model.replace(again.id);
    expect(replaced?.state).toBe('done');
    expect(await readFile(path.join(backend.workRoot, 'home', 'alice', 'twice.txt'), 'utf8')).toBe('b');
    expect(model.items.map((i) => i.id)).not.toContain(again.id);

    const readOnly = await model.upload(new Blob(['x']), 'mount/datasets', 'x.txt');
    expect(readOnly.state).toBe('failed');
    expect(readOnly.error?.code).toBe('read_only');
    expect(readOnly.error?.message).not.toContain('\n');
    expect(model.canReplace(readOnly)).toBe(false);

    expect(model.items.map((i) => i.state)).toEqual(['done', 'done', 'failed']);
    model.clearFinished();
    expect(model.items).toEqual([]);

    const offline = new UploadModel({ client: undefined });
    expect((await offline.upload(new Blob(['x']), 'home', 'y.txt')).error?.code).toBe('not_connected');
    model.dispose();
    offline.dispose();
  });
});
