import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { ApiError, type ReplicaState, type ServiceSpec, type ServiceVersionSpec } from '@aiplat/api';
import type { ReadyReplica, ServiceEngine, ServiceLifecycle, VersionLaunch } from '../../../services/engine.js';
import type { ServiceRecord } from '../../../services/serviceStore.js';
import { clusterMessage, type KubeCluster } from '../cluster.js';
import type { PodObject } from '../clusterObjects.js';
import { manifestOptionsFor, namespaceFor, type KubernetesConfig } from '../config.js';
import { devMachinePodState } from '../devmachines/devMachinePodState.js';
import { labelValue } from '../manifests/jobMetadata.js';
import {
  SERVICE_LABEL,
  SERVICE_VERSION_LABEL,
  serviceManifests,
  serviceObjectName,
  serviceVersionHost,
  type PipEnvironment,
  type ServiceObject,
} from './serviceManifests.js';

export interface KubernetesServiceEngineDeps {
  lifecycle: ServiceLifecycle;
  cluster: KubeCluster;
  config: KubernetesConfig;
  pip: PipEnvironment;
  pollMs?: number;
  stopGraceSeconds?: number;
  log: Logger;
}

interface Tracked {
  launch: VersionLaunch;
  namespace: string;
  objects: ServiceObject[];
  replicas: number;
  seen: Map<number, { state: ReplicaState; restarts: number }>;
  ready: boolean;
  timer?: NodeJS.Timeout;
}

const POD_API = { apiVersion: 'v1', kind: 'Pod' };

/**
 * Services on Kubernetes (serviceManifests.ts): each version's objects created in the owner's
 * namespace, its pods read every `pollMs` and reported as replicas (Kueue's gate and unschedulable
 * pods as a wait, image and crash-loop failures as the version's failure in the cluster's words).
 * The gateway reaches a version through its Service; Kubernetes balances over the ready pods.
 */
export class KubernetesServiceEngine implements ServiceEngine {
  private readonly tracked = new Map<string, Tracked>();
  private closed = false;

  constructor(private readonly deps: KubernetesServiceEngineDeps) {}

  validate(_spec: ServiceSpec, version: ServiceVersionSpec): void {
    if (!version.image && !this.deps.config.defaultImage) {
      throw new ApiError('validation_failed', 'version.image is required on the Kubernetes engine', {
        issues: [{ path: 'body.spec.version.image', message: 'name the image the replicas run' }],
      });
    }
  }

  async startVersion(launch: VersionLaunch): Promise<void> {
    const { service, version, spec } = launch;
    const base = manifestOptionsFor(this.deps.config, {
      user: service.owner,
      jobId: serviceObjectName(service.name, version),
      queue: service.queue,
    });
    const objects = serviceManifests(service, version, spec, {
      base,
      serving: this.deps.config.serviceServing,
      pip: this.deps.pip,
      backendNamespace: this.deps.config.backendNamespace,
      ...(this.deps.stopGraceSeconds !== undefined ? { stopGraceSeconds: this.deps.stopGraceSeconds } : {}),
    });
    for (const [i, object] of objects.entries()) {
      try {
        await this.deps.cluster.create(object as KubernetesObject);
      } catch (error) {
        await this.deleteAll(objects.slice(0, i));
        throw new Error(`the cluster refused the ${object.kind}: ${clusterMessage(error)}`);
      }
    }
    const tracked: Tracked = {
      launch,
      namespace: base.namespace,
      objects,
      replicas: spec.replicas,
      seen: new Map(),
      ready: false,
    };
    this.tracked.set(key(service.name, version), tracked);
    for (let index = 0; index < spec.replicas; index++) this.report(tracked, index, 'Pending', 0);
    this.schedule(tracked, 0);
  }

  async stopVersion(name: string, version: number, force: boolean): Promise<void> {
    const tracked = this.tracked.get(key(name, version));
    if (!tracked) return;
    this.tracked.delete(key(name, version));
    clearTimeout(tracked.timer);
    await this.deleteAll(tracked.objects, force);
    for (const index of tracked.seen.keys()) this.report(tracked, index, 'Stopped', 0);
  }

  async scale(launch: VersionLaunch, replicas: number): Promise<void> {
    const tracked = this.tracked.get(key(launch.service.name, launch.version));
    if (!tracked) return;
    await this.updateWorkload(tracked, (workload) => {
      if (workload.kind === 'Deployment') workload.spec.replicas = replicas;
      else Object.assign(workload.spec.predictor, { minReplicas: replicas, maxReplicas: replicas });
    });
    tracked.replicas = replicas;
  }

  /** A rolling restart, as `kubectl rollout restart` does it: a new annotation on the pod template. */
  async restart(launch: VersionLaunch): Promise<void> {
    const tracked = this.tracked.get(key(launch.service.name, launch.version));
    if (!tracked) return;
    await this.updateWorkload(tracked, (workload) => {
      const at = new Date().toISOString();
      if (workload.kind === 'Deployment')
        workload.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'] = at;
      else workload.metadata.annotations['kubectl.kubernetes.io/restartedAt'] = at;
    });
  }

  readyReplicas(name: string): readonly ReadyReplica[] {
    const ready: ReadyReplica[] = [];
    for (const tracked of this.tracked.values()) {
      const { service, version, spec } = tracked.launch;
      if (service.name !== name || !tracked.ready) continue;
      const host =
        this.deps.config.serviceServing === 'kserve'
          ? `${serviceObjectName(name, version)}-predictor.${tracked.namespace}.svc`
          : serviceVersionHost(name, version, tracked.namespace);
      ready.push({
        key: `${version}/svc`,
        version,
        index: 0,
        target: { host, port: this.deps.config.serviceServing === 'kserve' ? 80 : spec.port },
      });
    }
    return ready;
  }

  /** Pod logs are the cluster's: not a file here. */
  logFile(): string | undefined {
    return undefined;
  }

  /** Deletes what a previous backend left of this service's versions. */
  async release(service: ServiceRecord): Promise<void> {
    const namespace = namespaceFor(this.deps.config, service.owner);
    for (const version of service.versions) {
      const name = serviceObjectName(service.name, version.version);
      for (const [apiVersion, kind] of [
        ['apps/v1', 'Deployment'],
        ['v1', 'Service'],
        ['networking.k8s.io/v1', 'NetworkPolicy'],
        ['v1', 'ConfigMap'],
      ] as const) {
        await this.deps.cluster.delete({ apiVersion, kind, metadata: { name, namespace } }).catch(() => false);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const tracked of this.tracked.values()) clearTimeout(tracked.timer);
  }

  private async updateWorkload(
    tracked: Tracked,
    change: (workload: Extract<ServiceObject, { kind: 'Deployment' | 'InferenceService' }>) => void,
  ): Promise<void> {
    const workload = tracked.objects.find((o) => o.kind === 'Deployment' || o.kind === 'InferenceService') as
      Extract<ServiceObject, { kind: 'Deployment' | 'InferenceService' }> | undefined;
    if (!workload) return;
    const current = await this.deps.cluster.read<KubernetesObject & { spec: unknown }>(workload as KubernetesObject);
    if (!current) throw new Error(`the ${workload.kind} ${workload.metadata.name} is gone from the cluster`);
    const next = {
      ...workload,
      metadata: { ...workload.metadata, resourceVersion: current.metadata?.resourceVersion },
    };
    change(next as typeof workload);
    await this.deps.cluster.objects.replace(next as KubernetesObject);
    change(workload);
  }

  private schedule(tracked: Tracked, delayMs = this.deps.pollMs ?? 2_000): void {
    if (this.closed) return;
    clearTimeout(tracked.timer);
    tracked.timer = setTimeout(() => void this.poll(tracked), delayMs);
    tracked.timer.unref();
  }

  private async poll(tracked: Tracked): Promise<void> {
    const { service, version } = tracked.launch;
    if (this.closed || this.tracked.get(key(service.name, version)) !== tracked) return;
    let pods: (PodObject & KubernetesObject)[];
    try {
      const labelSelector = `${SERVICE_LABEL}=${labelValue(service.name)},${SERVICE_VERSION_LABEL}=${version}`;
      pods = (
        await this.deps.cluster.list<PodObject & KubernetesObject>(POD_API, {
          namespace: tracked.namespace,
          labelSelector,
        })
      ).items;
    } catch (error) {
      this.deps.log.warn({ service: service.name, err: error }, 'reading service pods failed');
      this.schedule(tracked);
      return;
    }
    if (this.tracked.get(key(service.name, version)) !== tracked) return;
    const live = pods
      .filter((pod) => !pod.metadata?.deletionTimestamp)
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    let anyReady = false;
    for (let index = 0; index < tracked.replicas; index++) {
      const pod = live[index];
      const state = devMachinePodState(pod, service.queue);
      const restarts = (pod?.status?.containerStatuses ?? []).reduce(
        (sum, c) => sum + ((c as { restartCount?: number }).restartCount ?? 0),
        0,
      );
      if (state.kind === 'failed') {
        this.deps.lifecycle.observed(service.name, { versionFailed: { version, message: state.message } });
        return;
      }
      if (state.kind === 'waiting')
        this.deps.lifecycle.observed(service.name, { waitReason: { message: state.message } });
      const replicaState: ReplicaState =
        state.kind === 'ready' ? 'Ready' : state.kind === 'starting' ? 'Starting' : 'Pending';
      if (replicaState === 'Ready') anyReady = true;
      this.report(tracked, index, replicaState, restarts, state.kind === 'waiting' ? state.message : undefined);
    }
    tracked.ready = anyReady;
    this.schedule(tracked);
  }

  private report(tracked: Tracked, index: number, state: ReplicaState, restarts: number, message?: string): void {
    const before = tracked.seen.get(index);
    if (before && before.state === state && before.restarts === restarts) return;
    tracked.seen.set(index, { state, restarts });
    const { service, version } = tracked.launch;
    this.deps.lifecycle.observed(service.name, {
      replica: { version, index, state, restarts, ...(message ? { message } : {}) },
      ...(before && restarts > before.restarts
        ? {
            event: {
              type: 'replica-restarted' as const,
              message: `A pod of version ${version} restarted (${restarts}).`,
              version,
              replica: index,
            },
          }
        : {}),
    });
  }

  private async deleteAll(objects: readonly ServiceObject[], force = false): Promise<void> {
    for (const object of [...objects].reverse()) {
      await this.deps.cluster.delete(object as KubernetesObject, { force }).catch((error: unknown) => {
        this.deps.log.warn({ object: object.metadata.name, err: error }, 'deleting a service object failed');
      });
    }
  }
}

function key(name: string, version: number): string {
  return `${name}/${version}`;
}
