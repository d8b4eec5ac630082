import { opendirSync, type Stats } from 'node:fs';
import { readdir, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import {
  ApiError,
  DEFAULT_LIST_LIMIT,
  MAX_LIST_LIMIT,
  type ListResponse,
  type SortKey,
  type WorkspaceEntry,
} from '@aiplat/api';
import { describeEntry, lstatMany, toWorkspaceEntry, type EntryInfo } from './entries.js';
import { parseApiPath, ROOT_NAMES, type PathResolver } from './pathResolver.js';

export type SortOrder = 'asc' | 'desc';

export interface ListRequest {
  path: string;
  cursor?: string | undefined;
  limit?: number;
  sort?: SortKey;
  order?: SortOrder;
}

/** Uploads in flight are written to `<folder>/.aiplat-upload-<id>.part`; listings hide them. */
export const UPLOAD_TEMP_PREFIX = '.aiplat-upload-';

/**
 * How a folder's names are read. `sliced-sync` reads 4096 entries per synchronous call and yields
 * to the event loop between slices: on local disks it is about 1.5x faster than `readdir` (which
 * also sorts every name in C). `async` is plain `readdir`, and is always used on network file
 * systems, where a synchronous call could stall the event loop.
 */
export type ReadStrategy = 'sliced-sync' | 'async';

export interface DirectoryListerOptions {
  /** Folders whose sorted listing is kept, most recently used first (default 16). */
  cacheEntries?: number;
  /** Names kept across all cached folders (default 2,000,000). */
  cacheMaxNames?: number;
  /** How long a cached listing is trusted even when the folder's mtime is unchanged (default 30 s). */
  cacheTtlMs?: number;
  /** lstat calls in flight at once (default 64). */
  statConcurrency?: number;
  readStrategy?: ReadStrategy;
  /** Clock for the cache TTL, injected in tests. */
  nowMs?: () => number;
}

/** A folder's names; sorted in code-unit order once a page beyond the first was asked for. */
interface NameIndex {
  kind: 'name';
  names: string[];
  sorted: boolean;
}

/** A folder's entries with their size and mtime, sorted ascending by (key, name). */
interface StatIndex {
  kind: 'stat';
  items: EntryInfo[];
}

interface CacheSlot {
  index: NameIndex | StatIndex;
  builtAtMs: number;
  size: number;
}

interface CursorData {
  s: SortKey;
  o: SortOrder;
  n: string;
  k?: number;
}

const READ_SLICE = 4096;
const NETWORK_FS_TYPES = new Set([
  0x6969, // NFS
  0x517b, // SMB
  0xff534d42, // CIFS
  0xfe534d42, // SMB2
  0x65735546, // FUSE (sshfs, s3fs, gcsfuse, ...)
  0x00c36400, // Ceph
  0x01021997, // 9P
  0x0bd00bd0, // Lustre
  0x5346414f, // AFS
  0x47504653, // GPFS
]);

function badCursor(message: string): ApiError {
  return new ApiError('bad_request', `cursor ${message}; start again without a cursor`, {
    issues: [{ path: 'query.cursor', message }],
  });
}

export function encodeCursor(data: CursorData): string {
  return Buffer.from(JSON.stringify(data)).toString('base64url');
}

export function decodeCursor(raw: string, sort: SortKey, order: SortOrder): CursorData {
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw badCursor('is not base64url');
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('is malformed');
  }
  if (typeof data !== 'object' || data === null) throw badCursor('is malformed');
  const { s, o, n, k } = data as Record<string, unknown>;
  if (typeof n !== 'string' || (s !== 'name' && s !== 'size' && s !== 'mtime') || (o !== 'asc' && o !== 'desc')) {
    throw badCursor('is malformed');
  }
  if (s !== sort || o !== order) throw badCursor(`was made for sort=${s}&order=${o}, not sort=${sort}&order=${order}`);
  if (s !== 'name' && (typeof k !== 'number' || !Number.isFinite(k))) throw badCursor('is malformed');
  return s === 'name' ? { s, o, n } : { s, o, n, k: k as number };
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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

function keyOf(item: EntryInfo, sort: SortKey): number {
  return sort === 'size' ? item.size : sort === 'mtime' ? item.mtimeMs : 0;
}

function compareItems(a: EntryInfo, b: EntryInfo, sort: SortKey): number {
  return keyOf(a, sort) - keyOf(b, sort) || compareNames(a.name, b.name);
}

/** Index of the first name in ascending `names` greater than `name`. */
function upperBound(names: readonly string[], name: string): number {
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((names[mid] as string) <= name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first name in ascending `names` not less than `name`. */
function lowerBound(names: readonly string[], name: string): number {
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((names[mid] as string) < name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first item in ascending `items` after the cursor's (key, name). */
function upperBoundItems(items: readonly EntryInfo[], sort: SortKey, key: number, name: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const item = items[mid] as EntryInfo;
    const c = keyOf(item, sort) - key || compareNames(item.name, name);
    if (c <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The first `k` names in the given order, without sorting them all: a bounded heap whose top is
 * the worst name kept. On 100,000 names this is ~2 ms against ~30 ms for a full sort.
 */
export function firstNames(names: readonly string[], k: number, order: SortOrder): string[] {
  const before = order === 'asc' ? (a: string, b: string) => a < b : (a: string, b: string) => a > b;
  const heap: string[] = [];
  const siftUp = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(heap[p] as string, heap[i] as string)) break;
      [heap[p], heap[i]] = [heap[i] as string, heap[p] as string];
      i = p;
    }
  };
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[m] as string, heap[l] as string)) m = l;
      if (r < heap.length && before(heap[m] as string, heap[r] as string)) m = r;
      if (m === i) return;
      [heap[m], heap[i]] = [heap[i] as string, heap[m] as string];
      i = m;
    }
  };
  for (const name of names) {
    if (heap.length < k) {
      heap.push(name);
      siftUp(heap.length - 1);
    } else if (k > 0 && before(name, heap[0] as string)) {
      heap[0] = name;
      siftDown(0);
    }
  }
  heap.sort();
  return order === 'asc' ? heap : heap.reverse();
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function readNamesSliced(dir: string): Promise<string[]> {
  const handle = opendirSync(dir, { bufferSize: READ_SLICE });
  const names: string[] = [];
  try {
    for (;;) {
      let entry = handle.readSync();
      for (let n = 0; entry !== null; entry = handle.readSync()) {
        if (!entry.name.startsWith(UPLOAD_TEMP_PREFIX)) names.push(entry.name);
        if (++n === READ_SLICE) break;
      }
      if (entry === null) return names;
      await yieldToEventLoop();
    }
  } finally {
    handle.closeSync();
  }
}

async function readNamesAsync(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names.some((n) => n.startsWith(UPLOAD_TEMP_PREFIX))
    ? names.filter((n) => !n.startsWith(UPLOAD_TEMP_PREFIX))
    : names;
}

/**
 * Lists folders one page at a time. Name-sorted pages stat only the entries on the page; size and
 * mtime sorts stat the whole folder once. The folder's sorted listing is cached (LRU, keyed by its
 * real path, inode, mtime, ctime and sort key) so paging through a large folder costs one read.
 * Cursors hold the last entry's sort key and name, so pages stay stable while files come and go.
 */
export class DirectoryLister {
  private readonly cache = new Map<string, CacheSlot>();
  private cachedNames = 0;
  private readonly networkDevices = new Map<number, boolean>();
  private readonly cacheEntries: number;
  private readonly cacheMaxNames: number;
  private readonly cacheTtlMs: number;
  private readonly statConcurrency: number;
  private readonly readStrategy: ReadStrategy;
  private readonly nowMs: () => number;

  constructor(
    private readonly resolver: PathResolver,
    options: DirectoryListerOptions = {},
  ) {
    this.cacheEntries = options.cacheEntries ?? 16;
    this.cacheMaxNames = options.cacheMaxNames ?? 2_000_000;
    this.cacheTtlMs = options.cacheTtlMs ?? 30_000;
    this.statConcurrency = options.statConcurrency ?? 64;
    this.readStrategy = options.readStrategy ?? 'sliced-sync';
    this.nowMs = options.nowMs ?? Date.now;
  }

  clearCache(): void {
    this.cache.clear();
    this.cachedNames = 0;
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
      const index =
        (this.cached(key) as NameIndex | undefined) ??
        this.store(key, { kind: 'name', names: await this.readNames(resolved.absPath, dirStats), sorted: false });
      const { names } = index;
      let window: string[];
      let more: boolean;
      if (!cursor && !index.sorted && limit * 8 < names.length) {
        window = firstNames(names, limit, order);
        more = names.length > limit;
      } else {
        if (!index.sorted) {
          names.sort();
          index.sorted = true;
        }
        if (order === 'asc') {
          const start = cursor ? upperBound(names, cursor.n) : 0;
          window = names.slice(start, start + limit);
          more = start + limit < names.length;
        } else {
          // Descending: walk back from the last name before the cursor's.
          const end = cursor ? lowerBound(names, cursor.n) : names.length;
          window = names.slice(Math.max(0, end - limit), end).reverse();
          more = end - limit > 0;
        }
      }
      const infos = await this.describeAll(resolved.absPath, resolved.rootDir, window);
      // An entry that vanished since the read is skipped; the cursor still follows the window.
      const response = page(infos, false, names.length);
      const lastName = window[window.length - 1];
      if (more && lastName !== undefined) response.nextCursor = encodeCursor({ s: sort, o: order, n: lastName });
      return response;
    }

    const index =
      (this.cached(key) as StatIndex | undefined) ??
      this.store(key, {
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

  private async listRoots(
    user: string,
    sort: SortKey,
    order: SortOrder,
    limit: number,
    cursor: CursorData | undefined,
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

  private async readNames(dir: string, dirStats: Stats): Promise<string[]> {
    if (this.readStrategy === 'async') return readNamesAsync(dir);
    let network = this.networkDevices.get(dirStats.dev);
    if (network === undefined) {
      try {
        network = NETWORK_FS_TYPES.has((await statfs(dir)).type);
      } catch {
        network = true;
      }
      this.networkDevices.set(dirStats.dev, network);
    }
    return network ? readNamesAsync(dir) : readNamesSliced(dir);
  }

  /** Describes `names` in `dir`, in order, dropping the ones that vanished. */
  private async describeAll(dir: string, rootDir: string, names: readonly string[]): Promise<EntryInfo[]> {
    const paths = names.map((name) => path.join(dir, name));
    const stats = await lstatMany(paths, this.statConcurrency);
    const infos: (EntryInfo | Promise<EntryInfo>)[] = [];
    for (let i = 0; i < names.length; i++) {
      const s = stats[i];
      if (s) infos.push(describeEntry(paths[i] as string, names[i] as string, rootDir, s));
    }
    return Promise.all(infos);
  }

  private async statIndex(dir: string, rootDir: string, dirStats: Stats, sort: SortKey): Promise<EntryInfo[]> {
    const items = await this.describeAll(dir, rootDir, await this.readNames(dir, dirStats));
    return items.sort((a, b) => compareItems(a, b, sort));
  }

  private cached(key: string): NameIndex | StatIndex | undefined {
    const slot = this.cache.get(key);
    if (!slot) return undefined;
    this.cache.delete(key);
    if (this.nowMs() - slot.builtAtMs > this.cacheTtlMs) {
      this.cachedNames -= slot.size;
      return undefined;
    }
    this.cache.set(key, slot);
    return slot.index;
  }

  private store<T extends NameIndex | StatIndex>(key: string, index: T): T {
    const size = index.kind === 'name' ? index.names.length : index.items.length;
    if (size > this.cacheMaxNames) return index;
    const old = this.cache.get(key);
    if (old) {
      this.cache.delete(key);
      this.cachedNames -= old.size;
    }
    this.cache.set(key, { index, builtAtMs: this.nowMs(), size });
    this.cachedNames += size;
    for (const [oldest, slot] of this.cache) {
      if (this.cache.size <= this.cacheEntries && this.cachedNames <= this.cacheMaxNames) break;
      this.cache.delete(oldest);
      this.cachedNames -= slot.size;
    }
    return index;
  }
}
