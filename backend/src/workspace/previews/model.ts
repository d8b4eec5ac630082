import { opendir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ApiError, type Preview, type TensorInfo } from '@aiplat/api';
import { statConfined } from '../confinedFs.js';
import { isInside } from '../pathResolver.js';
import { elementCount, readSafetensorsHeader } from '../safetensorsReader.js';

export type ModelPreview = Extract<Preview, { kind: 'model' }>;
export type ModelConfigSummary = NonNullable<ModelPreview['config']>;

export const HF_CONFIG_FILE = 'config.json';
export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';
/** config.json and index files above this are refused (real ones are kilobytes). */
export const MAX_MODEL_JSON_BYTES = 16 * 1024 * 1024;
/** At most this many files of a model folder are listed. */
export const MAX_MODEL_FILES = 10_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstNumber(sources: Record<string, unknown>[], keys: string[]): number | undefined {
  for (const source of sources) {
    for (const key of keys) {
      const value = source[key];
      if (typeof value === 'number' && Number.isFinite(value)) return value;
    }
  }
  return undefined;
}

function firstString(sources: Record<string, unknown>[], keys: string[]): string | undefined {
  for (const source of sources) {
    for (const key of keys) {
      const value = source[key];
      if (typeof value === 'string') return value;
    }
  }
  return undefined;
}

/**
 * The fields of a Hugging Face config.json worth showing, under their GPT-2 names too
 * (`n_layer`, `n_head`, `n_embd`, `n_positions`). Multimodal configs keep the language model's
 * numbers in `text_config`, used when the top level lacks them.
 */
export function summarizeHfConfig(config: Record<string, unknown>): ModelConfigSummary {
  const sources = isRecord(config.text_config) ? [config, config.text_config] : [config];
  const architectures = Array.isArray(config.architectures)
    ? config.architectures.filter((a): a is string => typeof a === 'string')
    : [];
  const summary: ModelConfigSummary = { architectures };
  const set = <K extends keyof ModelConfigSummary>(key: K, value: ModelConfigSummary[K] | undefined) => {
    if (value !== undefined) summary[key] = value;
  };
  set('modelType', firstString([config], ['model_type']));
  set('hiddenSize', firstNumber(sources, ['hidden_size', 'n_embd', 'd_model']));
  set('numLayers', firstNumber(sources, ['num_hidden_layers', 'n_layer', 'num_layers']));
  set('numAttentionHeads', firstNumber(sources, ['num_attention_heads', 'n_head']));
  set('vocabSize', firstNumber(sources, ['vocab_size']));
  set('maxPositionEmbeddings', firstNumber(sources, ['max_position_embeddings', 'n_positions', 'n_ctx']));
  set('torchDtype', firstString(sources, ['torch_dtype', 'dtype']));
  return summary;
}

/**
 * Reads a small JSON object file of a model folder (`absPath` already confined to its root); a bad
 * one is a 400 naming it.
 */
export async function readModelJson(absPath: string, label: string): Promise<Record<string, unknown>> {
  const { size } = await stat(absPath);
  if (size > MAX_MODEL_JSON_BYTES)
    throw new ApiError(
      'bad_request',
      `${label} is ${size} bytes, above the ${MAX_MODEL_JSON_BYTES / 1024 / 1024} MiB bound`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(absPath, 'utf8'));
  } catch (e) {
    throw new ApiError('bad_request', `${label} is not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(parsed)) throw new ApiError('bad_request', `${label} is not a JSON object`);
  return parsed;
}

export interface FolderTop {
  entryCount: number;
  hasConfig: boolean;
  hasSafetensors: boolean;
}

/** Counts a folder's entries and notes the model files among them, streaming the listing. */
export async function scanFolderTop(dirAbs: string): Promise<FolderTop> {
  const top: FolderTop = { entryCount: 0, hasConfig: false, hasSafetensors: false };
  for await (const entry of await opendir(dirAbs)) {
    top.entryCount++;
    if (entry.name === HF_CONFIG_FILE) top.hasConfig = true;
    if (entry.name.endsWith('.safetensors')) top.hasSafetensors = true;
  }
  return top;
}

/**
 * A model folder holds `*.safetensors` files, or a config.json that is a Hugging Face model
 * config (it names `architectures` or a `model_type`) — so a project folder with some other
 * config.json stays a folder.
 */
export async function isModelFolder(dirAbs: string, rootDir: string, top: FolderTop): Promise<boolean> {
  if (top.hasSafetensors) return true;
  if (!top.hasConfig) return false;
  const entry = await statConfined(path.join(dirAbs, HF_CONFIG_FILE), rootDir);
  if (!entry?.stats.isFile()) return false;
  try {
    const config = await readModelJson(entry.realPath, HF_CONFIG_FILE);
    return Array.isArray(config.architectures) || typeof config.model_type === 'string';
  } catch {
    return false;
  }
}

export interface WeightsSummary {
  tensors: TensorInfo[];
  parameterCount: number;
  dtypes: Record<string, number>;
}

async function summarizeWeights(shards: { file: string; absPath: string }[], label: string): Promise<WeightsSummary> {
  const tensors: TensorInfo[] = [];
  let parameterCount = 0;
  const dtypes: Record<string, number> = {};
  for (const shard of shards) {
    const header = await readSafetensorsHeader(shard.absPath, `${label}/${shard.file}`);
    for (const tensor of header.tensors) {
      tensors.push({ name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, file: shard.file });
      parameterCount += elementCount(tensor.shape);
      dtypes[tensor.dtype] = (dtypes[tensor.dtype] ?? 0) + 1;
    }
  }
  tensors.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { tensors, parameterCount, dtypes };
}

/** The shard files named by a `model.safetensors.index.json`, each confined to the folder. */
async function indexedShards(
  dirAbs: string,
  indexAbs: string,
  rootDir: string,
  label: string,
): Promise<{ file: string; absPath: string }[]> {
  const index = await readModelJson(indexAbs, `${label}/${SAFETENSORS_INDEX_FILE}`);
  if (!isRecord(index.weight_map))
    throw new ApiError('bad_request', `${label}/${SAFETENSORS_INDEX_FILE} has no weight_map`);
  const files = [...new Set(Object.values(index.weight_map))].sort();
  const shards: { file: string; absPath: string }[] = [];
  for (const file of files) {
    if (typeof file !== 'string' || file === '' || path.isAbsolute(file) || file.split(/[\\/]/).includes('..')) {
      throw new ApiError(
        'bad_request',
        `${label}/${SAFETENSORS_INDEX_FILE} names an invalid shard ${JSON.stringify(file)}`,
      );
    }
    // The shard may sit in a subfolder: realpath the whole path, not just its last link.
    let real: string;
    try {
      real = await realpath(path.join(dirAbs, file));
    } catch {
      throw new ApiError('bad_request', `${label}/${SAFETENSORS_INDEX_FILE} lists ${file}, which is missing`);
    }
    if (!isInside(real, rootDir))
      throw new ApiError('path_outside_root', `${label}/${file} leads outside its root through a symlink`);
    if (!(await stat(real)).isFile()) throw new ApiError('bad_request', `${label}/${file} is not a file`);
    shards.push({ file, absPath: real });
  }
  return shards;
}

export interface ModelFile {
  /** Name inside the folder. */
  path: string;
  size: number;
  /** Where it really is (a symlink resolved, inside the root). */
  absPath: string;
}

/**
 * The files at the top of a model folder, sorted by name; symlinks are followed only inside the
 * root (as in the Hugging Face cache, whose snapshot files link to blobs).
 */
export async function listModelFiles(dirAbs: string, rootDir: string): Promise<ModelFile[]> {
  const files: ModelFile[] = [];
  for await (const entry of await opendir(dirAbs)) {
    if (files.length >= MAX_MODEL_FILES) break;
    const confined = await statConfined(path.join(dirAbs, entry.name), rootDir);
    if (confined?.stats.isFile())
      files.push({ path: entry.name, size: confined.stats.size, absPath: confined.realPath });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The config.json summary of a model folder, when it has one. */
export async function readFolderConfig(
  files: readonly ModelFile[],
  label: string,
): Promise<ModelConfigSummary | undefined> {
  const configFile = files.find((f) => f.path === HF_CONFIG_FILE);
  return configFile
    ? summarizeHfConfig(await readModelJson(configFile.absPath, `${label}/${HF_CONFIG_FILE}`))
    : undefined;
}

/**
 * Every safetensors header of a model folder: the shards of `model.safetensors.index.json` when
 * there is one, else each `*.safetensors` at the top. Weights are never loaded.
 */
export async function readFolderWeights(
  dirAbs: string,
  rootDir: string,
  files: readonly ModelFile[],
  label: string,
): Promise<WeightsSummary> {
  const indexFile = files.find((f) => f.path === SAFETENSORS_INDEX_FILE);
  const shards = indexFile
    ? await indexedShards(dirAbs, indexFile.absPath, rootDir, label)
    : files.filter((f) => f.path.endsWith('.safetensors')).map((f) => ({ file: f.path, absPath: f.absPath }));
  return summarizeWeights(shards, label);
}

/**
 * Summarises a model folder: its files with sizes, the config.json summary and the safetensors
 * headers. `label` (the API path) names the folder in errors.
 */
export async function previewModelFolder(
  dirAbs: string,
  rootDir: string,
  label: string,
  limit: number,
): Promise<ModelPreview> {
  const files = await listModelFiles(dirAbs, rootDir);
  const config = await readFolderConfig(files, label);
  const weights = await readFolderWeights(dirAbs, rootDir, files, label);
  return {
    kind: 'model',
    ...(config ? { config } : {}),
    files: files.map((f) => ({ path: f.path, size: f.size })),
    tensors: weights.tensors.slice(0, limit),
    tensorCount: weights.tensors.length,
    parameterCount: weights.parameterCount,
    dtypes: weights.dtypes,
    totalBytes: files.reduce((sum, f) => sum + f.size, 0),
  };
}

/** Summarises one `.safetensors` file from its header. */
export async function previewSafetensorsFile(fileAbs: string, label: string, limit: number): Promise<ModelPreview> {
  const file = path.basename(fileAbs);
  const weights = await summarizeWeights([{ file, absPath: fileAbs }], path.posix.dirname(label));
  const { size } = await stat(fileAbs);
  return {
    kind: 'model',
    files: [{ path: file, size }],
    tensors: weights.tensors.slice(0, limit),
    tensorCount: weights.tensors.length,
    parameterCount: weights.parameterCount,
    dtypes: weights.dtypes,
    totalBytes: size,
  };
}
