import {
  isTerminalJobState,
  JOB_TRANSITIONS,
  type JobEventType,
  type JobMetricsResponse,
  type JobSpec,
  type JobState,
} from '@aiplat/api';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { JobFiles, JobLifecycle, TrainingEngine } from '../../jobs/engine.js';
import type { JobRecord } from '../../jobs/jobStore.js';
import { plannedInstances } from '../../jobs/plannedInstances.js';
import { ApiDiscovery, apiVersionOf, JOB_RESOURCES } from './apiDiscovery.js';
import { clusterMessage, type KubeCluster } from './cluster.js';
import { ClusterWatcher, collectionPath, type WatchedKind } from './clusterWatcher.js';
import type { KubernetesConfig } from './config.js';
import { JobEventRelay } from './jobEventRelay.js';
import { failJob, JobObjects, runtimeOf, type KubernetesJobRuntime } from './jobObjects.js';
import { LABELS, labelValue, MANAGED_BY } from './manifests/jobMetadata.js';
import { crdFor } from './manifests/index.js';
import { PodLogFollowers } from './podLogFollowers.js';
import { PodMetricsSampler } from './podMetricsSampler.js';
import {
  observeJob,
  podRoles,
  transitionPath,
  type ClusterObject,
  type ObservedInstance,
  type PodObject,
} from './stateMapping.js';
import { validateKubernetesSpec } from './validateSpec.js';

/*
 * The Kubernetes engine: a job becomes its mode's custom resource (TrainJob, MPIJob, JobSet,
 * RayJob) plus its hyperparameters ConfigMap, created suspended for Kueue to admit. Informers
 * follow the resources, Kueue's Workloads and the pods; every change is translated into the
 * platform's states (the cluster is the source of truth, the store only remembers what it last
 * showed), pod logs are followed into the job's log files, pod metrics sampled when the cluster
 * serves metrics.k8s.io.
 */

export interface KubernetesEngineOptions {
  lifecycle: JobLifecycle;
  files: JobFiles;
  config: KubernetesConfig;
  cluster: KubeCluster;
  log: Logger;
  metricsIntervalMs: number;
  /** How long a finished job waits for its pods' last log lines before it is marked finished. */
  logDrainMs?: number;
  /** How often the served APIs are looked up again (an operator installed later is found). */
  discoveryIntervalMs?: number;
  watchRetryMs?: { first: number; max: number };
  now?: () => Date;
}

const POD_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY}`;

const EVENT_OF: Partial<Record<JobState, JobEventType>> = {
  Queued: 'queued',
  Starting: 'scheduled',
  Running: 'started',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Stopped: 'stopped',
};

export class KubernetesEngine implements TrainingEngine {
  readonly kind = 'kubernetes' as const;
  private readonly discovery: ApiDiscovery;
  private discoveryTimer: NodeJS.Timeout | undefined;
  private readonly watcher: ClusterWatcher;
  private workloadWatcher: ClusterWatcher | undefined;
  private readonly logs: PodLogFollowers;
  private readonly pending = new Set<string>();
  private readonly finishing = new Set<string>();
  /** Jobs being re-created for an automatic restart: what the cluster shows of the old run is not news. */
  private readonly restarting = new Set<string>();
  /** Jobs whose resource this process has seen in the cluster: its absence now means deleted. */
  private readonly seen = new Set<string>();
  private readonly sampler: PodMetricsSampler;
  private readonly objects: JobObjects;
  private readonly events: JobEventRelay;
  private readonly startedAt: string;
  private closed = false;

  constructor(private readonly options: KubernetesEngineOptions) {
    this.startedAt = this.now().toISOString();
    this.logs = new PodLogFollowers(options.cluster.kc, options.log);
    this.events = new JobEventRelay({ cluster: options.cluster, lifecycle: options.lifecycle, log: options.log });
    this.discovery = new ApiDiscovery({
      cluster: options.cluster,
      log: options.log,
      onKueueInstalled: () => this.followWorkloads(),
    });
    const kinds: WatchedKind[] = [
      ...JOB_RESOURCES.map((ref) => ({
        apiVersion: apiVersionOf(ref),
        kind: ref.kind,
        path: collectionPath(apiVersionOf(ref), ref.plural),
        labelSelector: POD_SELECTOR,
      })),
      { apiVersion: 'v1', kind: 'Pod', path: '/api/v1/pods', labelSelector: POD_SELECTOR },
    ];
    this.watcher = this.makeWatcher(kinds);
    this.objects = new JobObjects({
      cluster: options.cluster,
      lifecycle: options.lifecycle,
      config: options.config,
      podsOf: (runtime, jobId) => this.podsOf(runtime, jobId),
      onNewRun: (jobId) => {
        this.seen.delete(jobId);
        this.events.startRun(jobId, this.now().toISOString());
      },
      schedule: (jobId) => this.schedule(jobId),
    });
    this.sampler = new PodMetricsSampler({
      cluster: options.cluster,
      lifecycle: options.lifecycle,
      files: options.files,
      log: options.log,
      intervalMs: options.metricsIntervalMs,
      labelSelector: POD_SELECTOR,
      listPods: () => this.watcher.list<KubernetesObject & PodObject>('Pod'),
      servesPodMetrics: () => this.discovery.servesPodMetrics,
      now: () => this.now(),
    });
  }

  private makeWatcher(kinds: WatchedKind[]): ClusterWatcher {
    return new ClusterWatcher({
      cluster: this.options.cluster,
      kinds,
      log: this.options.log,
      ...(this.options.watchRetryMs ? { retryMs: this.options.watchRetryMs } : {}),
      onChange: (kind, object) => this.changed(kind, object),
      onResync: () => {
        for (const job of this.activeJobIds()) this.schedule(job);
      },
    });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  // ---- start, discovery ----------------------------------------------------------------------------

  /** Looks up the served APIs and starts following the cluster. Resolves once the first lists are in. */
  async start(): Promise<void> {
    await this.discovery.discover();
    await this.watcher.start();
    await this.followWorkloads();
    const every = this.options.discoveryIntervalMs ?? 30_000;
    this.discoveryTimer = setInterval(() => void this.discovery.discover(), every);
    this.discoveryTimer.unref();
    this.sampler.start();
  }

  /** Follows Kueue's Workloads once the cluster serves them. */
  private async followWorkloads(): Promise<void> {
    const apiVersion = this.discovery.workloadApiVersion;
    if (!apiVersion) return;
    this.workloadWatcher ??= this.makeWatcher([
      { apiVersion, kind: 'Workload', path: collectionPath(apiVersion, 'workloads') },
    ]);
    await this.workloadWatcher.start();
  }

  // ---- TrainingEngine ------------------------------------------------------------------------------

  validate(spec: JobSpec): void {
    validateKubernetesSpec(spec, this.options.config);
    this.discovery.checkServed(spec);
  }

  /** The job's objects, exactly as they would be created. */
  manifests(job: { id: string; user: string; spec: JobSpec }): KubernetesObject[] {
    return this.objects.manifests(job);
  }

  /** The API server's answer to creating `objects` with `dryRun=All`: admission and schema checks, nothing stored. */
  serverDryRun(objects: readonly KubernetesObject[]): Promise<{ ok: boolean; message?: string; objects?: unknown[] }> {
    return this.objects.serverDryRun(objects);
  }

  submit(job: JobRecord): void {
    void this.objects.create(job).catch((error: unknown) => {
      this.options.log.error({ err: error, job: job.id }, 'creating the job objects failed');
      failJob(this.options.lifecycle, job.id, `creating the job's objects failed: ${clusterMessage(error)}`);
    });
  }

  async stop(job: JobRecord, options: { force: boolean }): Promise<void> {
    const { lifecycle } = this.options;
    const runtime = runtimeOf(job);
    if (job.state === 'Submitting' || job.state === 'Queued') {
      if (runtime) await this.objects.delete(job.id, runtime, options.force);
      lifecycle.transition(job.id, 'Stopped', { type: 'stopped', message: 'stopped before it started' });
      return;
    }
    if (job.state !== 'Stopping') {
      lifecycle.transition(job.id, 'Stopping', {
        type: 'stop-requested',
        message: options.force
          ? `stop requested: deleting ${runtime?.kind ?? 'its objects'} and its pods at once`
          : `stop requested: deleting ${runtime?.kind ?? 'its objects'}; its pods get their termination grace period`,
      });
    }
    if (runtime) await this.objects.delete(job.id, runtime, options.force);
    this.schedule(job.id);
  }

  metrics(job: JobRecord, query: { instance?: number; since?: string; maxPoints: number }): JobMetricsResponse {
    return this.sampler.metrics(job, query);
  }

  async remove(job: JobRecord): Promise<void> {
    const runtime = runtimeOf(job);
    if (runtime) await this.objects.delete(job.id, runtime, false);
    this.forget(job.id);
  }

  private forget(id: string): void {
    this.logs.forget(id);
    this.sampler.forget(id);
    this.seen.delete(id);
    this.events.forget(id);
  }

  async recover(jobs: readonly JobRecord[]): Promise<void> {
    for (const job of jobs) {
      this.events.tellSince(job.id, this.startedAt > job.createdAt ? this.startedAt : job.createdAt);
      if (job.state === 'Submitting') {
        this.submit(job);
        continue;
      }
      const runtime = runtimeOf(job);
      if (runtime && this.watcher.get(runtime.kind, runtime.namespace, runtime.name)) this.seen.add(job.id);
      else if (this.watcher.synced) this.seen.add(job.id); // listed after the restart and not there: deleted.
      this.schedule(job.id);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.discoveryTimer);
    this.sampler.stop();
    await this.watcher.stop();
    await this.workloadWatcher?.stop();
    this.logs.close();
  }

  // ---- following the cluster -----------------------------------------------------------------------

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
      if (id) this.schedule(id);
      return;
    }
    // Labels hold the job id only when it fits a label value; custom resources carry it exactly in an annotation.
    const id = object.metadata?.annotations?.[LABELS.jobId] ?? object.metadata?.labels?.[LABELS.jobId];
    if (id) this.schedule(id);
  }

  /** Reconciles a job soon, once however many changes arrive together. */
  private schedule(id: string): void {
    if (this.pending.has(id) || this.closed) return;
    this.pending.add(id);
    setImmediate(() => {
      this.pending.delete(id);
      void this.reconcile(id).catch((error: unknown) =>
        this.options.log.error({ err: error, job: id }, 'following the job in the cluster failed'),
      );
    });
  }

  private podsOf(runtime: KubernetesJobRuntime, jobId: string): PodObject[] {
    const label = labelValue(jobId);
    return this.watcher
      .list<KubernetesObject & PodObject>('Pod')
      .filter((pod) => pod.metadata?.namespace === runtime.namespace && pod.metadata.labels?.[LABELS.jobId] === label);
  }

  private workloadOf(resource: ClusterObject | undefined): ClusterObject | undefined {
    const uid = resource?.metadata?.uid;
    if (!uid || !this.workloadWatcher) return undefined;
    return this.workloadWatcher
      .list<KubernetesObject & ClusterObject>('Workload')
      .find((w) => w.metadata?.ownerReferences?.some((o) => o.uid === uid));
  }

  private async reconcile(id: string): Promise<void> {
    const { lifecycle } = this.options;
    const job = lifecycle.getJob(id);
    if (!job || job.engine !== 'kubernetes' || this.closed) return;
    const runtime = runtimeOf(job);
    if (!runtime) return;
    if (this.restarting.has(id)) return;
    const cached = this.watcher.get<KubernetesObject & ClusterObject>(runtime.kind, runtime.namespace, runtime.name);
    const resource = runtime.uid === undefined || cached?.metadata?.uid === runtime.uid ? cached : undefined;
    if (resource) this.seen.add(id);
    const planned = plannedInstances(job.spec);
    const pods = this.podsOf(runtime, id);
    this.followLogs(job, pods, planned);
    this.events.warnStartFailures(job, pods, planned);
    if (isTerminalJobState(job.state) || job.state === 'Submitting') return;
    void this.events.poll(job, {
      namespace: runtime.namespace,
      resource,
      workload: this.workloadOf(resource),
      pods,
    });

    if (!resource || resource.metadata?.deletionTimestamp) {
      if (job.state === 'Stopping') {
        if (pods.length === 0)
          await this.finish(job, 'Stopped', {
            type: 'stopped',
            message: `stopped: ${runtime.kind} ${runtime.name} and its pods are deleted`,
          });
        return;
      }
      if (!resource && this.seen.has(id)) {
        const message = `its ${runtime.kind} ${runtime.name} was deleted from namespace ${runtime.namespace} outside the platform`;
        await this.finish(job, 'Failed', { type: 'failed', message, reason: { kind: 'lost', message } });
      }
      return;
    }
    if (job.state === 'Stopping') return;

    const observed = observeJob({
      mode: job.spec.mode,
      planned,
      cr: resource,
      workload: this.workloadOf(resource),
      pods,
    });
    if (!observed) return;
    this.applyInstances(job, observed.instances);
    if (observed.state === job.state) {
      if (observed.state === 'Queued' && observed.waitReason?.message !== job.waitReason?.message) {
        lifecycle.update(id, { waitReason: observed.waitReason });
      }
      return;
    }
    const path = transitionPath(job.state, observed.state, JOB_TRANSITIONS);
    if (!path) return;
    for (const state of path) {
      const last = state === observed.state;
      const preempted = state === 'Queued' && (job.state === 'Running' || job.state === 'Starting');
      const change = {
        type: preempted ? ('preempted' as const) : (EVENT_OF[state] ?? 'engine'),
        message: last ? observed.message : this.passingMessage(state),
        ...(last && observed.reason ? { reason: observed.reason } : {}),
        ...(last && observed.waitReason ? { patch: { waitReason: observed.waitReason } } : {}),
      };
      if (state === 'Failed' && this.restartsItself(job)) {
        await this.restart(job, runtime, observed.reason?.message ?? observed.message);
        return;
      }
      if (isTerminalJobState(state)) {
        await this.finish(job, state, change);
        return;
      }
      lifecycle.transition(id, state, change);
    }
  }

  /**
   * Whether the platform restarts a failed run itself: a TrainJob has no restart limit of its own
   * (the other kinds get `autoRestart.maxRestarts` as theirs), so the engine re-creates it.
   */
  private restartsItself(job: JobRecord): boolean {
    return crdFor(job.spec.mode).kind === 'TrainJob' && job.restarts < job.spec.autoRestart.maxRestarts;
  }

  /** An automatic restart: back to Queued, the failed run's objects deleted, new ones created. */
  private async restart(job: JobRecord, runtime: KubernetesJobRuntime, why: string): Promise<void> {
    const { lifecycle } = this.options;
    const restarts = job.restarts + 1;
    this.restarting.add(job.id);
    try {
      await this.logs.drain(job.id, this.options.logDrainMs ?? 5_000);
      const message = `${why}; restarting (${restarts} of ${job.spec.autoRestart.maxRestarts})`;
      let next: JobRecord | undefined;
      if (job.state === 'Queued') {
        next = lifecycle.update(job.id, { restarts });
        lifecycle.event(job.id, 'restarting', message);
      } else {
        next = lifecycle.transition(job.id, 'Queued', { type: 'restarting', message, patch: { restarts } });
      }
      if (!next) return;
      for (const instance of lifecycle.listInstances(job.id)) {
        lifecycle.updateInstance(job.id, instance.index, {
          state: 'Pending',
          exitCode: undefined,
          finishedAt: undefined,
        });
      }
      await this.objects.delete(job.id, runtime, false);
      await this.objects.create(next, true);
    } catch (error) {
      failJob(lifecycle, job.id, `the restart failed: ${clusterMessage(error)}`);
    } finally {
      this.restarting.delete(job.id);
      this.schedule(job.id);
    }
  }

  private passingMessage(state: JobState): string {
    if (state === 'Starting') return 'admitted by Kueue; its pods are starting';
    if (state === 'Running') return 'its pods are running';
    return `now ${state}`;
  }

  /** A finished job: its last log lines are written before the state says so (followers get every line). */
  private async finish(
    job: JobRecord,
    state: JobState,
    change: Parameters<JobLifecycle['transition']>[2],
  ): Promise<void> {
    if (this.finishing.has(job.id)) return;
    this.finishing.add(job.id);
    try {
      await this.logs.drain(job.id, this.options.logDrainMs ?? 5_000);
      this.options.lifecycle.transition(job.id, state, change);
    } finally {
      this.finishing.delete(job.id);
    }
  }

  private applyInstances(job: JobRecord, observed: readonly ObservedInstance[]): void {
    const { lifecycle } = this.options;
    const stored = new Map(lifecycle.listInstances(job.id).map((i) => [i.index, i]));
    const time = this.now().toISOString();
    for (const instance of observed) {
      const before = stored.get(instance.index);
      if (!before) continue;
      const changed =
        before.state !== instance.state ||
        before.pod !== instance.pod ||
        before.node !== instance.node ||
        before.exitCode !== instance.exitCode;
      if (!changed) continue;
      lifecycle.updateInstance(job.id, instance.index, {
        state: instance.state,
        ...(instance.pod !== undefined ? { pod: instance.pod } : {}),
        ...(instance.node !== undefined ? { node: instance.node } : {}),
        ...(instance.exitCode !== undefined ? { exitCode: instance.exitCode } : {}),
        ...(instance.state === 'Running' && before.state !== 'Running' ? { startedAt: time } : {}),
        ...(instance.state === 'Succeeded' || instance.state === 'Failed' ? { finishedAt: time } : {}),
      });
      if (instance.state === 'Running' && before.state !== 'Running') {
        lifecycle.event(
          job.id,
          'instance-started',
          `instance ${instance.index} running in pod ${instance.pod ?? '?'} on node ${instance.node ?? '?'}`,
          instance.index,
        );
      }
      if ((instance.state === 'Succeeded' || instance.state === 'Failed') && before.state !== instance.state) {
        lifecycle.event(
          job.id,
          'instance-exited',
          `instance ${instance.index} (pod ${instance.pod ?? '?'}) exited${instance.exitCode !== undefined ? ` with code ${instance.exitCode}` : ''}`,
          instance.index,
        );
      }
    }
  }

  private followLogs(job: JobRecord, pods: readonly PodObject[], planned: ReturnType<typeof plannedInstances>): void {
    const roles = podRoles(job.spec.mode, pods, planned);
    for (const [pod, role] of roles) {
      if (role.logTo === undefined) continue;
      const phase = pod.status?.phase;
      const status = pod.status?.containerStatuses?.[0];
      const started =
        phase === 'Running' || phase === 'Succeeded' || phase === 'Failed' || status?.state?.terminated !== undefined;
      if (!started || !pod.metadata?.uid || !pod.metadata.name) continue;
      const container = status?.name ?? pod.spec?.containers?.[0]?.name;
      const name = planned[role.logTo]?.name;
      if (!container || !name) continue;
      this.logs.ensure(
        {
          jobId: job.id,
          uid: pod.metadata.uid,
          namespace: pod.metadata.namespace ?? '',
          pod: pod.metadata.name,
          container,
          file: this.options.files.logFile(job.id, name),
        },
        phase === 'Succeeded' || phase === 'Failed',
      );
    }
  }
}
