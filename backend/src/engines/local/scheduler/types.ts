/**
 * The scheduler's own narrow input and output shapes. They deliberately do not depend on the API's
 * `JobSpec`: an adapter maps a job (per-node resources × node counts) to a `JobRequest`.
 */

export type AcceleratorType = 'nvidia' | 'ascend' | 'none';

/** 0 = strict FIFO, 1 = backfill within a priority, 2 = backfill over the whole queue. */
export type QueuePolicy = 0 | 1 | 2;

/** A node the local engine may place instances on: the machine itself or a virtual node from config. */
export interface SchedulerNode {
  name: string;
  cpu: number;
  memoryBytes: number;
  /** `count` whole devices, indexed 0..count-1 (the indices become CUDA_VISIBLE_DEVICES). */
  accelerator: { type: AcceleratorType; count: number };
}

/** A resource group. Several queues may share nodes; capacity is accounted per node. */
export interface SchedulerQueue {
  name: string;
  policy: QueuePolicy;
  /** Names of the nodes this queue may use (unknown names are ignored). */
  nodes: readonly string[];
  /** Whether a job of this queue may preempt running jobs of strictly lower priority in it. */
  preemption: boolean;
}

/** What one instance (one "node" of a job) needs. */
export interface InstanceRequest {
  cpu: number;
  memoryBytes: number;
  /**
   * `count` is 0 (type `none`), a whole number of devices, or a share of one device from 0.1 to 1.
   * Several fractional instances may share a device up to 1.0 in total.
   */
  accelerator: { type: AcceleratorType; count: number };
}

export interface JobRequest {
  id: string;
  queue: string;
  /** 0 (highest) to 9 (lowest). */
  priority: number;
  /** Any monotonic number (e.g. Unix ms); earlier goes first within a priority. */
  submittedAt: number;
  /** Every instance is placed at once (gang) or none is. */
  instances: readonly InstanceRequest[];
}

/** Where one instance sits: the node, and which of its devices with what share of each. */
export interface PlacedInstance {
  /** Index into the job's `instances`. */
  index: number;
  node: string;
  cpu: number;
  memoryBytes: number;
  /** Device indices on `node` (empty for CPU-only instances), ascending. */
  devices: readonly number[];
  /** Share of each listed device held: 1 for whole devices, 0.1–1 for a fractional instance, 0 for none. */
  deviceShare: number;
}

/** A job that holds resources now (running, starting or still stopping). */
export interface RunningJob {
  id: string;
  queue: string;
  priority: number;
  submittedAt: number;
  instances: readonly PlacedInstance[];
  /** False for what no job may stop to make room (a dev machine someone works in). Default true. */
  preemptible?: boolean;
}

export interface SchedulerState {
  nodes: readonly SchedulerNode[];
  queues: readonly SchedulerQueue[];
  running: readonly RunningJob[];
  /** Queued jobs, in any order: the scheduler orders them. */
  pending: readonly JobRequest[];
}

export interface Placement {
  jobId: string;
  queue: string;
  /** One entry per instance, in instance order. */
  instances: readonly PlacedInstance[];
}

export interface Preemption {
  /** The running job to stop and put back in its queue. */
  jobId: string;
  /** The waiting job it makes room for. */
  by: string;
}

export interface WaitingJob {
  jobId: string;
  /** 1-based place among the waiting jobs of its queue (1 = next to start). */
  position: number;
  /** Human-readable: which resource is short, or what the job waits behind. */
  reason: string;
}

export interface ScheduleResult {
  /** Jobs to start now, in scheduling order. */
  start: Placement[];
  /** Running jobs to stop so that a higher-priority job can start on a later pass. */
  preempt: Preemption[];
  /** Every pending job that does not start, in scheduling order. */
  waiting: WaitingJob[];
}
