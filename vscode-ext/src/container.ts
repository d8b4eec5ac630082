import type { AssetKind, WebSocketFactory } from '@aiplat/api';
import * as vscode from 'vscode';
import { AssetTasksModel, createAssetsModel, type AssetsModel } from './assets/assetsModel.js';
import { AssetsTreeProvider } from './assets/assetsTreeProvider.js';
import { CommandIds, ContextKeys } from './commands/commandIds.js';
import type { StopOptions } from './commands/jobCommands.js';
import { ConfigKeys, readServerUrl } from './configuration.js';
import { ConnectionService } from './connection/connectionService.js';
import { LiveEvents } from './connection/liveEvents.js';
import { createNodeWebSocket } from './connection/nodeWebSocket.js';
import { AutoStopNotifier } from './devmachines/autoStopNotifier.js';
import { createDevMachinesModel, type DevMachinesModel } from './devmachines/devMachinesModel.js';
import { DevMachinesTreeProvider } from './devmachines/devMachinesTreeProvider.js';
import { createImagesModel, type ImagesModel } from './images/imagesModel.js';
import { ImagesTreeProvider } from './images/imagesTreeProvider.js';
import { JobsModel } from './jobs/jobsModel.js';
import { JobsTreeProvider } from './jobs/jobsTreeProvider.js';
import { createLifecycleConfigsModel, type LifecycleConfigsModel } from './lifecycle/lifecycleConfigsModel.js';
import { DevMachineLogChannels } from './logs/devMachineLogChannels.js';
import { JobLogChannels } from './logs/jobLogChannels.js';
import { ServiceLogChannels } from './services/serviceLogChannels.js';
import { createServicesModel, type ServicesModel } from './services/servicesModel.js';
import { ServicesTreeProvider } from './services/servicesTreeProvider.js';
import { JobsStatusBar } from './status/jobsStatusBar.js';
import { JOB_DETAILS_VIEW_TYPE, JobDetailsPanels } from './webviews/jobDetails/jobDetailsPanels.js';
import type { JobAction } from './webviews/jobDetails/protocol.js';
import { PREVIEW_VIEW_TYPE, PreviewPanels } from './webviews/preview/previewPanels.js';
import { pickSource } from './webviews/scalars/scalarSources.js';
import { SCALARS_VIEW_TYPE, ScalarsPanels } from './webviews/scalars/scalarsPanels.js';
import type { ServiceAction } from './webviews/service/protocol.js';
import { SERVICE_VIEW_TYPE, ServicePanels } from './webviews/service/servicePanels.js';
import { openTensorBoard } from './webviews/scalars/tensorBoardOpener.js';
import { FolderWatch } from './workspace/folderWatch.js';
import { KnownRoots } from './workspace/knownRoots.js';
import { OpenFilesFollower } from './workspace/openFilesFollower.js';
import { TEXT_PREVIEW_MAX_BYTES, WorkContentProvider, workUri } from './workspace/workContentProvider.js';
import { WorkspaceModel } from './workspace/workspaceModel.js';
import { WorkspaceTreeProvider } from './workspace/workspaceTreeProvider.js';

/** The extension's long-lived objects, built once in `activate` and disposed with it. */
export interface Container extends vscode.Disposable {
  readonly connection: ConnectionService;
  readonly events: LiveEvents;
  readonly jobs: JobsModel;
  readonly jobsTree: JobsTreeProvider;
  readonly devMachines: DevMachinesModel;
  readonly devMachinesTree: DevMachinesTreeProvider;
  /** Warns 10 minutes before a dev machine stops by itself (auto-stop), offering a snooze. */
  readonly autoStopNotifier: AutoStopNotifier;
  /** The user's lifecycle configs (the Lifecycle Configs section of the Dev Machines view). */
  readonly lifecycleConfigs: LifecycleConfigsModel;
  /** Dev machines' lifecycle script output, an output channel per dev machine. */
  readonly lifecycleLogs: DevMachineLogChannels;
  /** The images the user can choose (presets, saved, shared), and their view. */
  readonly images: ImagesModel;
  readonly imagesTree: ImagesTreeProvider;
  readonly workspace: WorkspaceModel;
  readonly workspaceTree: WorkspaceTreeProvider;
  readonly workContent: WorkContentProvider;
  /** The `aiplat-work:` documents open in editors, followed for changes on the server. */
  readonly openDocuments: OpenFilesFollower;
  readonly previews: PreviewPanels;
  readonly details: JobDetailsPanels;
  /** The TensorBoard pages: scalar charts of jobs' summaries and folders. */
  readonly scalars: ScalarsPanels;
  readonly logs: JobLogChannels;
  /** The user's online services, live from the services topic, and their view. */
  readonly services: ServicesModel;
  readonly servicesTree: ServicesTreeProvider;
  /** Service logs, an output channel per replica. */
  readonly serviceLogs: ServiceLogChannels;
  /** The service pages: overview, charts, keys and tokens, test calls and chat. */
  readonly servicePanels: ServicePanels;
  readonly statusBar: JobsStatusBar;
  /** The user's datasets and models (own and shared), and their running imports, accelerations, exports. */
  readonly assets: Readonly<Record<AssetKind, AssetsModel>>;
  readonly assetTasks: AssetTasksModel;
  readonly datasetsTree: AssetsTreeProvider;
  readonly modelsTree: AssetsTreeProvider;
}

export interface ContainerOptions {
  createWebSocket?: WebSocketFactory;
  /** The clock of the auto-stop notices, ms since the epoch (tests inject one). */
  now?: () => number;
}

/** Which command a job details button runs (Force Stop: Stop Job with `{ force: true }`). */
const ACTION_COMMANDS: Readonly<Record<Exclude<JobAction, 'forceStop'>, string>> = {
  stop: CommandIds.stopJob,
  startAgain: CommandIds.startJobAgain,
  copy: CommandIds.copyJob,
  delete: CommandIds.deleteJob,
  showLogs: CommandIds.showJobLogs,
  tensorboard: CommandIds.openTensorBoard,
};

/** Which command a service page button runs. */
const SERVICE_ACTION_COMMANDS: Readonly<Record<ServiceAction, string>> = {
  start: CommandIds.startService,
  stop: CommandIds.stopService,
  restart: CommandIds.restartService,
  scale: CommandIds.scaleService,
  rollOut: CommandIds.rollOutServiceVersion,
  changeAuth: CommandIds.changeServiceAuth,
  changeLimits: CommandIds.changeServiceLimits,
  delete: CommandIds.deleteService,
  showLogs: CommandIds.showServiceLogs,
  searchLogs: CommandIds.searchServiceLogs,
  copyUrl: CommandIds.copyServiceUrl,
};

/** Resolves at once, or when the connection under way ends (connected or not). */
function connectionSettled(connection: ConnectionService): Promise<void> {
  if (connection.state.status !== 'connecting') return Promise.resolve();
  return new Promise((resolve) => {
    const watch = connection.onDidChangeState((state) => {
      if (state.status === 'connecting') return;
      watch.dispose();
      resolve();
    });
  });
}

export function createContainer(
  context: Pick<vscode.ExtensionContext, 'secrets' | 'extensionUri' | 'globalState'>,
  options: ContainerOptions = {},
): Container {
  const connection = new ConnectionService({
    serverUrl: readServerUrl,
    secrets: context.secrets,
    handedOver: { server: process.env.AIPLAT_SERVER, token: process.env.AIPLAT_TOKEN },
  });
  const client = () => connection.client;
  // The status bar is built last (it shows the jobs), but hears of socket closes from the start.
  const socketClosed = { to: undefined as JobsStatusBar | undefined };
  const events = new LiveEvents({
    onDidChangeState: (listener) => connection.onDidChangeState(listener),
    state: () => connection.state,
    token: () => connection.token(),
    createWebSocket: options.createWebSocket ?? createNodeWebSocket,
    onClose: (code) => socketClosed.to?.socketClosed(code),
  });
  const jobs = new JobsModel({ client, events });
  const jobsTree = new JobsTreeProvider(jobs);
  const devMachines = createDevMachinesModel({ client, events });
  const lifecycleConfigs = createLifecycleConfigsModel(client);
  const devMachinesTree = new DevMachinesTreeProvider(devMachines, client, lifecycleConfigs);
  const autoStopNotifier = new AutoStopNotifier(devMachines, options.now ? { now: options.now } : {});
  const lifecycleLogs = new DevMachineLogChannels(events);
  // Which configs dev machines name decides each config's `usedBy`: re-read them when that changes.
  let namedConfigs = '';
  const usedByWatch = devMachines.onDidChange(() => {
    const named = devMachines.items.map((m) => `${m.id}:${m.spec.lifecycleConfig ?? ''}`).join(',');
    if (named === namedConfigs) return;
    namedConfigs = named;
    if (connection.client) void lifecycleConfigs.refresh();
  });
  const images = createImagesModel({ client, events });
  const imagesTree = new ImagesTreeProvider(images, client);
  const services = createServicesModel({ client, events });
  const servicesTree = new ServicesTreeProvider(services, client);
  const serviceLogs = new ServiceLogChannels(events);
  const assets = {
    datasets: createAssetsModel('datasets', { client, events }),
    models: createAssetsModel('models', { client, events }),
  };
  const assetTasks = new AssetTasksModel({ client, events, assets });
  const datasetsTree = new AssetsTreeProvider('datasets', assets.datasets, assetTasks);
  const modelsTree = new AssetsTreeProvider('models', assets.models, assetTasks);
  const knownRoots = new KnownRoots(context.globalState);
  const workspace = new WorkspaceModel({
    client,
    roots: () => (connection.state.status === 'connected' ? connection.state.info.roots : []),
    settled: () => connectionSettled(connection),
    knownRoots: () => (connection.state.status === 'connecting' ? knownRoots.of(connection.serverUrl) : undefined),
  });
  const folders = new FolderWatch(events);
  const workspaceTree = new WorkspaceTreeProvider(workspace, folders);
  const workContent = new WorkContentProvider({
    readText: async (path) => {
      const api = connection.client;
      if (!api) throw new Error(vscode.l10n.t('Not connected to the AI Platform.'));
      const preview = await api.previewFile({ query: { path, maxBytes: TEXT_PREVIEW_MAX_BYTES } });
      if (preview.kind !== 'text') throw new Error(vscode.l10n.t('Not a text file.'));
      return { content: preview.content, truncated: preview.truncated };
    },
  });
  // Open editors and previews of /work files follow them: a job rewriting a file shows at once.
  const openDocuments = new OpenFilesFollower(folders, (path) => workContent.reload(workUri(path)));
  const previews = new PreviewPanels(
    new OpenFilesFollower(folders, (path) => {
      if (connection.client) void previews.reload(connection.client, path);
    }),
  );
  const details = new JobDetailsPanels({
    extensionUri: context.extensionUri,
    client,
    events,
    runAction: (action, jobId) =>
      action === 'forceStop'
        ? vscode.commands.executeCommand(CommandIds.stopJob, jobId, { force: true } satisfies StopOptions)
        : vscode.commands.executeCommand(ACTION_COMMANDS[action], jobId),
  });
  // Previews open before a window reload come back, for the path each page saved.
  const previewSerializer = vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
    deserializeWebviewPanel: (panel, state) => {
      previews.restore(panel, state, connection.client);
      return Promise.resolve();
    },
  });
  // Job details pages open before a window reload come back, for the job each page saved.
  const detailsSerializer = vscode.window.registerWebviewPanelSerializer(JOB_DETAILS_VIEW_TYPE, {
    deserializeWebviewPanel: (panel, state) => {
      details.restore(panel, state);
      return Promise.resolve();
    },
  });
  const scalars = new ScalarsPanels({
    extensionUri: context.extensionUri,
    client,
    events,
    pickSource: (exclude) => pickSource(jobs, vscode.l10n.t('Compare with…'), exclude),
    openTensorBoard: (source) =>
      openTensorBoard(
        {
          client,
          events,
          serverUrl: () => connection.serverUrl,
          openExternal: (url) => vscode.env.openExternal(vscode.Uri.parse(url)),
        },
        source,
      ),
  });
  // TensorBoard pages open before a window reload come back, for the sources and options each saved.
  const scalarsSerializer = vscode.window.registerWebviewPanelSerializer(SCALARS_VIEW_TYPE, {
    deserializeWebviewPanel: (panel, state) => {
      scalars.restore(panel, state);
      return Promise.resolve();
    },
  });
  const servicePanels = new ServicePanels({
    extensionUri: context.extensionUri,
    client,
    events,
    serverUrl: () => connection.serverUrl,
    token: () => connection.token(),
    runAction: (action, name) => vscode.commands.executeCommand(SERVICE_ACTION_COMMANDS[action], name),
  });
  // Service pages open before a window reload come back, for the service each page saved.
  const serviceSerializer = vscode.window.registerWebviewPanelSerializer(SERVICE_VIEW_TYPE, {
    deserializeWebviewPanel: (panel, state) => {
      servicePanels.restore(panel, state);
      return Promise.resolve();
    },
  });
  const logs = new JobLogChannels(events);
  const statusBar = new JobsStatusBar(connection, jobs);
  socketClosed.to = statusBar;

  // Connected: load the views; anything else: empty them and show the welcome (Connect) instead.
  const stateWatch = connection.onDidChangeState((state) => {
    const connected = state.status === 'connected';
    void vscode.commands.executeCommand('setContext', ContextKeys.connected, connected);
    if (state.status === 'connecting') return;
    if (connected) knownRoots.remember(state.serverUrl, state.info.roots);
    workspaceTree.refresh();
    if (connected) void jobs.refresh();
    if (connected) void devMachines.refresh();
    if (connected) void lifecycleConfigs.refresh();
    if (connected) void images.refresh();
    if (connected) void services.refresh();
    if (connected) void Promise.all([assets.datasets.refresh(), assets.models.refresh(), assetTasks.refresh()]);
    if (connected && connection.client) void previews.reloadRestored(connection.client);
    else {
      jobs.clear();
      devMachines.clear();
      lifecycleConfigs.clear();
      images.clear();
      services.clear();
      assets.datasets.clear();
      assets.models.clear();
      assetTasks.clear();
    }
  });
  // A new URL makes the current connection stale; the user reconnects when they need it.
  const configWatch = vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration(ConfigKeys.serverUrl)) connection.disconnect();
  });
  const owned: vscode.Disposable[] = [
    openDocuments,
    folders,
    statusBar,
    logs,
    detailsSerializer,
    previewSerializer,
    scalarsSerializer,
    details,
    scalars,
    previews,
    workContent,
    workspaceTree,
    jobsTree,
    jobs,
    devMachinesTree,
    autoStopNotifier,
    usedByWatch,
    lifecycleLogs,
    lifecycleConfigs,
    devMachines,
    imagesTree,
    images,
    serviceSerializer,
    servicePanels,
    serviceLogs,
    servicesTree,
    services,
    datasetsTree,
    modelsTree,
    assetTasks,
    assets.datasets,
    assets.models,
    events,
    stateWatch,
    configWatch,
    connection,
  ];
  let disposed = false;
  return {
    connection,
    events,
    jobs,
    jobsTree,
    devMachines,
    devMachinesTree,
    autoStopNotifier,
    lifecycleConfigs,
    lifecycleLogs,
    images,
    imagesTree,
    workspace,
    workspaceTree,
    workContent,
    openDocuments,
    previews,
    details,
    scalars,
    logs,
    services,
    servicesTree,
    serviceLogs,
    servicePanels,
    statusBar,
    assets,
    assetTasks,
    datasetsTree,
    modelsTree,
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const disposable of owned) disposable.dispose();
    },
  };
}
