import type { ApiClient, ScalarSource } from '@aiplat/api';
import * as vscode from 'vscode';
import type { ConnectionService } from '../connection/connectionService.js';
import { describeError } from '../connection/errorMessage.js';
import type { JobsModel } from '../jobs/jobsModel.js';
import type { JobNode } from '../jobs/jobsTreeProvider.js';
import { folderSource, jobSource, pickSource } from '../webviews/scalars/scalarSources.js';
import type { ScalarsPanels } from '../webviews/scalars/scalarsPanels.js';
import { folderPath, type WorkspaceNode } from '../workspace/workspaceTreeProvider.js';
import { CommandIds } from './commandIds.js';
import { requireClient } from './requireClient.js';

export interface TensorBoardCommandDeps {
  connection: ConnectionService;
  jobs: JobsModel;
  scalars: ScalarsPanels;
}

/**
 * What Open in TensorBoard accepts: a Jobs view item, a Workspace view folder, a job id (the job
 * details page), or nothing (asks for a job or a folder).
 */
export type TensorBoardArgument = JobNode | WorkspaceNode | string | undefined;

/** Registers Open in TensorBoard: the charts of a job's summaries or of a folder's event files. */
export function registerTensorBoardCommands(deps: TensorBoardCommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandIds.openTensorBoard, async (arg?: TensorBoardArgument) => {
      const client = await requireClient(deps.connection);
      if (!client) return;
      try {
        const source = await sourceOf(client, deps.jobs, arg);
        if (source) deps.scalars.show([source]);
      } catch (error) {
        await vscode.window.showErrorMessage(describeError(error));
      }
    }),
  ];
}

async function sourceOf(
  client: ApiClient,
  jobs: JobsModel,
  arg: TensorBoardArgument,
): Promise<ScalarSource | undefined> {
  if (typeof arg === 'string') return jobSource(jobs.find(arg) ?? (await client.getJob({ params: { id: arg } })));
  if (arg?.kind === 'job') return jobSource(arg.job);
  const folder = arg ? folderPath(arg as WorkspaceNode) : undefined;
  if (folder !== undefined) return folderSource(folder);
  return pickSource(jobs, vscode.l10n.t('Open in TensorBoard'));
}
