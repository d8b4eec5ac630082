import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { isTerminalJobState, type JobMetricsResponse, type MetricPoint } from '@aiplat/api';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { JobFiles, JobLifecycle } from '../../jobs/engine.js';
import type { JobRecord } from '../../jobs/jobStore.js';
import { plannedInstances } from '../../jobs/plannedInstances.js';
import { MetricSeries } from '../../metrics/metricSeries.js';
import { POD_METRICS } from './apiDiscovery.js';
import { clusterMessage, type KubeCluster } from './cluster.js';
import { LABELS } from './manifests/jobMetadata.js';
import { podMetricPoint, type PodMetricsObject } from './podMetrics.js';
import { podRoles, type PodObject } from './stateMapping.js';

/*
 * Pod metrics from metrics.k8s.io, sampled every interval while the cluster serves them, into one
 * metric series per instance (kept in the job's metrics files), and the series read back.
 */

export interface PodMetricsSamplerOptions {
  cluster: KubeCluster;
  lifecycle: Pick<JobLifecycle, 'getJob'>;
  files: Pick<JobFiles, 'metricsFile'>;
  log: Logger;
  intervalMs: number;
  /** The label selector of the platform's pods. */
  labelSelector: string;
  /** The platform's pods, as the informer holds them. */
  listPods: () => (KubernetesObject & PodObject)[];
  /** Whether the cluster serves metrics.k8s.io now. */
  servesPodMetrics: () => boolean;
  now: () => Date;
  /** Told of each point after it is written. */
  onPoint?: (jobId: string, index: number, point: MetricPoint) => void;
}

export class PodMetricsSampler {
  /** By `jobId/instance index`. */
  private readonly series = new Map<string, MetricSeries>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: PodMetricsSamplerOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  metrics(job: JobRecord, query: { instance?: number; since?: string; maxPoints: number }): JobMetricsResponse {
    const instances = plannedInstances(job.spec).filter(
      (p) => query.instance === undefined || p.index === query.instance,
    );
    return {
      instances: instances.map((p) => ({
        instance: p.index,
        points:
          this.seriesOf(job.id, p.index, false)?.range({
            ...(query.since ? { since: query.since } : {}),
            maxPoints: query.maxPoints,
          }) ?? [],
      })),
    };
  }

  forget(jobId: string): void {
    for (const key of [...this.series.keys()]) if (key.startsWith(`${jobId}/`)) this.series.delete(key);
  }

  private seriesOf(jobId: string, index: number, create: boolean): MetricSeries | undefined {
    const key = `${jobId}/${index}`;
    let series = this.series.get(key);
    if (!series && create) {
      series = new MetricSeries({ file: this.options.files.metricsFile(jobId, index) });
      this.series.set(key, series);
    }
    return series;
  }

  private async sample(): Promise<void> {
    const { cluster, lifecycle, files } = this.options;
    if (!this.options.servesPodMetrics() || this.stopped) return;
    let items: PodMetricsObject[];
    try {
      items = (await cluster.list(POD_METRICS, { labelSelector: this.options.labelSelector }))
        .items as PodMetricsObject[];
    } catch (error) {
      this.options.log.debug({ reason: clusterMessage(error) }, 'reading pod metrics failed');
      return;
    }
    const byPod = new Map(items.map((m) => [`${m.metadata?.namespace ?? ''}/${m.metadata?.name ?? ''}`, m]));
    const now = this.options.now();
    const jobs = new Map<string, PodObject[]>();
    for (const pod of this.options.listPods()) {
      const id = pod.metadata?.labels?.[LABELS.jobId];
      if (!id) continue;
      jobs.set(id, [...(jobs.get(id) ?? []), pod]);
    }
    for (const [label, pods] of jobs) {
      const job = lifecycle.getJob(label);
      if (!job || isTerminalJobState(job.state)) continue;
      await mkdir(path.dirname(files.metricsFile(job.id, 0)), { recursive: true });
      for (const [pod, role] of podRoles(job.spec.mode, pods, plannedInstances(job.spec))) {
        const metrics = byPod.get(`${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`);
        if (!metrics || role.stateOf === undefined) continue;
        const series = this.seriesOf(job.id, role.stateOf, true);
        if (!series) continue;
        const point = podMetricPoint(metrics, now);
        series.append(point);
        this.options.onPoint?.(job.id, role.stateOf, point);
      }
    }
  }
}
