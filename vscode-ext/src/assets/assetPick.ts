import { ASSET_KINDS, type Asset, type AssetKind, type AssetTask, type AssetVersion } from '@aiplat/api';
import * as vscode from 'vscode';
import type { ConnectionService } from '../connection/connectionService.js';
import { kindLabel, taskDetail, taskLabel, versionDescription } from './assetPresentation.js';
import type { AssetsModel, AssetTasksModel } from './assetsModel.js';
import type { AssetNode } from './assetsTreeProvider.js';

/** What the asset commands work on: the connection, both lists, the running tasks. */
export interface AssetCommandDeps {
  connection: ConnectionService;
  assets: Readonly<Record<AssetKind, AssetsModel>>;
  tasks: AssetTasksModel;
}

/** An asset command's argument: a view item, or nothing from the palette (then it asks). */
export type AssetArgument = AssetNode | undefined;

/** The asset of a view item; from the palette, one picked among both kinds (`only` one kind). */
export async function assetOf(
  deps: AssetCommandDeps,
  arg: AssetArgument,
  filter: (asset: Asset) => boolean = () => true,
  only?: AssetKind,
): Promise<Asset | undefined> {
  if (arg?.kind === 'asset' || arg?.kind === 'version') return arg.asset;
  const kinds = only ? [only] : ASSET_KINDS;
  for (const kind of kinds) if (!deps.assets[kind].loaded) await deps.assets[kind].refresh();
  const candidates = kinds.flatMap((kind) => deps.assets[kind].items.filter(filter));
  if (candidates.length === 0) {
    await vscode.window.showInformationMessage(vscode.l10n.t('No dataset or model to choose from.'));
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(
    candidates.map((asset) => ({
      label: asset.name,
      description: asset.readOnly
        ? `${kindLabel(asset.kind)} · ${vscode.l10n.t('shared by {0}', asset.sharedBy ?? asset.owner)}`
        : kindLabel(asset.kind),
      asset,
    })),
    { title: vscode.l10n.t('Choose a dataset or model'), matchOnDescription: true },
  );
  return chosen?.asset;
}

/** The version of a view item; otherwise one picked (newest first) among the asset's that pass `filter`. */
export async function versionOf(
  deps: AssetCommandDeps,
  arg: AssetArgument,
  filter: (asset: Asset, version: AssetVersion) => boolean,
): Promise<{ asset: Asset; version: AssetVersion } | undefined> {
  if (arg?.kind === 'version') return { asset: arg.asset, version: arg.version };
  const asset = await assetOf(deps, arg, (a) => a.versions.some((v) => filter(a, v)));
  if (!asset) return undefined;
  const versions = [...asset.versions].reverse().filter((v) => filter(asset, v));
  const chosen = await vscode.window.showQuickPick(
    versions.map((version) => ({ label: version.version, description: versionDescription(version), version })),
    { title: vscode.l10n.t('Choose a version of {0}', asset.name) },
  );
  return chosen ? { asset, version: chosen.version } : undefined;
}

/** The task of a view item, or a running one picked. */
export async function taskOf(deps: AssetCommandDeps, arg: AssetArgument): Promise<AssetTask | undefined> {
  if (arg?.kind === 'task') return arg.task;
  const running = deps.tasks.running();
  if (running.length === 0) {
    await vscode.window.showInformationMessage(vscode.l10n.t('No dataset or model task is running.'));
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(
    running.map((task) => ({ label: `${task.assetName}: ${taskLabel(task)}`, description: taskDetail(task), task })),
    { title: vscode.l10n.t('Choose a task to cancel') },
  );
  return chosen?.task;
}

export const isReady = (_asset: Asset, version: AssetVersion): boolean => version.state === 'ready';
export const isOwnReady = (asset: Asset, version: AssetVersion): boolean => !asset.readOnly && isReady(asset, version);
