import { ILabShell, ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { IEditorTracker } from '@jupyterlab/fileeditor';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IStateDB } from '@jupyterlab/statedb';
import { folderSource, openTensorBoardView } from './tensorboard/index.js';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import type { Widget } from '@lumino/widgets';
import { createAssetsPanel } from './assets/index.js';
import { CommandIDs } from './commandIds.js';
import { addConnectionCommands } from './commands/connectionCommands.js';
import { addPanelCommands } from './commands/panelCommands.js';
import { createDevMachinesPanel } from './devmachines/index.js';
import { createImagesPanel, ImageListModel, openImageSaveForm } from './images/index.js';
import {
  createServicesPanel,
  createServiceViewTracker,
  openServiceForm,
  openServiceView,
  currentServiceName,
  scaleService,
  serviceNameOfView,
} from './services/index.js';
import { addServiceCommands } from './services/serviceCommands.js';
import { ConnectionModel } from './model/connectionModel.js';
import { storageTokenStore } from './model/tokenStore.js';
import { createSidebar, showSection, SIDEBAR_ID } from './panel/sidebar.js';
import { DEFAULT_SERVER_URL, readSettings, type ExtensionSettings } from './settings.js';
import { RunningJobsItem } from './statusItem.js';
import { IConnectionModel, PLUGIN_ID, TRANSLATION_DOMAIN } from './tokens.js';
import {
  createJobViewTracker,
  createTrainingPanel,
  jobIdOfView,
  openJobForm,
  openJobView,
  RunningJobsCount,
  trainThisScript,
} from './training/index.js';
import { createWorkspaceView, fromJupyterPath, toJupyterPath, WorkspaceView } from './workspace/index.js';

import { deriveWorkRoots, effectiveWorkRoots } from './workspace/model/paths.js';

/*
 * Wiring only: models, views and commands live in their modules. Nothing here waits on the
 * network: the connection is tried once the settings arrive, and the views follow its state.
 */

let current: ExtensionSettings = {
  serverUrl: DEFAULT_SERVER_URL,
  token: '',
  workPathInJupyter: '',
  workRootsInJupyter: {},
};
/** Found from the server's answer once connected; the `workRootsInJupyter` setting wins over it. */
let derivedWorkRoots: Record<string, string> = {};
const workRoots = () => effectiveWorkRoots(current.workRootsInJupyter, derivedWorkRoots);

/** Whether JupyterLab's contents hold a folder at `path` (false for a file, nothing, or an error). */
function isJupyterFolder(app: JupyterFrontEnd, path: string): Promise<boolean> {
  return app.serviceManager.contents.get(path, { content: false }).then(
    (model) => model.type === 'directory',
    () => false,
  );
}

const connectionPlugin: JupyterFrontEndPlugin<IConnectionModel> = {
  id: PLUGIN_ID,
  description: 'Connects JupyterLab to the AI Platform server.',
  autoStart: true,
  requires: [ITranslator],
  optional: [ISettingRegistry, ICommandPalette],
  provides: IConnectionModel,
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
  ): IConnectionModel => {
    const trans = translator.load(TRANSLATION_DOMAIN);
    const model = new ConnectionModel({
      serverUrl: DEFAULT_SERVER_URL,
      // A typed token survives reloads of this browser tab, never the tab itself.
      tokenStore: storageTokenStore(window.sessionStorage),
    });
    const connector = addConnectionCommands(app.commands, model, trans);
    model.stateChanged.connect((_, state) => {
      if (state.status !== 'connected') return;
      void deriveWorkRoots(state.info, current.workPathInJupyter, (path) => isJupyterFolder(app, path)).then(
        (roots) => (derivedWorkRoots = roots),
      );
    });
    palette?.addItem({ command: CommandIDs.connect, category: trans.__('AI Platform') });
    palette?.addItem({ command: CommandIDs.setToken, category: trans.__('AI Platform') });
    const apply = (settings: ISettingRegistry.ISettings) => {
      const before = current;
      current = readSettings(settings, { baseUrl: PageConfig.getBaseUrl(), origin: window.location.origin });
      model.serverUrl = current.serverUrl;
      model.settingsToken = current.token;
      if (
        before.serverUrl !== current.serverUrl ||
        before.token !== current.token ||
        model.state.status === 'disconnected'
      ) {
        // Asks at once, in a password field, when the server wants a token.
        void connector.connect({ notify: false });
      }
    };
    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then((settings) => {
          apply(settings);
          settings.changed.connect(apply);
        })
        .catch((reason: unknown) => console.error(`${PLUGIN_ID}: cannot load the settings`, reason));
    } else {
      void connector.connect({ notify: false });
    }
    return model;
  },
};

const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: '@aiplat/jupyterlab-ext:sidebar',
  description: 'The AI Platform sidebar: /work, datasets, models and training jobs.',
  autoStart: true,
  requires: [IConnectionModel, ITranslator],
  optional: [
    ILabShell,
    ICommandPalette,
    IStatusBar,
    IDocumentManager,
    INotebookTracker,
    IDefaultFileBrowser,
    IEditorTracker,
    ILayoutRestorer,
    IStateDB,
  ],
  activate: (
    app: JupyterFrontEnd,
    connection: IConnectionModel,
    translator: ITranslator,
    labShell: ILabShell | null,
    palette: ICommandPalette | null,
    statusBar: IStatusBar | null,
    docManager: IDocumentManager | null,
    notebooks: INotebookTracker | null,
    fileBrowser: IDefaultFileBrowser | null,
    editors: IEditorTracker | null,
    restorer: ILayoutRestorer | null,
    state: IStateDB | null,
  ): void => {
    const trans = translator.load(TRANSLATION_DOMAIN);
    const category = trans.__('AI Platform');
    const openInMain = (widget: Widget) => {
      if (!widget.isAttached) app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
    };
    // Open job views come back after a reload, each opened again by its job id (like JupyterLab's documents).
    const jobViews = createJobViewTracker();
    void restorer?.restore(jobViews, {
      command: CommandIDs.openJob,
      args: (widget) => ({ id: jobIdOfView(widget) }),
      name: jobIdOfView,
    });
    // The image catalog: the Images section shows it, the image fields of the forms offer it.
    const images = new ImageListModel(connection);
    const imagesOptions = { connection, trans, openInMain };
    const training = { connection, trans, openInMain, jobViews, images };
    // Open service views come back the same way, each by its service's name.
    const serviceViews = createServiceViewTracker();
    void restorer?.restore(serviceViews, {
      command: CommandIDs.openService,
      args: (widget) => ({ name: serviceNameOfView(widget) }),
      name: serviceNameOfView,
    });
    const servicesOptions = { connection, trans, openInMain, serviceViews, images };
    const services = createServicesPanel(servicesOptions);
    const workspace = createWorkspaceView({
      connection,
      trans,
      openPath: (workPath) => {
        void docManager?.openOrReveal(toJupyterPath(workPath, current.workPathInJupyter, workRoots()));
      },
      insertIntoNotebook: (text) => {
        const editor = notebooks?.activeCell?.editor;
        if (!editor) return false;
        editor.replaceSelection?.(text);
        return true;
      },
      openTensorBoard: (path) => void app.commands.execute(CommandIDs.openTensorBoard, { path }),
      deployService: (model) => void app.commands.execute(CommandIDs.deployService, { model }),
      ...(state ? { state } : {}),
    });
    // The Catalog section's "Open": a /work folder shown in JupyterLab's file browser, or, where
    // that cannot go (a hidden folder such as a version's home/.catalog/…), in the Workspace's Files.
    const revealInWorkspace = (workPath: string) => {
      if (!(workspace instanceof WorkspaceView)) return;
      showSection(sidebar, workspace);
      showPanel();
      void workspace.reveal(workPath);
    };
    const openFolder = (workPath: string) => {
      if (!fileBrowser || workPath.split('/').some((segment) => segment.startsWith('.'))) {
        revealInWorkspace(workPath);
        return;
      }
      const path = toJupyterPath(workPath, current.workPathInJupyter, workRoots());
      fileBrowser.model.cd(`/${path}`).then(
        () => app.shell.activateById(fileBrowser.id),
        () => revealInWorkspace(workPath),
      );
    };
    const selectedFolder = () => {
      const item = fileBrowser?.selectedItems().next().value;
      const contentsPath = item?.type === 'directory' ? item.path : fileBrowser?.model.path;
      if (contentsPath === undefined) return undefined;
      return fromJupyterPath(contentsPath, current.workPathInJupyter, workRoots());
    };
    const sidebar = createSidebar({
      connection,
      trans,
      onConnect: () => void app.commands.execute(CommandIDs.connect),
      sections: [
        { id: 'workspace', label: trans.__('Workspace'), widget: workspace },
        {
          id: 'assets',
          label: trans.__('Catalog'),
          widget: createAssetsPanel({
            connection,
            trans,
            openFolder,
            selectedFolder,
            deployModel: (model) => void app.commands.execute(CommandIDs.deployService, { model }),
          }),
        },
        { id: 'training', label: trans.__('Training'), widget: createTrainingPanel(training) },
        {
          id: 'devmachines',
          label: trans.__('Dev machines'),
          widget: createDevMachinesPanel({
            connection,
            trans,
            openInMain,
            images,
            saveAsImage: (machine) => openImageSaveForm(imagesOptions, machine),
          }),
        },
        { id: 'services', label: trans.__('Services'), widget: services.panel },
        { id: 'images', label: trans.__('Images'), widget: createImagesPanel(imagesOptions, images) },
      ],
    });
    app.shell.add(sidebar, 'left', { rank: 150 });
    // Open after a reload if it was open, like JupyterLab's own side panels.
    restorer?.add(sidebar, SIDEBAR_ID);
    const showPanel = () => (labShell ? labShell.activateById(SIDEBAR_ID) : app.shell.activateById(SIDEBAR_ID));

    addPanelCommands(app.commands, {
      trans,
      showPanel,
      newJob: () => openJobForm(training),
      openJob: (id) => openJobView(training, id),
      openTensorBoard: (path) => openTensorBoardView({ connection, trans, openInMain }, folderSource(path)),
      trainThisScript: (workPath) => trainThisScript(training, workPath),
      isConnected: () => connection.state.status === 'connected',
      currentFile: (from) => {
        let contentsPath: string | undefined;
        if (from !== 'editor') contentsPath = fileBrowser?.selectedItems().next().value?.path;
        if (contentsPath === undefined && from !== 'browser') contentsPath = editors?.currentWidget?.context.path;
        if (contentsPath === undefined) return {};
        const workPath = fromJupyterPath(contentsPath, current.workPathInJupyter, workRoots());
        return workPath === undefined ? { contentsPath } : { workPath, contentsPath };
      },
    });
    addServiceCommands(app.commands, {
      trans,
      deploy: (model) => openServiceForm(servicesOptions, model, services.list),
      open: (name) => openServiceView(servicesOptions, name),
      update: (name) => openServiceView(servicesOptions, name, 'update'),
      scale: (name, replicas) => scaleService(servicesOptions, name, replicas),
      currentService: () => currentServiceName(servicesOptions),
      isConnected: () => connection.state.status === 'connected',
    });
    const serviceViewChanged = () => {
      app.commands.notifyCommandChanged(CommandIDs.updateService);
      app.commands.notifyCommandChanged(CommandIDs.scaleService);
    };
    serviceViews.currentChanged.connect(serviceViewChanged);
    // A view's service deleted: Update and Scale no longer apply to the view in front.
    serviceViews.widgetAdded.connect((_, widget) => {
      widget.content.model.changed.connect((model, change) => {
        if (change === 'service' && model.deleted) serviceViewChanged();
      });
    });
    connection.stateChanged.connect(() => {
      app.commands.notifyCommandChanged(CommandIDs.deployService);
      app.commands.notifyCommandChanged(CommandIDs.updateService);
      app.commands.notifyCommandChanged(CommandIDs.scaleService);
      app.commands.notifyCommandChanged(CommandIDs.newJob);
      app.commands.notifyCommandChanged(CommandIDs.trainThisScript);
    });
    for (const command of [
      CommandIDs.openPanel,
      CommandIDs.newJob,
      CommandIDs.trainThisScript,
      CommandIDs.deployService,
      CommandIDs.updateService,
      CommandIDs.scaleService,
    ]) {
      palette?.addItem({ command, category });
    }
    app.contextMenu.addItem({
      command: CommandIDs.trainThisScript,
      args: { from: 'browser' },
      selector: '.jp-DirListing-item[data-isdir="false"]',
      rank: 60,
    });
    app.contextMenu.addItem({
      command: CommandIDs.trainThisScript,
      args: { from: 'editor' },
      selector: '.jp-FileEditor',
      rank: 60,
    });

    if (statusBar) {
      const running = new RunningJobsCount(connection);
      const activeChanged = new Signal<IConnectionModel, void>(connection);
      connection.stateChanged.connect(() => activeChanged.emit());
      statusBar.registerStatusItem('@aiplat/jupyterlab-ext:running-jobs', {
        item: new RunningJobsItem(running, trans, showPanel),
        align: 'left',
        rank: 50,
        isActive: () => connection.state.status === 'connected',
        activeStateChanged: activeChanged,
      });
    }
  },
};

export default [connectionPlugin, sidebarPlugin];
export { IConnectionModel } from './tokens.js';
