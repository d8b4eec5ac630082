import { lstat as lstatCb, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { EntryType, WorkspaceEntry } from '@aiplat/api';
import { isInside } from './pathResolver.js';

/** What a listing needs to know about one entry, before it is given its API path. */
export interface EntryInfo {
  name: string;
  type: EntryType;
  /** Bytes of content: a file's size, 0 for folders and for links that are not followed. */
  size: number;
  mtimeMs: number;
  /** Set for symlinks only: whether the link was followed (it resolves inside its root). */
  linkResolves?: boolean;
}

export function entryType(stats: Stats): EntryType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  return 'other';
}

function fromStats(name: string, stats: Stats): EntryInfo {
  const type = entryType(stats);
  return { name, type, size: type === 'file' ? stats.size : 0, mtimeMs: stats.mtimeMs };
}

/**
 * Describes an entry from its lstat. A symlink whose real path lies inside `rootDir` reports its
 * target's type, size and time with `linkResolves: true`; one that leaves the root, dangles or
 * loops reports `symlink`, size 0 and `linkResolves: false`, and what it points at is never
 * stat-ed.
 */
export async function describeEntry(absPath: string, name: string, rootDir: string, lstats: Stats): Promise<EntryInfo> {
  if (!lstats.isSymbolicLink()) return fromStats(name, lstats);
  try {
    const real = await realpath(absPath);
    if (isInside(real, rootDir)) return { ...fromStats(name, await stat(real)), linkResolves: true };
  } catch {
    // dangling or a loop: reported as an unresolved link below
  }
  return { name, type: 'symlink', size: 0, mtimeMs: lstats.mtimeMs, linkResolves: false };
}

export function toWorkspaceEntry(info: EntryInfo, apiPath: string, writable: boolean): WorkspaceEntry {
  return {
    name: info.name,
    path: apiPath,
    type: info.type,
    size: info.size,
    mtime: new Date(info.mtimeMs).toISOString(),
    writable,
    ...(info.linkResolves === undefined ? {} : { linkResolves: info.linkResolves }),
  };
}

/**
 * lstat-s many paths with at most `concurrency` calls in flight. Uses the callback API: on a
 * folder of 100,000 files it is about twice as fast as awaiting `fs/promises` per entry. A path
 * that vanished meanwhile gives `undefined`.
 */
export function lstatMany(paths: readonly string[], concurrency = 64): Promise<(Stats | undefined)[]> {
  const results = new Array<Stats | undefined>(paths.length);
  if (paths.length === 0) return Promise.resolve(results);
  return new Promise((resolve, reject) => {
    let next = 0;
    let done = 0;
    let failed = false;
    const start = (): void => {
      const i = next++;
      lstatCb(paths[i] as string, (err, stats) => {
        if (failed) return;
        if (err && err.code !== 'ENOENT' && err.code !== 'ENOTDIR') {
          failed = true;
          reject(err);
          return;
        }
        results[i] = err ? undefined : stats;
        if (++done === paths.length) resolve(results);
        else if (next < paths.length) start();
      });
    };
    for (let c = 0; c < Math.min(concurrency, paths.length); c++) start();
  });
}
