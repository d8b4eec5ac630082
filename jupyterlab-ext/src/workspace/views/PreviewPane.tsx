import { formatBytes } from '@aiplat/api';
import { addIcon, copyIcon, launchIcon, lineFormIcon, ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { useEffect, useState, type ReactElement } from 'react';
import { baseName, opensInJupyter } from '../model/paths.js';
import type { PreviewContent } from '../model/previewContent.js';
import type { PreviewModel, PreviewState } from '../model/previewModel.js';
import { errorText, type WorkspaceActions } from './workspaceActions.js';
import { IconButton } from './IconButton.js';

type Table = Extract<PreviewContent, { kind: 'table' }>;
type Model = Extract<PreviewContent, { kind: 'model' }>;
type Image = Extract<PreviewContent, { kind: 'image' }>;

function DataTable(props: { columns: readonly string[]; rows: readonly (readonly string[])[]; testid?: string }) {
  return (
    <div className="aiplat-table-scroll">
      <table className="aiplat-table" data-testid={props.testid}>
        <thead>
          <tr>
            {props.columns.map((c, i) => (
              <th key={i}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row, r) => (
            <tr key={r}>
              {row.map((cell, i) => (
                <td key={i} title={cell}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TablePreview(props: { content: Table; actions: WorkspaceActions }): ReactElement {
  const { content, actions } = props;
  const { trans } = actions;
  return (
    <div className="aiplat-preview-table" data-format={content.format}>
      <div className="aiplat-muted">
        {trans.__('%1 rows shown', content.rows.length)}
        {content.truncated ? ` · ${trans.__('more in the file')}` : ''}
        {content.recordFormat && content.recordFormat !== 'generic'
          ? ` · ${content.recordFormat === 'instruction' ? trans.__('instruction records') : trans.__('conversation records')}`
          : ''}
      </div>
      <DataTable columns={content.columns} rows={content.rows} testid="aiplat-preview-table" />
      {content.errors.length > 0 ? (
        <ul className="aiplat-preview-errors">
          {content.errors.map((e) => (
            <li key={e.line} className="aiplat-error">
              {trans.__('Line %1: %2', e.line, e.message)}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function ImagePreview(props: { content: Image; actions: WorkspaceActions }): ReactElement {
  const { content, actions } = props;
  const [url, setUrl] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!content.data) return undefined;
    const objectUrl = URL.createObjectURL(content.data);
    setUrl(objectUrl);
    return () => URL.revokeObjectURL(objectUrl);
  }, [content.data]);
  const size =
    content.width !== undefined && content.height !== undefined ? `${content.width} × ${content.height} · ` : '';
  return (
    <div className="aiplat-preview-image">
      <div className="aiplat-muted">{`${size}${content.mimeType} · ${formatBytes(content.size)}`}</div>
      {url ? (
        <img src={url} alt={actions.trans.__('Image preview')} data-testid="aiplat-preview-img" />
      ) : content.data ? null : (
        <div className="aiplat-muted">{actions.trans.__('The image is too large to preview.')}</div>
      )}
    </div>
  );
}

function ModelPreview(props: { content: Model; actions: WorkspaceActions }): ReactElement {
  const { content, actions } = props;
  const { trans } = actions;
  const summary: [string, string][] = [
    [trans.__('Architecture'), content.architecture ?? trans.__('unknown')],
    [trans.__('Parameters'), `${content.parameterLabel} (${content.parameterCount.toLocaleString()})`],
    [trans.__('Tensors'), String(content.tensorCount)],
    [trans.__('Data types'), content.dtypes.map((d) => `${d.dtype} × ${d.tensors}`).join(', ') || '—'],
    [trans.__('Size'), formatBytes(content.totalBytes)],
    ...content.config.map((c): [string, string] => [c.key, c.value]),
  ];
  return (
    <div className="aiplat-preview-model" data-testid="aiplat-preview-model">
      <table className="aiplat-table aiplat-summary">
        <tbody>
          {summary.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td data-testid={k === trans.__('Parameters') ? 'aiplat-preview-parameters' : undefined}>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4>{trans.__('Files')}</h4>
      <DataTable
        columns={[trans.__('File'), trans.__('Size')]}
        rows={content.files.map((f) => [f.path, formatBytes(f.size)])}
      />
      {content.tensors.length > 0 ? (
        <>
          <h4>{trans.__('Tensors')}</h4>
          <DataTable
            columns={[trans.__('Name'), trans.__('Type'), trans.__('Shape')]}
            rows={content.tensors.map((t) => [t.name, t.dtype, `[${t.shape.join(', ')}]`])}
          />
        </>
      ) : null}
    </div>
  );
}

function Content(props: { content: PreviewContent; actions: WorkspaceActions }): ReactElement {
  const { content, actions } = props;
  const { trans } = actions;
  switch (content.kind) {
    case 'text':
      return (
        <div className="aiplat-preview-text">
          <pre data-testid="aiplat-preview-text">{content.text}</pre>
          {content.truncated ? (
            <div className="aiplat-muted">{trans.__('Showing the start of a %1 file.', formatBytes(content.size))}</div>
          ) : null}
        </div>
      );
    case 'table':
      return <TablePreview content={content} actions={actions} />;
    case 'image':
      return <ImagePreview content={content} actions={actions} />;
    case 'model':
      return <ModelPreview content={content} actions={actions} />;
    case 'directory':
      return <div className="aiplat-muted">{trans.__('A folder with %1 entries.', content.entryCount)}</div>;
    case 'binary':
      return (
        <div className="aiplat-muted">{trans.__('A binary file of %1; no preview.', formatBytes(content.size))}</div>
      );
  }
}

function PreviewActions(props: { path: string; isFolder: boolean; actions: WorkspaceActions }): ReactElement {
  const { path, isFolder, actions } = props;
  const { trans } = actions;
  return (
    <div className="aiplat-toolbar aiplat-preview-actions">
      <span className="aiplat-preview-title" title={actions.displayPath(path)} data-testid="aiplat-preview-title">
        {baseName(path) || '/work'}
      </span>
      {opensInJupyter(path) ? (
        <IconButton
          label={trans.__('Open in JupyterLab')}
          icon={launchIcon}
          testId="aiplat-action-open"
          onClick={() => actions.open(path)}
        />
      ) : null}
      {isFolder ? (
        <IconButton
          label={trans.__('Open in TensorBoard')}
          icon={lineFormIcon}
          testId="aiplat-action-tensorboard"
          onClick={() => actions.openTensorBoard(path)}
        />
      ) : null}
      <IconButton
        label={trans.__('Copy path')}
        icon={copyIcon}
        testId="aiplat-action-copy-path"
        onClick={() => actions.copyPath(path)}
      />
      <IconButton
        label={trans.__('Insert the path into the active notebook cell')}
        icon={addIcon}
        testId="aiplat-action-insert-path"
        onClick={() => actions.insertPath(path)}
      />
    </div>
  );
}

export function PreviewPane(props: { state: PreviewState; actions: WorkspaceActions }): ReactElement {
  const { state, actions } = props;
  const { trans } = actions;
  if (state.status === 'idle') {
    return <div className="aiplat-muted aiplat-preview-empty">{trans.__('Select a file to preview it.')}</div>;
  }
  return (
    <>
      <PreviewActions
        path={state.path}
        isFolder={state.status === 'ready' && state.content.kind === 'directory' && state.file === undefined}
        actions={actions}
      />
      <div className="aiplat-preview-body" data-status={state.status}>
        {state.status === 'loading' ? <div className="aiplat-muted">{trans.__('Loading…')}</div> : null}
        {state.status === 'error' ? (
          <div className="aiplat-error" role="alert" data-testid="aiplat-preview-error">
            {errorText(state.error, trans)}
          </div>
        ) : null}
        {state.status === 'ready' && state.file ? (
          <div className="aiplat-muted" data-testid="aiplat-preview-file">
            {trans.__('Showing %1', baseName(state.file))}
          </div>
        ) : null}
        {state.status === 'ready' ? <Content content={state.content} actions={actions} /> : null}
      </div>
    </>
  );
}

/** The preview pane under the tabs. */
export class PreviewWidget extends ReactWidget {
  constructor(
    private readonly _model: PreviewModel,
    private readonly _actions: WorkspaceActions,
  ) {
    super();
    this.addClass('aiplat-preview');
    this.node.dataset.testid = 'aiplat-preview';
  }

  protected render(): ReactElement {
    return (
      <UseSignal signal={this._model.changed} initialArgs={this._model.state}>
        {(_, state) => <PreviewPane state={state ?? this._model.state} actions={this._actions} />}
      </UseSignal>
    );
  }
}
