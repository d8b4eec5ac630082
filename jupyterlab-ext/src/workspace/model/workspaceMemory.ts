import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import type { FileTreeModel } from './fileTreeModel.js';
import type { PreviewModel } from './previewModel.js';

/** What the Workspace section keeps across page reloads, as JupyterLab's file browser keeps its folder. */
export interface WorkspaceRecollection {
  /** Open folders, parents before their children. */
  readonly expanded: readonly string[];
  /** The previewed path, with the dataset format it was shown by. */
  readonly preview?: { readonly path: string; readonly datasetFormat?: string };
}

/** The part of JupyterLab's `IStateDB` the memory uses (a fake in tests). */
export interface StateStore {
  fetch(id: string): Promise<unknown>;
  save(id: string, value: ReadonlyPartialJSONObject): Promise<unknown>;
}

export const WORKSPACE_STATE_ID = '@aiplat/jupyterlab-ext:workspace';

/** Reads a stored recollection, dropping anything that is not one (a state written by another version). */
export function parseRecollection(value: unknown): WorkspaceRecollection | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { expanded, preview } = value as Record<string, unknown>;
  const paths = Array.isArray(expanded) ? expanded.filter((p): p is string => typeof p === 'string' && p !== '') : [];
  let kept: WorkspaceRecollection['preview'];
  if (typeof preview === 'object' && preview !== null) {
    const { path, datasetFormat } = preview as Record<string, unknown>;
    if (typeof path === 'string' && path !== '') {
      kept = typeof datasetFormat === 'string' ? { path, datasetFormat } : { path };
    }
  }
  return kept ? { expanded: paths, preview: kept } : { expanded: paths };
}

/**
 * Saves which folders are open and what is previewed whenever they change, and puts them back once
 * after the first connection of the page (a folder that is gone just shows its error, as opening it
 * by hand would).
 */
export class WorkspaceMemory {
  private _asked = false;
  private _restored = false;
  private _lastSaved = '';

  constructor(
    private readonly _store: StateStore,
    private readonly _tree: FileTreeModel,
    private readonly _preview: PreviewModel,
  ) {
    _tree.changed.connect(this.save, this);
    _preview.changed.connect(this.save, this);
  }

  /** What the section holds now. */
  current(): WorkspaceRecollection {
    const shown = this._preview.request;
    const preview = shown && {
      path: shown.path,
      ...(shown.options.dataset ? { datasetFormat: shown.options.dataset.format } : {}),
    };
    return preview ? { expanded: this._tree.expandedFolders, preview } : { expanded: this._tree.expandedFolders };
  }

  /** Puts back what was saved; only the first call does anything. */
  async restore(): Promise<void> {
    if (this._asked) return;
    this._asked = true;
    const saved = parseRecollection(await this._store.fetch(WORKSPACE_STATE_ID).catch(() => undefined));
    if (!saved) {
      this._restored = true;
      return;
    }
    this._lastSaved = JSON.stringify(saved);
    const opening = saved.expanded.map((path) => this._tree.expand(path));
    if (saved.preview && this._preview.request === undefined) {
      const { path, datasetFormat } = saved.preview;
      opening.push(this._preview.show(path, datasetFormat === undefined ? {} : { dataset: { format: datasetFormat } }));
    }
    // Saved once everything asked for is in the models, not folder by folder on the way there.
    this._restored = true;
    this.save();
    await Promise.all(opening);
  }

  private save(): void {
    // Nothing is written before the saved state was read back: it would overwrite it with an empty tree.
    if (!this._restored) return;
    const now = this.current();
    const text = JSON.stringify(now);
    if (text === this._lastSaved) return;
    this._lastSaved = text;
    void this._store.save(WORKSPACE_STATE_ID, JSON.parse(text) as ReadonlyPartialJSONObject).catch(() => undefined);
  }

  dispose(): void {
    this._tree.changed.disconnect(this.save, this);
    this._preview.changed.disconnect(this.save, this);
  }
}
