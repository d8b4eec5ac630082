import * as vscode from 'vscode';
import { registerConnectionCommands } from './commands/connectionCommands.js';
import { ViewIds } from './commands/commandIds.js';
import { registerJobCommands } from './commands/jobCommands.js';
import { registerTrainingCommands } from './commands/trainingCommands.js';
import { registerWorkspaceCommands } from './commands/workspaceCommands.js';
import { createContainer } from './container.js';
import { WORK_SCHEME } from './workspace/workContentProvider.js';

/** Wiring only: build the container, register the views and command groups, hand everything to VS Code. */
export function activate(context: vscode.ExtensionContext): void {
  const c = createContainer(context);
  context.subscriptions.push(
    c,
    vscode.window.createTreeView(ViewIds.workspace, { treeDataProvider: c.workspaceTree, showCollapseAll: true }),
    vscode.window.createTreeView(ViewIds.jobs, { treeDataProvider: c.jobsTree }),
    vscode.workspace.registerTextDocumentContentProvider(WORK_SCHEME, c.workContent),
    ...registerConnectionCommands(c.connection),
    ...registerWorkspaceCommands({
      connection: c.connection,
      tree: c.workspaceTree,
      jobs: c.jobs,
      previews: c.previews,
    }),
    ...registerJobCommands({ connection: c.connection, jobs: c.jobs, logs: c.logs, details: c.details }),
    ...registerTrainingCommands({ connection: c.connection, jobs: c.jobs }),
  );
  // Not awaited: the views fill in when the server answers; failures show in the status bar.
  void c.connection.connect();
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
