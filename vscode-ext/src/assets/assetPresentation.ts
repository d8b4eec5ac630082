import { formatBytes, type Asset, type AssetKind, type AssetTask, type AssetVersion } from '@aiplat/api';
import * as vscode from 'vscode';

/*
 * How datasets, models, their versions and tasks read in the views and messages. The context
 * values say which menu entries an item offers:
 *   aiplat.asset.<kind>.<own|shared>
 *   aiplat.assetVersion.<kind>.<ready|importing|failed>.<own|shared>.<plain|copying|fast>
 *   aiplat.assetTask
 */

export function kindLabel(kind: AssetKind): string {
  return kind === 'datasets' ? vscode.l10n.t('dataset') : vscode.l10n.t('model');
}

export function assetContextValue(asset: Pick<Asset, 'kind' | 'readOnly'>): string {
  return `aiplat.asset.${asset.kind}.${asset.readOnly ? 'shared' : 'own'}`;
}

export function versionContextValue(asset: Pick<Asset, 'kind' | 'readOnly'>, version: AssetVersion): string {
  const speed = !version.accelerated
    ? 'plain'
    : version.accelerated.state === 'ready'
      ? 'fast'
      : version.accelerated.state === 'copying'
        ? 'copying'
        : 'plain';
  return `aiplat.assetVersion.${asset.kind}.${version.state}.${asset.readOnly ? 'shared' : 'own'}.${speed}`;
}

/** Beside an asset's name: who shared it, its versions, its data and annotation type. */
export function assetDescription(asset: Asset): string {
  const parts: string[] = [];
  if (asset.readOnly) parts.push(vscode.l10n.t('shared by {0}', asset.sharedBy ?? asset.owner));
  parts.push(vscode.l10n.t('{0} versions', asset.versions.length));
  if (asset.dataType) parts.push(`${asset.dataType}/${asset.annotationType ?? 'none'}`);
  return parts.join(' · ');
}

export function assetTooltip(asset: Asset): string {
  const lines = [`${asset.name} (${asset.id})`];
  if (asset.description) lines.push(asset.description);
  if (asset.workingPath) lines.push(vscode.l10n.t('Working folder: /work/{0}', asset.workingPath));
  if (asset.readOnly) lines.push(vscode.l10n.t('Shared with you by {0}, read-only', asset.sharedBy ?? asset.owner));
  lines.push(vscode.l10n.t('Created {0}', new Date(asset.createdAt).toLocaleString()));
  return lines.join('\n');
}

function stateLabel(version: AssetVersion): string {
  switch (version.state) {
    case 'ready':
      return vscode.l10n.t('ready');
    case 'importing':
      return vscode.l10n.t('importing');
    case 'failed':
      return vscode.l10n.t('failed');
  }
}

/** Beside a version: its state, size and files, and whether it is accelerated. */
export function versionDescription(version: AssetVersion): string {
  const parts = [stateLabel(version)];
  if (version.state === 'ready') {
    parts.push(formatBytes(version.sizeBytes), vscode.l10n.t('{0} files', version.fileCount));
  }
  const accelerated = version.accelerated?.state;
  if (accelerated === 'ready') parts.push(vscode.l10n.t('accelerated'));
  else if (accelerated === 'copying') parts.push(vscode.l10n.t('accelerating…'));
  else if (accelerated === 'failed') parts.push(vscode.l10n.t('acceleration failed'));
  if (version.description) parts.push(version.description);
  return parts.join(' · ');
}

export function versionTooltip(version: AssetVersion): string {
  const lines = [`/work/${version.path}`, versionDescription(version)];
  if (version.message) lines.push(version.message);
  if (version.linkedBytes)
    lines.push(vscode.l10n.t('{0} shared with other versions, not copied', formatBytes(version.linkedBytes)));
  if (version.accelerated?.state === 'ready')
    lines.push(vscode.l10n.t('Accelerated copy: /work/{0}', version.accelerated.path));
  const summary = version.summary;
  if (summary?.architecture) lines.push(`${summary.architecture}${summary.modelType ? ` (${summary.modelType})` : ''}`);
  if (summary?.parameterCount) lines.push(vscode.l10n.t('{0} parameters', summary.parameterCount.toLocaleString()));
  lines.push(vscode.l10n.t('Created {0}', new Date(version.createdAt).toLocaleString()));
  return lines.join('\n');
}

/** A task's progress as a percentage of known bytes, or undefined. */
export function taskPercent(task: AssetTask): number | undefined {
  if (task.bytesTotal === undefined || task.bytesTotal === 0) return undefined;
  return Math.min(100, Math.floor((task.bytesDone / task.bytesTotal) * 100));
}

function actionLabel(task: AssetTask): string {
  switch (task.action) {
    case 'import':
      return vscode.l10n.t('Importing');
    case 'accelerate':
      return vscode.l10n.t('Accelerating');
    case 'export':
      return vscode.l10n.t('Exporting');
  }
}

/** The task item's label: what it does, to which version. */
export function taskLabel(task: AssetTask): string {
  return task.version ? `${actionLabel(task)} ${task.version}` : actionLabel(task);
}

/** Where a task is: its phase, bytes (and percentage) and files. */
export function taskDetail(task: AssetTask): string {
  const parts: string[] = [task.phase];
  const percent = taskPercent(task);
  if (task.bytesDone > 0 || task.bytesTotal !== undefined) {
    const total = task.bytesTotal === undefined ? '' : ` / ${formatBytes(task.bytesTotal)}`;
    parts.push(`${formatBytes(task.bytesDone)}${total}${percent === undefined ? '' : ` (${percent}%)`}`);
  }
  if (task.filesDone > 0) parts.push(vscode.l10n.t('{0} files', task.filesDone));
  return parts.join(' · ');
}

/** A dataset import's bad records, one `file:line: message` a line, for a document to read. */
export function badRecordsText(task: AssetTask): string {
  const check = task.records;
  if (!check) return '';
  const lines = [
    vscode.l10n.t(
      '{0}: {1} records checked in {2} files as {3}; {4} bad.',
      task.assetName,
      check.recordsChecked,
      check.filesChecked,
      check.annotationType,
      check.badRecords,
    ),
    '',
    ...check.problems.map((p) => `${p.line > 0 ? `${p.file}:${p.line}` : p.file}: ${p.message}`),
  ];
  if (check.badRecords > check.problems.length)
    lines.push(vscode.l10n.t('… and {0} more', check.badRecords - check.problems.length));
  return `${lines.join('\n')}\n`;
}
