import type { WorkspaceEntry } from '@aiplat/api';
import { ChangingModel } from '../../model/changingModel.js';
import { FolderSubscriptions } from './folderSubscriptions.js';
import { parentPath } from './paths.js';
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

export type ShowOptions = { dataset?: { format: string } };

/**
 * The preview pane's model: the last path asked for wins; an earlier request still running is
 * aborted. The shown file's folder is followed on the `files/<path>` topic: when the file changes
 * or goes away, the preview is read again.
 */
export class PreviewModel extends ChangingModel<PreviewState> {
  private _state: PreviewState = { status: 'idle' };
  private _inflight: AbortController | undefined;
  private _shown: { path: string; options: ShowOptions } | undefined;
  private readonly _subscriptions: FolderSubscriptions;

  constructor(
    private readonly _source: WorkspaceSource,
    private readonly _limit = DEFAULT_PREVIEW_LIMIT,
  ) {
    super();
    this._subscriptions = new FolderSubscriptions(_source, (folder, changes) => {
      const shown = this.shownFile();
      if (shown === folder || changes.some((c) => `${folder}/${c.name}` === shown)) void this.reload();
    });
  }

  /** Reads the shown path again (after an upload or a change on the server). */
  async reload(): Promise<void> {
    if (this._shown) await this.show(this._shown.path, this._shown.options);
  }

  /** The file whose content is on screen: a dataset's data file, else the path itself. */
  shownFile(): string | undefined {
    return this._state.status === 'ready' ? (this._state.file ?? this._state.path) : this._shown?.path;
  }

  get state(): PreviewState {
    return this._state;
  }

  /** What was last asked for and is still shown (or being loaded): the path and how it was asked. */
  get request(): { readonly path: string; readonly options: ShowOptions } | undefined {
    return this._shown;
  }

  /** The path shown or being loaded, if any. */
  get path(): string | undefined {
    return this._state.status === 'idle' ? undefined : this._state.path;
  }

  /**
   * Previews `path`. With `dataset`, a folder shows its first data file (by the catalog's
   * `format`, e.g. `jsonl`) rather than its entry count.
   */
  async show(path: string, options: ShowOptions = {}): Promise<void> {
    if (this.isDisposed) return;
    this._inflight?.abort();
    this._shown = { path, options };
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
      // A folder's preview lists its entries: follow the folder itself; a file's, its folder.
      this.follow(preview.kind === 'directory' ? (file ?? path) : parentPath(file ?? path));
    } catch (cause) {
      if (abort.signal.aborted || this.isDisposed || isAbort(cause)) return;
      this.set({ status: 'error', path, error: toWorkspaceError(cause) });
    } finally {
      if (this._inflight === abort) this._inflight = undefined;
    }
  }

  clear(): void {
    this._inflight?.abort();
    this._shown = undefined;
    this.follow(undefined);
    this.set({ status: 'idle' });
  }

  /** Follows only the folder of what is shown. */
  private follow(folder: string | undefined): void {
    for (const watched of this._subscriptions.watched) if (watched !== folder) this._subscriptions.unwatch(watched);
    if (folder) this._subscriptions.watch(folder);
  }

  private set(state: PreviewState): void {
    this._state = state;
    this.emit(state);
  }

  protected override onDispose(): void {
    this._subscriptions.dispose();
    this._inflight?.abort();
  }
}
