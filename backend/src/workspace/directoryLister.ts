import { type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  ApiError,
  DEFAULT_LIST_LIMIT,
  MAX_LIST_LIMIT,
  type ListResponse,
  type SortKey,
  type WorkspaceEntry,
} from '@aiplat/api';
import { describeEntry, toWorkspaceEntry, type EntryInfo } from './entries.js';
import { FirstNames, firstNames } from './firstNames.js';
import { decodeCursor, encodeCursor, type ListCursor } from './listCursor.js';
import { ListingCache, type FirstPageIndex, type NameIndex, type StatIndex } from './listingCache.js';
import { FolderReader, type ReadStrategy } from './folderReader.js';
import { parseApiPath, ROOT_NAMES, type PathResolver } from './pathResolver.js';
import { compareItems, keyOf, lowerBound, upperBound, upperBoundItems, type SortOrder } from './sortOrder.js';

export interface ListRequest {
  path: string;
  cursor?: string | undefined;
  limit?: number;
  sort?: SortKey;
  order?: SortOrder;
}

export interface DirectoryListerOptions {
  /** Folders whose sorted listing is kept, most recently used first (default 16). */
  cacheEntries?: number;
  /** Names kept across all cached folders (default 2,000,000). */
  cacheMaxNames?: number;
  /** How long a cached listing is trusted even when the folder's mtime is unchanged (default 30 s). */
  cacheTtlMs?: number;
  /** lstat calls in flight at once when a folder is read asynchronously (default 64). */
  statConcurrency?: number;
  readStrategy?: ReadStrategy;
  /** Clock for the cache TTL, injected in tests. */
  nowMs?: () => number;
}

/** One page of a listing; the cursor points after its last entry. */
function buildPage(
  apiPath: string,
  infos: EntryInfo[],
  more: boolean,
  total: number,
  sort: SortKey,
  order: SortOrder,
  toEntry: (info: EntryInfo) => WorkspaceEntry,
): ListResponse {
  const last = infos[infos.length - 1];
  return {
    path: apiPath,
    entries: infos.map(toEntry),
    total,
    ...(more && last
      ? {
          nextCursor: encodeCursor({
            s: sort,
            o: order,
            n: last.name,
            ...(sort === 'name' ? {} : { k: keyOf(last, sort) }),
          }),
        }
      : {}),
  };
}

/**
 * Lists folders one page at a time. Name-sorted pages stat only the entries on the page; size and
 * mtime sorts stat the whole folder once. What was read of a folder is cached (LRU, keyed by its
 * real path, inode, mtime, ctime and sort key): a first page by name keeps only that page, a later
 * page keeps the folder's names, so paging through a large folder costs two reads. Cursors hold
 * the last entry's sort key and name, so pages stay stable while files come and go.
 */
export class DirectoryLister {
  private readonly cache: ListingCache;
  private readonly reader: FolderReader;

  constructor(
    private readonly resolver: PathResolver,
    options: DirectoryListerOptions = {},
  ) {
    this.cache = new ListingCache({
      maxEntries: options.cacheEntries ?? 16,
      maxNames: options.cacheMaxNames ?? 2_000_000,
      ttlMs: options.cacheTtlMs ?? 30_000,
      nowMs: options.nowMs ?? Date.now,
    });
    this.reader = new FolderReader(options.readStrategy ?? 'sliced-sync', options.statConcurrency ?? 64);
  }

  clearCache(): void {
    this.cache.clear();
  }

  /**
   * Forgets what was read of one folder: a file rewritten in place changes its size and mtime but
   * not the folder's, so a cached listing by size or date would show the old ones.
   */
  forget(absFolder: string): void {
    this.cache.forgetPrefix(`${absFolder}\0`);
  }

  async list(user: string, request: ListRequest): Promise<ListResponse> {
    const sort = request.sort ?? 'name';
    const order = request.order ?? 'asc';
    const limit = Math.min(Math.max(1, Math.floor(request.limit ?? DEFAULT_LIST_LIMIT)), MAX_LIST_LIMIT);
    const cursor =
      request.cursor === undefined || request.cursor === '' ? undefined : decodeCursor(request.cursor, sort, order);
    if (parseApiPath(request.path).length === 0) return this.listRoots(user, sort, order, limit, cursor);

    const resolved = await this.resolver.resolve(user, request.path, { access: 'read' });
    const dirStats = await stat(resolved.absPath);
    if (!dirStats.isDirectory()) {
      throw new ApiError('bad_request', `${resolved.apiPath} is a file, not a folder`, {
        issues: [{ path: 'query.path', message: 'not a folder' }],
      });
    }
    const page = (infos: EntryInfo[], more: boolean, total: number): ListResponse =>
      buildPage(resolved.apiPath, infos, more, total, sort, order, (info) =>
        toWorkspaceEntry(info, `${resolved.apiPath}/${info.name}`, resolved.writable),
      );
    const key = [
      resolved.absPath,
      dirStats.dev,
      dirStats.ino,
      dirStats.mtimeMs,
      dirStats.ctimeMs,
      sort === 'name' ? 'name' : 'stat',
    ].join('\0');

    if (sort === 'name') {
      const { window, more, total } = await this.nameWindow(resolved.absPath, dirStats, key, order, limit, cursor);
      const infos = await this.describeAll(resolved.absPath, dirStats, resolved.rootDir, window);
      // An entry that vanished since the read is skipped; the cursor still follows the window.
      const response = page(infos, false, total);
      const lastName = window[window.length - 1];
      if (more && lastName !== undefined) response.nextCursor = encodeCursor({ s: sort, o: order, n: lastName });
      return response;
    }

    const index =
      (this.cache.get(key) as StatIndex | undefined) ??
      this.cache.set(key, {
        kind: 'stat',
        items: await this.statIndex(resolved.absPath, resolved.rootDir, dirStats, sort),
      });
    const { items } = index;
    let window: EntryInfo[];
    let more: boolean;
    if (order === 'asc') {
      const start = cursor ? upperBoundItems(items, sort, cursor.k ?? 0, cursor.n) : 0;
      window = items.slice(start, start + limit);
      more = start + limit < items.length;
    } else {
      let end = items.length;
      if (cursor) {
        end = upperBoundItems(items, sort, cursor.k ?? 0, cursor.n);
        const at = items[end - 1];
        if (at && keyOf(at, sort) === cursor.k && at.name === cursor.n) end -= 1;
      }
      window = items.slice(Math.max(0, end - limit), end).reverse();
      more = end - limit > 0;
    }
    return page(window, more, items.length);
  }

  /**
   * The names of a page by name. A folder's first page, when nothing of it is cached, is chosen
   * while reading and only that page is kept (FirstNames), and it serves the same first page again;
   * any other page reads the folder's names, keeps them and sorts them when it first needs to.
   */
  private async nameWindow(
    dir: string,
    dirStats: Stats,
    key: string,
    order: SortOrder,
    limit: number,
    cursor: ListCursor | undefined,
  ): Promise<{ window: string[]; more: boolean; total: number }> {
    const cached = this.cache.get(key) as NameIndex | FirstPageIndex | undefined;
    if (!cursor && cached?.kind !== 'name') {
      let first = cached;
      if (!first) {
        const selection = new FirstNames(limit, order);
        await this.reader.visit(dir, dirStats, (name) => selection.add(name));
        first = this.cache.set(key, { kind: 'first', order, names: selection.names(), total: selection.count });
      }
      if (first.order === order && (limit <= first.names.length || first.names.length === first.total)) {
        return { window: first.names.slice(0, limit), more: first.total > limit, total: first.total };
      }
    }
    const index =
      cached?.kind === 'name'
        ? cached
        : this.cache.set(key, { kind: 'name', names: await this.reader.read(dir, dirStats), sorted: false });
    const { names } = index;
    const total = names.length;
    if (!cursor && !index.sorted && limit * 8 < total) {
      return { window: firstNames(names, limit, order), more: total > limit, total };
    }
    if (!index.sorted) {
      names.sort();
      index.sorted = true;
    }
    if (order === 'asc') {
      const start = cursor ? upperBound(names, cursor.n) : 0;
      return { window: names.slice(start, start + limit), more: start + limit < total, total };
    }
    // Descending: walk back from the last name before the cursor's.
    const end = cursor ? lowerBound(names, cursor.n) : total;
    return { window: names.slice(Math.max(0, end - limit), end).reverse(), more: end - limit > 0, total };
  }

  private async listRoots(
    user: string,
    sort: SortKey,
    order: SortOrder,
    limit: number,
    cursor: ListCursor | undefined,
  ): Promise<ListResponse> {
    const infos = await Promise.all(
      ROOT_NAMES.map(async (root): Promise<EntryInfo & { writable: boolean }> => {
        const stats = await stat(await this.resolver.rootRealPath(root, user));
        return {
          name: root,
          type: 'directory',
          size: 0,
          mtimeMs: stats.mtimeMs,
          writable: this.resolver.isWritableRoot(root),
        };
      }),
    );
    infos.sort((a, b) => compareItems(a, b, sort));
    if (order === 'desc') infos.reverse();
    const after = cursor
      ? infos.findIndex((i) => {
          const c = compareItems(
            i,
            { name: cursor.n, type: 'directory', size: cursor.k ?? 0, mtimeMs: cursor.k ?? 0 },
            sort,
          );
          return order === 'asc' ? c > 0 : c < 0;
        })
      : 0;
    const start = after < 0 ? infos.length : after;
    const window = infos.slice(start, start + limit);
    return buildPage('', window, start + limit < infos.length, infos.length, sort, order, (info) =>
      toWorkspaceEntry(info, info.name, (info as (typeof infos)[number]).writable),
    );
  }

  /** Describes `names` in `dir`, in order, dropping the ones that vanished. */
  private async describeAll(
    dir: string,
    dirStats: Stats,
    rootDir: string,
    names: readonly string[],
  ): Promise<EntryInfo[]> {
    const paths = names.map((name) => path.join(dir, name));
    const stats = await this.reader.lstat(dir, dirStats, paths);
    const infos: (EntryInfo | Promise<EntryInfo>)[] = [];
    for (let i = 0; i < names.length; i++) {
      const s = stats[i];
      if (s) infos.push(describeEntry(paths[i] as string, names[i] as string, rootDir, s));
    }
    return Promise.all(infos);
  }

  private async statIndex(dir: string, rootDir: string, dirStats: Stats, sort: SortKey): Promise<EntryInfo[]> {
    const items = await this.describeAll(dir, dirStats, rootDir, await this.reader.read(dir, dirStats));
    return items.sort((a, b) => compareItems(a, b, sort));
  }
}
