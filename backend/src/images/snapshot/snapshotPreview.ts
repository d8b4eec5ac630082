import { parentPath, displayPath } from './fsEntry.js';
import type { ExcludePattern, SkippedPath } from './skipRules.js';
import type { DiffCounts, TreeDiff } from './treeDiff.js';

export interface DirectorySize {
  /** As seen in the machine: `/usr/local/lib/python3.11/dist-packages`. */
  path: string;
  bytes: number;
  files: number;
}

/** What saving would store, shown before saving. */
export interface SnapshotPreview extends DiffCounts {
  /** File content the layer carries (a file with several links once). */
  bytes: number;
  /** Regular files the layer writes. */
  files: number;
  /** Tar entries: files, directories, links, whiteouts (what a layer's progress `files` counts to). */
  entries: number;
  largestDirectories: DirectorySize[];
  skipped: SkippedPath[];
  excludes: ExcludePattern[];
}

export interface PreviewOptions {
  skipped: SkippedPath[];
  excludes: readonly ExcludePattern[];
  /** How many directories to list; 10 by default. */
  top?: number;
}

/**
 * A directory is listed where its bytes split: when one subdirectory holds this share of them, the
 * subdirectory says more (so `/usr` and `/usr/local` give way to `.../dist-packages` and `.../torch`).
 */
const ONE_CHILD_SHARE = 0.9;

export function previewSnapshot(diff: TreeDiff, options: PreviewOptions): SnapshotPreview {
  const sizes = new Map<string, { bytes: number; files: number }>();
  const seenInodes = new Set<string>();
  let bytes = 0;
  let files = 0;
  for (const item of diff.items) {
    if (item.op !== 'write' || item.entry.type !== 'file') continue;
    const { entry } = item;
    files++;
    const inode = `${entry.dev}:${entry.ino}`;
    const firstLink = entry.nlink < 2 || !seenInodes.has(inode);
    if (entry.nlink > 1) seenInodes.add(inode);
    const size = firstLink ? entry.size : 0;
    bytes += size;
    for (let dir = parentPath(entry.path); dir !== ''; dir = parentPath(dir)) {
      const total = sizes.get(dir) ?? { bytes: 0, files: 0 };
      total.bytes += size;
      total.files++;
      sizes.set(dir, total);
    }
  }
  const largestChild = new Map<string, number>();
  for (const [dir, { bytes: dirBytes }] of sizes) {
    const parent = parentPath(dir);
    largestChild.set(parent, Math.max(largestChild.get(parent) ?? 0, dirBytes));
  }
  const largestDirectories = [...sizes]
    .filter(([dir, size]) => size.bytes > 0 && (largestChild.get(dir) ?? 0) < ONE_CHILD_SHARE * size.bytes)
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .slice(0, options.top ?? 10)
    .map(([dir, size]) => ({ path: displayPath(dir), ...size }));
  return {
    ...diff.counts,
    bytes,
    files,
    entries: diff.items.length,
    largestDirectories,
    skipped: options.skipped,
    excludes: [...options.excludes],
  };
}
