import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { partialPathOf, readBaseline, writeBaseline, BaselineError } from './baselineFile.js';
import { plannedTotals, writeLayer, type LayerProgress, type LayerResult } from './layerWriter.js';
import { MOUNTINFO_PATH, parseMountInfo } from './mountInfo.js';
import { SkipRules, type ExcludePattern, type SkippedPath } from './skipRules.js';
import { previewSnapshot, type SnapshotPreview } from './snapshotPreview.js';
import { diffTrees, type TreeDiff } from './treeDiff.js';
import { scanTree, type ScanOptions } from './treeScanner.js';

/** Where the agent keeps its baseline in a dev machine (left out of every snapshot). */
export const DEFAULT_BASELINE_FILE = '/var/lib/aiplat/snapshot-baseline.ndjson.gz';

export interface SnapshotSettings {
  /** The machine's `/` as seen here; `/` inside the container. */
  root: string;
  baselineFile: string;
  /** Every pattern in force (the defaults, when wanted, included: see `DEFAULT_EXCLUDES`). */
  excludes: readonly ExcludePattern[];
  /** mountinfo text (proc(5)); read from /proc/self/mountinfo when not given. */
  mountInfo?: string;
  /** Walk with this process's working directory in each directory (faster; the agent's own process only). */
  changeDirectory?: boolean;
}

function walkOptions(settings: SnapshotSettings): ScanOptions {
  return settings.changeDirectory ? { changeDirectory: true } : {};
}

export function skipRulesFor(settings: SnapshotSettings): SkipRules {
  const mountInfo = settings.mountInfo ?? (existsSync(MOUNTINFO_PATH) ? readFileSync(MOUNTINFO_PATH, 'utf8') : '');
  return new SkipRules({
    root: settings.root,
    mountPoints: parseMountInfo(mountInfo),
    excludes: settings.excludes,
    agentFiles: [settings.baselineFile, partialPathOf(settings.baselineFile)],
  });
}

export interface BaselineSummary {
  file: string;
  entries: number;
  skipped: SkippedPath[];
}

/** Records the tree as it is now: at the machine's first start. */
export async function takeBaseline(settings: SnapshotSettings): Promise<BaselineSummary> {
  // Made before the scan, so the base has the agent's directory and no save adds it.
  await mkdir(path.dirname(path.resolve(settings.baselineFile)), { recursive: true });
  const scan = await scanTree(settings.root, skipRulesFor(settings), walkOptions(settings));
  await writeBaseline(settings.baselineFile, scan);
  return { file: settings.baselineFile, entries: scan.entries.length, skipped: scan.skipped };
}

export interface SnapshotDiff {
  root: string;
  diff: TreeDiff;
  /** What today's scan left out, and why. */
  skipped: SkippedPath[];
}

/** Scans the tree again and compares it with the baseline. */
export async function computeSnapshotDiff(settings: SnapshotSettings): Promise<SnapshotDiff> {
  const baseline = await readBaseline(settings.baselineFile);
  const root = path.resolve(settings.root);
  if (baseline.root !== root) {
    throw new BaselineError(`${settings.baselineFile} was taken of ${baseline.root}, not of ${root}`);
  }
  const rules = skipRulesFor(settings);
  const scan = await scanTree(root, rules, walkOptions(settings));
  const diff = diffTrees(baseline.entries, scan.entries, { isSkipped: (entry) => rules.covers(entry) });
  return { root, diff, skipped: scan.skipped };
}

export async function previewSnapshotOf(settings: SnapshotSettings, top?: number): Promise<SnapshotPreview> {
  const { diff, skipped } = await computeSnapshotDiff(settings);
  return previewSnapshot(diff, { skipped, excludes: settings.excludes, ...(top === undefined ? {} : { top }) });
}

export interface StreamLayerOptions {
  /** Once the diff is known, before the layer is written: what it will hold. */
  onPlan?: (plan: LayerProgress) => void;
  onProgress?: (progress: LayerProgress) => void;
  signal?: AbortSignal;
  gzipLevel?: number;
}

/** Computes the diff and streams it as a gzip'd OCI layer to `output`. */
export async function streamSnapshotLayer(
  settings: SnapshotSettings,
  output: Writable,
  options: StreamLayerOptions = {},
): Promise<LayerResult> {
  const { root, diff } = await computeSnapshotDiff(settings);
  const { onPlan, ...writing } = options;
  onPlan?.(plannedTotals(diff));
  return writeLayer(diff, { root, output, ...writing });
}
