import type { EventMessage, WorkspaceEntry } from '@aiplat/api';
import { Signal, type ISignal } from '@lumino/signaling';
import { ChangingModel } from '../../model/changingModel.js';
import { joinPath } from './paths.js';
import type { WorkspaceSource } from './workspaceSource.js';
import { NOT_CONNECTED, toWorkspaceError, type WorkspaceError } from './workspaceError.js';

export interface UploadItem {
  readonly id: string;
  /** Where the file lands (API path). */
  readonly path: string;
  readonly name: string;
  readonly totalBytes: number;
  readonly receivedBytes: number;
  readonly state: 'uploading' | 'done' | 'failed';
  readonly error: WorkspaceError | undefined;
  readonly entry: WorkspaceEntry | undefined;
}

/** 0..1, for a progress bar. */
export function uploadFraction(item: UploadItem): number {
  if (item.state === 'done') return 1;
  if (item.totalBytes <= 0) return 0;
  return Math.min(1, item.receivedBytes / item.totalBytes);
}

export interface UploadModelOptions {
  /** The upload id sent to the server (progress arrives on the `uploads` topic under it). */
  newId?: () => string;
}

let counter = 0;
const defaultId = () => `u${Date.now().toString(36)}${(counter++).toString(36)}`;

/**
 * Uploads files with `PUT /api/files/content` and follows the bytes the server received on the
 * `uploads` WebSocket topic (a browser's fetch reports no upload progress). `changed` fires as each
 * item progresses; `uploaded` with each entry once written, so the tree can refresh.
 */
export class UploadModel extends ChangingModel {
  private readonly _uploaded = new Signal<this, WorkspaceEntry>(this);
  private readonly _items = new Map<string, UploadItem>();
  /** What each failed upload sent, so a refused one can be replaced (uploaded with overwrite). */
  private readonly _sources = new Map<string, { file: Blob; folder: string; name: string }>();
  private readonly _newId: () => string;

  constructor(
    private readonly _source: WorkspaceSource,
    options: UploadModelOptions = {},
  ) {
    super();
    this._newId = options.newId ?? defaultId;
  }

  get uploaded(): ISignal<this, WorkspaceEntry> {
    return this._uploaded;
  }

  /** Uploads in the order they started, finished ones included until `clearFinished()`. */
  get items(): UploadItem[] {
    return [...this._items.values()];
  }

  /** Uploads `file` into `folder` as `name`; resolves with the final item (done or failed), never rejects. */
  async upload(file: Blob, folder: string, name: string, options: { overwrite?: boolean } = {}): Promise<UploadItem> {
    const id = this._newId();
    const path = joinPath(folder, name);
    let item: UploadItem = {
      id,
      path,
      name,
      totalBytes: file.size,
      receivedBytes: 0,
      state: 'uploading',
      error: undefined,
      entry: undefined,
    };
    const update = (patch: Partial<UploadItem>) => {
      item = { ...item, ...patch };
      this._items.set(id, item);
      this.emit();
    };
    update({});
    const client = this._source.client;
    if (!client) {
      update({ state: 'failed', error: NOT_CONNECTED });
      return item;
    }
    const onEvent = (event: EventMessage) => {
      if (event.kind !== 'uploads' || event.data.uploadId !== id || item.state !== 'uploading') return;
      if (event.data.state === 'receiving' || event.data.state === 'done') {
        update({ receivedBytes: Math.max(item.receivedBytes, event.data.receivedBytes) });
      }
    };
    const unsubscribe = this._source.events?.subscribe('uploads', onEvent);
    try {
      const entry = await client.uploadFile({
        query: { path, overwrite: options.overwrite ?? false, uploadId: id },
        data: file,
      });
      update({ state: 'done', receivedBytes: item.totalBytes, entry });
      if (!this.isDisposed) this._uploaded.emit(entry);
    } catch (cause) {
      this._sources.set(id, { file, folder, name });
      update({ state: 'failed', error: toWorkspaceError(cause) });
    } finally {
      unsubscribe?.();
    }
    return item;
  }

  /** True when a failed upload was refused because the file exists: `replace` can overwrite it. */
  canReplace(item: UploadItem): boolean {
    return item.state === 'failed' && item.error?.code === 'conflict' && this._sources.has(item.id);
  }

  /** Uploads a refused file again, replacing the existing one; the failed item gives way to the new one. */
  async replace(id: string): Promise<UploadItem | undefined> {
    const source = this._sources.get(id);
    if (!source) return undefined;
    this._sources.delete(id);
    this._items.delete(id);
    return this.upload(source.file, source.folder, source.name, { overwrite: true });
  }

  clearFinished(): void {
    for (const [id, item] of this._items) {
      if (item.state === 'uploading') continue;
      this._items.delete(id);
      this._sources.delete(id);
    }
    this.emit();
  }

  protected override onDispose(): void {
    this._sources.clear();
  }
}
