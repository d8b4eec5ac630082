import * as vscode from 'vscode';
import type { ConnectionService } from '../connection/connectionService.js';
import { describeError } from '../connection/errorMessage.js';
import type { JobsModel } from '../jobs/jobsModel.js';
import type { PreviewPanels } from '../webviews/preview/previewPanels.js';
import { TEXT_PREVIEW_MAX_BYTES, workUri } from '../workspace/workContentProvider.js';
import type { WorkspaceTreeProvider } from '../workspace/workspaceTreeProvider.js';
import { CommandIds, ViewIds, type LoadMoreTarget } from './commandIds.js';
import { requireClient } from './requireClient.js';

export interface WorkspaceCommandDeps {
  connection: ConnectionService;
  tree: WorkspaceTreeProvider;
  jobs: JobsModel;
  previews: PreviewPanels;
}

/** Registers Browse /work, Refresh, Open Preview and Load more. */
export function registerWorkspaceCommands(deps: WorkspaceCommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandIds.browseWork, async () => {
      await vscode.commands.executeCommand(`${ViewIds.workspace}.focus`);
      if (!deps.connection.client) await requireClient(deps.connection);
    }),
    vscode.commands.registerCommand(CommandIds.refreshWorkspace, () => deps.tree.refresh()),
    vscode.commands.registerCommand(CommandIds.openPreview, (path?: string) => openPreview(deps, path)),
    vscode.commands.registerCommand(CommandIds.loadMore, async (target?: LoadMoreTarget) => {
      if (target?.view === 'jobs') await deps.jobs.loadMore();
      else if (target?.view === 'workspace') await deps.tree.loadMore(target.folder);
    }),
  ];
}

/** Text files open read-only in an editor (`aiplat-work:`); tables, images and models in a preview. */
async function openPreview(deps: WorkspaceCommandDeps, path: string | undefined): Promise<void> {
  if (!path) return;
  const client = await requireClient(deps.connection);
  if (!client) return;
  try {
    const preview = await client.previewFile({ query: { path, maxBytes: TEXT_PREVIEW_MAX_BYTES } });
    if (preview.kind === 'text') {
      const document = await vscode.workspace.openTextDocument(workUri(path));
      await vscode.window.showTextDocument(document, { preview: true });
      return;
    }
    await deps.previews.show(client, path, preview);
  } catch (error) {
    await vscode.window.showErrorMessage(vscode.l10n.t('Cannot preview /work/{0}: {1}', path, describeError(error)));
  }
}
