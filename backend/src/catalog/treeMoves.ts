import { chmod, lstat, opendir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '@aiplat/api';
import { forEachFile } from './treeCopy.js';

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code ?? '';

async function kindOf(p: string): Promise<'dir' | 'file' | 'none'> {
  try {
    return (await lstat(p)).isDirectory() ? 'dir' : 'file';
  } catch (e) {
    if (errno(e) === 'ENOENT') return 'none';
    throw e;
  }
}

/** Entries of `src` that would land where `dest` has the other kind (a file where a folder is). */
async function conflicts(src: string, dest: string, relative: string, found: string[]): Promise<void> {
  for await (const entry of await opendir(src)) {
    const rel = relative ? `${relative}/${entry.name}` : entry.name;
    const there = await kindOf(path.join(dest, entry.name));
    if (there === 'none') continue;
    const here = entry.isDirectory() ? 'dir' : 'file';
    if (here !== there) found.push(rel);
    else if (here === 'dir') await conflicts(path.join(src, entry.name), path.join(dest, entry.name), rel, found);
    if (found.length >= 5) return;
  }
}

/**
 * Moves the contents of `src` into `dest` (same file system): new entries by rename, folders
 * merged, files replacing files of the same name (a new inode: a published version linked to the
 * old file keeps it). Checked first, so a file/folder clash moves nothing.
 */
export async function mergeInto(src: string, dest: string): Promise<void> {
  const clashes: string[] = [];
  if ((await kindOf(dest)) === 'dir') await conflicts(src, dest, '', clashes);
  if (clashes.length > 0) {
    throw new ApiError(
      'conflict',
      `the import has ${clashes.map((c) => `"${c}"`).join(', ')} where the dataset's folder has a file where a folder is (or a folder where a file is): rename or remove those in the dataset first`,
    );
  }
  await moveEntries(src, dest);
}

async function moveEntries(src: string, dest: string): Promise<void> {
  if ((await kindOf(dest)) === 'none') {
    await rename(src, dest);
    return;
  }
  for await (const entry of await opendir(src)) {
    const from = path.join(src, entry.name);
    const to = path.join(dest, entry.name);
    if (entry.isDirectory() && (await kindOf(to)) === 'dir') await moveEntries(from, to);
    else await rename(from, to);
  }
}

/** Clears the write bits of every file under `dir` (published versions never change). */
export async function protectTree(dir: string): Promise<void> {
  await forEachFile(dir, async (file, { mode }) => {
    if (mode & 0o222) await chmod(file, mode & 0o7555);
  });
}

/** Removes a tree if it is there (read-only files included: only their folders' bits matter). */
export async function removeTree(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
