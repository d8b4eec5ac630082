import { cp, lstat, mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ApiError, type WorkspaceEntry } from '@aiplat/api';
import { describeEntry, toWorkspaceEntry } from './entries.js';
import { isInside, type PathResolver, type ResolvedPath } from './pathResolver.js';

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

function isRoot(r: ResolvedPath): boolean {
  return !r.apiPath.includes('/');
}

function nameOf(apiPath: string): string {
  return apiPath.slice(apiPath.lastIndexOf('/') + 1);
}

/** The entry at a resolved path, a symlink described as the listing describes it. */
export async function entryAt(r: ResolvedPath): Promise<WorkspaceEntry> {
  const info = await describeEntry(r.absPath, nameOf(r.apiPath), r.rootDir, await lstat(r.absPath));
  return toWorkspaceEntry(info, r.apiPath, r.writable);
}

/** 404 unless the folder that will hold `r` exists (nothing creates parents implicitly). */
export async function requireParent(r: ResolvedPath, hint = ''): Promise<void> {
  const parent = r.apiPath.slice(0, r.apiPath.lastIndexOf('/'));
  try {
    if (!(await stat(path.dirname(r.absPath))).isDirectory())
      throw new ApiError('bad_request', `${parent} is a file, not a folder`);
  } catch (e) {
    if (errno(e) === 'ENOENT') throw new ApiError('not_found', `the folder ${parent} does not exist${hint}`);
    throw e;
  }
}

/**
 * Stat, mkdir, move and delete inside the roots. Every path goes through the resolver (which
 * refuses writes in `mount`); operations on a symlink act on the link, never on its target.
 */
export class FileOps {
  constructor(private readonly resolver: PathResolver) {}

  /** One entry; a symlink that leaves its root or dangles is refused like every other read. */
  async stat(user: string, apiPath: string): Promise<WorkspaceEntry> {
    const r = await this.resolver.resolve(user, apiPath, { access: 'read', followFinal: false });
    const entry = await entryAt(r);
    if (entry.linkResolves === false)
      throw new ApiError('path_outside_root', `${r.apiPath} is a link that leads outside /work/${r.root} or nowhere`);
    return entry;
  }

  async mkdir(user: string, apiPath: string, parents: boolean): Promise<WorkspaceEntry> {
    const r = await this.resolver.resolve(user, apiPath, { access: 'write', mustExist: false });
    if (r.exists) {
      if (parents && (await stat(r.absPath)).isDirectory()) return entryAt(r);
      throw new ApiError('conflict', `${r.apiPath} already exists`);
    }
    if (!parents) await requireParent(r, '; pass parents: true to create it too');
    try {
      await mkdir(r.absPath, { recursive: parents });
    } catch (e) {
      if (errno(e) === 'EEXIST') throw new ApiError('conflict', `${r.apiPath} already exists`);
      throw e;
    }
    return entryAt({ ...r, exists: true });
  }

  /** Renames or moves `from` to `to`, both in writable roots; a symlink moves as a link. */
  async rename(user: string, from: string, to: string, overwrite: boolean): Promise<WorkspaceEntry> {
    const src = await this.resolver.resolve(user, from, { access: 'write', followFinal: false });
    const dst = await this.resolver.resolve(user, to, { access: 'write', mustExist: false, followFinal: false });
    if (isRoot(src)) throw new ApiError('bad_request', `${src.apiPath} is a root and cannot be moved`);
    if (isRoot(dst)) throw new ApiError('bad_request', `${dst.apiPath} is a root and cannot be replaced`);
    if (src.absPath === dst.absPath) return entryAt(src);
    const srcStats = await lstat(src.absPath);
    if (srcStats.isDirectory() && isInside(dst.absPath, src.absPath)) {
      throw new ApiError('bad_request', `cannot move the folder ${src.apiPath} into itself (${dst.apiPath})`);
    }
    await requireParent(dst);
    if (dst.exists) {
      if (!overwrite)
        throw new ApiError('conflict', `${dst.apiPath} already exists; pass overwrite: true to replace it`);
      const dstStats = await lstat(dst.absPath);
      if (dstStats.isDirectory() && !srcStats.isDirectory())
        throw new ApiError('conflict', `${dst.apiPath} is a folder and cannot be replaced by a file`);
    }
    try {
      await rename(src.absPath, dst.absPath);
    } catch (e) {
      const code = errno(e);
      if (code === 'ENOTEMPTY' || code === 'EEXIST')
        throw new ApiError('conflict', `${dst.apiPath} is a folder that is not empty`);
      if (code === 'ENOTDIR' || code === 'EISDIR')
        throw new ApiError('conflict', `${dst.apiPath} exists and is of another type than ${src.apiPath}`);
      if (code !== 'EXDEV') throw e;
      // Different file systems (home and cache may be): copy, then remove the original.
      if (dst.exists && (await lstat(dst.absPath)).isDirectory())
        throw new ApiError('conflict', `${dst.apiPath} already exists as a folder on another file system`);
      await cp(src.absPath, dst.absPath, {
        recursive: true,
        force: overwrite,
        errorOnExist: !overwrite,
        verbatimSymlinks: true,
        preserveTimestamps: true,
      });
      await rm(src.absPath, { recursive: true });
    }
    return entryAt({ ...dst, exists: true });
  }

  /** Deletes a file or link (never its target), or a folder when `recursive`; roots are refused. */
  async delete(user: string, apiPath: string, recursive: boolean): Promise<{ deleted: string }> {
    const r = await this.resolver.resolve(user, apiPath, { access: 'write', followFinal: false });
    if (isRoot(r)) throw new ApiError('bad_request', `${r.apiPath} is a root and cannot be deleted`);
    const stats = await lstat(r.absPath);
    if (stats.isDirectory()) {
      if (!recursive)
        throw new ApiError(
          'conflict',
          `${r.apiPath} is a folder; pass recursive=true to delete it and everything in it`,
        );
      await rm(r.absPath, { recursive: true });
    } else {
      await unlink(r.absPath);
    }
    return { deleted: r.apiPath };
  }
}
