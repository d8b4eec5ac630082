import type { CatalogItem } from '@aiplat/api';
import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';
import type { WorkspaceSource } from './workspaceSource.js';
import { isAbort, NOT_CONNECTED, toWorkspaceError, type WorkspaceError } from './workspaceError.js';

export type CatalogKind = CatalogItem['kind'];

/** The datasets or the models the backend found under the roots (`GET /api/catalog?kind=`). */
export class CatalogModel implements IDisposable {
  private readonly _changed = new Signal<this, void>(this);
  private _items: readonly CatalogItem[] = [];
  private _loading = false;
  private _loaded = false;
  private _error: WorkspaceError | undefined;
  private _inflight: AbortController | undefined;
  private _disposed = false;

  constructor(
    private readonly _source: WorkspaceSource,
    readonly kind: CatalogKind,
  ) {}

  get changed(): ISignal<this, void> {
    return this._changed;
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
    if (this._disposed) return;
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
      if (abort.signal.aborted || this._disposed) return;
      this._items = items.filter((item) => item.kind === this.kind);
      this._loaded = true;
    } catch (cause) {
      if (abort.signal.aborted || this._disposed || isAbort(cause)) return;
      this._error = toWorkspaceError(cause);
    }
    this._loading = false;
    this._inflight = undefined;
    this.emit();
  }

  private emit(): void {
    if (!this._disposed) this._changed.emit();
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._inflight?.abort();
    Signal.clearData(this);
  }
}
