import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

/** What a layer must reproduce of one path: type, mode, owner, mtime (ms), content or link target. */
export interface PathState {
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  uid: number;
  gid: number;
  mtimeMs?: number;
  content?: string;
  /** With `digests`: the content's SHA-256 instead of the content. */
  sha256?: string;
  linkTarget?: string;
  /** The other paths sharing this file's inode, for hard links. */
  hardLinks?: string[];
}

export interface TreeStateOptions {
  /** Leave directory mtimes out (a copy's directories get new ones as their content is written). */
  directoryTimes?: boolean;
  /** Relative paths not to look into. */
  skip?: readonly string[];
  /** Record each file's SHA-256 rather than its text (for trees of real images: hundreds of MB). */
  digests?: boolean;
}

/** Every path under `root` with what a layer must reproduce of it, for `expect(...).toEqual(...)`. */
export async function treeState(root: string, options: TreeStateOptions = {}): Promise<Record<string, PathState>> {
  const state: Record<string, PathState> = {};
  const byInode = new Map<number, string[]>();
  const walk = async (relativeDir: string): Promise<void> => {
    for (const name of (await readdir(path.join(root, relativeDir))).sort()) {
      const relative = relativeDir === '' ? name : `${relativeDir}/${name}`;
      if (options.skip?.includes(relative)) continue;
      const absolute = path.join(root, relative);
      const stats = await lstat(absolute);
      const type = stats.isFile() ? 'file' : stats.isDirectory() ? 'dir' : stats.isSymbolicLink() ? 'symlink' : 'other';
      const entry: PathState = { type, mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid };
      if (type !== 'symlink' && (type !== 'dir' || options.directoryTimes !== false)) {
        entry.mtimeMs = Math.floor(stats.mtimeMs);
      }
      if (type === 'file') {
        if (options.digests) entry.sha256 = await fileDigest(absolute);
        else entry.content = await readFile(absolute, 'utf8');
        if (stats.nlink > 1) byInode.set(stats.ino, [...(byInode.get(stats.ino) ?? []), relative]);
      }
      if (type === 'symlink') entry.linkTarget = await readlink(absolute);
      state[relative] = entry;
      if (type === 'dir') await walk(relative);
    }
  };
  await walk('');
  for (const paths of byInode.values()) for (const p of paths) (state[p] as PathState).hardLinks = paths;
  return state;
}

function fileDigest(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
