import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type {
  TensorBoardEndpoint,
  TensorBoardEngine,
  TensorBoardLaunch,
  TensorBoardObservation,
} from '../../../tensorboard/engine.js';
import { clusterMessage, type KubeCluster } from '../cluster.js';
import type { PodObject } from '../clusterObjects.js';
import { forUser, namespaceFor, type KubernetesConfig } from '../config.js';
import { devMachinePodState, type DevMachinePodState } from '../devmachines/devMachinePodState.js';
import { objectName } from '../manifests/jobMetadata.js';
import {
  SERVICE_PORT,
  TENSORBOARD_RESOURCE,
  tensorBoardPodLabels,
  tensorboardManifests,
  tensorboardServiceHost,
} from './tensorboardManifests.js';

export interface KubernetesTensorBoardEngineDeps {
  cluster: KubeCluster;
  config: KubernetesConfig;
  /** How often a starting TensorBoard's pod is read. */
  pollMs?: number;
  /** How long its pod may take to be Ready (an image is pulled, the logs are read) before it fails. */
  readyTimeoutMs?: number;
  log: Logger;
}

interface Tracked {
  launch: TensorBoardLaunch;
  namespace: string;
  kubeflow: boolean;
  observe: (observation: TensorBoardObservation) => void;
  running: boolean;
  deadline: number;
  timer?: NodeJS.Timeout;
}

const POD_API = { apiVersion: 'v1', kind: 'Pod' };
const READY_TIMEOUT_MS = 300_000;

/**
 * TensorBoards on Kubernetes (tensorboardManifests.ts): Kubeflow's Tensorboard resource where the
 * cluster serves it, else a Deployment and Service made here, over the user's claim. Running once
 * its pod is Ready; Failed with the cluster's words when the image cannot be pulled or TensorBoard
 * keeps crashing (its objects then go). The proxy reaches the Service with the prefix taken off.
 */
export class KubernetesTensorBoardEngine implements TensorBoardEngine {
  private readonly tracked = new Map<string, Tracked>();
  private closed = false;

  constructor(private readonly deps: KubernetesTensorBoardEngineDeps) {}

  /** The cluster runs the image: nothing to install where the backend runs. */
  unavailable(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  async start(launch: TensorBoardLaunch, observe: (observation: TensorBoardObservation) => void): Promise<void> {
    const { config, cluster } = this.deps;
    const namespace = namespaceFor(config, launch.user);
    const kubeflow = await cluster.serves(TENSORBOARD_RESOURCE);
    const objects = tensorboardManifests(
      {
        id: launch.id,
        user: launch.user,
        path: launch.path,
        namespace,
        claims: {
          home: forUser(config.claims.home, launch.user),
          cache: forUser(config.claims.cache, launch.user),
          mount: forUser(config.claims.mount, launch.user),
        },
        image: config.tensorboardImage,
        backendNamespace: config.backendNamespace,
      },
      kubeflow,
    );
    for (const object of objects) {
      try {
        await cluster.create(object as KubernetesObject);
      } catch (error) {
        await this.deleteObjects(launch.id, namespace, kubeflow);
        throw new Error(`the cluster refused the ${object.kind}: ${clusterMessage(error)}`);
      }
    }
    const tracked: Tracked = {
      launch,
      namespace,
      kubeflow,
      observe,
      running: false,
      deadline: Date.now() + (this.deps.readyTimeoutMs ?? READY_TIMEOUT_MS),
    };
    this.tracked.set(launch.id, tracked);
    this.schedule(tracked, 0);
  }

  async stop(id: string): Promise<void> {
    const tracked = this.tracked.get(id);
    if (!tracked) return;
    this.tracked.delete(id);
    clearTimeout(tracked.timer);
    await this.deleteObjects(id, tracked.namespace, tracked.kubeflow);
  }

  endpoint(id: string): TensorBoardEndpoint | undefined {
    const tracked = this.tracked.get(id);
    if (!tracked?.running) return undefined;
    return {
      target: { host: tensorboardServiceHost(id, tracked.namespace), port: SERVICE_PORT },
      // TensorBoard serves at its root there, as behind Kubeflow's own gateway.
      prefix: tracked.launch.prefix,
      keepsPrefix: false,
      headers: {},
    };
  }

  /** TensorBoards end with the backend: their objects are deleted. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.tracked.keys()].map((id) => this.stop(id).catch(() => undefined)));
  }

  private schedule(tracked: Tracked, delayMs = this.deps.pollMs ?? 2_000): void {
    if (this.closed) return;
    clearTimeout(tracked.timer);
    tracked.timer = setTimeout(() => void this.poll(tracked), delayMs);
    tracked.timer.unref();
  }

  private async poll(tracked: Tracked): Promise<void> {
    const { id } = tracked.launch;
    if (this.closed || this.tracked.get(id) !== tracked) return;
    let pods: PodObject[];
    try {
      const labelSelector = Object.entries(tensorBoardPodLabels(id))
        .map(([key, value]) => `${key}=${value}`)
        .join(',');
      pods = (
        await this.deps.cluster.list<PodObject & KubernetesObject>(POD_API, {
          namespace: tracked.namespace,
          labelSelector,
        })
      ).items;
    } catch (error) {
      this.deps.log.warn({ id, err: error }, 'reading a TensorBoard pod failed');
      this.schedule(tracked);
      return;
    }
    if (this.tracked.get(id) !== tracked) return;
    const state = devMachinePodState(
      pods.find((pod) => !pod.metadata?.deletionTimestamp),
      '',
    );
    if (state.kind === 'failed' || (!tracked.running && Date.now() > tracked.deadline)) {
      const reason =
        state.kind === 'failed'
          ? state.message
          : `its pod was not ready within ${(this.deps.readyTimeoutMs ?? READY_TIMEOUT_MS) / 1000} s${notReadyDetail(state, tracked.kubeflow)}`;
      await this.stop(id).catch(() => undefined);
      tracked.observe({ state: 'Failed', reason });
      return;
    }
    if (state.kind === 'ready' && !tracked.running) {
      tracked.running = true;
      tracked.observe({ state: 'Running' });
    }
    this.schedule(tracked);
  }

  /** Deletes its objects (the Deployment's or the controller's pods go with them); what is gone already is fine. */
  private async deleteObjects(id: string, namespace: string, kubeflow: boolean): Promise<void> {
    const name = objectName(id);
    const objects: KubernetesObject[] = kubeflow
      ? [{ ...TENSORBOARD_RESOURCE, metadata: { name, namespace } }]
      : [
          { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace } },
          { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace } },
        ];
    objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace } });
    for (const object of objects) {
      try {
        await this.deps.cluster.delete(object);
      } catch (error) {
        this.deps.log.warn({ id, err: error }, `could not delete the ${object.kind} of a TensorBoard`);
      }
    }
  }
}

/** Why a TensorBoard's pod is not ready, for the reason it failed. */
function notReadyDetail(state: DevMachinePodState, kubeflow: boolean): string {
  if (state.kind === 'waiting') return ` (${state.message})`;
  if (state.kind === 'gone' && kubeflow) return " (there is none: is Kubeflow's tensorboard-controller running?)";
  if (state.kind === 'gone') return ' (there is none)';
  return '';
}
