import type { MetricPoint } from '@aiplat/api';
import type { EventPublisher } from '../server/eventPublisher.js';

export interface JobMetricsFeedDeps {
  events: EventPublisher;
  /** The user a job belongs to; undefined for a job that is gone (its points are dropped). */
  ownerOf: (jobId: string) => string | undefined;
}

/**
 * Pushes each metric point, as an engine samples it, on `job-metrics/<jobId>` to the job owner's
 * connections, so views follow a job's metrics without polling the metrics route.
 */
export class JobMetricsFeed {
  constructor(private readonly deps: JobMetricsFeedDeps) {}

  /** One new point of instance `index` of job `jobId`. */
  point(jobId: string, index: number, point: MetricPoint): void {
    const user = this.deps.ownerOf(jobId);
    if (user === undefined) return;
    this.deps.events.publish(
      `job-metrics/${jobId}`,
      'job-metrics',
      { jobId, instances: [{ instance: index, points: [point] }] },
      { user },
    );
  }

  /** For an engine that names instances by `<jobId>/<index>` keys (the local engine). */
  keyedPoint(key: string, point: MetricPoint): void {
    const slash = key.lastIndexOf('/');
    if (slash <= 0) return;
    const index = Number(key.slice(slash + 1));
    if (!Number.isInteger(index) || index < 0) return;
    this.point(key.slice(0, slash), index, point);
  }
}
