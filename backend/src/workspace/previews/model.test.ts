import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type Preview } from '@aiplat/api';
import { tempWorkRoot, writeTree } from '../../../../testing/src/backend/fixtures.js';
import type { PathResolver } from '../pathResolver.js';
import { encodeSafetensors, f32Tensor, type TensorData } from '../safetensorsWriter.js';
import { previewPath } from './index.js';
import { summarizeHfConfig } from './model.js';

let resolver: PathResolver;
let cleanup: () => Promise<void>;
let base: string;

function i64(shape: number[]): TensorData {
  return { dtype: 'I64', shape, data: new Uint8Array(shape.reduce((a, b) => a * b, 1) * 8) };
}

const gpt2Config = {
  architectures: ['GPT2LMHeadModel'],
  model_type: 'gpt2',
  n_embd: 8,
  n_layer: 1,
  n_head: 2,
  vocab_size: 10,
  n_positions: 4,
  torch_dtype: 'float32',
};

beforeAll(async () => {
  const work = await tempWorkRoot();
  ({ resolver, cleanup, base } = work);
  const home = path.join(work.workRoot, 'home', 'alice');
  await writeTree(home, {
    'single/config.json': JSON.stringify(gpt2Config),
    'single/model.safetensors': encodeSafetensors(
      { 'wte.weight': f32Tensor([10, 8], (i) => i), 'ln.bias': f32Tensor([8], () => 0), pos_ids: i64([1, 4]) },
      { format: 'pt' },
    ),
    'single/README.md': '# tiny',
    'sharded/config.json': JSON.stringify({
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      hidden_size: 4,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      max_position_embeddings: 16,
      vocab_size: 6,
      dtype: 'bfloat16',
    }),
    'sharded/model-00001-of-00002.safetensors': encodeSafetensors({ 'a.weight': f32Tensor([6, 4], () => 1) }),
    'sharded/model-00002-of-00002.safetensors': encodeSafetensors({
      'b.weight': f32Tensor([4, 4], () => 1),
      'c.bias': f32Tensor([4], () => 1),
    }),
    'sharded/model.safetensors.index.json': JSON.stringify({
      metadata: { total_size: 176 },
      weight_map: {
        'a.weight': 'model-00001-of-00002.safetensors',
        'b.weight': 'model-00002-of-00002.safetensors',
        'c.bias': 'model-00002-of-00002.safetensors',
      },
    }),
    'lora/adapter_config.json': '{"r": 8}',
    'lora/adapter_model.safetensors': encodeSafetensors({ 'lora_A.weight': f32Tensor([8, 2], () => 0.1) }),
    'corrupt/model.safetensors': Buffer.concat([Buffer.from([0xff, 0xff, 0, 0, 0, 0, 0, 0]), Buffer.from('{}')]),
    'bad-config/config.json': '{"architectures": ["X"], ',
    'bad-config/model.safetensors': encodeSafetensors({ x: f32Tensor([1], [1]) }),
    'missing-shard/model.safetensors.index.json': JSON.stringify({ weight_map: { x: 'gone.safetensors' } }),
    'missing-shard/config.json': JSON.stringify(gpt2Config),
    'escaping-shard/model.safetensors.index.json': JSON.stringify({
      weight_map: { x: '../../../../secret.safetensors' },
    }),
    'escaping-shard/a.safetensors': encodeSafetensors({ x: f32Tensor([1], [1]) }),
    'project/config.json': '{"port": 8080}',
    'project/main.py': 'print(1)',
  });
  // A Hugging Face cache snapshot: files are symlinks to blobs inside the same root.
  await writeTree(home, {
    'hub/blobs/abc': encodeSafetensors({ w: f32Tensor([3, 3], () => 1) }),
    'hub/blobs/cfg': JSON.stringify(gpt2Config),
  });
  await mkdir(path.join(home, 'hub', 'snapshot'));
  await symlink('../blobs/abc', path.join(home, 'hub', 'snapshot', 'model.safetensors'));
  await symlink('../blobs/cfg', path.join(home, 'hub', 'snapshot', 'config.json'));
  await writeFile(path.join(base, 'outside.safetensors'), encodeSafetensors({ secret: f32Tensor([100], () => 1) }));
  await symlink(path.join(base, 'outside.safetensors'), path.join(home, 'hub', 'snapshot', 'leak.safetensors'));
});
afterAll(() => cleanup());

async function preview(apiPath: string, limit = 50): Promise<Preview> {
  return previewPath(await resolver.resolve('alice', `home/${apiPath}`, { access: 'read' }), { limit, maxBytes: 1024 });
}

async function failure(apiPath: string): Promise<ApiError> {
  const error = await preview(apiPath).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('model previews', () => {
  it('summarise a folder: config, files, tensors by name, dtypes and parameter count', async () => {
    const result = await preview('single', 2);
    if (result.kind !== 'model') throw new Error(result.kind);
    expect(result.config).toEqual({
      architectures: ['GPT2LMHeadModel'],
      modelType: 'gpt2',
      hiddenSize: 8,
      numLayers: 1,
      numAttentionHeads: 2,
      vocabSize: 10,
      maxPositionEmbeddings: 4,
      torchDtype: 'float32',
    });
    expect(result.files.map((f) => f.path)).toEqual(['README.md', 'config.json', 'model.safetensors']);
    expect(result.totalBytes).toBe(result.files.reduce((sum, f) => sum + f.size, 0));
    expect(result.tensors).toEqual([
      { name: 'ln.bias', dtype: 'F32', shape: [8], file: 'model.safetensors' },
      { name: 'pos_ids', dtype: 'I64', shape: [1, 4], file: 'model.safetensors' },
    ]);
    expect(result).toMatchObject({ tensorCount: 3, parameterCount: 80 + 8 + 4, dtypes: { F32: 2, I64: 1 } });
  });

  it('read every shard of a sharded model', async () => {
    const result = await preview('sharded');
    if (result.kind !== 'model') throw new Error(result.kind);
    expect(result.parameterCount).toBe(24 + 16 + 4);
    expect(result.tensors.map((t) => [t.name, t.file])).toEqual([
      ['a.weight', 'model-00001-of-00002.safetensors'],
      ['b.weight', 'model-00002-of-00002.safetensors'],
      ['c.bias', 'model-00002-of-00002.safetensors'],
    ]);
    expect(result.config).toMatchObject({
      architectures: ['LlamaForCausalLM'],
      hiddenSize: 4,
      numLayers: 2,
      maxPositionEmbeddings: 16,
      torchDtype: 'bfloat16',
    });
  });

  it('treat a folder with safetensors but no config as a model, and a single file too', async () => {
    const lora = await preview('lora');
    expect(lora).toMatchObject({ kind: 'model', parameterCount: 16, tensorCount: 1 });
    expect(lora).not.toHaveProperty('config');
    const file = await preview('single/model.safetensors');
    expect(file).toMatchObject({ kind: 'model', files: [{ path: 'model.safetensors' }], parameterCount: 92 });
  });

  it('follow Hugging Face cache symlinks inside the root, never outside', async () => {
    const result = await preview('hub/snapshot');
    if (result.kind !== 'model') throw new Error(result.kind);
    expect(result.files.map((f) => f.path)).toEqual(['config.json', 'model.safetensors']);
    expect(result.parameterCount).toBe(9);
    expect(result.config?.modelType).toBe('gpt2');
  });

  it('answer 400 for corrupt headers and configs, and for missing or escaping shards', async () => {
    expect((await failure('corrupt')).message).toMatch(
      /home\/corrupt\/model.safetensors is not a valid safetensors file: the header claims 65535 bytes/,
    );
    expect((await failure('corrupt/model.safetensors')).code).toBe('bad_request');
    expect((await failure('bad-config')).message).toMatch(/home\/bad-config\/config.json is not valid JSON/);
    expect((await failure('missing-shard')).message).toMatch(/lists gone.safetensors, which is missing/);
    expect((await failure('escaping-shard')).message).toMatch(/invalid shard/);
  });

  it('leave folders whose config.json is not a model config as directories', async () => {
    expect(await preview('project')).toEqual({ kind: 'directory', entryCount: 2 });
  });

  it('fall back to text_config for multimodal configs', () => {
    expect(
      summarizeHfConfig({
        architectures: ['LlavaForConditionalGeneration'],
        model_type: 'llava',
        text_config: { hidden_size: 4096, num_hidden_layers: 32 },
      }),
    ).toEqual({
      architectures: ['LlavaForConditionalGeneration'],
      modelType: 'llava',
      hiddenSize: 4096,
      numLayers: 32,
    });
  });
});
