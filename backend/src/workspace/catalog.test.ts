import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogItem } from '@aiplat/api';
import { pngBytes, tempWorkRoot, writeTree } from '../../../testing/src/backend/fixtures.js';
import { CatalogCache, scanCatalog } from './catalog.js';
import type { PathResolver } from './pathResolver.js';
import { encodeSafetensors, f32Tensor } from './safetensorsWriter.js';

let resolver: PathResolver;
let cleanup: () => Promise<void>;
let workRoot: string;

const weights = (n: number) => encodeSafetensors({ w: f32Tensor([n], () => 1) });

beforeAll(async () => {
  const work = await tempWorkRoot();
  ({ resolver, cleanup, workRoot } = work);
  await writeTree(workRoot, {
    'mount/datasets/alpaca/train.jsonl': '{"instruction":"a","output":"b"}\n',
    'mount/datasets/alpaca/eval.jsonl': '{"instruction":"c","output":"d"}\n',
    'mount/datasets/alpaca/README.md': '# Alpaca',
    'mount/datasets/pets/images/a.png': pngBytes(2, 2),
    'mount/datasets/pets/images/b.jpg': 'x',
    'mount/datasets/pets/images/c.png': pngBytes(2, 2),
    'mount/datasets/pets/labels.csv': 'file,label\n',
    'mount/datasets/loose-file.jsonl': '{}\n',
    'mount/models/gpt/config.json': JSON.stringify({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' }),
    'mount/models/gpt/model.safetensors': weights(12),
    'mount/models/broken/config.json': '{"architectures": ["X"]}',
    'mount/models/broken/model.safetensors': 'garbage!',
    'home/alice/models/my-lora/adapter_model.safetensors': weights(5),
    'home/alice/models/my-lora/adapter_config.json': '{}',
    'home/alice/datasets/wide/part-0.parquet': 'PAR1',
    'home/alice/datasets/wide/part-1.parquet': 'PAR1',
    'home/alice/datasets/wide/deep/er/and/deeper/part-2.parquet': 'PAR1',
    'home/alice/runs/sft/final/config.json': JSON.stringify({ model_type: 'llama' }),
    'home/alice/runs/sft/final/pytorch_model.bin': 'weights',
    'home/alice/a/b/c/too-deep/config.json': '{}',
    'home/alice/a/b/c/too-deep/model.safetensors': weights(1),
    'home/alice/.hidden/model/config.json': '{}',
    'home/alice/.hidden/model/model.bin': 'x',
    'home/bob/models/not-alices/model.safetensors': weights(3),
    'cache/checkpoints/step-100/config.json': JSON.stringify({ architectures: ['LlamaForCausalLM'] }),
    'cache/checkpoints/step-100/model.safetensors': weights(7),
    'outside/datasets/secret/data.csv': 'a,b\n',
  });
  // Symlinks: one leaving the root (ignored), one inside it (followed as the item's folder).
  await symlink(
    path.join(workRoot, 'outside', 'datasets', 'secret'),
    path.join(workRoot, 'mount', 'datasets', 'escape'),
  );
  await mkdir(path.join(workRoot, 'mount', 'shared', 'corpus'), { recursive: true });
  await writeFile(path.join(workRoot, 'mount', 'shared', 'corpus', 'text.txt'), 'hello');
  await symlink('../shared/corpus', path.join(workRoot, 'mount', 'datasets', 'corpus'));
  // A symlink inside an item is neither followed nor counted.
  await symlink('/etc', path.join(workRoot, 'mount', 'datasets', 'alpaca', 'etc-link'));
});
afterAll(() => cleanup());

function byPath(items: CatalogItem[]): Record<string, CatalogItem> {
  return Object.fromEntries(items.map((item) => [item.path, item]));
}

describe('scanCatalog', () => {
  it('lists datasets and models by convention across home, cache and mount', async () => {
    const items = await scanCatalog(resolver, 'alice');
    expect(items.map((i) => `${i.kind} ${i.path}`)).toEqual([
      'model cache/checkpoints/step-100',
      'dataset home/datasets/wide',
      'model home/models/my-lora',
      'model home/runs/sft/final',
      'dataset mount/datasets/alpaca',
      'dataset mount/datasets/corpus',
      'dataset mount/datasets/pets',
      'model mount/models/broken',
      'model mount/models/gpt',
    ]);
  });

  it('sizes items, picks their format and reads model headers', async () => {
    const items = byPath(await scanCatalog(resolver, 'alice'));
    expect(items['mount/datasets/alpaca']).toMatchObject({
      name: 'alpaca',
      root: 'mount',
      format: 'jsonl',
      fileCount: 3,
    });
    expect(items['mount/datasets/alpaca']?.sizeBytes).toBe(33 + 33 + 8);
    expect(items['mount/datasets/pets']).toMatchObject({ format: 'images', fileCount: 4 });
    expect(items['home/datasets/wide']).toMatchObject({ format: 'parquet', fileCount: 3, sizeBytes: 12 });
    expect(items['mount/datasets/corpus']).toMatchObject({ format: 'txt', fileCount: 1, sizeBytes: 5 });
    expect(items['mount/models/gpt']).toMatchObject({
      format: 'huggingface',
      architecture: 'GPT2LMHeadModel',
      parameterCount: 12,
    });
    expect(items['home/models/my-lora']).toMatchObject({ format: 'safetensors', parameterCount: 5 });
    expect(items['home/models/my-lora']).not.toHaveProperty('architecture');
    expect(items['home/runs/sft/final']).toMatchObject({ format: 'huggingface', architecture: 'llama' });
    expect(items['home/runs/sft/final']).not.toHaveProperty('parameterCount');
    expect(items['cache/checkpoints/step-100']).toMatchObject({
      root: 'cache',
      parameterCount: 7,
      architecture: 'LlamaForCausalLM',
    });
    // A corrupt header does not sink the scan: the item is listed without a parameter count.
    expect(items['mount/models/broken']).toMatchObject({ format: 'huggingface', architecture: 'X' });
    expect(items['mount/models/broken']).not.toHaveProperty('parameterCount');
    expect(Date.parse(items['mount/models/gpt']?.mtime ?? '')).not.toBeNaN();
  });

  it('filters by kind and marks walks cut at the file bound', async () => {
    const models = await scanCatalog(resolver, 'alice', { kind: 'model' });
    expect(models.every((i) => i.kind === 'model')).toBe(true);
    expect(models).toHaveLength(5);
    const bounded = byPath(await scanCatalog(resolver, 'alice', { kind: 'dataset', maxFilesPerItem: 2 }));
    expect(bounded['home/datasets/wide']).toMatchObject({ truncated: true, fileCount: 2 });
    expect(bounded['mount/datasets/corpus']).not.toHaveProperty('truncated');
  });
});

describe('CatalogCache', () => {
  it('reuses a scan within the TTL, per user, and rescans after it', async () => {
    let now = 1_000;
    const scans: string[] = [];
    const cache = new CatalogCache(resolver, {
      ttlMs: 100,
      now: () => now,
      scan: async (_resolver, user) => {
        scans.push(user);
        return [
          {
            kind: 'model',
            name: 'm',
            path: 'home/models/m',
            root: 'home',
            sizeBytes: 0,
            fileCount: 0,
            format: 'safetensors',
            mtime: new Date(0).toISOString(),
          },
        ];
      },
    });
    await Promise.all([cache.items('alice'), cache.items('alice')]);
    now += 99;
    expect(await cache.items('alice', 'dataset')).toEqual([]);
    expect(await cache.items('alice', 'model')).toHaveLength(1);
    await cache.items('bob');
    expect(scans).toEqual(['alice', 'bob']);
    now += 1;
    await cache.items('alice');
    expect(scans).toEqual(['alice', 'bob', 'alice']);
    cache.invalidate('alice');
    await cache.items('alice');
    expect(scans).toHaveLength(4);
  });

  it('does not keep a failed scan', async () => {
    let fail = true;
    const cache = new CatalogCache(resolver, {
      now: () => 0,
      scan: async () => {
        if (fail) throw new Error('disk on fire');
        return [];
      },
    });
    await expect(cache.items('alice')).rejects.toThrow('disk on fire');
    fail = false;
    expect(await cache.items('alice')).toEqual([]);
  });
});
