import path from 'node:path';
import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { ApiError, type ServiceSpec, type ServiceVersionSpec } from '@aiplat/api';
import type { ReadyReplica, ServiceEngine, ServiceLifecycle, VersionLaunch } from '../../../services/engine.js';
import type { ServiceRecord } from '../../../services/serviceStore.js';
import { asClientModel, clusterMessage, statusCode, type KubeCluster } from '../cluster.js';
import { manifestOptionsFor, namespaceFor, queueConfig, type KubernetesConfig } from '../config.js';
import { PodLogFollowers } from '../podLogFollowers.js';
import { refusal } from './serviceDryRun.js';
import {
  inferenceServiceHost,
  KSERVE_CONTAINER,
  KSERVE_SERVICE_PORT,
  RESTARTED_AT_ANNOTATION,
  serviceManifests,
  ServiceManifestError,
  serviceObjectName,
  serviceResources,
  serviceVersionHost,
  versionPodSelector,
  type PipEnvironment,
  type ServiceObject,
  type ServiceWorkload,
} from './serviceManifests.js';
import { isLivePod, type ServicePod } from './servicePodState.js';
import { VersionWatch } from './versionWatch.js';

export interface KubernetesServiceEngineDeps {
  lifecycle: ServiceLifecycle;
  cluster: KubeCluster;
  config: KubernetesConfig;
  /** `services.pip`: pip's own settings, passed to the replicas as PIP_* variables. */
  pip: PipEnvironment;
  /** How often a version's pods are read (default 2 s). */
  pollMs?: number;
  stopGraceSeconds?: number;
  /**
   * When set, each replica's pod log is followed into `<dataDir>/services/<name>/v<N>/pods/<index>.log`
   * (the job log machinery's files), which `logFile` answers; otherwise logFile is undefined.
   */
  dataDir?: string;
  log: Logger;
  now?: () => Date;
}

interface Tracked {
  launch: VersionLaunch;
  namespace: string;
  objects: ServiceObject[];
  watch: VersionWatch;
  timer?: NodeJS.Timeout;
  /** The version has failed: no more polls, its objects wait for stopVersion. */
  failed: boolean;
}

const POD_API = { apiVersion: 'v1', kind: 'Pod' };

/** Every kind a version may have made, in the order they are deleted. */
const VERSION_KINDS = [
  ['serving.kserve.io/v1beta1', 'InferenceService'],
  ['apps/v1', 'Deployment'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['v1', 'Service'],
  ['v1', 'Secret'],
  ['v1', 'ConfigMap'],
] as const;

/**
 * Services on Kubernetes (serviceManifests.ts): each version's objects created in the owner's
 * namespace, its pods read every `pollMs` (servicePodState.ts, versionWatch.ts) and reported as
 * replicas. A version that fails (an image that cannot be pulled, a crash loop) is reported once and
 * left for the core, which stops it (its objects deleted). The gateway reaches each ready replica at
 * its pod's IP (the NetworkPolicy lets the backend's pods in).
 */
export class KubernetesServiceEngine implements ServiceEngine {
  private readonly tracked = new Map<string, Tracked>();
  private readonly followers?: PodLogFollowers;
  private closed = false;

  constructor(private readonly deps: KubernetesServiceEngineDeps) {
    if (deps.dataDir) this.followers = new PodLogFollowers(deps.cluster.kc, deps.log);
  }

  /** Refuses a version without an image, a queue the Kubernetes config lacks, an Ascend share. */
  validate(spec: ServiceSpec, version: ServiceVersionSpec): void {
    if (!version.image && !this.deps.config.defaultImage) {
      throw new ApiError('validation_failed', 'version.image is required on the Kubernetes engine', {
        issues: [{ path: 'body.spec.version.image', message: 'name the image the replicas run' }],
      });
    }
    const queue = queueConfig(this.deps.config, spec.queue);
    try {
      serviceResources(version, { resourceNames: { ...this.deps.config.resourceNames, ...queue.resourceNames } });
    } catch (error) {
      if (error instanceof ServiceManifestError) throw refusal(error);
      throw error;
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
    clearTimeout(this.tracked.get(key(service.name, version))?.timer);
    for (const [i, object] of objects.entries()) {
      try {
        await this.createFresh(object);
      } catch (error) {
        await this.deleteAll(objects.slice(0, i), true);
        throw new Error(`the cluster refused the ${object.kind} ${object.metadata.name}: ${clusterMessage(error)}`);
      }
    }
    const tracked: Tracked = {
      launch,
      namespace: base.namespace,
      objects,
      failed: false,
      watch: new VersionWatch(
        { name: service.name, version, queue: service.queue, replicas: spec.replicas },
        (observation) => this.deps.lifecycle.observed(service.name, observation),
      ),
    };
    this.tracked.set(key(service.name, version), tracked);
    tracked.watch.begin();
    this.schedule(tracked, 0);
  }

  async stopVersion(name: string, version: number, force: boolean): Promise<void> {
    const tracked = this.tracked.get(key(name, version));
    if (!tracked) return;
    this.tracked.delete(key(name, version));
    clearTimeout(tracked.timer);
    this.followers?.forget(followId(name, version));
    await this.deleteAll(tracked.objects, force);
    tracked.watch.stopped();
  }

  /** Patches the Deployment's replicas (the InferenceService's min and max). */
  async scale(launch: VersionLaunch, replicas: number): Promise<void> {
    const tracked = this.tracked.get(key(launch.service.name, launch.version));
    if (!tracked) return;
    await this.patchWorkload(tracked, (workload) =>
      workload.kind === 'Deployment'
        ? { spec: { replicas } }
        : { spec: { predictor: { minReplicas: replicas, maxReplicas: replicas } } },
    );
    tracked.watch.resize(replicas);
  }

  /** A rolling restart, as `kubectl rollout restart` does it: a new annotation on the pod template. */
  async restart(launch: VersionLaunch): Promise<void> {
    const tracked = this.tracked.get(key(launch.service.name, launch.version));
    if (!tracked) return;
    const annotations = { [RESTARTED_AT_ANNOTATION]: (this.deps.now?.() ?? new Date()).toISOString() };
    await this.patchWorkload(tracked, (workload) =>
      workload.kind === 'Deployment'
        ? { spec: { template: { metadata: { annotations } } } }
        : { spec: { predictor: { annotations } } },
    );
  }

  /**
   * One target per Ready replica, so the gateway's per-replica limits and metrics count the real
   * replicas: the pod's IP on the version's port (the gateway balances over them and retries on a
   * dead one), or, for a pod the cluster has given no IP yet, the version's Service (KServe's
   * predictor Service on port 80).
   */
  readyReplicas(name: string): readonly ReadyReplica[] {
    const ready: ReadyReplica[] = [];
    for (const tracked of this.tracked.values()) {
      const { service, version, spec } = tracked.launch;
      if (service.name !== name || tracked.failed) continue;
      const kserve = tracked.objects.some((o) => o.kind === 'InferenceService');
      const serviceTarget = kserve
        ? { host: inferenceServiceHost(name, version, tracked.namespace), port: KSERVE_SERVICE_PORT }
        : { host: serviceVersionHost(name, version, tracked.namespace), port: spec.port };
      for (const { index, podIP } of tracked.watch.readySlots()) {
        ready.push({
          key: `${version}/${index}`,
          version,
          index,
          target: podIP ? { host: podIP, port: spec.port } : serviceTarget,
        });
      }
    }
    return ready.sort((a, b) => a.version - b.version || a.index - b.index);
  }

  /** The file a replica's pod log is followed into, when the engine was given a dataDir. */
  logFile(name: string, version: number, index: number): string | undefined {
    if (!this.deps.dataDir) return undefined;
    return path.join(this.deps.dataDir, 'services', name, `v${version}`, 'pods', `${index}.log`);
  }

  /** Deletes what a previous backend left of this service's versions (every kind a version may have). */
  async release(service: ServiceRecord): Promise<void> {
    const namespace = namespaceFor(this.deps.config, service.owner);
    for (const { version } of service.versions) {
      if (this.tracked.has(key(service.name, version))) continue;
      const name = serviceObjectName(service.name, version);
      for (const [apiVersion, kind] of VERSION_KINDS) {
        // A cluster without KServe has no InferenceService to delete (the kind is unknown there).
        if (kind === 'InferenceService' && !(await this.deps.cluster.serves({ apiVersion, kind }).catch(() => false)))
          continue;
        await this.deps.cluster
          .delete({ apiVersion, kind, metadata: { name, namespace } }, { force: true })
          .catch((error: unknown) => this.deps.log.warn({ name, kind, err: error }, 'releasing a service failed'));
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const tracked of this.tracked.values()) clearTimeout(tracked.timer);
    this.followers?.close();
  }

  /** Creates an object; one a previous backend left under the same name is deleted first. */
  private async createFresh(object: ServiceObject): Promise<void> {
    try {
      await this.deps.cluster.create(object as KubernetesObject);
    } catch (error) {
      if (statusCode(error) !== 409) throw error;
      await this.deps.cluster.delete(object as KubernetesObject, { force: true });
      await this.deps.cluster.create(object as KubernetesObject);
    }
  }

  private async patchWorkload(tracked: Tracked, patchOf: (workload: ServiceWorkload) => object): Promise<void> {
    const workload = tracked.objects.find(
      (o): o is ServiceWorkload => o.kind === 'Deployment' || o.kind === 'InferenceService',
    );
    if (!workload) return;
    const { apiVersion, kind, metadata } = workload;
    const body = {
      apiVersion,
      kind,
      metadata: { name: metadata.name, namespace: metadata.namespace },
      ...patchOf(workload),
    };
    try {
      await this.deps.cluster.objects.patch(
        asClientModel(body),
        undefined,
        undefined,
        'aiplat',
        undefined,
        PatchStrategy.MergePatch,
      );
    } catch (error) {
      // An ApiError, so the user reads the cluster's words rather than an internal error.
      const grant = statusCode(error) === 403 ? '; ask the operator to grant the backend patch on it' : '';
      throw new ApiError(
        'unavailable',
        `the cluster refused the change to ${kind} ${metadata.name}: ${clusterMessage(error)}${grant}`,
      );
    }
  }

  private schedule(tracked: Tracked, delayMs = this.deps.pollMs ?? 2_000): void {
    if (this.closed || tracked.failed) return;
    clearTimeout(tracked.timer);
    tracked.timer = setTimeout(() => void this.poll(tracked), delayMs);
    tracked.timer.unref();
  }

  private current(tracked: Tracked): boolean {
    const { service, version } = tracked.launch;
    return !this.closed && this.tracked.get(key(service.name, version)) === tracked;
  }

  private async poll(tracked: Tracked): Promise<void> {
    if (!this.current(tracked)) return;
    const { service, version } = tracked.launch;
    let pods: ServicePod[];
    try {
      const list = await this.deps.cluster.list<ServicePod & KubernetesObject>(POD_API, {
        namespace: tracked.namespace,
        labelSelector: versionPodSelector(service.name, version),
      });
      pods = list.items.filter(isLivePod);
    } catch (error) {
      this.deps.log.warn({ service: service.name, version, err: error }, 'reading service pods failed');
      this.schedule(tracked);
      return;
    }
    if (!this.current(tracked)) return;
    const failure = tracked.watch.observe(pods);
    if (failure) {
      tracked.failed = true;
      return;
    }
    this.followLogs(tracked);
    this.schedule(tracked);
  }

  private followLogs(tracked: Tracked): void {
    if (!this.followers) return;
    const { service, version } = tracked.launch;
    const container = tracked.objects.some((o) => o.kind === 'InferenceService') ? KSERVE_CONTAINER : 'server';
    for (const { index, pod } of tracked.watch.slottedPods()) {
      const running = (pod.status?.containerStatuses ?? []).some((c) => c.state?.running || c.state?.terminated);
      const uid = pod.metadata?.uid;
      if (!running || !uid || !pod.metadata?.name) continue;
      this.followers.ensure(
        {
          jobId: followId(service.name, version),
          uid,
          namespace: tracked.namespace,
          pod: pod.metadata.name,
          container,
          file: this.logFile(service.name, version, index)!,
        },
        false,
      );
    }
  }

  private async deleteAll(objects: readonly ServiceObject[], force: boolean): Promise<void> {
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

function followId(name: string, version: number): string {
  return `service:${name}/${version}`;
}
