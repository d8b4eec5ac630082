import type { ApiClient, AssetKind } from '@aiplat/api';
import * as vscode from 'vscode';
import { CommandIds } from '../commands/commandIds.js';
import { requireClient } from '../commands/requireClient.js';
import { describeError } from '../connection/errorMessage.js';
import { askNewAsset } from './assetCreateFlow.js';
import {
  assetOf,
  isOwnReady,
  isReady,
  taskOf,
  versionOf,
  type AssetArgument,
  type AssetCommandDeps,
} from './assetPick.js';
import { kindLabel } from './assetPresentation.js';
import { revealWorkPath } from './assetReveal.js';
import { followTask } from './assetTaskProgress.js';

/**
 * Registers the Datasets and Models commands that act on an asset or a version in place: refresh,
 * create, publish, open in the Explorer, accelerate, evict, delete (after a modal question), and
 * cancel a task. Imports, shares and exports have their own modules.
 */
export function registerAssetCommands(deps: AssetCommandDeps): vscode.Disposable[] {
  /** Runs `run` with the client, showing what went wrong. */
  const guarded =
    <A extends unknown[]>(run: (client: ApiClient, ...args: A) => Promise<unknown>) =>
    async (...args: A) => {
      const client = await requireClient(deps.connection);
      if (!client) return;
      try {
        await run(client, ...args);
      } catch (error) {
        await vscode.window.showErrorMessage(describeError(error));
      }
    };
  const refresh = (kind: AssetKind) => async () => {
    await Promise.all([deps.assets[kind].refresh(), deps.tasks.refresh()]);
  };
  const create = (kind: AssetKind) =>
    guarded(async (client) => {
      const body = await askNewAsset(
        kind,
        deps.assets[kind].items.filter((a) => !a.readOnly).map((a) => a.name),
      );
      if (!body) return;
      const asset = await client.createAsset({ params: { kind }, body });
      deps.assets[kind].apply({ change: 'updated', asset });
      const importData = vscode.l10n.t('Import Data…');
      const answer = await vscode.window.showInformationMessage(
        vscode.l10n.t('Created the {0} {1}.', kindLabel(kind), asset.name),
        importData,
      );
      if (answer === importData)
        await vscode.commands.executeCommand(CommandIds.importIntoAsset, { kind: 'asset', asset });
    });

  return [
    vscode.commands.registerCommand(CommandIds.refreshDatasets, refresh('datasets')),
    vscode.commands.registerCommand(CommandIds.refreshModels, refresh('models')),
    vscode.commands.registerCommand(CommandIds.createDataset, create('datasets')),
    vscode.commands.registerCommand(CommandIds.createModel, create('models')),
    vscode.commands.registerCommand(
      CommandIds.publishDatasetVersion,
      guarded(async (client, arg: AssetArgument) => {
        const asset = await assetOf(deps, arg, (a) => !a.readOnly, 'datasets');
        if (!asset) return;
        const description = await vscode.window.showInputBox({
          title: vscode.l10n.t('Publish {0}', asset.name),
          prompt: vscode.l10n.t('What changed in this version (optional)'),
          ignoreFocusOut: true,
        });
        if (description === undefined) return;
        const version = await client.publishVersion({
          params: { kind: asset.kind, id: asset.id },
          body: description.trim() ? { description: description.trim() } : {},
        });
        await deps.tasks.reread(asset.kind, asset.id);
        void vscode.window.showInformationMessage(vscode.l10n.t('Published {0}@{1}.', asset.name, version.version));
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.openAssetVersion,
      guarded(async (_client, arg: AssetArgument) => {
        const chosen = await versionOf(deps, arg, isReady);
        if (chosen) await revealWorkPath(deps.connection, chosen.version.path);
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.accelerateAssetVersion,
      guarded(async (client, arg: AssetArgument) => {
        const chosen = await versionOf(deps, arg, (a, v) => isOwnReady(a, v) && !v.accelerated);
        if (!chosen) return;
        const { asset, version } = chosen;
        const task = await client.accelerateVersion({
          params: { kind: asset.kind, id: asset.id, version: version.version },
        });
        await followTask(deps.tasks, client, task, vscode.l10n.t('Accelerating {0}@{1}', asset.name, version.version));
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.evictAssetVersion,
      guarded(async (client, arg: AssetArgument) => {
        const chosen = await versionOf(deps, arg, (a, v) => !a.readOnly && v.accelerated?.state === 'ready');
        if (!chosen) return;
        const { asset, version } = chosen;
        await client.evictVersion({ params: { kind: asset.kind, id: asset.id, version: version.version } });
        await deps.tasks.reread(asset.kind, asset.id);
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.deleteAssetVersion,
      guarded(async (client, arg: AssetArgument) => {
        const chosen = await versionOf(deps, arg, (a, v) => !a.readOnly && v.state !== 'importing');
        if (!chosen) return;
        const { asset, version } = chosen;
        const confirm = vscode.l10n.t('Delete');
        const answer = await vscode.window.showWarningMessage(
          vscode.l10n.t(
            'Delete {0}@{1}? Its files and accelerated copy are removed; jobs and users that use it lose it.',
            asset.name,
            version.version,
          ),
          { modal: true },
          confirm,
        );
        if (answer !== confirm) return;
        await client.deleteVersion({ params: { kind: asset.kind, id: asset.id, version: version.version } });
        await deps.tasks.reread(asset.kind, asset.id);
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.deleteAsset,
      guarded(async (client, arg: AssetArgument) => {
        const asset = await assetOf(deps, arg);
        if (!asset) return;
        const confirm = asset.readOnly ? vscode.l10n.t('Remove') : vscode.l10n.t('Delete');
        const question = asset.readOnly
          ? vscode.l10n.t(
              'Remove {0} from your list? It stays with {1}, who shared it.',
              asset.name,
              asset.sharedBy ?? asset.owner,
            )
          : vscode.l10n.t(
              'Delete the {0} {1} with its {2} versions and shares? Users you shared it with lose it too.',
              kindLabel(asset.kind),
              asset.name,
              asset.versions.length,
            );
        const answer = await vscode.window.showWarningMessage(question, { modal: true }, confirm);
        if (answer !== confirm) return;
        await client.deleteAsset({ params: { kind: asset.kind, id: asset.id } });
        deps.assets[asset.kind].apply({ change: 'deleted', id: asset.id });
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.cancelAssetTask,
      guarded(async (client, arg: AssetArgument) => {
        const task = await taskOf(deps, arg);
        if (task) deps.tasks.apply(await client.cancelAssetTask({ params: { taskId: task.id } }));
      }),
    ),
  ];
}
