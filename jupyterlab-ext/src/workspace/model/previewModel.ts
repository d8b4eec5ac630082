import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';
import { toPreviewContent, type PreviewContent } from './previewContent.js';
import type { WorkspaceSource } from './workspaceSource.js';
import { isAbort, NOT_CONNECTED, toWorkspaceError, type WorkspaceError } from './workspaceError.js';

/** Images larger than this are described, not shown. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/** Records, rows or tensors asked for. */
export const DEFAULT_PREVIEW_LIMIT = 50;

export type PreviewState =
  | { readonly status: 'idle' }
  | { readonly status: 'loading'; readonly path: string }
  | { readonly status: 'ready'; readonly path: string; readonly content: PreviewContent }
  | { readonly status: 'error'; readonly path: string; readonly error: WorkspaceError };

/** The preview pane's model: the last path asked for wins; an earlier request still running is aborted. */
export class PreviewModel implements IDisposable {
  private readonly _changed = new Signal<this, PreviewState>(this);
  private _state: PreviewState = { status: 'idle' };
  private _inflight: AbortController | undefined;
  private _disposed = false;

  constructor(
    private readonly _source: WorkspaceSource,
    private readonly _limit = DEFAULT_PREVIEW_LIMIT,
  ) {}

  get changed(): ISignal<this, PreviewState> {
    return this._changed;
  }

  get state(): PreviewState {
    return this._state;
  }

  /** The path shown or being loaded, if any. */
  get path(): string | undefined {
    return this._state.status === 'idle' ? undefined : this._state.path;
  }

  async show(path: string): Promise<void> {
    if (this._disposed) return;
    this._inflight?.abort();
    const client = this._source.client;
    if (!client) {
      this.set({ status: 'error', path, error: NOT_CONNECTED });
      return;
    }
    const abort = new AbortController();
    this._inflight = abort;
    this.set({ status: 'loading', path });
    try {
      const preview = await client.previewFile({ query: { path, limit: this._limit } }, { signal: abort.signal });
      let data: Blob | undefined;
      if (preview.kind === 'image' && preview.size <= MAX_IMAGE_BYTES) {
        const response = await client.downloadFile({ query: { path } }, { signal: abort.signal });
        const bytes = await response.arrayBuffer();
        data = new Blob([bytes], { type: preview.mimeType });
      }
      if (abort.signal.aborted || this._disposed) return;
      this.set({ status: 'ready', path, content: toPreviewContent(preview, data) });
    } catch (cause) {
      if (abort.signal.aborted || this._disposed || isAbort(cause)) return;
      this.set({ status: 'error', path, error: toWorkspaceError(cause) });
    } finally {
      if (this._inflight === abort) this._inflight = undefined;
    }
  }

  clear(): void {
    this._inflight?.abort();
    this.set({ status: 'idle' });
  }

  private set(state: PreviewState): void {
    this._state = state;
    if (!this._disposed) this._changed.emit(state);
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
