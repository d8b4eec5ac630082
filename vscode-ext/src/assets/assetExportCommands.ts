import { formatBytes, type ApiClient } from '@aiplat/api';
import * as vscode from 'vscode';
import { CommandIds } from '../commands/commandIds.js';
import { requireClient } from '../commands/requireClient.js';
import { describeError } from '../connection/errorMessage.js';
import { isReady, versionOf, type AssetArgument, type AssetCommandDeps } from './assetPick.js';
import { workRelative } from './assetReveal.js';
import { followTask } from './assetTaskProgress.js';
import { downloadArchive } from './assetTransfer.js';

/** Registers Export to Folder… (a copy under /work, as a task) and Download Archive… (a resumable .tar). */
export function registerAssetExportCommands(deps: AssetCommandDeps): vscode.Disposable[] {
  const withVersion =
    (run: (client: ApiClient, chosen: NonNullable<Awaited<ReturnType<typeof versionOf>>>) => Promise<unknown>) =>
    async (arg: AssetArgument) => {
      const client = await requireClient(deps.connection);
      if (!client) return;
      try {
        const chosen = await versionOf(deps, arg, isReady);
        if (chosen) await run(client, chosen);
      } catch (error) {
        await vscode.window.showErrorMessage(describeError(error));
      }
    };

  return [
    vscode.commands.registerCommand(
      CommandIds.exportAssetVersion,
      withVersion(async (client, { asset, version }) => {
        const folder = await vscode.window.showInputBox({
          title: vscode.l10n.t('Export {0}@{1} to a folder', asset.name, version.version),
          prompt: vscode.l10n.t('A new folder under /work to copy it into'),
          value: `home/exports/${asset.name}-${version.version}`,
          ignoreFocusOut: true,
          validateInput: (value) => (workRelative(value) === '' ? vscode.l10n.t('Required') : undefined),
        });
        if (!folder || workRelative(folder) === '') return;
        const task = await client.exportVersion({
          params: { kind: asset.kind, id: asset.id, version: version.version },
          body: { path: workRelative(folder) },
        });
        await followTask(
          deps.tasks,
          client,
          task,
          vscode.l10n.t('Exporting {0}@{1} to /work/{2}', asset.name, version.version, workRelative(folder)),
        );
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.downloadAssetVersionArchive,
      withVersion(async (client, { asset, version }) => {
        const name = `${asset.name}-${version.version}.tar`;
        const home = process.env.HOME;
        const target = await vscode.window.showSaveDialog({
          title: vscode.l10n.t('Download {0}@{1} as a tar archive', asset.name, version.version),
          saveLabel: vscode.l10n.t('Download'),
          filters: { [vscode.l10n.t('Tar archives')]: ['tar'] },
          ...(home ? { defaultUri: vscode.Uri.file(`${home}/${name}`) } : {}),
        });
        if (!target) return;
        const file = target.fsPath;
        const done = await vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Notification,
            title: vscode.l10n.t('Downloading {0}', name),
            cancellable: true,
          },
          async (progress, token) => {
            const abort = new AbortController();
            token.onCancellationRequested(() => abort.abort());
            let reported = 0;
            try {
              return await downloadArchive(client, {
                kind: asset.kind,
                id: asset.id,
                version: version.version,
                file,
                signal: abort.signal,
                onProgress: (bytes, total) => {
                  const percent = total ? Math.floor((bytes / total) * 100) : 0;
                  if (percent <= reported && bytes < (total ?? Infinity)) return;
                  const message = total ? `${formatBytes(bytes)} / ${formatBytes(total)}` : formatBytes(bytes);
                  progress.report({ message, ...(percent > reported ? { increment: percent - reported } : {}) });
                  reported = Math.max(reported, percent);
                },
              });
            } catch (error) {
              if (abort.signal.aborted) return undefined;
              throw error;
            }
          },
        );
        if (!done) {
          void vscode.window.showInformationMessage(
            vscode.l10n.t('Download stopped; download to the same file again to resume it.'),
          );
          return;
        }
        void vscode.window.showInformationMessage(
          done.resumedFrom > 0
            ? vscode.l10n.t(
                'Downloaded {0} ({1}, resumed from {2}).',
                file,
                formatBytes(done.bytes),
                formatBytes(done.resumedFrom),
              )
            : vscode.l10n.t('Downloaded {0} ({1}).', file, formatBytes(done.bytes)),
        );
      }),
    ),
  ];
}
