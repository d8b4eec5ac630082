import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DDP_EXAMPLE_FOLDER, DDP_EXAMPLE_JOB_YAML, DDP_EXAMPLE_TRAIN_PY } from './seedDdpExample.js';
import { ALPACA_ZH_MINI_RECORDS, IRIS_CSV } from './seedData.js';
import { encodeSafetensors, f32Tensor, type TensorData } from './safetensorsWriter.js';
import { seededRandom } from '../random/seededRandom.js';

/** A GPT-2 shaped model small enough to ship: 2 layers, 32-wide, a 1,000-token vocabulary. */
export const TINY_GPT2_CONFIG = {
  activation_function: 'gelu_new',
  architectures: ['GPT2LMHeadModel'],
  attn_pdrop: 0.1,
  bos_token_id: 999,
  embd_pdrop: 0.1,
  eos_token_id: 999,
  initializer_range: 0.02,
  layer_norm_epsilon: 1e-5,
  model_type: 'gpt2',
  n_ctx: 64,
  n_embd: 32,
  n_head: 4,
  n_inner: null,
  n_layer: 2,
  n_positions: 64,
  reorder_and_upcast_attn: false,
  resid_pdrop: 0.1,
  scale_attn_by_inverse_layer_idx: false,
  scale_attn_weights: true,
  summary_activation: null,
  summary_first_dropout: 0.1,
  summary_proj_to_labels: true,
  summary_type: 'cls_index',
  summary_use_proj: true,
  torch_dtype: 'float32',
  transformers_version: '4.44.2',
  use_cache: true,
  vocab_size: 1000,
} as const;

const TINY_GPT2_GENERATION_CONFIG = {
  _from_model_config: true,
  bos_token_id: 999,
  eos_token_id: 999,
  max_new_tokens: 32,
  do_sample: true,
  temperature: 0.8,
  top_p: 0.95,
  transformers_version: '4.44.2',
};

/**
 * The tensors of GPT2LMHeadModel as `save_pretrained` writes them (the LM head is tied to `wte`
 * and not stored): normal(0, 0.02) weights from a fixed seed, LayerNorm weights 1, biases 0.
 */
export function tinyGpt2Tensors(): Record<string, TensorData> {
  const { n_embd: d, n_layer: layers, n_positions: positions, vocab_size: vocab } = TINY_GPT2_CONFIG;
  const random = seededRandom(20240601);
  const normal = (std: number) => () => std * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const ones = () => 1;
  const zeros = () => 0;
  const tensors: Record<string, TensorData> = {
    'transformer.wte.weight': f32Tensor([vocab, d], normal(0.02)),
    'transformer.wpe.weight': f32Tensor([positions, d], normal(0.01)),
    'transformer.ln_f.weight': f32Tensor([d], ones),
    'transformer.ln_f.bias': f32Tensor([d], zeros),
  };
  for (let i = 0; i < layers; i++) {
    const p = `transformer.h.${i}`;
    Object.assign(tensors, {
      [`${p}.ln_1.weight`]: f32Tensor([d], ones),
      [`${p}.ln_1.bias`]: f32Tensor([d], zeros),
      [`${p}.attn.c_attn.weight`]: f32Tensor([d, 3 * d], normal(0.02)),
      [`${p}.attn.c_attn.bias`]: f32Tensor([3 * d], zeros),
      [`${p}.attn.c_proj.weight`]: f32Tensor([d, d], normal(0.02)),
      [`${p}.attn.c_proj.bias`]: f32Tensor([d], zeros),
      [`${p}.ln_2.weight`]: f32Tensor([d], ones),
      [`${p}.ln_2.bias`]: f32Tensor([d], zeros),
      [`${p}.mlp.c_fc.weight`]: f32Tensor([d, 4 * d], normal(0.02)),
      [`${p}.mlp.c_fc.bias`]: f32Tensor([4 * d], zeros),
      [`${p}.mlp.c_proj.weight`]: f32Tensor([4 * d, d], normal(0.02)),
      [`${p}.mlp.c_proj.bias`]: f32Tensor([d], zeros),
    });
  }
  return tensors;
}

const TINY_GPT2_README = `# tiny-gpt2

A GPT-2 shaped language model small enough to ship with the platform: 2 layers, hidden size 32,
4 attention heads, 64 positions, a 1,000-token vocabulary — 59,520 float32 parameters.

Its weights are **random** (normal, std 0.02, from a fixed seed): it generates noise. It is here to
try the platform end to end — the catalog, the model preview, loading with 🤗 Transformers
(\`GPT2LMHeadModel.from_pretrained("/work/mount/models/tiny-gpt2")\`) and short training runs —
without downloading anything. There is no tokenizer: feed it token ids below 1,000.

Files: \`config.json\` (Hugging Face GPT-2 config), \`model.safetensors\` (weights),
\`generation_config.json\` (sampling defaults).
`;

function homeReadme(user: string): string {
  return `# Welcome, ${user}

Everything the platform shows lives under /work, in three roots:

| Root | On the platform | What it is for |
| --- | --- | --- |
| \`home/\` | /work/home/${user} | Your own files: notebooks, scripts, datasets and models you make. Only you see it. |
| \`cache/\` | /work/cache | Shared scratch space: downloads, checkpoints, intermediate outputs. Can be cleaned up. |
| \`mount/\` | /work/mount | Read-only data provided to everyone. Copy to home or cache to change it. |

Datasets and models are found by convention: any folder directly under \`datasets/\` or
\`models/\` at the top of a root (for example \`mount/datasets/iris\`, \`home/models/my-lora\`)
appears in the catalog, as does any folder with a \`config.json\` and weights a few levels down.

To start, look at the examples: \`mount/datasets/alpaca-zh-mini\` (instruction tuning, JSONL),
\`mount/datasets/iris\` (CSV) and \`mount/models/tiny-gpt2\` (a tiny random GPT-2), and train
\`${DDP_EXAMPLE_FOLDER}/\` here in your home: a 2-node PyTorch DDP job (\`train.py\` and its
\`job.yaml\`) that runs on CPU in seconds — \`aiplat submit -f job.yaml --follow\`.
`;
}

export interface SeedResult {
  /** Paths created, relative to the work root (folders end with `/`). */
  created: string[];
  /** Paths that could not be written (a read-only mount, say), with the reason. */
  skipped: string[];
}

const UNWRITABLE = new Set(['EROFS', 'EACCES', 'EPERM']);

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Fills a fresh work root with example data: the user's home README and an example DDP project in
 * it, the cache folder, and under mount an instruction dataset, the Iris CSV and a tiny GPT-2. Only what is absent is created —
 * existing files are never overwritten (nor followed, if they are symlinks) — so it is safe on
 * every start. A read-only location is skipped, not fatal.
 */
export async function seedWorkRoot(workRoot: string, user: string): Promise<SeedResult> {
  const result: SeedResult = { created: [], skipped: [] };

  const ensureDir = async (relative: string) => {
    try {
      // mkdir -p answers undefined when the folder was already there.
      if (await mkdir(path.join(workRoot, relative), { recursive: true })) result.created.push(`${relative}/`);
    } catch (e) {
      if (!UNWRITABLE.has(errno(e) ?? '')) throw e;
      result.skipped.push(`${relative}/ (${errno(e)})`);
    }
  };

  const ensureFile = async (relative: string, content: () => string | Uint8Array) => {
    const target = path.join(workRoot, relative);
    try {
      await mkdir(path.dirname(target), { recursive: true });
      // 'wx' is O_CREAT|O_EXCL: fails on anything already there, a dangling symlink included.
      await writeFile(target, content(), { flag: 'wx' });
      result.created.push(relative);
    } catch (e) {
      if (errno(e) === 'EEXIST') return;
      if (UNWRITABLE.has(errno(e) ?? '')) {
        result.skipped.push(`${relative} (${errno(e)})`);
        return;
      }
      throw e;
    }
  };

  await ensureDir(path.posix.join('home', user));
  await ensureFile(path.posix.join('home', user, 'README.md'), () => homeReadme(user));
  const project = path.posix.join('home', user, DDP_EXAMPLE_FOLDER);
  await ensureFile(`${project}/train.py`, () => DDP_EXAMPLE_TRAIN_PY);
  await ensureFile(`${project}/job.yaml`, () => DDP_EXAMPLE_JOB_YAML);
  await ensureDir('cache');

  await ensureFile(
    'mount/datasets/alpaca-zh-mini/train.jsonl',
    () => ALPACA_ZH_MINI_RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n',
  );
  await ensureFile('mount/datasets/iris/iris.csv', () => IRIS_CSV);

  const model = 'mount/models/tiny-gpt2';
  await ensureFile(`${model}/config.json`, () => JSON.stringify(TINY_GPT2_CONFIG, null, 2) + '\n');
  await ensureFile(
    `${model}/generation_config.json`,
    () => JSON.stringify(TINY_GPT2_GENERATION_CONFIG, null, 2) + '\n',
  );
  await ensureFile(`${model}/model.safetensors`, () => encodeSafetensors(tinyGpt2Tensors(), { format: 'pt' }));
  await ensureFile(`${model}/README.md`, () => TINY_GPT2_README);

  return result;
}
