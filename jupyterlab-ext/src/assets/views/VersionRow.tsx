import { formatBytes, type Asset, type AssetVersion } from '@aiplat/api';
import * as React from 'react';
import { TextBox } from '../../training/views/FormField.js';
import { formatTime } from '../../training/views/labels.js';
import { RowNotes } from '../../training/views/LiveList.js';
import { formatCount } from '../../workspace/model/previewContent.js';
import { versionKey } from '../model/assetListModel.js';
import { mainDtype } from '../model/assetTasks.js';
import type { AssetKindModels } from '../model/assetsSectionModel.js';
import type { AssetActions } from './assetActions.js';
import { accelerationLabel, versionSourceLabel, versionStateLabel } from './assetLabels.js';
import { ShareForm } from './AssetShares.js';

/** The model's architecture, parameter count and dtype, as far as the import read them. */
function modelFacts(version: AssetVersion, actions: AssetActions): string[] {
  const { trans } = actions;
  const summary = version.summary;
  if (!summary) return [];
  const dtype = mainDtype(summary);
  return [
    summary.architecture ?? summary.modelType,
    summary.parameterCount !== undefined ? trans.__('%1 parameters', formatCount(summary.parameterCount)) : undefined,
    dtype,
  ].filter((f): f is string => Boolean(f));
}

/** One version: state, files, size, where it came from, a model's summary, acceleration, and its actions. */
export function VersionRow({
  asset,
  version,
  models,
  actions,
}: {
  asset: Asset;
  version: AssetVersion;
  models: AssetKindModels;
  actions: AssetActions;
}) {
  const { trans } = actions;
  const { list, shares } = models;
  const [open, setOpen] = React.useState<'export' | 'share' | undefined>(undefined);
  const [exportPath, setExportPath] = React.useState('');
  const key = versionKey(asset.id, version.version);
  const testId = `${asset.name}-${version.version}`;
  const ready = version.state === 'ready';
  const accelerated = version.accelerated;
  const toggle = (what: 'export' | 'share') => setOpen(open === what ? undefined : what);
  const button = (name: string, label: string, onClick: () => void, warn = false) => (
    <button
      className={`jp-mod-styled${warn ? ' jp-mod-warn' : ''}`}
      data-testid={`aiplat-asset-version-${name}-${testId}`}
      onClick={onClick}
    >
      {label}
    </button>
  );
  const facts = [
    trans.__('%1 files', version.fileCount.toLocaleString()),
    formatBytes(version.sizeBytes),
    versionSourceLabel(version.source, trans),
    formatTime(version.createdAt),
  ];
  const model = modelFacts(version, actions);
  return (
    <li
      className="aiplat-asset-version"
      data-testid={`aiplat-asset-version-${testId}`}
      data-state={version.state}
      title={version.path}
    >
      <div className="aiplat-jobList-line">
        <span className="aiplat-asset-versionName">{version.version}</span>
        <span className="aiplat-asset-badges">
          {accelerated && (
            <span
              className={`aiplat-jobState aiplat-assetAcceleration-${accelerated.state}`}
              data-testid={`aiplat-asset-version-accelerated-${testId}`}
              title={accelerated.message ?? accelerated.path}
            >
              {accelerationLabel(accelerated.state, trans)}
            </span>
          )}
          <span
            className={`aiplat-jobState aiplat-assetState-${version.state}`}
            data-testid={`aiplat-asset-version-state-${testId}`}
          >
            {versionStateLabel(version.state, trans)}
          </span>
        </span>
      </div>
      <div className="aiplat-jobList-meta aiplat-asset-facts" title={facts.join(' · ')}>
        {facts.join(' · ')}
      </div>
      {model.length > 0 && (
        <div className="aiplat-jobList-meta" data-testid={`aiplat-asset-version-summary-${testId}`}>
          {model.join(' · ')}
        </div>
      )}
      {version.description && <div className="aiplat-devMachine-why">{version.description}</div>}
      <RowNotes why={version.state === 'failed' ? version.message : undefined} error={list.actionError(key)} />
      {(ready || (version.state === 'failed' && !asset.readOnly)) && (
        <div className="aiplat-devMachine-actions">
          {ready && button('open', trans.__('Open'), () => actions.openFolder(version.path))}
          {ready &&
            asset.kind === 'models' &&
            actions.deployModel &&
            button('deploy', trans.__('Deploy'), () => actions.deployModel?.(`${asset.name}@${version.version}`))}
          {ready && !asset.readOnly && button('share', trans.__('Share'), () => toggle('share'))}
          {ready &&
            !asset.readOnly &&
            (accelerated
              ? accelerated.state !== 'copying' &&
                button('evict', trans.__('Evict'), () => void list.evict(asset.id, version.version))
              : button('accelerate', trans.__('Accelerate'), () => void list.accelerate(asset.id, version.version)))}
          {ready &&
            button('download', trans.__('Download .tar'), () => {
              void list
                .archive(asset.id, version.version)
                .then((blob) => blob && actions.saveFile(blob, `${asset.name}-${version.version}.tar`));
            })}
          {ready && button('export', trans.__('Export to folder'), () => toggle('export'))}
          {!asset.readOnly &&
            button(
              'delete',
              trans.__('Delete'),
              () =>
                void actions
                  .confirmDelete(asset, version.version)
                  .then((yes) => (yes ? list.deleteVersion(asset.id, version.version) : undefined)),
              true,
            )}
        </div>
      )}
      {open === 'share' && (
        <ShareForm
          asset={asset}
          shares={shares}
          trans={trans}
          version={version.version}
          onDone={() => setOpen(undefined)}
        />
      )}
      {open === 'export' && (
        <div className="aiplat-form-row aiplat-asset-export">
          <TextBox
            testId={`aiplat-asset-version-export-path-${testId}`}
            label={trans.__('Export into folder')}
            placeholder={trans.__('a new folder under /work, e.g. home/copies/%1', `${asset.name}-${version.version}`)}
            value={exportPath}
            onChange={setExportPath}
          />
          <button
            className="jp-mod-styled jp-mod-accept"
            data-testid={`aiplat-asset-version-export-start-${testId}`}
            disabled={!exportPath.trim()}
            onClick={() =>
              void list.exportTo(asset.id, version.version, exportPath).then((started) => started && setOpen(undefined))
            }
          >
            {trans.__('Export')}
          </button>
        </div>
      )}
    </li>
  );
}
