/**
 * Every command this extension registers, declared once. `package.json` `contributes.commands`
 * must list exactly these (checked by `manifest.test.ts`). JupyterLab uses the same verb-noun with
 * a colon: `aiplat:connect`, `aiplat:start-job`.
 */
export const CommandIds = {
  connect: 'aiplat.connect',
  showServerInfo: 'aiplat.showServerInfo',
  setServerUrl: 'aiplat.setServerUrl',
  setToken: 'aiplat.setToken',

  browseWork: 'aiplat.browseWork',
  refreshWorkspace: 'aiplat.refreshWorkspace',
  openPreview: 'aiplat.openPreview',
  loadMore: 'aiplat.loadMore',

  refreshJobs: 'aiplat.refreshJobs',
  startTraining: 'aiplat.startTraining',
  trainThisScript: 'aiplat.trainThisScript',
  submitJobYaml: 'aiplat.submitJobYaml',
  showJobDetails: 'aiplat.showJobDetails',
  showJobLogs: 'aiplat.showJobLogs',
  searchJobLogs: 'aiplat.searchJobLogs',
  stopJob: 'aiplat.stopJob',
  startJobAgain: 'aiplat.startJobAgain',
  copyJob: 'aiplat.copyJob',
  deleteJob: 'aiplat.deleteJob',

  refreshDevMachines: 'aiplat.refreshDevMachines',
  createDevMachine: 'aiplat.createDevMachine',
  startDevMachine: 'aiplat.startDevMachine',
  stopDevMachine: 'aiplat.stopDevMachine',
  copyDevMachine: 'aiplat.copyDevMachine',
  deleteDevMachine: 'aiplat.deleteDevMachine',
  openDevMachineJupyterLab: 'aiplat.openDevMachineJupyterLab',
  openDevMachineVsCode: 'aiplat.openDevMachineVsCode',
  saveDevMachineAsImage: 'aiplat.saveDevMachineAsImage',
  startDevMachineSafeMode: 'aiplat.startDevMachineSafeMode',
  showDevMachineLifecycleLog: 'aiplat.showDevMachineLifecycleLog',
  snoozeDevMachineAutoStop: 'aiplat.snoozeDevMachineAutoStop',
  whyNotIdleDevMachine: 'aiplat.whyNotIdleDevMachine',
  copyDevMachineSshCommand: 'aiplat.copyDevMachineSshCommand',

  addSshKey: 'aiplat.addSshKey',
  removeSshKey: 'aiplat.removeSshKey',
  addGitCredential: 'aiplat.addGitCredential',
  deleteGitCredential: 'aiplat.deleteGitCredential',

  refreshLifecycleConfigs: 'aiplat.refreshLifecycleConfigs',
  newLifecycleConfig: 'aiplat.newLifecycleConfig',
  editLifecycleConfig: 'aiplat.editLifecycleConfig',
  deleteLifecycleConfig: 'aiplat.deleteLifecycleConfig',

  refreshImages: 'aiplat.refreshImages',
  copyImageReference: 'aiplat.copyImageReference',
  shareImage: 'aiplat.shareImage',
  deleteImage: 'aiplat.deleteImage',
  addSharedImage: 'aiplat.addSharedImage',

  openTensorBoard: 'aiplat.openTensorBoard',

  refreshServices: 'aiplat.refreshServices',
  deployService: 'aiplat.deployService',
  deployModelAsService: 'aiplat.deployModelAsService',
  openService: 'aiplat.openService',
  startService: 'aiplat.startService',
  stopService: 'aiplat.stopService',
  restartService: 'aiplat.restartService',
  deleteService: 'aiplat.deleteService',
  copyServiceUrl: 'aiplat.copyServiceUrl',
  showServiceLogs: 'aiplat.showServiceLogs',
  searchServiceLogs: 'aiplat.searchServiceLogs',
  scaleService: 'aiplat.scaleService',
  rollOutServiceVersion: 'aiplat.rollOutServiceVersion',
  changeServiceAuth: 'aiplat.changeServiceAuth',
  changeServiceLimits: 'aiplat.changeServiceLimits',

  refreshDatasets: 'aiplat.refreshDatasets',
  refreshModels: 'aiplat.refreshModels',
  createDataset: 'aiplat.createDataset',
  createModel: 'aiplat.createModel',
  importIntoAsset: 'aiplat.importIntoAsset',
  publishDatasetVersion: 'aiplat.publishDatasetVersion',
  openAssetVersion: 'aiplat.openAssetVersion',
  shareAsset: 'aiplat.shareAsset',
  revokeAssetShare: 'aiplat.revokeAssetShare',
  addSharedDataset: 'aiplat.addSharedDataset',
  addSharedModel: 'aiplat.addSharedModel',
  accelerateAssetVersion: 'aiplat.accelerateAssetVersion',
  evictAssetVersion: 'aiplat.evictAssetVersion',
  exportAssetVersion: 'aiplat.exportAssetVersion',
  downloadAssetVersionArchive: 'aiplat.downloadAssetVersionArchive',
  deleteAssetVersion: 'aiplat.deleteAssetVersion',
  deleteAsset: 'aiplat.deleteAsset',
  cancelAssetTask: 'aiplat.cancelAssetTask',
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];

/** Views contributed in `package.json` (`contributes.views.aiplat`). */
export const ViewIds = {
  workspace: 'aiplat.workspace',
  jobs: 'aiplat.jobs',
  devMachines: 'aiplat.devMachines',
  /** Reserved for a later issue; hidden until its `when` context key is set. */
  tensorboard: 'aiplat.tensorboard',
  images: 'aiplat.images',
  services: 'aiplat.services',
  datasets: 'aiplat.datasets',
  models: 'aiplat.models',
} as const;

/** Context keys set with `setContext`, used in `when` clauses of the manifest. */
export const ContextKeys = {
  connected: 'aiplat.connected',
} as const;

/** The argument of `aiplat.loadMore`, from the "Load more…" items of either view. */
export type LoadMoreTarget = { view: 'workspace'; folder: string } | { view: 'jobs' };
