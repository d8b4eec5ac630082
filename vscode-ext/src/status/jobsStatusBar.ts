import { WS_CLOSE, type ConnectionState } from '@aiplat/api';
import * as vscode from 'vscode';
import { CommandIds, ViewIds } from '../commands/commandIds.js';
import { describeConnectionState } from '../connection/connectionMessages.js';
import type { ConnectionService } from '../connection/connectionService.js';
import type { JobsModel } from '../jobs/jobsModel.js';

/**
 * The status bar item: running jobs while connected (click: the Jobs view); otherwise what is wrong
 * with the connection, in the words of `connectionMessages.ts` (click: connect).
 */
export class JobsStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[];
  private socketProblem: string | undefined;

  constructor(
    private readonly connection: ConnectionService,
    private readonly jobs: JobsModel,
  ) {
    this.item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
    this.disposables = [
      this.item,
      connection.onDidChangeState(() => {
        this.socketProblem = undefined;
        this.update();
      }),
      jobs.onDidChangeJobs(() => this.update()),
    ];
    this.update();
    this.item.show();
  }

  /** The live socket was closed by the server: a refused token is worth saying. */
  socketClosed(code: number): void {
    if (code === WS_CLOSE.unauthorized) {
      this.socketProblem = vscode.l10n.t('The server at {0} rejected the access token.', this.connection.serverUrl);
      this.update();
    }
  }

  update(): void {
    const state: ConnectionState = this.connection.state;
    const error = new vscode.ThemeColor('statusBarItem.errorBackground');
    switch (state.status) {
      case 'connected': {
        if (this.socketProblem) {
          this.show('$(error) ' + vscode.l10n.t('AI Platform'), this.socketProblem, CommandIds.setToken, error);
          return;
        }
        const running = this.jobs.runningCount;
        this.show(
          `$(beaker) ${vscode.l10n.t('{0} running', running)}`,
          vscode.l10n.t(
            'AI Platform at {0}: {1} running, {2} not finished',
            state.serverUrl,
            running,
            this.jobs.activeCount,
          ),
          `${ViewIds.jobs}.focus`,
        );
        return;
      }
      case 'connecting':
        this.show(
          `$(sync~spin) ${vscode.l10n.t('AI Platform')}`,
          vscode.l10n.t('Connecting to {0}…', state.serverUrl),
          undefined,
        );
        return;
      case 'disconnected':
        this.show(
          `$(plug) ${vscode.l10n.t('AI Platform')}`,
          vscode.l10n.t('Not connected to the AI Platform.'),
          CommandIds.connect,
        );
        return;
      case 'error':
      case 'version-mismatch': {
        const text = describeConnectionState(state)?.text ?? state.error.message;
        const fix =
          state.status === 'error' && state.error.code === 'unauthorized' ? CommandIds.setToken : CommandIds.connect;
        this.show(`$(error) ${vscode.l10n.t('AI Platform')}`, text, fix, error);
        return;
      }
    }
  }

  private show(text: string, tooltip: string, command: string | undefined, background?: vscode.ThemeColor): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = command;
    this.item.backgroundColor = background;
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
