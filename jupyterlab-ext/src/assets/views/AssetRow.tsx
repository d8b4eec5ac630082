import type { Asset } from '@aiplat/api';
import * as React from 'react';
import { TextBox } from '../../training/views/FormField.js';
import { formatTime } from '../../training/views/labels.js';
import { RowNotes } from '../../training/views/LiveList.js';
import { AssetImportModel } from '../model/assetImportModel.js';
import type { AssetKindModels } from '../model/assetsSectionModel.js';
import type { AssetActions } from './assetActions.js';
import { annotationTypeLabel, dataTypeLabel } from './assetLabels.js';
import { SharesList, ShareForm } from './AssetShares.js';
import { ImportForm } from './ImportForm.js';
import { TaskEnded, TaskProgress } from './TaskProgress.js';
import { VersionRow } from './VersionRow.js';

type Panel = 'import' | 'publish' | 'share' | 'shares';

function PublishRow({
  asset,
  models,
  actions,
  onDone,
}: {
  asset: Asset;
  models: AssetKindModels;
  actions: AssetActions;
  onDone: () => void;
}) {
  const { trans } = actions;
  const [description, setDescription] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const publish = () => {
    if (busy) return;
    setBusy(true);
    void models.list.publish(asset.id, description).then((version) => {
      setBusy(false);
      if (version) onDone();
    });
  };
  return (
    <div className="aiplat-form-row aiplat-asset-publish">
      <TextBox
        testId={`aiplat-asset-publish-description-${asset.name}`}
        label={trans.__('Version description')}
        placeholder={trans.__('what changed (optional)')}
        value={description}
        onChange={setDescription}
        onEnter={publish}
      />
      <button
        className="jp-mod-styled jp-mod-accept"
        data-testid={`aiplat-asset-publish-start-${asset.name}`}
        disabled={busy}
        onClick={publish}
      >
        {busy ? trans.__('Publishing…') : trans.__('Publish')}
      </button>
    </div>
  );
}

/**
 * One dataset or model: its name, owner (or who shared it, read-only), types, its running tasks
 * with their progress, the last ended one, its versions, and its actions. A file dropped on the
 * row of an asset of the user's is uploaded into it.
 */
export function AssetRow({ asset, models, actions }: { asset: Asset; models: AssetKindModels; actions: AssetActions }) {
  const { trans, connection } = actions;
  const { list, shares } = models;
  const [panel, setPanel] = React.useState<Panel | undefined>(undefined);
  const [importForm, setImportForm] = React.useState<AssetImportModel | undefined>(undefined);
  const [dragging, setDragging] = React.useState(false);
  React.useEffect(() => () => importForm?.dispose(), [importForm]);
  const own = !asset.readOnly;
  const datasets = asset.kind === 'datasets';
  const toggle = (which: Panel) => {
    const next = panel === which ? undefined : which;
    setPanel(next);
    setImportForm(
      next === 'import'
        ? new AssetImportModel(connection, asset.kind, asset.id, actions.selectedFolder() ?? '')
        : undefined,
    );
  };
  const button = (name: string, label: string, onClick: () => void, warn = false) => (
    <button
      className={`jp-mod-styled${warn ? ' jp-mod-warn' : ''}`}
      data-testid={`aiplat-asset-${name}-${asset.name}`}
      onClick={onClick}
    >
      {label}
    </button>
  );
  const facts = [
    asset.dataType ? dataTypeLabel(asset.dataType, trans) : undefined,
    asset.annotationType ? annotationTypeLabel(asset.annotationType, trans) : undefined,
    formatTime(asset.createdAt),
  ].filter(Boolean);
  const running = list.tasks.running(asset.id);
  const ended = list.tasks.lastEnded(asset.id);
  const drop = own
    ? {
        onDragOver: (e: React.DragEvent) => {
          if (!e.dataTransfer.types.includes('Files')) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setDragging(true);
        },
        onDragLeave: () => setDragging(false),
        onDrop: (e: React.DragEvent) => {
          e.preventDefault();
          setDragging(false);
          for (const file of Array.from(e.dataTransfer.files)) void list.upload(asset.id, file);
        },
      }
    : {};
  return (
    <li
      className={`aiplat-devMachine-item aiplat-asset-item${dragging ? ' aiplat-mod-dropTarget' : ''}`}
      data-testid={`aiplat-asset-row-${asset.name}`}
      data-id={asset.id}
      data-readonly={asset.readOnly}
      title={own ? trans.__('Drop a file or an archive here to upload it into %1', asset.name) : undefined}
      {...drop}
    >
      <div className="aiplat-jobList-line">
        <span className="aiplat-jobList-name" title={asset.name}>
          {asset.name}
        </span>
        {asset.readOnly ? (
          <span className="aiplat-jobState aiplat-asset-sharedBadge" data-testid={`aiplat-asset-shared-${asset.name}`}>
            {trans.__('shared by %1 · read-only', asset.sharedBy ?? asset.owner)}
          </span>
        ) : (
          <span className="aiplat-jobList-meta">{asset.owner}</span>
        )}
      </div>
      {asset.description && <div className="aiplat-devMachine-why">{asset.description}</div>}
      <div className="aiplat-jobList-meta aiplat-asset-facts" title={facts.join(' · ')}>
        {facts.join(' · ')}
      </div>
      {asset.workingPath && (
        <div className="aiplat-jobList-meta" title={asset.workingPath}>
          {trans.__('Working folder: %1', asset.workingPath)}
        </div>
      )}
      {running.map((task) => (
        <TaskProgress key={task.id} task={task} trans={trans} onCancel={() => void list.cancelTask(task)} />
      ))}
      {ended && <TaskEnded task={ended} trans={trans} onDismiss={() => list.tasks.dismiss(ended.id)} />}
      <RowNotes why={undefined} error={list.actionError(asset.id) ?? shares.errorOf(asset.id)} />
      <div className="aiplat-devMachine-actions">
        {own && button('import', trans.__('Import…'), () => toggle('import'))}
        {own && datasets && button('publish', trans.__('Publish'), () => toggle('publish'))}
        {asset.workingPath &&
          button('open', trans.__('Open folder'), () => actions.openFolder(asset.workingPath ?? ''))}
        {own && button('share', trans.__('Share'), () => toggle('share'))}
        {own && button('shares', trans.__('Shares'), () => toggle('shares'))}
        {button(
          'delete',
          own ? trans.__('Delete') : trans.__('Remove from my list'),
          () =>
            void actions.confirmDelete(asset).then((yes) => {
              if (!yes) return;
              shares.forget(asset.id);
              void list.delete(asset.id);
            }),
          true,
        )}
      </div>
      {panel === 'import' && importForm && (
        <ImportForm
          form={importForm}
          trans={trans}
          onStarted={(task) => {
            list.started(task);
            toggle('import');
          }}
          onCancel={() => toggle('import')}
        />
      )}
      {panel === 'publish' && (
        <PublishRow asset={asset} models={models} actions={actions} onDone={() => setPanel(undefined)} />
      )}
      {panel === 'share' && (
        <ShareForm asset={asset} shares={shares} trans={trans} onDone={() => setPanel(undefined)} />
      )}
      {panel === 'shares' && <SharesList asset={asset} shares={shares} trans={trans} />}
      {asset.versions.length > 0 ? (
        <ul className="aiplat-asset-versions" data-testid={`aiplat-asset-versions-${asset.name}`}>
          {[...asset.versions].reverse().map((version) => (
            <VersionRow key={version.version} asset={asset} version={version} models={models} actions={actions} />
          ))}
        </ul>
      ) : (
        <div className="aiplat-jobList-meta">
          {datasets && own
            ? trans.__('No versions yet: import data, then publish.')
            : trans.__('No versions yet: import one.')}
        </div>
      )}
    </li>
  );
}
