/** Every command this extension adds, declared once (VS Code: `aiplat.connect`...). */
export const CommandIDs = {
  connect: 'aiplat:connect',
  setToken: 'aiplat:set-token',
  openPanel: 'aiplat:open-panel',
  newJob: 'aiplat:new-job',
  trainThisScript: 'aiplat:train-this-script',
  openJob: 'aiplat:open-job',
  openTensorBoard: 'aiplat:open-tensorboard',
  deployService: 'aiplat:deploy-service',
  openService: 'aiplat:open-service',
  updateService: 'aiplat:update-service',
  scaleService: 'aiplat:scale-service',
} as const;
