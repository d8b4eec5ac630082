import { constants, createReadStream, createWriteStream, type Dirent, type Stats } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, opendir } from 'node:fs/promises';
import { chmodSync, copyFileSync, linkSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

export interface TreeCounts {
  files: number;
  dirs: number;
  bytes: number;
  /** Bytes shared with the source (hard links, reflinks) rather than copied. */
  linkedBytes: number;
  /** Entries left out: symlinks, sockets, devices (relative paths, the first 20). */
  skipped: string[];
}

export interface TreeProgress {
  files: number;
  bytes: number;
}

export interface TreeOptions {
  signal?: AbortSignal;
  onProgress?: (progress: TreeProgress) => void;
}

const MAX_SKIPPED_LISTED = 20;
/** Files this big are copied as streams so progress moves while one big weight file copies. */
const STREAMED_COPY_BYTES = 64 * 1024 * 1024;
/** How many files the synchronous linker handles before letting the event loop run. */
const LINK_BATCH = 256;
/** errno values meaning "this file system cannot clone or link here": fall back, do not fail. */
const CANNOT_CLONE = new Set(['EOPNOTSUPP', 'ENOTSUP', 'EXDEV', 'EINVAL', 'ENOSYS', 'EPERM']);

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code ?? '';
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function newCounts(): TreeCounts {
  return { files: 0, dirs: 0, bytes: 0, linkedBytes: 0, skipped: [] };
}

function skip(counts: TreeCounts, relative: string): void {
  if (counts.skipped.length < MAX_SKIPPED_LISTED) counts.skipped.push(relative);
}

/** Read-only mode bits for a protected file: write bits cleared, the rest kept. */
const READ_ONLY = (mode: number) => mode & 0o7555;

/**
 * Makes `dest` (which must not exist) hold the regular files of `src` without copying their bytes
 * where the file system allows: a reflink (copy-on-write clone) when it can clone, else a hard link.
 * A hard link shares its inode, so the file is made read-only — in `src` too, which protects the
 * published copy from in-place edits (DVC's protected mode); saving a new file (upload, JupyterLab)
 * replaces the link and leaves the version alone. Across file systems the bytes are copied.
 *
 * Synchronous system calls in batches: the per-file cost is what `cp -al` is measured against, and
 * promise round trips would be most of it.
 */
export async function linkTree(src: string, dest: string, options: TreeOptions = {}): Promise<TreeCounts> {
  const counts = newCounts();
  let canClone = true;
  let canLink = true;
  let sinceYield = 0;
  mkdirSync(dest);
  counts.dirs++;
  // Plain string paths, not path.join: the loop is a few system calls per file and the joins showed.
  const stack: string[] = [''];
  while (stack.length > 0) {
    const relativeDir = stack.pop() as string;
    const fromDir = relativeDir ? `${src}/${relativeDir}` : src;
    const toDir = relativeDir ? `${dest}/${relativeDir}` : dest;
    let entries: Dirent[];
    try {
      entries = readdirSync(fromDir, { withFileTypes: true });
    } catch (e) {
      throw new Error(`cannot read ${relativeDir || '.'}: ${errno(e) || String(e)}`);
    }
    for (const entry of entries) {
      const from = `${fromDir}/${entry.name}`;
      const to = `${toDir}/${entry.name}`;
      if (entry.isDirectory()) {
        mkdirSync(to);
        counts.dirs++;
        stack.push(relativeDir ? `${relativeDir}/${entry.name}` : entry.name);
        continue;
      }
      if (!entry.isFile()) {
        skip(counts, relativeDir ? `${relativeDir}/${entry.name}` : entry.name);
        continue;
      }
      const stats = lstatSync(from);
      let how: 'clone' | 'link' | 'copy' = 'copy';
      if (canClone) {
        try {
          copyFileSync(from, to, constants.COPYFILE_FICLONE_FORCE);
          how = 'clone';
        } catch (e) {
          if (!CANNOT_CLONE.has(errno(e))) throw e;
          canClone = false;
        }
      }
      if (how === 'copy' && canLink) {
        try {
          linkSync(from, to);
          how = 'link';
        } catch (e) {
          // EMLINK: this one inode has too many links already; the next file may still link.
          if (errno(e) !== 'EMLINK' && !CANNOT_CLONE.has(errno(e))) throw e;
          if (errno(e) !== 'EMLINK') canLink = false;
        }
      }
      if (how === 'copy') copyFileSync(from, to);
      if (stats.mode & 0o222) chmodSync(how === 'link' ? from : to, READ_ONLY(stats.mode));
      counts.files++;
      counts.bytes += stats.size;
      if (how !== 'copy') counts.linkedBytes += stats.size;
      if (++sinceYield >= LINK_BATCH) {
        sinceYield = 0;
        options.onProgress?.({ files: counts.files, bytes: counts.bytes });
        await yieldToLoop();
        options.signal?.throwIfAborted();
      }
    }
  }
  options.onProgress?.({ files: counts.files, bytes: counts.bytes });
  return counts;
}

/**
 * Copies the regular files of `src` into `dest` (which must not exist), cloning where the file
 * system can (reflinks cost nothing and are independent copies), with progress by bytes.
 * `readOnly` leaves the copies without write bits (accelerated copies, model versions).
 */
export async function copyTree(
  src: string,
  dest: string,
  options: TreeOptions & { readOnly?: boolean } = {},
): Promise<TreeCounts> {
  const counts = newCounts();
  await mkdir(dest);
  counts.dirs++;
  const stack: string[] = [''];
  while (stack.length > 0) {
    const relativeDir = stack.pop() as string;
    const handle = await opendir(path.join(src, relativeDir));
    for await (const entry of handle) {
      options.signal?.throwIfAborted();
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      const from = path.join(src, relative);
      const to = path.join(dest, relative);
      if (entry.isDirectory()) {
        await mkdir(to);
        counts.dirs++;
        stack.push(relative);
        continue;
      }
      if (!entry.isFile()) {
        skip(counts, relative);
        continue;
      }
      const stats = await lstat(from);
      const before = counts.bytes;
      if (stats.size >= STREAMED_COPY_BYTES) {
        const input = createReadStream(from, { highWaterMark: 1024 * 1024 });
        input.on('data', (chunk) => {
          counts.bytes += chunk.length;
          options.onProgress?.({ files: counts.files, bytes: counts.bytes });
        });
        await pipeline(input, createWriteStream(to, { flags: 'wx' }), { signal: options.signal });
        counts.bytes = before + stats.size;
      } else {
        await copyFile(from, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
        counts.bytes += stats.size;
      }
      if (options.readOnly) await chmod(to, READ_ONLY(stats.mode));
      counts.files++;
      options.onProgress?.({ files: counts.files, bytes: counts.bytes });
    }
  }
  return counts;
}

/** Calls `onFile` with each regular file under `dir` and its lstat (no symlinks followed). */
export async function forEachFile(
  dir: string,
  onFile: (file: string, stats: Stats) => Promise<void> | void,
): Promise<void> {
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for await (const entry of await opendir(current)) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.isFile()) await onFile(full, await lstat(full));
    }
  }
}

/** Size and file count of a tree (regular files only, no symlinks followed). */
export async function measureTree(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  await forEachFile(dir, (_file, stats) => {
    files++;
    bytes += stats.size;
  });
  return { files, bytes };
}
