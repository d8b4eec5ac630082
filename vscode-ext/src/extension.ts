import * as vscode from 'vscode';
import { registerAccessCommands } from './access/accessCommands.js';
import { registerAssetCommands } from './assets/assetCommands.js';
import { registerAssetExportCommands } from './assets/assetExportCommands.js';
import { registerAssetImportCommands } from './assets/assetImportCommands.js';
import { registerAssetShareCommands } from './assets/assetShareCommands.js';
import { registerConnectionCommands } from './commands/connectionCommands.js';
import { ViewIds } from './commands/commandIds.js';
import { registerDevMachineCommands } from './commands/devMachineCommands.js';
import { registerImageCommands } from './commands/imageCommands.js';
import { registerJobCommands } from './commands/jobCommands.js';
import { registerSaveImageCommands } from './commands/saveImageCommands.js';
import { registerTensorBoardCommands } from './commands/tensorBoardCommands.js';
import { registerTrainingCommands } from './commands/trainingCommands.js';
import { registerWorkspaceCommands } from './commands/workspaceCommands.js';
import { createContainer } from './container.js';
import { registerLifecycleConfigCommands } from './lifecycle/lifecycleConfigCommands.js';
import { LifecycleFileSystem } from './lifecycle/lifecycleFileSystem.js';
import { LIFECYCLE_SCHEME } from './lifecycle/lifecycleScripts.js';
import { ScriptSizeStatusBar } from './lifecycle/scriptSizeStatusBar.js';
import { registerServiceCommands } from './services/serviceCommands.js';
import { registerServiceUpdateCommands } from './services/serviceUpdateCommands.js';
import { pathOfWorkUri, WORK_SCHEME } from './workspace/workContentProvider.js';

/** Wiring only: build the container, register the views and command groups, hand everything to VS Code. */
export function activate(context: vscode.ExtensionContext): void {
  const c = createContainer(context);
  const workspaceView = vscode.window.createTreeView(ViewIds.workspace, {
    treeDataProvider: c.workspaceTree,
    showCollapseAll: true,
  });
  const workPath = (document: vscode.TextDocument) =>
    document.uri.scheme === WORK_SCHEME ? pathOfWorkUri(document.uri) : undefined;
  const followDocument = (document: vscode.TextDocument, open: boolean) => {
    const path = workPath(document);
    if (!path) return;
    if (open) c.openDocuments.opened(path);
    else c.openDocuments.closed(path);
  };
  for (const document of vscode.workspace.textDocuments) followDocument(document, true);
  context.subscriptions.push(
    c,
    workspaceView,
    workspaceView.onDidExpandElement((event) => c.workspaceTree.expanded(event.element)),
    workspaceView.onDidCollapseElement((event) => c.workspaceTree.collapsed(event.element)),
    vscode.workspace.onDidOpenTextDocument((document) => followDocument(document, true)),
    vscode.workspace.onDidCloseTextDocument((document) => followDocument(document, false)),
    vscode.window.createTreeView(ViewIds.jobs, { treeDataProvider: c.jobsTree }),
    vscode.window.createTreeView(ViewIds.devMachines, { treeDataProvider: c.devMachinesTree }),
    vscode.window.createTreeView(ViewIds.images, { treeDataProvider: c.imagesTree }),
    vscode.window.createTreeView(ViewIds.services, { treeDataProvider: c.servicesTree }),
    vscode.window.createTreeView(ViewIds.datasets, { treeDataProvider: c.datasetsTree }),
    vscode.window.createTreeView(ViewIds.models, { treeDataProvider: c.modelsTree }),
    vscode.workspace.registerTextDocumentContentProvider(WORK_SCHEME, c.workContent),
    // Lifecycle scripts are edited as files; saving one updates its config.
    vscode.workspace.registerFileSystemProvider(
      LIFECYCLE_SCHEME,
      new LifecycleFileSystem({
        client: () => c.connection.client,
        configs: c.lifecycleConfigs,
        showError: (message) => void vscode.window.showErrorMessage(message),
      }),
      { isCaseSensitive: true },
    ),
    new ScriptSizeStatusBar(),
    ...registerLifecycleConfigCommands({ connection: c.connection, configs: c.lifecycleConfigs }),
    ...registerConnectionCommands(c.connection),
    ...registerWorkspaceCommands({
      connection: c.connection,
      tree: c.workspaceTree,
      jobs: c.jobs,
      previews: c.previews,
    }),
    ...registerJobCommands({ connection: c.connection, jobs: c.jobs, logs: c.logs, details: c.details }),
    ...registerTrainingCommands({ connection: c.connection, jobs: c.jobs }),
    ...registerDevMachineCommands({
      connection: c.connection,
      devMachines: c.devMachines,
      lifecycleLogs: c.lifecycleLogs,
    }),
    ...registerAccessCommands({ connection: c.connection, devMachines: c.devMachines }),
    ...registerSaveImageCommands({
      connection: c.connection,
      devMachines: c.devMachines,
      images: c.images,
      events: c.events,
    }),
    ...registerImageCommands({ connection: c.connection, images: c.images }),
    ...registerTensorBoardCommands({ connection: c.connection, jobs: c.jobs, scalars: c.scalars }),
    ...registerServiceCommands({
      connection: c.connection,
      services: c.services,
      logs: c.serviceLogs,
      openDetails: (name) => c.servicePanels.show(name),
    }),
    ...registerServiceUpdateCommands({ connection: c.connection, services: c.services }),
    ...[
      registerAssetCommands,
      registerAssetImportCommands,
      registerAssetShareCommands,
      registerAssetExportCommands,
    ].flatMap((register) => register({ connection: c.connection, assets: c.assets, tasks: c.assetTasks })),
  );
  // Not awaited: the views fill in when the server answers; failures show in the status bar.
  void c.connection.connect();
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
