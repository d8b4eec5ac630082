import type { EntryInfo } from './entries.js';
import type { SortOrder } from './sortOrder.js';

/** A folder's names; sorted in code-unit order once a page beyond the first was asked for. */
export interface NameIndex {
  kind: 'name';
  names: string[];
  sorted: boolean;
}

/** A folder's entries with their size and mtime, sorted ascending by (key, name). */
export interface StatIndex {
  kind: 'stat';
  items: EntryInfo[];
}

/**
 * What a first page by name kept of a folder it read once: its first names in one order (at most
 * the page's limit, all of them when the folder is that small) and how many names it has.
 */
export interface FirstPageIndex {
  kind: 'first';
  order: SortOrder;
  names: string[];
  total: number;
}

export type FolderIndex = NameIndex | StatIndex | FirstPageIndex;

export interface ListingCacheOptions {
  /** Folders kept, most recently used first. */
  maxEntries: number;
  /** Names kept across all folders; a larger folder is not kept at all. */
  maxNames: number;
  /** How long an index is trusted even when its key is unchanged. */
  ttlMs: number;
  nowMs: () => number;
}

interface CacheSlot {
  index: FolderIndex;
  builtAtMs: number;
  size: number;
}

/**
 * Folder indexes by key, least recently used evicted first, bounded by folders and by names, each
 * trusted for `ttlMs`. The key says which folder state an index is for (the lister puts the
 * folder's real path, inode, mtime and ctime in it), so a changed folder misses.
 */
export class ListingCache {
  private readonly slots = new Map<string, CacheSlot>();
  private names = 0;

  constructor(private readonly options: ListingCacheOptions) {}

  clear(): void {
    this.slots.clear();
    this.names = 0;
  }

  /** Drops every index whose key starts with `prefix` (one folder's, whatever its state). */
  forgetPrefix(prefix: string): void {
    for (const [key, slot] of [...this.slots]) {
      if (!key.startsWith(prefix)) continue;
      this.slots.delete(key);
      this.names -= slot.size;
    }
  }

  get(key: string): FolderIndex | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    this.slots.delete(key);
    if (this.options.nowMs() - slot.builtAtMs > this.options.ttlMs) {
      this.names -= slot.size;
      return undefined;
    }
    this.slots.set(key, slot);
    return slot.index;
  }

  set<T extends FolderIndex>(key: string, index: T): T {
    const size = index.kind === 'stat' ? index.items.length : index.names.length;
    if (size > this.options.maxNames) return index;
    const old = this.slots.get(key);
    if (old) {
      this.slots.delete(key);
      this.names -= old.size;
    }
    this.slots.set(key, { index, builtAtMs: this.options.nowMs(), size });
    this.names += size;
    for (const [oldest, slot] of this.slots) {
      if (this.slots.size <= this.options.maxEntries && this.names <= this.options.maxNames) break;
      this.slots.delete(oldest);
      this.names -= slot.size;
    }
    return index;
  }
}
