import type { KubernetesObject, V1ClusterRole } from '@kubernetes/client-node';
import { KubeCluster } from '../../../../backend/src/engines/kubernetes/cluster.js';
import type { KubernetesConfig } from '../../../../backend/src/engines/kubernetes/config.js';
import { kueueSetup } from '../../../../backend/src/engines/kubernetes/manifests/kueue.js';
import { startPlatform, type PlatformFixture, type PlatformOverrides } from '../../backend/platformFixture.js';
import type { EnvtestAssets } from './assets.js';
import { applyBackendRole } from './backendRole.js';
import { installCrds } from './crds.js';
import { startEnvtest, type Envtest, type EnvtestUser } from './envtest.js';
import { createNamespace } from './namespaces.js';
import { recordingProxy, type RecordingProxy } from './recordingProxy.js';

/*
 * The cluster as the operator guide sets it up, and the platform on it: a real API server (envtest)
 * with the CRDs a test file uses, the users' namespaces with Kueue's queues, backend.yaml's
 * ClusterRole bound to the backend's user and nothing else, and the platform's Kubernetes engine
 * talking to the server as that user through a recording proxy.
 */

/** The user the backend runs as (its ServiceAccount in a real cluster). */
export const BACKEND_USER = 'aiplat-backend';

export interface RoleBoundPlatform {
  envtest: Envtest;
  /** The admin's client (system:masters): what the operator and the test write. */
  admin: KubeCluster;
  /** backend.yaml's ClusterRole, as created. */
  role: V1ClusterRole;
  /** Every request the engine made, with its answer's status. */
  proxy: RecordingProxy;
  fx: PlatformFixture;
  /** Closes the platform, then the proxy, then the API server and etcd. */
  close(): Promise<void>;
}

export interface RoleBoundPlatformOptions {
  assets: EnvtestAssets;
  /** The CRDs to install, by name (JOB_CRDS, KUEUE_CRDS, …). */
  crds: readonly string[];
  /** The engine's config: its queues become Kueue's, in `namespaces`. */
  kubernetes: KubernetesConfig;
  /** The rest of the platform's config. */
  platform?: Omit<PlatformOverrides, 'engine' | 'kubernetes'>;
  /** The users' namespaces to create; default `aiplat-alice`. */
  namespaces?: readonly string[];
  /** More envtest users, besides the backend's. */
  users?: readonly EnvtestUser[];
  apiServerFlags?: readonly string[];
}

export async function startRoleBoundPlatform(options: RoleBoundPlatformOptions): Promise<RoleBoundPlatform> {
  const envtest = await startEnvtest({
    assets: options.assets,
    users: [{ name: BACKEND_USER }, ...(options.users ?? [])],
    ...(options.apiServerFlags ? { apiServerFlags: options.apiServerFlags } : {}),
  });
  let proxy: RecordingProxy | undefined;
  try {
    await installCrds(envtest.kubeConfig, { only: options.crds });
    const admin = new KubeCluster(envtest.kubeConfig);
    const namespaces = options.namespaces ?? ['aiplat-alice'];
    for (const namespace of namespaces) await createNamespace(envtest.kubeConfig, namespace);
    for (const object of kueueSetup(options.kubernetes, { namespaces: [...namespaces] })) {
      await admin.create(object as KubernetesObject);
    }
    const role = await applyBackendRole(envtest.kubeConfig, BACKEND_USER);
    proxy = await recordingProxy(envtest, BACKEND_USER);
    const fx = await startPlatform(
      { ...options.platform, engine: 'kubernetes', kubernetes: options.kubernetes },
      { kubeConfig: proxy.kubeConfig },
    );
    const opened = proxy;
    return {
      envtest,
      admin,
      role,
      proxy,
      fx,
      close: async () => {
        await fx.close();
        await opened.close();
        await envtest.stop();
      },
    };
  } catch (error) {
    await proxy?.close();
    await envtest.stop();
    throw error;
  }
}
