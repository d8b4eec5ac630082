import type { ConnectionState } from '@aiplat/api';
import { Clipboard, Notification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Message } from '@lumino/messaging';
import { Signal } from '@lumino/signaling';
import { BoxPanel, SplitPanel, TabPanel, type Widget } from '@lumino/widgets';
import type { IConnectionModel } from '../../tokens.js';
import { CatalogModel } from '../model/catalogModel.js';
import { FileTreeModel } from '../model/fileTreeModel.js';
import { parentPath, toDisplayPath } from '../model/paths.js';
import { PreviewModel } from '../model/previewModel.js';
import { UploadModel } from '../model/uploadModel.js';
import { WorkspaceMemory, type StateStore } from '../model/workspaceMemory.js';
import { CatalogWidget } from './CatalogList.js';
import { FileTreeWidget } from './FileTree.js';
import { PreviewWidget } from './PreviewPane.js';
import type { WorkspaceActions } from './workspaceActions.js';

export interface WorkspaceViewOptions {
  connection: IConnectionModel;
  trans: TranslationBundle;
  /**
   * Opens a /work path in JupyterLab's main area. The path is as the API names it, relative to
   * /work (`home/nb/a.ipynb`); `toJupyterPath(path, prefix)` maps it to a contents path.
   */
  openPath: (workPath: string) => void;
  /** Inserts text at the cursor of the active notebook cell; false when there is none. */
  insertIntoNotebook: (text: string) => boolean;
  /** Opens a TensorBoard view of a folder (an API path). */
  openTensorBoard: (path: string) => void;
  /** Opens the deploy form of a service for a model folder (an API path): the Models list's Deploy. */
  deployService?: (path: string) => void;
  /** JupyterLab's state database: open folders and the preview come back after a reload. */
  state?: StateStore;
}

/**
 * The Workspace section: the tabs Files / Datasets / Models above the preview pane (a split the
 * user can resize). Owns its models and disposes them with itself; reloads them whenever the
 * connection comes up. The outer node is the sidebar's to mark; the split carries
 * `data-testid="aiplat-workspace"`.
 */
export class WorkspaceView extends BoxPanel {
  readonly tree: FileTreeModel;
  readonly datasets: CatalogModel;
  readonly models: CatalogModel;
  readonly preview: PreviewModel;
  readonly uploads: UploadModel;
  readonly tabs: TabPanel;
  readonly split: SplitPanel;
  private readonly _memory: WorkspaceMemory | undefined;

  constructor(private readonly _options: WorkspaceViewOptions) {
    super();
    const { connection, trans } = _options;
    this.addClass('aiplat-workspace-section');
    this.split = new SplitPanel({ orientation: 'vertical', spacing: 4 });
    this.split.addClass('aiplat-workspace');
    this.split.node.dataset.testid = 'aiplat-workspace';
    this.tree = new FileTreeModel(connection);
    this.datasets = new CatalogModel(connection, 'dataset');
    this.models = new CatalogModel(connection, 'model');
    this.preview = new PreviewModel(connection);
    this.uploads = new UploadModel(connection);
    this._memory = _options.state && new WorkspaceMemory(_options.state, this.tree, this.preview);
    this.uploads.uploaded.connect((_, entry) => {
      const folder = parentPath(entry.path);
      void this.tree.refresh(folder);
      const shown = this.preview.shownFile();
      if (shown === folder || shown === entry.path) void this.preview.reload();
    }, this);

    const actions = this.createActions();
    this.tabs = new TabPanel();
    this.tabs.addClass('aiplat-workspace-tabs');
    const tab = (widget: Widget, label: string, name: string) => {
      widget.id = `aiplat-workspace-${name}`;
      widget.title.label = label;
      widget.title.dataset = { testid: `aiplat-tab-${name}` };
      this.tabs.addWidget(widget);
    };
    tab(new FileTreeWidget(this.tree, this.uploads, actions, this.preview), trans.__('Files'), 'files');
    tab(new CatalogWidget(this.datasets, this.preview, actions), trans.__('Datasets'), 'datasets');
    tab(new CatalogWidget(this.models, this.preview, actions), trans.__('Models'), 'models');
    this.split.addWidget(this.tabs);
    this.split.addWidget(new PreviewWidget(this.preview, actions));
    this.split.setRelativeSizes([3, 2]);
    this.addWidget(this.split);

    connection.stateChanged.connect(this.onConnectionState, this);
    this.onConnectionState(connection, connection.state);
  }

  /** Reloads everything (after reconnecting, or from a command). */
  async refresh(): Promise<void> {
    await Promise.all([this.tree.refresh(), this.datasets.refresh(), this.models.refresh()]);
  }

  /**
   * Shows a path (relative to /work) in the Files tab: its folders opened down to it (a folder
   * itself opened too), and it selected in the preview. For what JupyterLab's file browser cannot
   * show (a hidden folder such as a dataset version's `home/.catalog/…`).
   */
  async reveal(path: string): Promise<void> {
    const parts = path.split('/').filter(Boolean);
    this.tabs.currentIndex = 0;
    for (let i = 1; i <= parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      if (!this.tree.isExpanded(folder)) await this.tree.expand(folder);
    }
    await this.preview.show(parts.join('/'));
  }

  /** Open folders follow their changes live; showing the section again also lists them afresh. */
  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (this._options.connection.state.status === 'connected') void this.tree.refresh();
  }

  private onConnectionState(_: unknown, state: ConnectionState): void {
    // Connected: list everything again; down: say so in each tab (no request is sent).
    if (state.status === 'connecting') return;
    void this.refresh();
    if (state.status === 'connected') void this._memory?.restore();
  }

  private createActions(): WorkspaceActions {
    const { connection, trans, openPath, insertIntoNotebook, openTensorBoard, deployService } = this._options;
    const displayPath = (path: string) =>
      toDisplayPath(path, connection.state.status === 'connected' ? connection.state.info.roots : []);
    return {
      trans,
      displayPath,
      select: (path, selectOptions) => void this.preview.show(path, selectOptions),
      selected: () => this.preview.path,
      uploadRefusal: (folder) => {
        const roots = connection.state.status === 'connected' ? connection.state.info.roots : [];
        const root = roots.find((r) => r.name === folder.split('/')[0]);
        return root && !root.writable
          ? trans.__('%1 is read-only: upload into home or cache instead.', root.displayPath)
          : undefined;
      },
      open: (path) => openPath(path),
      openTensorBoard: (path) => openTensorBoard(path),
      ...(deployService ? { deployService } : {}),
      copyPath: (path) => {
        Clipboard.copyToSystem(displayPath(path));
        Notification.info(trans.__('Copied %1', displayPath(path)), { autoClose: 2000 });
      },
      insertPath: (path) => {
        if (!insertIntoNotebook(displayPath(path))) {
          Notification.warning(trans.__('Select a notebook cell to insert the path into.'), { autoClose: 4000 });
        }
      },
    };
  }

  override dispose(): void {
    if (this.isDisposed) return;
    Signal.clearData(this);
    this._memory?.dispose();
    this.tree.dispose();
    this.datasets.dispose();
    this.models.dispose();
    this.preview.dispose();
    this.uploads.dispose();
    super.dispose();
  }
}

/** The Workspace section's widget, for the sidebar. */
export function createWorkspaceView(options: WorkspaceViewOptions): Widget {
  return new WorkspaceView(options);
}
