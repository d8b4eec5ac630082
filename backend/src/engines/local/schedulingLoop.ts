import type { JobLifecycle } from '../../jobs/engine.js';
import type { JobRecord } from '../../jobs/jobStore.js';
import { jobRequest } from './jobRequest.js';
import {
  schedule,
  type JobRequest,
  type Placement,
  type RunningJob,
  type SchedulerNode,
  type SchedulerQueue,
} from './scheduler/index.js';

/** A job that holds resources, as the scheduler needs to see it. */
export interface HeldResources {
  job: JobRecord;
  placement: Placement;
}

export interface SchedulingLoopOptions {
  nodes: readonly SchedulerNode[];
  queues: readonly SchedulerQueue[];
  /** Where each waiting job's place and reason are written. */
  lifecycle: Pick<JobLifecycle, 'update'>;
  /** The jobs that hold resources now: starting, running or still stopping. */
  holding: () => Iterable<HeldResources>;
  /** A running job must make room for a higher-priority one (`by`). */
  preempt: (jobId: string, by: string) => void;
  /** A queued job was placed: it has left the queue and should be started. */
  start: (placement: Placement) => void;
}

/**
 * The queue of jobs waiting to run, and the scheduling passes over it. A pass runs once per turn of
 * the event loop however many changes asked for one, and acts on what the scheduler decides.
 */
export class SchedulingLoop {
  private readonly queued = new Map<string, JobRequest>();
  /** What each queued job was last told about its wait (place and reason), so a pass writes only changes. */
  private readonly waits = new Map<string, string>();
  private passPending = false;
  private closed = false;

  constructor(private readonly options: SchedulingLoopOptions) {}

  enqueue(job: JobRecord): void {
    this.queued.set(job.id, jobRequest(job.id, job.spec, Date.parse(job.createdAt)));
    this.requestPass();
  }

  dequeue(id: string): void {
    this.queued.delete(id);
    this.waits.delete(id);
  }

  requestPass(): void {
    if (this.passPending || this.closed) return;
    this.passPending = true;
    setImmediate(() => {
      this.passPending = false;
      if (!this.closed) this.pass();
    });
  }

  /** No pass runs after this; the queue is forgotten. */
  close(): void {
    this.closed = true;
    this.queued.clear();
    this.waits.clear();
  }

  private pass(): void {
    const running: RunningJob[] = [...this.options.holding()].map(({ job, placement }) => ({
      id: job.id,
      queue: job.spec.queue,
      priority: job.spec.priority,
      submittedAt: Date.parse(job.createdAt),
      instances: placement.instances,
    }));
    const result = schedule({
      nodes: this.options.nodes,
      queues: this.options.queues,
      running,
      pending: [...this.queued.values()],
    });
    for (const waiting of result.waiting) {
      const said = `${waiting.position}\n${waiting.reason}`;
      if (this.waits.get(waiting.jobId) === said) continue;
      this.waits.set(waiting.jobId, said);
      this.options.lifecycle.update(waiting.jobId, {
        queuePosition: waiting.position,
        waitReason: { message: waiting.reason },
      });
    }
    for (const { jobId, by } of result.preempt) this.options.preempt(jobId, by);
    for (const placement of result.start) {
      this.dequeue(placement.jobId);
      this.options.start(placement);
    }
  }
}
