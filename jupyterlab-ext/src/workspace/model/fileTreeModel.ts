import { MAX_LIST_LIMIT, type WorkspaceEntry } from '@aiplat/api';
import { ChangingModel } from '../../model/changingModel.js';
import { FolderSubscriptions } from './folderSubscriptions.js';
import type { WorkspaceSource } from './workspaceSource.js';
import { isAbort, NOT_CONNECTED, toWorkspaceError, type WorkspaceError } from './workspaceError.js';

/** Entries fetched per page; large folders show a "load more" row after each page. */
export const DEFAULT_PAGE_SIZE = 200;

/** One listed folder: the pages fetched so far. */
export interface FolderState {
  readonly path: string;
  readonly entries: readonly WorkspaceEntry[];
  /** Cursor of the next page; undefined once every page is in. */
  readonly nextCursor: string | undefined;
  readonly total: number;
  readonly loading: boolean;
  readonly error: WorkspaceError | undefined;
}

/** A visible line of the tree, in display order. */
export type TreeRow =
  | { readonly kind: 'entry'; readonly entry: WorkspaceEntry; readonly depth: number; readonly expanded: boolean }
  | { readonly kind: 'loading'; readonly path: string; readonly depth: number }
  | {
      readonly kind: 'more';
      readonly path: string;
      readonly depth: number;
      readonly shown: number;
      readonly total: number;
      readonly loading: boolean;
    }
  | { readonly kind: 'error'; readonly path: string; readonly depth: number; readonly error: WorkspaceError };

export interface FileTreeModelOptions {
  pageSize?: number;
}

const EMPTY = (path: string): FolderState => ({
  path,
  entries: [],
  nextCursor: undefined,
  total: 0,
  loading: false,
  error: undefined,
});

/**
 * The /work tree: `''` lists the roots (home, cache, mount); folders expand on demand and fetch
 * their entries a page at a time through the listing's cursor. Each open folder is followed on
 * the server's `files/<path>` topic and listed again when its entries change (a job writing its
 * output shows up without a click). DOM-free; `changed` fires after every state change.
 */
export class FileTreeModel extends ChangingModel {
  private readonly _folders = new Map<string, FolderState>();
  private readonly _expanded = new Set<string>();
  /** Per folder, the request in flight, aborted when a refresh or collapse supersedes it. */
  private readonly _inflight = new Map<string, AbortController>();
  private readonly _pageSize: number;
  private readonly _subscriptions: FolderSubscriptions;

  constructor(
    private readonly _source: WorkspaceSource,
    options: FileTreeModelOptions = {},
  ) {
    super();
    this._pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this._subscriptions = new FolderSubscriptions(_source, (path) => {
      if (this._expanded.has(path)) void this.loadPage(path, true);
    });
  }

  /** The folders followed for changes: the open ones (not hidden below a closed one). */
  get watchedFolders(): string[] {
    return this._subscriptions.watched;
  }

  get pageSize(): number {
    return this._pageSize;
  }

  folder(path: string): FolderState | undefined {
    return this._folders.get(path);
  }

  isExpanded(path: string): boolean {
    return this._expanded.has(path);
  }

  /** The open folders, parents before their children. */
  get expandedFolders(): string[] {
    return [...this._expanded].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  }

  /** The visible rows: the roots, then each expanded folder's entries below it. */
  rows(): TreeRow[] {
    const rows: TreeRow[] = [];
    const walk = (path: string, depth: number) => {
      const folder = this._folders.get(path);
      if (!folder || (folder.loading && folder.entries.length === 0)) {
        rows.push({ kind: 'loading', path, depth });
        return;
      }
      for (const entry of folder.entries) {
        const expanded = entry.type === 'directory' && this._expanded.has(entry.path);
        rows.push({ kind: 'entry', entry, depth, expanded });
        if (expanded) walk(entry.path, depth + 1);
      }
      if (folder.error) rows.push({ kind: 'error', path, depth, error: folder.error });
      else if (folder.nextCursor !== undefined) {
        rows.push({
          kind: 'more',
          path,
          depth,
          shown: folder.entries.length,
          total: folder.total,
          loading: folder.loading,
        });
      }
    };
    walk('', 0);
    return rows;
  }

  /**
   * Lists a folder (by default /work, the roots) and the open folders below it again, from the
   * start and as many entries as were shown, keeping which folders are expanded.
   */
  async refresh(path = ''): Promise<void> {
    this._subscriptions.sync();
    const reloads = [this.loadPage(path, true)];
    for (const open of this._expanded) {
      if (open !== path && (path === '' || open.startsWith(`${path}/`))) reloads.push(this.loadPage(open, true));
    }
    await Promise.all(reloads);
  }

  async toggle(path: string): Promise<void> {
    if (this._expanded.has(path)) this.collapse(path);
    else await this.expand(path);
  }

  async expand(path: string): Promise<void> {
    if (this.isDisposed) return;
    this._expanded.add(path);
    this.watchVisible(path);
    const folder = this._folders.get(path);
    if (folder && !folder.error && (folder.entries.length > 0 || folder.loading)) {
      this.emit();
      // Shown at once as it was; listed again since nothing followed it while it was closed.
      if (!folder.loading) await this.loadPage(path, true);
      return;
    }
    await this.loadPage(path, true);
  }

  collapse(path: string): void {
    if (!this._expanded.delete(path)) return;
    for (const watched of this._subscriptions.watched) {
      if (watched === path || watched.startsWith(`${path}/`)) this._subscriptions.unwatch(watched);
    }
    this.emit();
  }

  /** Follows `path` and the folders still expanded below it, now shown again. */
  private watchVisible(path: string): void {
    this._subscriptions.watch(path);
    for (const open of this._expanded) {
      if (open.startsWith(`${path}/`) && this.shownBelow(open, path)) this._subscriptions.watch(open);
    }
  }

  private shownBelow(folder: string, ancestor: string): boolean {
    for (let at = folder; at !== ancestor && at.includes('/'); at = at.slice(0, at.lastIndexOf('/'))) {
      if (!this._expanded.has(at)) return false;
    }
    return true;
  }

  /** Fetches the next page of a folder and appends it. */
  async loadMore(path: string): Promise<void> {
    const folder = this._folders.get(path);
    if (!folder || folder.nextCursor === undefined || folder.loading) return;
    await this.loadPage(path, false);
  }

  private async loadPage(path: string, fromStart: boolean): Promise<void> {
    if (this.isDisposed) return;
    const client = this._source.client;
    const before = this._folders.get(path) ?? EMPTY(path);
    if (!client) {
      this.set({ ...before, loading: false, error: NOT_CONNECTED });
      return;
    }
    this._inflight.get(path)?.abort();
    const abort = new AbortController();
    this._inflight.set(path, abort);
    const cursor = fromStart ? undefined : before.nextCursor;
    const limit = fromStart
      ? Math.min(MAX_LIST_LIMIT, Math.max(this._pageSize, before.entries.length))
      : this._pageSize;
    this.set({ ...before, loading: true, error: undefined });
    try {
      const page = await client.listFiles(
        { query: { path, limit, ...(cursor !== undefined ? { cursor } : {}) } },
        { signal: abort.signal },
      );
      if (abort.signal.aborted || this.isDisposed) return;
      const current = this._folders.get(path) ?? EMPTY(path);
      this.set({
        path,
        entries: fromStart ? page.entries : [...current.entries, ...page.entries],
        nextCursor: page.nextCursor,
        total: page.total,
        loading: false,
        error: undefined,
      });
    } catch (cause) {
      if (abort.signal.aborted || this.isDisposed || isAbort(cause)) return;
      const current = this._folders.get(path) ?? EMPTY(path);
      this.set({ ...current, loading: false, error: toWorkspaceError(cause) });
    } finally {
      if (this._inflight.get(path) === abort) this._inflight.delete(path);
    }
  }

  private set(folder: FolderState): void {
    this._folders.set(folder.path, folder);
    this.emit();
  }

  protected override onDispose(): void {
    this._subscriptions.dispose();
    for (const abort of this._inflight.values()) abort.abort();
    this._inflight.clear();
  }
}
