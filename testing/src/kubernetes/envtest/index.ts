/* A real etcd and kube-apiserver for tests, envtest-style (see envtest.ts). */
export {
  envtestAssetsOrSkip,
  EnvtestAssetsMissing,
  findEnvtestAssets,
  inCi,
  KUBE_APISERVER_SHA256,
  SHARED_ENVTEST_DIR,
  type EnvtestAssets,
  type FindAssetsOptions,
} from './assets.js';
export { CRD_DIR, installCrds, JOB_CRDS, KUEUE_CRDS, readCrds } from './crds.js';
export { ENGINE_USER, startEnvtest, type Envtest, type EnvtestUser, type StartEnvtestOptions } from './envtest.js';
export { createNamespace, uniqueNamespace } from './namespaces.js';
export { droppedFields, wireForm } from './pruned.js';
