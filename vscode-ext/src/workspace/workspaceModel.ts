import type { ApiClient, CatalogItem, RootInfo, WorkspaceEntry } from '@aiplat/api';

export const WORKSPACE_PAGE_SIZE = 200;

/** One folder's entries as loaded so far; `nextCursor` while more pages remain. */
export interface FolderListing {
  entries: WorkspaceEntry[];
  nextCursor: string | undefined;
  total: number;
}

export interface WorkspaceModelOptions {
  client: () => ApiClient | undefined;
  /** The roots of the connected server (`ServerInfo.roots`). */
  roots: () => readonly RootInfo[];
  /** Resolves when no connection is under way (at once when none is). */
  settled?: () => PromiseLike<void>;
  /** While a connection is being made: the roots the last connection to this server gave. */
  knownRoots?: () => readonly RootInfo[] | undefined;
  pageSize?: number;
}

/**
 * /work as the tree shows it, free of `vscode`: folders are listed lazily one page at a time and
 * cached until refreshed; the catalog of datasets and models is read once per refresh.
 */
export class WorkspaceModel {
  private readonly folders = new Map<string, FolderListing>();
  private catalog: Promise<CatalogItem[]> | undefined;

  constructor(private readonly options: WorkspaceModelOptions) {}

  roots(): readonly RootInfo[] {
    return this.options.client() ? this.options.roots() : [];
  }

  /**
   * The roots for the view's first request, made while the extension connects: the roots known
   * from the last connection at once, else the server's once the connection has ended (in one go
   * instead of an empty view and a refresh round trip).
   */
  async settledRoots(): Promise<readonly RootInfo[]> {
    const known = this.options.client() ? undefined : this.options.knownRoots?.();
    if (known?.length) return known;
    await this.options.settled?.();
    return this.roots();
  }

  /** The loaded entries of `path` (relative to /work), reading the first page if none is loaded. */
  async folder(path: string): Promise<FolderListing> {
    const known = this.folders.get(path);
    if (known) return known;
    // A root shown from the last connection can be opened before this one is made.
    await this.options.settled?.();
    const page = await this.page(path, undefined);
    const listing = { entries: page.entries, nextCursor: page.nextCursor, total: page.total };
    this.folders.set(path, listing);
    return listing;
  }

  /** Reads the next page of a folder already shown. */
  async loadMore(path: string): Promise<FolderListing> {
    const listing = await this.folder(path);
    if (listing.nextCursor === undefined) return listing;
    const page = await this.page(path, listing.nextCursor);
    listing.entries = [...listing.entries, ...page.entries];
    listing.nextCursor = page.nextCursor;
    listing.total = page.total;
    return listing;
  }

  async catalogItems(kind: CatalogItem['kind']): Promise<CatalogItem[]> {
    await this.options.settled?.();
    const client = this.requireClient();
    this.catalog ??= client.catalog({ query: {} }).then(
      (answer) => answer.items,
      (error: unknown) => {
        this.catalog = undefined;
        throw error;
      },
    );
    return (await this.catalog).filter((item) => item.kind === kind);
  }

  /** Forgets a folder (and everything under it unless `below` is false), or everything. */
  invalidate(path?: string, options: { below?: boolean } = {}): void {
    if (path === undefined) {
      this.folders.clear();
      this.catalog = undefined;
      return;
    }
    const below = options.below ?? true;
    for (const key of [...this.folders.keys()]) {
      if (key === path || (below && key.startsWith(`${path}/`))) this.folders.delete(key);
    }
  }

  private page(path: string, cursor: string | undefined) {
    return this.requireClient().listFiles({
      query: { path, limit: this.options.pageSize ?? WORKSPACE_PAGE_SIZE, ...(cursor ? { cursor } : {}) },
    });
  }

  private requireClient(): ApiClient {
    const client = this.options.client();
    if (!client) throw new Error('not connected');
    return client;
  }
}
