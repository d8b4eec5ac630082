import { lstat, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { isInside } from './pathResolver.js';

export interface ConfinedEntry {
  /** Where the entry really lives (a symlink resolved), inside the root. */
  realPath: string;
  stats: Stats;
  viaSymlink: boolean;
}

/**
 * Stats `absPath` without ever leaving `rootDir`: a plain entry is lstat-ed; a symlink is followed
 * only when its realpath stays inside the root. Returns null for links that leave the root,
 * dangle or loop, and for entries that vanished meanwhile.
 */
export async function statConfined(absPath: string, rootDir: string): Promise<ConfinedEntry | null> {
  let stats: Stats;
  try {
    stats = await lstat(absPath);
  } catch {
    return null;
  }
  if (!stats.isSymbolicLink()) return { realPath: absPath, stats, viaSymlink: false };
  try {
    const real = await realpath(absPath);
    if (!isInside(real, rootDir)) return null;
    return { realPath: real, stats: await stat(real), viaSymlink: true };
  } catch {
    return null;
  }
}
