import type { ServiceVersionSpec } from '@aiplat/api';
import type { ServiceLifecycle } from '../../../services/engine.js';
import { placementDevicesEnv } from '../environment/placementDevices.js';
import { singleInstanceRequest } from '../jobRequest.js';
import type { JobRequest, Placement, SchedulerNode, SchedulerQueue } from '../scheduler/index.js';
import type { HeldResources, SchedulingClient, SchedulingLoop } from '../schedulingLoop.js';
import { validateRequest } from '../validateSpec.js';

export interface ServiceQueueDeps {
  /** The queues and capacity jobs and dev machines use too. */
  scheduling: SchedulingLoop;
  nodes: readonly SchedulerNode[];
  queues: readonly SchedulerQueue[];
  lifecycle: ServiceLifecycle;
}

/** Where a replica waits: its service's queue and priority, and what it asks for. */
export interface ReplicaRequest {
  name: string;
  version: number;
  index: number;
  queue: string;
  priority: number;
  spec: ServiceVersionSpec;
}

interface Queued {
  replica: ReplicaRequest;
  request: JobRequest;
  onPlaced: (placement: Placement) => void;
}

/**
 * Services' replicas on the local engine's queues, like jobs and dev machines: each replica one
 * request with the version's resources, in the service's queue at its priority. A version with a
 * replica waiting says why (its wait reason); a placed replica holds its resources until it has
 * stopped, and no job preempts it (it serves callers).
 */
export class ServiceQueue implements SchedulingClient {
  private readonly held = new Map<string, HeldResources>();
  private readonly queued = new Map<string, Queued>();
  /** Versions (`name/version`) told they wait, so the end of the wait is told too. */
  private readonly waitingVersions = new Set<string>();

  constructor(private readonly deps: ServiceQueueDeps) {
    deps.scheduling.register(this);
  }

  /** Refuses a version that can never run here: an unknown queue, or a replica more than the nodes hold. */
  validate(queue: string, priority: number, spec: ServiceVersionSpec): void {
    const request = toRequest('probe', { name: 'probe', version: 1, index: 0, queue, priority, spec }, 0);
    validateRequest(request, 'a replica of this service', this.deps.nodes, this.deps.queues);
  }

  /** Queues one replica; `onPlaced` gets its place once there is room. */
  enqueue(replica: ReplicaRequest, onPlaced: (placement: Placement) => void): void {
    const id = replicaId(replica.name, replica.version, replica.index);
    const queued: Queued = { replica, request: toRequest(id, replica, Date.now()), onPlaced };
    this.queued.set(id, queued);
    this.deps.scheduling.enqueue(queued.request, this);
  }

  /** Takes a replica out of the queue, or frees what it held (it has stopped). */
  release(name: string, version: number, index: number): void {
    const id = replicaId(name, version, index);
    const entry = this.queued.get(id);
    if (entry) {
      this.queued.delete(id);
      this.deps.scheduling.dequeue(id);
      this.waitEnded(entry.replica);
    }
    this.held.delete(id);
    this.deps.scheduling.requestPass();
  }

  /** The devices a placement gives a replica, as the variables CUDA and CANN read. */
  devicesEnv(placement: Placement): Record<string, string> {
    return placementDevicesEnv(placement, this.deps.nodes);
  }

  holding(): Iterable<HeldResources> {
    return this.held.values();
  }

  waiting(id: string, position: number, reason: string): void {
    const entry = this.queued.get(id);
    if (!entry) return;
    const { name, version, index, queue } = entry.replica;
    const key = `${name}/${version}`;
    const first = !this.waitingVersions.has(key);
    this.waitingVersions.add(key);
    this.deps.lifecycle.observed(name, {
      waitReason: { message: `replica ${index}: ${ordinal(position)} in queue ${queue}: ${reason}` },
      ...(first
        ? { event: { type: 'queued', message: `Waiting for room in queue ${queue}: ${reason}.`, version } }
        : {}),
    });
  }

  start(placement: Placement): void {
    const entry = this.queued.get(placement.jobId);
    if (!entry) return;
    this.queued.delete(placement.jobId);
    const { id, queue, priority, submittedAt } = entry.request;
    this.held.set(id, { id, queue, priority, submittedAt, placement, preemptible: false });
    this.waitEnded(entry.replica);
    entry.onPlaced(placement);
  }

  preempt(): void {
    // Replicas are held as not preemptible: the scheduler never names one.
  }

  /** The version's wait is over once none of its replicas is queued. */
  private waitEnded(replica: ReplicaRequest): void {
    const key = `${replica.name}/${replica.version}`;
    if (!this.waitingVersions.has(key)) return;
    for (const other of this.queued.values()) {
      if (other.replica.name === replica.name && other.replica.version === replica.version) return;
    }
    this.waitingVersions.delete(key);
    this.deps.lifecycle.observed(replica.name, { waitReason: null });
  }
}

/** The scheduler's id of one replica: never a job id (those have no `/`). */
export function replicaId(name: string, version: number, index: number): string {
  return `service:${name}/v${version}/${index}`;
}

function toRequest(id: string, replica: ReplicaRequest, submittedAt: number): JobRequest {
  return singleInstanceRequest(id, { ...replica, resources: replica.spec.resources }, submittedAt);
}

function ordinal(position: number): string {
  return position === 1 ? 'next' : `number ${position}`;
}
