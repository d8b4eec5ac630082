import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { apiVersionOf, JOB_RESOURCES } from './apiDiscovery.js';
import type { KubeCluster } from './cluster.js';
import { ClusterWatcher, collectionPath, type WatchedKind } from './clusterWatcher.js';
import type { KubernetesJobRuntime } from './jobObjects.js';
import type { InformedObjects } from './jobReconciler.js';
import { LABELS, labelValue, MANAGED_BY } from './manifests/jobMetadata.js';
import type { ClusterObject, PodObject } from './stateMapping.js';

/*
 * Informers over the platform's objects in every namespace: the job resources, the pods and, once
 * the cluster serves Kueue, its Workloads. They answer what is known of a job's objects and say
 * which job a change is about.
 */

/** How long a failure that may pass (not a refusal) is kept out of jobs' wait reasons. */
const TRANSIENT_FAILURE_MS = 30_000;

/** The label selector of the objects the platform manages. */
export const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY}`;

export interface JobInformersOptions {
  cluster: KubeCluster;
  log: Logger;
  retryMs?: { first: number; max: number };
  /** Something about the job changed in the cluster (or may have: after a re-list, every job seen). */
  onJobChanged: (jobId: string) => void;
}

export class JobInformers implements InformedObjects {
  private readonly watcher: ClusterWatcher;
  private workloadWatcher: ClusterWatcher | undefined;

  constructor(private readonly options: JobInformersOptions) {
    this.watcher = this.makeWatcher([
      ...JOB_RESOURCES.map((ref) => ({
        apiVersion: apiVersionOf(ref),
        kind: ref.kind,
        path: collectionPath(apiVersionOf(ref), ref.plural),
        labelSelector: MANAGED_SELECTOR,
      })),
      { apiVersion: 'v1', kind: 'Pod', path: '/api/v1/pods', labelSelector: MANAGED_SELECTOR },
    ]);
  }

  /** Resolves once the first lists are in. */
  async start(): Promise<void> {
    await this.watcher.start();
  }

  /** Follows Kueue's Workloads at `apiVersion` too (from the first call on). */
  async followWorkloads(apiVersion: string): Promise<void> {
    this.workloadWatcher ??= this.makeWatcher([
      { apiVersion, kind: 'Workload', path: collectionPath(apiVersion, 'workloads') },
    ]);
    await this.workloadWatcher.start();
  }

  /** Whether the resources and pods have been listed at least once. */
  get synced(): boolean {
    return this.watcher.synced;
  }

  async stop(): Promise<void> {
    await this.watcher.stop();
    await this.workloadWatcher?.stop();
  }

  resourceOf(runtime: KubernetesJobRuntime): (KubernetesObject & ClusterObject) | undefined {
    return this.watcher.get(runtime.kind, runtime.namespace, runtime.name);
  }

  /** The platform's pods, in every namespace. */
  pods(): (KubernetesObject & PodObject)[] {
    return this.watcher.list<KubernetesObject & PodObject>('Pod');
  }

  podsOf(runtime: KubernetesJobRuntime, jobId: string): PodObject[] {
    const label = labelValue(jobId);
    return this.pods().filter(
      (pod) => pod.metadata?.namespace === runtime.namespace && pod.metadata.labels?.[LABELS.jobId] === label,
    );
  }

  workloadOf(resource: ClusterObject | undefined): ClusterObject | undefined {
    const uid = resource?.metadata?.uid;
    if (!uid || !this.workloadWatcher) return undefined;
    return this.workloadWatcher
      .list<KubernetesObject & ClusterObject>('Workload')
      .find((w) => w.metadata?.ownerReferences?.some((o) => o.uid === uid));
  }

  workloadsUnseen(): string | undefined {
    const failure = this.workloadWatcher?.failure('Workload');
    if (!failure) return undefined;
    // A refusal is said at once; what may pass (429 while a new CRD's storage starts, a restart) once it lasts.
    const lasting = failure.code === 401 || failure.code === 403 || failure.code === 404;
    if (!lasting && Date.now() - failure.since < TRANSIENT_FAILURE_MS) return undefined;
    const refused =
      failure.code === 403 ? " (the backend's role needs list and watch on workloads.kueue.x-k8s.io)" : '';
    return `${failure.message}${refused}`;
  }

  private makeWatcher(kinds: WatchedKind[]): ClusterWatcher {
    return new ClusterWatcher({
      cluster: this.options.cluster,
      kinds,
      log: this.options.log,
      ...(this.options.retryMs ? { retryMs: this.options.retryMs } : {}),
      onChange: (kind, object) => this.changed(kind, object),
      onResync: () => {
        for (const job of this.activeJobIds()) this.options.onJobChanged(job);
      },
    });
  }

  private activeJobIds(): string[] {
    const ids = new Set<string>();
    for (const kind of [...JOB_RESOURCES.map((r) => r.kind), 'Pod']) {
      for (const object of this.watcher.list(kind)) {
        const id = object.metadata?.annotations?.[LABELS.jobId] ?? object.metadata?.labels?.[LABELS.jobId];
        if (id) ids.add(id);
      }
    }
    return [...ids];
  }

  private changed(kind: string, object: KubernetesObject): void {
    if (kind === 'Workload') {
      const owner = object.metadata?.ownerReferences?.find((o) => JOB_RESOURCES.some((r) => r.kind === o.kind));
      if (!owner) return;
      const resource = this.watcher.get(owner.kind, object.metadata?.namespace ?? '', owner.name);
      const id = resource?.metadata?.annotations?.[LABELS.jobId];
      if (id) this.options.onJobChanged(id);
      return;
    }
    // Labels hold the job id only when it fits a label value; custom resources carry it exactly in an annotation.
    const id = object.metadata?.annotations?.[LABELS.jobId] ?? object.metadata?.labels?.[LABELS.jobId];
    if (id) this.options.onJobChanged(id);
  }
}
