import type { JobMetricsResponse, JobSpec, MetricPoint } from '@aiplat/api';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { JobFiles, JobLifecycle, TrainingEngine } from '../../jobs/engine.js';
import type { JobRecord } from '../../jobs/jobStore.js';
import { ApiDiscovery } from './apiDiscovery.js';
import { clusterMessage, type KubeCluster } from './cluster.js';
import type { KubernetesConfig } from './config.js';
import { JobEventRelay } from './jobEventRelay.js';
import { JobInformers, MANAGED_SELECTOR } from './jobInformers.js';
import { failJob, JobObjects, runtimeOf } from './jobObjects.js';
import { JobReconciler } from './jobReconciler.js';
import { PodLogFollowers } from './podLogFollowers.js';
import { PodMetricsSampler } from './podMetricsSampler.js';
import { validateKubernetesSpec } from './validateSpec.js';

/*
 * The Kubernetes engine: a job becomes its mode's custom resource (TrainJob, MPIJob, JobSet,
 * RayJob) plus its hyperparameters ConfigMap, created suspended for Kueue to admit. Informers
 * follow the resources, Kueue's Workloads and the pods; every change is translated into the
 * platform's states (the cluster is the source of truth, the store only remembers what it last
 * showed), pod logs are followed into the job's log files, pod metrics sampled when the cluster
 * serves metrics.k8s.io.
 *
 * This class wires the parts: ApiDiscovery (what the cluster serves), JobInformers (what it holds
 * of the platform's objects), JobObjects (creating and deleting a job's objects), JobReconciler
 * (what the informers show into job state), JobEventRelay (Kubernetes Events into job events),
 * PodMetricsSampler (pod metrics into metric series).
 */

export interface KubernetesEngineOptions {
  lifecycle: JobLifecycle;
  files: JobFiles;
  config: KubernetesConfig;
  cluster: KubeCluster;
  log: Logger;
  metricsIntervalMs: number;
  /** Each sampled point, as the local engine's sampler tells its own (the job-metrics topic). */
  onMetricPoint?: (jobId: string, index: number, point: MetricPoint) => void;
  /** How long a finished job waits for its pods' last log lines before it is marked finished. */
  logDrainMs?: number;
  /** How often the served APIs are looked up again (an operator installed later is found). */
  discoveryIntervalMs?: number;
  watchRetryMs?: { first: number; max: number };
  now?: () => Date;
}

export class KubernetesEngine implements TrainingEngine {
  readonly kind = 'kubernetes' as const;
  private readonly discovery: ApiDiscovery;
  private discoveryTimer: NodeJS.Timeout | undefined;
  private readonly informers: JobInformers;
  private readonly logs: PodLogFollowers;
  private readonly sampler: PodMetricsSampler;
  private readonly objects: JobObjects;
  private readonly events: JobEventRelay;
  private readonly reconciler: JobReconciler;
  private readonly startedAt: string;

  constructor(private readonly options: KubernetesEngineOptions) {
    this.startedAt = this.now().toISOString();
    this.logs = new PodLogFollowers(options.cluster.kc, options.log);
    this.events = new JobEventRelay({
      cluster: options.cluster,
      lifecycle: options.lifecycle,
      log: options.log,
      schedule: (id) => this.schedule(id),
    });
    this.discovery = new ApiDiscovery({
      cluster: options.cluster,
      log: options.log,
      onKueueInstalled: () => this.followWorkloads(),
    });
    this.informers = new JobInformers({
      cluster: options.cluster,
      log: options.log,
      ...(options.watchRetryMs ? { retryMs: options.watchRetryMs } : {}),
      onJobChanged: (jobId) => this.schedule(jobId),
    });
    this.objects = new JobObjects({
      cluster: options.cluster,
      lifecycle: options.lifecycle,
      config: options.config,
      podsOf: (runtime, jobId) => this.informers.podsOf(runtime, jobId),
      onNewRun: (jobId) => {
        this.reconciler.startRun(jobId);
        this.events.startRun(jobId, this.now().toISOString());
      },
      schedule: (jobId) => this.schedule(jobId),
    });
    this.reconciler = new JobReconciler({
      lifecycle: options.lifecycle,
      files: options.files,
      log: options.log,
      informed: this.informers,
      objects: this.objects,
      events: this.events,
      logs: this.logs,
      logDrainMs: options.logDrainMs ?? 5_000,
      now: () => this.now(),
    });
    this.sampler = new PodMetricsSampler({
      cluster: options.cluster,
      lifecycle: options.lifecycle,
      files: options.files,
      log: options.log,
      intervalMs: options.metricsIntervalMs,
      labelSelector: MANAGED_SELECTOR,
      listPods: () => this.informers.pods(),
      servesPodMetrics: () => this.discovery.servesPodMetrics,
      now: () => this.now(),
      ...(options.onMetricPoint ? { onPoint: options.onMetricPoint } : {}),
    });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  // ---- start, discovery ----------------------------------------------------------------------------

  /** Looks up the served APIs and starts following the cluster. Resolves once the first lists are in. */
  async start(): Promise<void> {
    await this.discovery.discover();
    await this.informers.start();
    await this.followWorkloads();
    const every = this.options.discoveryIntervalMs ?? 30_000;
    this.discoveryTimer = setInterval(() => void this.discovery.discover(), every);
    this.discoveryTimer.unref();
    this.sampler.start();
  }

  /** Follows Kueue's Workloads once the cluster serves them. */
  private async followWorkloads(): Promise<void> {
    const apiVersion = this.discovery.workloadApiVersion;
    if (apiVersion) await this.informers.followWorkloads(apiVersion);
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
      this.reconciler.stopBeforeStart(job.id);
      try {
        if (runtime) await this.objects.delete(job.id, runtime, options.force);
      } catch (error) {
        this.reconciler.keepWatching(job.id);
        throw error;
      }
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
    this.reconciler.forget(id);
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
      // There, or listed since the restart and not there: deleted while the backend was down.
      if ((runtime && this.informers.resourceOf(runtime)) || this.informers.synced)
        this.reconciler.expectResource(job.id);
      this.schedule(job.id);
    }
  }

  async close(): Promise<void> {
    this.reconciler.close();
    clearInterval(this.discoveryTimer);
    this.sampler.stop();
    await this.informers.stop();
    this.logs.close();
  }

  /** Reconciles a job soon, once however many changes arrive together. */
  private schedule(id: string): void {
    this.reconciler.schedule(id);
  }
}
