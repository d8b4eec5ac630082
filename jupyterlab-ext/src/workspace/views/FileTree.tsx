import { formatBytes, type WorkspaceEntry } from '@aiplat/api';
import {
  caretDownIcon,
  caretRightIcon,
  fileIcon,
  fileUploadIcon,
  folderIcon,
  imageIcon,
  jsonIcon,
  notebookIcon,
  pythonIcon,
  ReactWidget,
  refreshIcon,
  spreadsheetIcon,
  UseSignal,
  type LabIcon,
} from '@jupyterlab/ui-components';
import { Notification } from '@jupyterlab/apputils';
import { useRef, type ChangeEvent, type DragEvent, type ReactElement } from 'react';
import type { FileTreeModel, TreeRow } from '../model/fileTreeModel.js';
import { opensInJupyter, parentPath } from '../model/paths.js';
import type { PreviewModel } from '../model/previewModel.js';
import { uploadFraction, type UploadModel } from '../model/uploadModel.js';
import { errorText, type WorkspaceActions } from './workspaceActions.js';
import { IconButton } from './IconButton.js';

const INDENT_PX = 14;

function iconFor(entry: WorkspaceEntry): LabIcon {
  if (entry.type === 'directory') return folderIcon;
  const ext = entry.name.slice(entry.name.lastIndexOf('.') + 1).toLowerCase();
  if (ext === 'ipynb') return notebookIcon;
  if (ext === 'py') return pythonIcon;
  if (ext === 'json' || ext === 'jsonl') return jsonIcon;
  if (ext === 'csv' || ext === 'tsv') return spreadsheetIcon;
  if (['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'svg'].includes(ext)) return imageIcon;
  return fileIcon;
}

/** Where an upload lands: the selected folder, the folder of the selected file, else home. */
export function uploadFolder(model: FileTreeModel, selected: string | undefined): string {
  if (!selected) return 'home';
  const parent = parentPath(selected);
  const listed = model.folder(parent)?.entries.find((e) => e.path === selected);
  const folder = listed?.type === 'directory' ? selected : parent;
  return folder || 'home';
}

interface FileTreeProps {
  model: FileTreeModel;
  uploads: UploadModel;
  actions: WorkspaceActions;
}

function Row(props: { row: TreeRow; model: FileTreeModel; actions: WorkspaceActions }): ReactElement {
  const { row, model, actions } = props;
  const { trans } = actions;
  const indent = { paddingLeft: `${4 + row.depth * INDENT_PX}px` };
  switch (row.kind) {
    case 'loading':
      return (
        <li className="aiplat-tree-row aiplat-tree-loading" style={indent}>
          {trans.__('Loading…')}
        </li>
      );
    case 'error':
      return (
        <li className="aiplat-tree-row aiplat-error" role="alert" style={indent} data-testid="aiplat-tree-error">
          {errorText(row.error, trans)}
        </li>
      );
    case 'more':
      return (
        <li className="aiplat-tree-row" style={indent}>
          <button
            className="aiplat-link-button"
            data-testid="aiplat-tree-more"
            disabled={row.loading}
            onClick={() => void model.loadMore(row.path)}
          >
            {row.loading ? trans.__('Loading…') : trans.__('Show more (%1 of %2 shown)', row.shown, row.total)}
          </button>
        </li>
      );
    case 'entry': {
      const { entry } = row;
      const isDir = entry.type === 'directory';
      const Icon = iconFor(entry);
      const Caret = row.expanded ? caretDownIcon : caretRightIcon;
      const selected = actions.selected() === entry.path;
      const folder = isDir && row.expanded ? model.folder(entry.path) : undefined;
      /** Expanded once its entries are shown: until the first page arrives it is busy. */
      const busy = folder === undefined ? row.expanded : folder.loading && folder.entries.length === 0;
      return (
        <li
          className={`aiplat-tree-row aiplat-tree-entry${selected ? ' aiplat-mod-selected' : ''}`}
          style={indent}
          data-path={entry.path}
          data-type={entry.type}
          title={actions.displayPath(entry.path)}
          aria-selected={selected}
          aria-expanded={isDir ? row.expanded && !busy : undefined}
          aria-busy={busy || undefined}
          role="treeitem"
          tabIndex={0}
          onClick={() => {
            actions.select(entry.path);
            if (isDir) void model.toggle(entry.path);
          }}
          onDoubleClick={() => {
            if (!isDir && opensInJupyter(entry.path)) actions.open(entry.path);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              if (isDir) void model.toggle(entry.path);
              else if (opensInJupyter(entry.path)) actions.open(entry.path);
            }
          }}
        >
          <span className="aiplat-tree-caret">{isDir ? <Caret.react tag="span" /> : null}</span>
          <Icon.react tag="span" className="aiplat-tree-icon" />
          <span className="aiplat-tree-name">{entry.name}</span>
          {isDir ? null : <span className="aiplat-tree-size">{formatBytes(entry.size)}</span>}
        </li>
      );
    }
  }
}

function Uploads(props: { uploads: UploadModel; actions: WorkspaceActions }): ReactElement | null {
  const { uploads, actions } = props;
  const { trans } = actions;
  const items = uploads.items;
  if (items.length === 0) return null;
  return (
    <div className="aiplat-uploads" data-testid="aiplat-uploads">
      {items.map((item) => (
        <div key={item.id} className={`aiplat-upload aiplat-upload-${item.state}`} data-testid="aiplat-upload">
          <span className="aiplat-upload-name" title={actions.displayPath(item.path)}>
            {item.name}
          </span>
          {item.state === 'failed' && item.error ? (
            <span className="aiplat-error" role="alert">
              {errorText(item.error, trans)}
            </span>
          ) : null}
          {uploads.canReplace(item) ? (
            <button
              className="aiplat-link-button"
              data-testid="aiplat-upload-replace"
              onClick={() => void uploads.replace(item.id)}
            >
              {trans.__('Replace')}
            </button>
          ) : null}
          {item.state === 'failed' ? null : (
            <progress
              className="aiplat-upload-progress"
              max={1}
              value={uploadFraction(item)}
              aria-label={trans.__('Upload progress')}
            />
          )}
        </div>
      ))}
      {items.some((i) => i.state !== 'uploading') ? (
        <button className="aiplat-link-button" onClick={() => uploads.clearFinished()}>
          {trans.__('Clear finished uploads')}
        </button>
      ) : null}
    </div>
  );
}

export function FileTree(props: FileTreeProps): ReactElement {
  const { model, uploads, actions } = props;
  const { trans } = actions;
  const input = useRef<HTMLInputElement>(null);
  const uploadAll = (files: FileList | null, folder: string) => {
    const refusal = actions.uploadRefusal(folder);
    if (refusal) {
      Notification.warning(refusal, { autoClose: 5000 });
      return;
    }
    for (const file of Array.from(files ?? [])) void uploads.upload(file, folder, file.name);
  };
  const uploadRefusal = actions.uploadRefusal(uploadFolder(model, actions.selected()));
  const onFiles = (event: ChangeEvent<HTMLInputElement>) => {
    uploadAll(event.target.files, uploadFolder(model, actions.selected()));
    event.target.value = '';
  };
  /** Files dropped on a folder go into it; on a file, beside it; elsewhere, where the button uploads. */
  const onDrop = (event: DragEvent<HTMLElement>) => {
    if (!event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    const row = (event.target as HTMLElement).closest<HTMLElement>('[data-path]');
    const path = row?.dataset.path;
    const folder =
      path === undefined
        ? uploadFolder(model, actions.selected())
        : row?.dataset.type === 'directory'
          ? path
          : parentPath(path) || 'home';
    uploadAll(event.dataTransfer.files, folder);
  };
  const onDragOver = (event: DragEvent<HTMLElement>) => {
    if (event.dataTransfer.types.includes('Files')) event.preventDefault();
  };
  return (
    <div className="aiplat-files">
      <div className="aiplat-toolbar">
        <IconButton
          label={trans.__('Refresh')}
          icon={refreshIcon}
          testId="aiplat-files-refresh"
          onClick={() => void model.refresh()}
        />
        <IconButton
          label={trans.__('Upload files into the selected folder')}
          icon={fileUploadIcon}
          testId="aiplat-files-upload"
          disabledReason={uploadRefusal}
          onClick={() => input.current?.click()}
        />
        <input ref={input} type="file" multiple hidden data-testid="aiplat-files-upload-input" onChange={onFiles} />
      </div>
      <UseSignal signal={uploads.changed}>{() => <Uploads uploads={uploads} actions={actions} />}</UseSignal>
      <ul
        className="aiplat-tree"
        role="tree"
        aria-label={trans.__('Files under /work')}
        onDragOver={onDragOver}
        onDrop={onDrop}
      >
        {model.rows().map((row) => (
          <Row
            key={`${row.kind}:${row.kind === 'entry' ? row.entry.path : row.path}`}
            row={row}
            model={model}
            actions={actions}
          />
        ))}
      </ul>
    </div>
  );
}

/** The Files tab. */
export class FileTreeWidget extends ReactWidget {
  constructor(
    private readonly _model: FileTreeModel,
    private readonly _uploads: UploadModel,
    private readonly _actions: WorkspaceActions,
    private readonly _preview: PreviewModel,
  ) {
    super();
    this.addClass('aiplat-tab-files');
    this.addClass('aiplat-workspace-tree');
    this.node.dataset.testid = 'aiplat-workspace-tree';
  }

  protected render(): ReactElement {
    return (
      <UseSignal signal={this._preview.changed}>
        {() => (
          <UseSignal signal={this._model.changed}>
            {() => <FileTree model={this._model} uploads={this._uploads} actions={this._actions} />}
          </UseSignal>
        )}
      </UseSignal>
    );
  }
}
