import type { JobMetricsResponse } from '@aiplat/api';
import type { JobRecord } from '../../jobs/jobStore.js';
import { plannedInstances } from '../../jobs/plannedInstances.js';
import type { LocalMetrics } from './metrics/engineMetrics.js';
import type { PlacedInstance, SchedulerNode } from './scheduler/index.js';

function seriesKey(jobId: string, index: number): string {
  return `${jobId}/${index}`;
}

/** The metric series of each job instance: sampled while it runs, read back per job. */
export class InstanceMetrics {
  constructor(
    private readonly nodes: readonly SchedulerNode[],
    /** Absent when metrics are off: nothing is sampled and every series is empty. */
    private readonly sampler?: LocalMetrics,
  ) {}

  /** Starts sampling a running instance's process group, and its devices when it was given any. */
  track(jobId: string, index: number, pgid: number, placed: PlacedInstance | undefined): void {
    const kind = this.nodes.find((n) => n.name === placed?.node)?.accelerator.type;
    this.sampler?.track(seriesKey(jobId, index), {
      pgid,
      ...(placed && placed.devices.length > 0 && kind && kind !== 'none' ? { devices: placed.devices, kind } : {}),
    });
  }

  untrack(jobId: string, index: number): void {
    this.sampler?.untrack(seriesKey(jobId, index));
  }

  /** Drops a deleted job's series. */
  forget(job: JobRecord): void {
    for (const p of plannedInstances(job.spec)) this.sampler?.forget(seriesKey(job.id, p.index));
  }

  query(job: JobRecord, query: { instance?: number; since?: string; maxPoints: number }): JobMetricsResponse {
    const instances = plannedInstances(job.spec).filter(
      (p) => query.instance === undefined || p.index === query.instance,
    );
    const sampler = this.sampler;
    return {
      instances: instances.map((p) => ({
        instance: p.index,
        points: sampler
          ? sampler.query(seriesKey(job.id, p.index), {
              ...(query.since ? { since: query.since } : {}),
              maxPoints: query.maxPoints,
            })
          : [],
      })),
    };
  }

  async stop(): Promise<void> {
    await this.sampler?.stop();
  }
}
