import { formatBytes, type CatalogItem } from '@aiplat/api';
import { ReactWidget, refreshIcon, UseSignal } from '@jupyterlab/ui-components';
import type { ReactElement } from 'react';
import type { CatalogModel } from '../model/catalogModel.js';
import type { PreviewModel } from '../model/previewModel.js';
import { formatCount } from '../model/previewContent.js';
import { errorText, type WorkspaceActions } from './workspaceActions.js';
import { IconButton } from './IconButton.js';

function Item(props: { item: CatalogItem; actions: WorkspaceActions }): ReactElement {
  const { item, actions } = props;
  const { trans } = actions;
  const selected = actions.selected() === item.path;
  const select = () =>
    actions.select(item.path, item.kind === 'dataset' ? { dataset: { format: item.format } } : undefined);
  const facts = [
    item.format,
    item.architecture,
    item.parameterCount !== undefined ? trans.__('%1 parameters', formatCount(item.parameterCount)) : undefined,
    `${formatBytes(item.sizeBytes)}${item.truncated ? '+' : ''}`,
    trans.__('%1 files', `${item.fileCount}${item.truncated ? '+' : ''}`),
  ].filter(Boolean);
  return (
    <li
      className={`aiplat-catalog-item${selected ? ' aiplat-mod-selected' : ''}`}
      data-testid="aiplat-catalog-item"
      data-path={item.path}
      title={actions.displayPath(item.path)}
      aria-selected={selected}
      role="option"
      tabIndex={0}
      onClick={select}
      onKeyDown={(event) => event.key === 'Enter' && select()}
    >
      <div className="aiplat-catalog-name">{item.name}</div>
      {/* Ellipsized when the sidebar is narrow: the tooltip tells the rest. */}
      <div className="aiplat-catalog-facts" title={facts.join(' · ')}>
        {facts.join(' · ')}
      </div>
      <div className="aiplat-catalog-path">{actions.displayPath(item.path)}</div>
      {item.kind === 'model' && actions.deployService && (
        <button
          className="jp-mod-styled aiplat-catalog-deploy"
          data-testid="aiplat-catalog-deploy"
          title={trans.__('Deploy this model as an online service')}
          onClick={(event) => {
            event.stopPropagation();
            actions.deployService?.(item.path);
          }}
        >
          {trans.__('Deploy')}
        </button>
      )}
    </li>
  );
}

export function CatalogList(props: { model: CatalogModel; actions: WorkspaceActions }): ReactElement {
  const { model, actions } = props;
  const { trans } = actions;
  const empty = model.kind === 'dataset' ? trans.__('No datasets found.') : trans.__('No models found.');
  return (
    <div className="aiplat-catalog">
      <div className="aiplat-toolbar">
        <IconButton label={trans.__('Refresh')} icon={refreshIcon} onClick={() => void model.refresh()} />
        {model.loading ? <span className="aiplat-muted">{trans.__('Loading…')}</span> : null}
      </div>
      {model.error ? (
        <div className="aiplat-error" role="alert">
          {errorText(model.error, trans)}
        </div>
      ) : null}
      {model.loaded && model.items.length === 0 && !model.error ? <div className="aiplat-muted">{empty}</div> : null}
      <ul className="aiplat-catalog-list" role="listbox">
        {model.items.map((item) => (
          <Item key={item.path} item={item} actions={actions} />
        ))}
      </ul>
    </div>
  );
}

/** The Datasets or the Models tab. */
export class CatalogWidget extends ReactWidget {
  constructor(
    private readonly _model: CatalogModel,
    private readonly _preview: PreviewModel,
    private readonly _actions: WorkspaceActions,
  ) {
    super();
    const name = _model.kind === 'dataset' ? 'datasets' : 'models';
    this.addClass(`aiplat-tab-${name}`);
    this.node.dataset.testid = `aiplat-catalog-${name}`;
  }

  protected render(): ReactElement {
    return (
      <UseSignal signal={this._preview.changed}>
        {() => (
          <UseSignal signal={this._model.changed}>
            {() => <CatalogList model={this._model} actions={this._actions} />}
          </UseSignal>
        )}
      </UseSignal>
    );
  }
}
