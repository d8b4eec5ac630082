import { createClient } from '@aiplat/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealBackend, type RealBackend } from '../../../../testing/src/realBackend.js';
import { CatalogModel } from './catalogModel.js';

let backend: RealBackend;
beforeAll(async () => {
  backend = await startRealBackend();
});
afterAll(() => backend?.close());

describe('CatalogModel against the real backend', () => {
  it('lists the seeded datasets', async () => {
    const model = new CatalogModel({ client: backend.client() }, 'dataset');
    const seen: boolean[] = [];
    model.changed.connect(() => seen.push(model.loading));
    expect(model.loaded).toBe(false);
    await model.refresh();
    expect(seen).toEqual([true, false]);
    expect(model.loaded).toBe(true);
    expect(model.items.map((i) => [i.name, i.format, i.path])).toEqual([
      ['alpaca-zh-mini', 'jsonl', 'mount/datasets/alpaca-zh-mini'],
      ['iris', 'csv', 'mount/datasets/iris'],
    ]);
    model.dispose();
  });

  it('lists the seeded model with its architecture and parameter count', async () => {
    const model = new CatalogModel({ client: backend.client() }, 'model');
    await model.refresh();
    expect(model.items).toHaveLength(1);
    expect(model.items[0]).toMatchObject({
      kind: 'model',
      name: 'tiny-gpt2',
      architecture: 'GPT2LMHeadModel',
      parameterCount: 59520,
    });
    model.dispose();
  });

  it('says why it has nothing: not connected, or the server’s message', async () => {
    const offline = new CatalogModel({ client: undefined }, 'model');
    await offline.refresh();
    expect(offline.error?.code).toBe('not_connected');

    const wrongToken = new CatalogModel({ client: createClient({ baseUrl: backend.url, token: 'wrong' }) }, 'model');
    await wrongToken.refresh();
    expect(wrongToken.error?.code).toBe('unauthorized');
    expect(wrongToken.error?.message).not.toMatch(/\n|at .*\.ts/);
    expect(wrongToken.items).toEqual([]);
    offline.dispose();
    wrongToken.dispose();
  });
});
