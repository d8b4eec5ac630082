import type { Asset, AssetKind, AssetTask, AssetVersion } from '@aiplat/api';
import * as vscode from 'vscode';
import { describeError } from '../connection/errorMessage.js';
import { liveListRoots } from '../model/liveListModel.js';
import { ModelTreeProvider } from '../views/modelTreeProvider.js';
import {
  assetContextValue,
  assetDescription,
  assetTooltip,
  taskDetail,
  taskLabel,
  taskPercent,
  versionContextValue,
  versionDescription,
  versionTooltip,
} from './assetPresentation.js';
import type { AssetsModel, AssetTasksModel } from './assetsModel.js';

export type AssetNode =
  | { kind: 'asset'; asset: Asset }
  | { kind: 'version'; asset: Asset; version: AssetVersion }
  | { kind: 'task'; task: AssetTask }
  | { kind: 'message'; text: string };

/**
 * The Datasets view or the Models view: each asset, then under it its running tasks (with their
 * progress) and its versions, newest first (state, size, whether accelerated).
 */
export class AssetsTreeProvider extends ModelTreeProvider<AssetNode> {
  constructor(
    private readonly assetKind: AssetKind,
    private readonly model: AssetsModel,
    private readonly tasks: AssetTasksModel,
  ) {
    super((listener) => {
      const watches = [model.onDidChange(listener), tasks.onDidChange(listener)];
      return { dispose: () => watches.forEach((w) => w.dispose()) };
    });
  }

  getChildren(node?: AssetNode): AssetNode[] {
    if (!node) {
      return liveListRoots<Asset, AssetNode>(this.model, {
        item: (asset) => ({ kind: 'asset', asset }),
        message: (text) => ({ kind: 'message', text }),
        describe: describeError,
        empty:
          this.assetKind === 'datasets'
            ? vscode.l10n.t('No datasets yet: create one, or add one shared with you')
            : vscode.l10n.t('No models yet: create one, or add one shared with you'),
      });
    }
    if (node.kind !== 'asset') return [];
    const { asset } = node;
    return [
      ...this.tasks.running(asset.id).map((task): AssetNode => ({ kind: 'task', task })),
      ...[...asset.versions].reverse().map((version): AssetNode => ({ kind: 'version', asset, version })),
    ];
  }

  getTreeItem(node: AssetNode): vscode.TreeItem {
    switch (node.kind) {
      case 'asset': {
        const { asset } = node;
        const busy = this.tasks.running(asset.id).length > 0;
        const item = new vscode.TreeItem(
          asset.name,
          busy ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
        );
        item.id = `asset:${asset.id}`;
        item.description = assetDescription(asset);
        item.tooltip = assetTooltip(asset);
        item.iconPath = new vscode.ThemeIcon(
          asset.readOnly ? 'live-share' : asset.kind === 'datasets' ? 'database' : 'hubot',
        );
        item.contextValue = assetContextValue(asset);
        return item;
      }
      case 'version': {
        const { asset, version } = node;
        const item = new vscode.TreeItem(version.version);
        item.id = `asset:${asset.id}:${version.version}`;
        item.description = versionDescription(version);
        item.tooltip = versionTooltip(version);
        item.iconPath = new vscode.ThemeIcon(
          version.state === 'failed'
            ? 'error'
            : version.state === 'importing'
              ? 'sync~spin'
              : version.accelerated?.state === 'ready'
                ? 'rocket'
                : 'versions',
        );
        item.contextValue = versionContextValue(asset, version);
        return item;
      }
      case 'task': {
        const { task } = node;
        const item = new vscode.TreeItem(taskLabel(task));
        item.id = `assetTask:${task.id}`;
        item.description = taskDetail(task);
        const percent = taskPercent(task);
        item.tooltip = `${task.id}: ${task.source}${percent === undefined ? '' : ` (${percent}%)`}`;
        item.iconPath = new vscode.ThemeIcon('loading~spin');
        item.contextValue = 'aiplat.assetTask';
        return item;
      }
      case 'message':
        return new vscode.TreeItem(node.text);
    }
  }
}
