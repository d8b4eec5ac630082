import type { WorkspaceEntry } from '@aiplat/api';
import { ChangingModel } from '../../model/changingModel.js';
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
  | {
      readonly status: 'ready';
      readonly path: string;
      readonly content: PreviewContent;
      /** For a dataset folder: the data file inside it that is shown. */
      readonly file?: string;
    }
  | { readonly status: 'error'; readonly path: string; readonly error: WorkspaceError };

const DATA_EXTENSIONS = ['jsonl', 'json', 'csv', 'tsv', 'txt', 'parquet', 'png', 'jpg', 'jpeg'];

/** The file of a dataset folder to preview: the first of its format, else the first data file. */
export function pickDataFile(entries: readonly WorkspaceEntry[], format: string): string | undefined {
  const files = entries.filter((e) => e.type === 'file' && !e.name.startsWith('.'));
  const ext = (name: string) => name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  const wanted = format === 'images' ? ['png', 'jpg', 'jpeg'] : [format.toLowerCase()];
  return (files.find((e) => wanted.includes(ext(e.name))) ?? files.find((e) => DATA_EXTENSIONS.includes(ext(e.name))))
    ?.path;
}

/** The preview pane's model: the last path asked for wins; an earlier request still running is aborted. */
export class PreviewModel extends ChangingModel<PreviewState> {
  private _state: PreviewState = { status: 'idle' };
  private _inflight: AbortController | undefined;

  constructor(
    private readonly _source: WorkspaceSource,
    private readonly _limit = DEFAULT_PREVIEW_LIMIT,
  ) {
    super();
  }

  get state(): PreviewState {
    return this._state;
  }

  /** The path shown or being loaded, if any. */
  get path(): string | undefined {
    return this._state.status === 'idle' ? undefined : this._state.path;
  }

  /**
   * Previews `path`. With `dataset`, a folder shows its first data file (by the catalog's
   * `format`, e.g. `jsonl`) rather than its entry count.
   */
  async show(path: string, options: { dataset?: { format: string } } = {}): Promise<void> {
    if (this.isDisposed) return;
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
      const signal = abort.signal;
      let file: string | undefined;
      let preview = await client.previewFile({ query: { path, limit: this._limit } }, { signal });
      if (preview.kind === 'directory' && options.dataset) {
        const { entries } = await client.listFiles({ query: { path, limit: 200 } }, { signal });
        file = pickDataFile(entries, options.dataset.format);
        if (file) preview = await client.previewFile({ query: { path: file, limit: this._limit } }, { signal });
      }
      let data: Blob | undefined;
      if (preview.kind === 'image' && preview.size <= MAX_IMAGE_BYTES) {
        const response = await client.downloadFile({ query: { path: file ?? path } }, { signal });
        const bytes = await response.arrayBuffer();
        data = new Blob([bytes], { type: preview.mimeType });
      }
      if (abort.signal.aborted || this.isDisposed) return;
      const content = toPreviewContent(preview, data);
      this.set(file ? { status: 'ready', path, content, file } : { status: 'ready', path, content });
    } catch (cause) {
      if (abort.signal.aborted || this.isDisposed || isAbort(cause)) return;
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
    this.emit(state);
  }

  protected override onDispose(): void {
    this._inflight?.abort();
  }
}
