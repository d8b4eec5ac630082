import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobYaml } from '@aiplat/api';
import { tempDir } from '../../../testing/src/backend/fixtures.js';
import { PYTHON } from '../../../testing/src/backend/jobs.js';
import { scanCatalog } from './catalog.js';
import { PathResolver } from './pathResolver.js';
import { previewPath } from './previews/index.js';
import { readSafetensorsHeader } from './safetensorsReader.js';
import { seedWorkRoot, TINY_GPT2_CONFIG } from './seed.js';
import { DDP_EXAMPLE_FOLDER } from './seedDdpExample.js';

let dir: string;
let cleanup: () => Promise<void>;
let workRoot: string;
let resolver: PathResolver;

/** GPT-2's parameter count from its config, worked out independently of the tensors written. */
function gpt2Parameters(c: typeof TINY_GPT2_CONFIG): number {
  const d = c.n_embd;
  const layer = 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + 2 * d + (d * 4 * d + 4 * d) + (4 * d * d + d);
  return c.vocab_size * d + c.n_positions * d + c.n_layer * layer + 2 * d;
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  workRoot = path.join(dir, 'work');
  resolver = new PathResolver(workRoot);
});
afterAll(() => cleanup());

async function preview(apiPath: string) {
  return previewPath(await resolver.resolve('alice', apiPath, { access: 'read' }), {
    limit: 1000,
    maxBytes: 64 * 1024,
  });
}

describe('seedWorkRoot', () => {
  it('creates the example files on a fresh work root', async () => {
    const { created } = await seedWorkRoot(workRoot, 'alice');
    expect(created).toEqual([
      'home/alice/',
      'home/alice/README.md',
      'home/alice/ddp-example/train.py',
      'home/alice/ddp-example/job.yaml',
      'cache/',
      'mount/datasets/alpaca-zh-mini/train.jsonl',
      'mount/datasets/iris/iris.csv',
      'mount/models/tiny-gpt2/config.json',
      'mount/models/tiny-gpt2/generation_config.json',
      'mount/models/tiny-gpt2/model.safetensors',
      'mount/models/tiny-gpt2/README.md',
    ]);
  });

  it('is idempotent and never overwrites', async () => {
    const readme = path.join(workRoot, 'home', 'alice', 'README.md');
    const trainPy = path.join(workRoot, 'home', 'alice', DDP_EXAMPLE_FOLDER, 'train.py');
    await writeFile(readme, 'my own notes');
    await writeFile(trainPy, 'print("my own training")\n');
    expect(await seedWorkRoot(workRoot, 'alice')).toEqual({ created: [], skipped: [] });
    expect(await readFile(readme, 'utf8')).toBe('my own notes');
    expect(await readFile(trainPy, 'utf8')).toBe('print("my own training")\n');
  });

  it("seeds the example DDP project into the user's home, with a job.yaml that runs it", async () => {
    const root = path.join(dir, 'bob-work');
    await seedWorkRoot(root, 'bob');
    const project = path.join(root, 'home', 'bob', DDP_EXAMPLE_FOLDER);
    const parsed = parseJobYaml(await readFile(path.join(project, 'job.yaml'), 'utf8'));
    if (!('spec' in parsed)) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.spec).toMatchObject({
      name: DDP_EXAMPLE_FOLDER,
      mode: 'ddp',
      nodes: 2,
      resources: { cpu: 1, memory: '1Gi', accelerator: { type: 'none', count: 0 } },
    });
    // Debian's torch 1.13 torchrun crashes at start without these flags (shared/RECIPES.md).
    expect(parsed.spec.command).toMatch(/^torchrun .*--redirects 2 --tee 2 --log_dir \S+ train\.py\n?$/s);
    // workingDir is an API path: home/<folder> is the user's home/<user>/<folder> on disk.
    const workingDir = await new PathResolver(root).resolve('bob', parsed.spec.workingDir ?? '', { access: 'read' });
    expect(workingDir.absPath).toBe(await realpath(project));
  });

  it.runIf(existsSync(PYTHON))('seeds a train.py that Python parses', async () => {
    const trainPy = path.join(dir, 'bob-work', 'home', 'bob', DDP_EXAMPLE_FOLDER, 'train.py');
    const check = 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])';
    await expect(promisify(execFile)(PYTHON, ['-c', check, trainPy])).resolves.toBeDefined();
  });

  it('writes a valid, 8-byte aligned safetensors file matching the config', async () => {
    const header = await readSafetensorsHeader(
      path.join(workRoot, 'mount/models/tiny-gpt2/model.safetensors'),
      'model.safetensors',
    );
    expect(header.headerBytes % 8).toBe(0);
    expect(header.metadata).toEqual({ format: 'pt' });
    expect(header.tensors).toHaveLength(4 + 12 * TINY_GPT2_CONFIG.n_layer);
    const wte = header.tensors.find((t) => t.name === 'transformer.wte.weight');
    expect(wte?.shape).toEqual([TINY_GPT2_CONFIG.vocab_size, TINY_GPT2_CONFIG.n_embd]);
    expect(header.fileBytes).toBe(8 + header.headerBytes + gpt2Parameters(TINY_GPT2_CONFIG) * 4);
  });

  it('gives a catalog of one model and two datasets', async () => {
    const items = await scanCatalog(resolver, 'alice');
    expect(items.map((i) => [i.kind, i.path, i.format])).toEqual([
      ['dataset', 'mount/datasets/alpaca-zh-mini', 'jsonl'],
      ['dataset', 'mount/datasets/iris', 'csv'],
      ['model', 'mount/models/tiny-gpt2', 'huggingface'],
    ]);
    expect(items[2]).toMatchObject({
      architecture: 'GPT2LMHeadModel',
      parameterCount: gpt2Parameters(TINY_GPT2_CONFIG),
      fileCount: 4,
    });
    expect(gpt2Parameters(TINY_GPT2_CONFIG)).toBe(59_520); // the figure its README gives
  });

  it('previews each seeded file as its kind', async () => {
    const alpaca = await preview('mount/datasets/alpaca-zh-mini/train.jsonl');
    expect(alpaca).toMatchObject({
      kind: 'json',
      format: 'jsonl',
      recordFormat: 'instruction',
      fields: ['instruction', 'input', 'output'],
      errors: [],
      truncated: false,
    });
    if (alpaca.kind !== 'json') throw new Error(alpaca.kind);
    expect(alpaca.records).toHaveLength(20);
    expect(JSON.stringify(alpaca.records)).toMatch(/[\u4e00-\u9fff]/);

    const iris = await preview('mount/datasets/iris/iris.csv');
    expect(iris).toMatchObject({
      kind: 'csv',
      delimiter: ',',
      header: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'],
      truncated: false,
    });
    if (iris.kind !== 'csv') throw new Error(iris.kind);
    expect(iris.rows).toHaveLength(150);
    expect(iris.rows[0]).toEqual(['5.1', '3.5', '1.4', '0.2', 'setosa']);
    expect(new Set(iris.rows.map((r) => r[4]))).toEqual(new Set(['setosa', 'versicolor', 'virginica']));

    const model = await preview('mount/models/tiny-gpt2');
    expect(model).toMatchObject({
      kind: 'model',
      config: {
        architectures: ['GPT2LMHeadModel'],
        modelType: 'gpt2',
        hiddenSize: 32,
        numLayers: 2,
        numAttentionHeads: 4,
        vocabSize: 1000,
        maxPositionEmbeddings: 64,
        torchDtype: 'float32',
      },
      parameterCount: 59_520,
      dtypes: { F32: 28 },
    });
    expect(await preview('mount/models/tiny-gpt2/model.safetensors')).toMatchObject({
      kind: 'model',
      parameterCount: 59_520,
    });
    expect(await preview('mount/models/tiny-gpt2/config.json')).toMatchObject({
      kind: 'json',
      format: 'json',
      records: [{ model_type: 'gpt2' }],
    });
    expect(await preview('mount/models/tiny-gpt2/generation_config.json')).toMatchObject({ kind: 'json' });
    expect(await preview('mount/models/tiny-gpt2/README.md')).toMatchObject({ kind: 'text', encoding: 'UTF-8' });
    expect(await preview('home/README.md')).toMatchObject({ kind: 'text', content: 'my own notes' });
    expect(await preview('cache')).toEqual({ kind: 'directory', entryCount: 0 });
  });
});
