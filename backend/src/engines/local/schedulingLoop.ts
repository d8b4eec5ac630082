import {
  schedule,
  type JobRequest,
  type Placement,
  type RunningJob,
  type SchedulerNode,
  type SchedulerQueue,
} from './scheduler/index.js';

/** Something that holds resources now (a job starting, running or still stopping; a dev machine). */
export interface HeldResources {
  id: string;
  queue: string;
  priority: number;
  /** Unix ms. */
  submittedAt: number;
  placement: Placement;
  /** False for what no job may stop to make room. Default true. */
  preemptible?: boolean;
}

/**
 * One kind of workload the loop places on the machine's capacity (jobs, dev machines): what it
 * holds, and what the loop tells it.
 */
export interface SchedulingClient {
  holding(): Iterable<HeldResources>;
  /** A queued request still waits: its place in its queue (1 = next) and why. */
  waiting(id: string, position: number, reason: string): void;
  /** A queued request was placed: it has left the queue and should be started. */
  start(placement: Placement): void;
  /** What `id` holds must be freed for a higher-priority request (`by`). */
  preempt(id: string, by: string): void;
}

export interface SchedulingLoopOptions {
  nodes: readonly SchedulerNode[];
  queues: readonly SchedulerQueue[];
}

/**
 * The queues of what waits to run, and the scheduling passes over them. Every kind of workload on
 * the machine shares it, so they share its capacity. A pass runs once per turn of the event loop
 * however many changes asked for one, and acts on what the scheduler decides.
 */
export class SchedulingLoop {
  private readonly clients = new Set<SchedulingClient>();
  private readonly queued = new Map<string, { request: JobRequest; client: SchedulingClient }>();
  /** What each queued request was last told about its wait (place and reason), so a pass writes only changes. */
  private readonly waits = new Map<string, string>();
  private passPending = false;
  private closed = false;

  constructor(private readonly options: SchedulingLoopOptions) {}

  /** A client's holdings count from now on (a client that enqueues is registered too). */
  register(client: SchedulingClient): void {
    this.clients.add(client);
  }

  enqueue(request: JobRequest, client: SchedulingClient): void {
    this.register(client);
    this.queued.set(request.id, { request, client });
    this.requestPass();
  }

  dequeue(id: string): void {
    this.queued.delete(id);
    this.waits.delete(id);
  }

  isQueued(id: string): boolean {
    return this.queued.has(id);
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
    const holders = new Map<string, SchedulingClient>();
    const running: RunningJob[] = [];
    for (const client of this.clients) {
      for (const held of client.holding()) {
        holders.set(held.id, client);
        running.push({
          id: held.id,
          queue: held.queue,
          priority: held.priority,
          submittedAt: held.submittedAt,
          instances: held.placement.instances,
          ...(held.preemptible === false ? { preemptible: false } : {}),
        });
      }
    }
    const result = schedule({
      nodes: this.options.nodes,
      queues: this.options.queues,
      running,
      pending: [...this.queued.values()].map((entry) => entry.request),
    });
    for (const waiting of result.waiting) {
      const said = `${waiting.position}\n${waiting.reason}`;
      if (this.waits.get(waiting.jobId) === said) continue;
      this.waits.set(waiting.jobId, said);
      this.queued.get(waiting.jobId)?.client.waiting(waiting.jobId, waiting.position, waiting.reason);
    }
    for (const { jobId, by } of result.preempt) holders.get(jobId)?.preempt(jobId, by);
    for (const placement of result.start) {
      const client = this.queued.get(placement.jobId)?.client;
      this.dequeue(placement.jobId);
      client?.start(placement);
    }
  }
}
