import { lstat, opendir } from 'node:fs/promises';
import path from 'node:path';
import type { CatalogItem, RootName } from '@aiplat/api';
import { statConfined } from './confinedFs.js';
import { ROOT_NAMES, type PathResolver } from './pathResolver.js';
import { HF_CONFIG_FILE, listModelFiles, readFolderConfig, readFolderWeights } from './previews/model.js';

/*
 * The catalog convention — what counts as a dataset or a model:
 *
 * 1. Any folder directly under a `datasets/` or `models/` folder at the top of a root is an item
 *    of that kind: `mount/datasets/alpaca-mini` is a dataset, `home/models/my-lora` a model.
 *    (`datasets` / `models` may themselves be symlinks, followed only inside the root.)
 * 2. Additionally, any folder up to DISCOVERY_DEPTH levels below a root that holds a `config.json`
 *    and weights (`*.safetensors` or `*.bin`) is a model, wherever it is: `cache/runs/sft-1/final`.
 *    Discovery skips dot-folders and `node_modules`, follows no symlinks and stops descending at
 *    a model folder.
 *
 * The roots are the user's home, the shared cache and the read-only mount. Each item's size and
 * file count come from a walk that follows no symlinks and stops at MAX_ITEM_FILES files (the item
 * is then marked `truncated`). Scans are costly, so CatalogCache keeps one for CATALOG_TTL_MS.
 */

export type CatalogKind = CatalogItem['kind'];

export const CATALOG_CONTAINERS: Readonly<Record<string, CatalogKind>> = { datasets: 'dataset', models: 'model' };
export const DISCOVERY_DEPTH = 3;
/** Folders read at most while discovering models (per root). */
export const MAX_DISCOVERY_DIRS = 5_000;
export const MAX_ITEM_FILES = 100_000;
export const CATALOG_TTL_MS = 30_000;

const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'svg', 'tif', 'tiff']);
const COMPRESSION_EXTENSIONS = new Set(['gz', 'zst', 'bz2', 'xz']);
/** Files that describe a dataset rather than hold it: left out when picking its format. */
const DATASET_SIDE_FILES =
  /^(readme|license|licence|changelog|dataset_info\.json$|dataset_dict\.json$|state\.json$)|\.(md|txt\.md)$/i;
const WEIGHT_FILE = /\.(safetensors|bin)$/;

export interface ScanOptions {
  kind?: CatalogKind;
  /** Bound of the per-item walk (tests lower it). */
  maxFilesPerItem?: number;
}

interface Candidate {
  kind: CatalogKind;
  root: RootName;
  rootDir: string;
  /** The API path as the user sees it (through symlinked containers). */
  apiPath: string;
  realPath: string;
}

interface WalkSummary {
  sizeBytes: number;
  fileCount: number;
  mtimeMs: number;
  truncated: boolean;
  /** File count per format key (`jsonl`, `images`, …), side files left out. */
  formats: Map<string, number>;
  hasConfig: boolean;
  hasSafetensors: boolean;
}

function formatKey(name: string): string | undefined {
  if (name.startsWith('.') || DATASET_SIDE_FILES.test(name)) return undefined;
  const parts = name.toLowerCase().split('.');
  if (parts.length < 2) return undefined;
  const last = parts[parts.length - 1] as string;
  if (IMAGE_EXTENSIONS.has(last)) return 'images';
  if (COMPRESSION_EXTENSIONS.has(last) && parts.length > 2) return `${parts[parts.length - 2]}.${last}`;
  return last;
}

/** Sizes a folder without following symlinks, stopping at `maxFiles` files. */
async function walkItem(dir: string, maxFiles: number): Promise<WalkSummary> {
  const summary: WalkSummary = {
    sizeBytes: 0,
    fileCount: 0,
    mtimeMs: 0,
    truncated: false,
    formats: new Map(),
    hasConfig: false,
    hasSafetensors: false,
  };
  summary.mtimeMs = (await lstat(dir)).mtimeMs;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    let handle;
    try {
      handle = await opendir(current);
    } catch {
      continue; // unreadable or vanished: sized as empty
    }
    for await (const entry of handle) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        stack.push(full);
        continue;
      }
      if (!entry.isFile()) continue; // symlinks, sockets, …: not followed, not counted
      if (summary.fileCount >= maxFiles) {
        summary.truncated = true;
        stack.length = 0;
        break; // leaving the loop closes the directory handle
      }
      try {
        const stats = await lstat(full);
        summary.sizeBytes += stats.size;
        summary.mtimeMs = Math.max(summary.mtimeMs, stats.mtimeMs);
      } catch {
        continue;
      }
      summary.fileCount++;
      const key = formatKey(entry.name);
      if (key) summary.formats.set(key, (summary.formats.get(key) ?? 0) + 1);
      if (current === dir && entry.name === HF_CONFIG_FILE) summary.hasConfig = true;
      if (current === dir && entry.name.endsWith('.safetensors')) summary.hasSafetensors = true;
    }
  }
  return summary;
}

function dominantFormat(formats: Map<string, number>): string {
  let best: [string, number] = ['unknown', 0];
  for (const [key, count] of formats) if (count > best[1] || (count === best[1] && key < best[0])) best = [key, count];
  return best[0];
}

/** Folders directly under `datasets/` and `models/` at the top of the root. */
async function containerItems(root: RootName, rootDir: string, resolver: PathResolver): Promise<Candidate[]> {
  const found: Candidate[] = [];
  for (const [container, kind] of Object.entries(CATALOG_CONTAINERS)) {
    const folder = await statConfined(path.join(rootDir, container), rootDir);
    if (!folder?.stats.isDirectory()) continue;
    let handle;
    try {
      handle = await opendir(folder.realPath);
    } catch {
      continue;
    }
    for await (const entry of handle) {
      const child = await statConfined(path.join(folder.realPath, entry.name), rootDir);
      if (!child?.stats.isDirectory()) continue;
      const apiPath = resolver.toApiPath(root, rootDir, path.join(rootDir, container, entry.name));
      found.push({ kind, root, rootDir, apiPath, realPath: child.realPath });
    }
  }
  return found;
}

/** Folders up to DISCOVERY_DEPTH deep holding config.json and weights. */
async function discoveredModels(root: RootName, rootDir: string, resolver: PathResolver): Promise<Candidate[]> {
  const found: Candidate[] = [];
  const queue: { dir: string; depth: number }[] = [{ dir: rootDir, depth: 0 }];
  let visited = 0;
  while (queue.length > 0 && visited < MAX_DISCOVERY_DIRS) {
    const { dir, depth } = queue.shift() as { dir: string; depth: number };
    visited++;
    const subfolders: string[] = [];
    let hasConfig = false;
    let hasWeights = false;
    try {
      for await (const entry of await opendir(dir)) {
        if (entry.isDirectory()) {
          if (!entry.name.startsWith('.') && entry.name !== 'node_modules') subfolders.push(path.join(dir, entry.name));
        } else if (entry.isFile() || entry.isSymbolicLink()) {
          if (entry.name === HF_CONFIG_FILE) hasConfig = true;
          if (WEIGHT_FILE.test(entry.name)) hasWeights = true;
        }
      }
    } catch {
      continue;
    }
    if (depth > 0 && hasConfig && hasWeights) {
      found.push({ kind: 'model', root, rootDir, apiPath: resolver.toApiPath(root, rootDir, dir), realPath: dir });
      continue;
    }
    if (depth < DISCOVERY_DEPTH) for (const sub of subfolders.sort()) queue.push({ dir: sub, depth: depth + 1 });
  }
  return found;
}

async function describe(candidate: Candidate, maxFiles: number): Promise<CatalogItem> {
  const walk = await walkItem(candidate.realPath, maxFiles);
  const item: CatalogItem = {
    kind: candidate.kind,
    name: path.posix.basename(candidate.apiPath),
    path: candidate.apiPath,
    root: candidate.root,
    sizeBytes: walk.sizeBytes,
    fileCount: walk.fileCount,
    format: dominantFormat(walk.formats),
    mtime: new Date(walk.mtimeMs).toISOString(),
    ...(walk.truncated ? { truncated: true } : {}),
  };
  if (candidate.kind === 'model') {
    if (walk.hasConfig) item.format = 'huggingface';
    else if (walk.hasSafetensors) item.format = 'safetensors';
    // A broken config.json or safetensors header leaves out that part of the summary, no more.
    const files = await listModelFiles(candidate.realPath, candidate.rootDir).catch(() => []);
    const config = await readFolderConfig(files, candidate.apiPath).catch(() => undefined);
    const architecture = config?.architectures[0] ?? config?.modelType;
    if (architecture) item.architecture = architecture;
    const weights = await readFolderWeights(candidate.realPath, candidate.rootDir, files, candidate.apiPath).catch(
      () => undefined,
    );
    if (weights && weights.tensors.length > 0) item.parameterCount = weights.parameterCount;
  }
  return item;
}

/** Every dataset and model the user can see under home, cache and mount, sorted by path. */
export async function scanCatalog(
  resolver: PathResolver,
  user: string,
  options: ScanOptions = {},
): Promise<CatalogItem[]> {
  const maxFiles = options.maxFilesPerItem ?? MAX_ITEM_FILES;
  const items: CatalogItem[] = [];
  for (const root of ROOT_NAMES) {
    const rootDir = await resolver.rootRealPath(root, user);
    const byRealPath = new Map<string, Candidate>();
    for (const candidate of [
      ...(await containerItems(root, rootDir, resolver)),
      ...(await discoveredModels(root, rootDir, resolver)),
    ]) {
      if (!byRealPath.has(candidate.realPath)) byRealPath.set(candidate.realPath, candidate);
    }
    for (const candidate of byRealPath.values()) {
      if (options.kind && candidate.kind !== options.kind) continue;
      items.push(await describe(candidate, maxFiles));
    }
  }
  return items.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export interface CatalogCacheOptions {
  ttlMs?: number;
  /** Milliseconds since the epoch; injected so tests need not wait. */
  now?: () => number;
  scan?: typeof scanCatalog;
}

/**
 * Keeps each user's last full scan for `ttlMs`; concurrent callers share one scan in flight, and
 * a failed scan is not kept.
 */
export class CatalogCache {
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly scan: typeof scanCatalog;
  private readonly entries = new Map<string, { at: number; items: Promise<CatalogItem[]> }>();

  constructor(
    private readonly resolver: PathResolver,
    options: CatalogCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? CATALOG_TTL_MS;
    this.now = options.now ?? Date.now;
    this.scan = options.scan ?? scanCatalog;
  }

  async items(user: string, kind?: CatalogKind): Promise<CatalogItem[]> {
    const now = this.now();
    let entry = this.entries.get(user);
    if (!entry || now - entry.at >= this.ttlMs) {
      for (const [key, old] of this.entries) if (now - old.at >= this.ttlMs) this.entries.delete(key);
      const items = this.scan(this.resolver, user);
      const fresh = { at: now, items };
      entry = fresh;
      this.entries.set(user, fresh);
      items.catch(() => {
        if (this.entries.get(user) === fresh) this.entries.delete(user);
      });
    }
    const all = await entry.items;
    return kind ? all.filter((item) => item.kind === kind) : all;
  }

  /** Forgets the scans (one user's, or all), e.g. after the user changed files. */
  invalidate(user?: string): void {
    if (user === undefined) this.entries.clear();
    else this.entries.delete(user);
  }
}
