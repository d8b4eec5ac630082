import type { CatalogItem } from '@aiplat/api';
import { ChangingModel } from '../../model/changingModel.js';
import type { WorkspaceSource } from './workspaceSource.js';
import { isAbort, NOT_CONNECTED, toWorkspaceError, type WorkspaceError } from './workspaceError.js';

export type CatalogKind = CatalogItem['kind'];

/** The datasets or the models the backend found under the roots (`GET /api/catalog?kind=`). */
export class CatalogModel extends ChangingModel {
  private _items: readonly CatalogItem[] = [];
  private _loading = false;
  private _loaded = false;
  private _error: WorkspaceError | undefined;
  private _inflight: AbortController | undefined;

  constructor(
    private readonly _source: WorkspaceSource,
    readonly kind: CatalogKind,
  ) {
    super();
  }

  get items(): readonly CatalogItem[] {
    return this._items;
  }

  get loading(): boolean {
    return this._loading;
  }

  /** True once a listing arrived (an empty catalog is then "nothing found", not "loading"). */
  get loaded(): boolean {
    return this._loaded;
  }

  get error(): WorkspaceError | undefined {
    return this._error;
  }

  async refresh(): Promise<void> {
    if (this.isDisposed) return;
    const client = this._source.client;
    if (!client) {
      this._error = NOT_CONNECTED;
      this._loading = false;
      this.emit();
      return;
    }
    this._inflight?.abort();
    const abort = new AbortController();
    this._inflight = abort;
    this._loading = true;
    this._error = undefined;
    this.emit();
    try {
      const { items } = await client.catalog({ query: { kind: this.kind } }, { signal: abort.signal });
      if (abort.signal.aborted || this.isDisposed) return;
      this._items = items.filter((item) => item.kind === this.kind);
      this._loaded = true;
    } catch (cause) {
      if (abort.signal.aborted || this.isDisposed || isAbort(cause)) return;
      this._error = toWorkspaceError(cause);
    }
    this._loading = false;
    this._inflight = undefined;
    this.emit();
  }

  protected override onDispose(): void {
    this._inflight?.abort();
  }
}
