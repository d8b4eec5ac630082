import type { ApiClient, AssetTask } from '@aiplat/api';
import * as vscode from 'vscode';
import { describeError } from '../connection/errorMessage.js';
import { badRecordsText, taskDetail, taskPercent } from './assetPresentation.js';
import type { AssetTasksModel } from './assetsModel.js';

/**
 * A task started from VS Code, followed in a cancellable notification (Cancel cancels the task on
 * the server), then its outcome: done, cancelled, or failed with the server's reason. A dataset
 * import with bad records offers them as a document (file:line: problem).
 */
export async function followTask(
  tasks: AssetTasksModel,
  client: ApiClient,
  started: AssetTask,
  title: string,
): Promise<AssetTask> {
  const finished = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, token) => {
      let reported = 0;
      token.onCancellationRequested(() => {
        client.cancelAssetTask({ params: { taskId: started.id } }).then(
          (task) => tasks.apply(task),
          (error: unknown) => void vscode.window.showErrorMessage(describeError(error)),
        );
      });
      return tasks.watch(started, (task) => {
        const percent = taskPercent(task);
        const increment = percent === undefined ? 0 : Math.max(0, percent - reported);
        reported += increment;
        progress.report({ message: taskDetail(task), ...(increment > 0 ? { increment } : {}) });
      });
    },
  );
  await reportOutcome(finished, title);
  return finished;
}

async function reportOutcome(task: AssetTask, title: string): Promise<void> {
  if (task.state === 'failed') {
    await vscode.window.showErrorMessage(vscode.l10n.t('{0} failed: {1}', title, task.message ?? task.id));
    return;
  }
  if (task.state === 'cancelled') {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0}: cancelled.', title));
    return;
  }
  const bad = task.records?.badRecords ?? 0;
  if (bad === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0}: done.', title));
    return;
  }
  const show = vscode.l10n.t('Show Bad Records');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('{0}: done, but {1} records do not fit the annotation type.', title, bad),
    show,
  );
  if (answer !== show) return;
  const document = await vscode.workspace.openTextDocument({ content: badRecordsText(task), language: 'plaintext' });
  await vscode.window.showTextDocument(document, { preview: true });
}
