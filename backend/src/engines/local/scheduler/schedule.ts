import { Capacity, MILLI, toMilli, type Allocation } from './capacity.js';
import { neverFits } from './diagnose.js';
import { toNeeds, type InstanceNeed } from './needs.js';
import { compareJobs } from './order.js';
import { planPreemption, preemptionOrder, type Holder } from './preemption.js';
import { QueuePool } from './queuePool.js';
import type {
  InstanceRequest,
  JobRequest,
  PlacedInstance,
  Placement,
  Preemption,
  RunningJob,
  ScheduleResult,
  SchedulerState,
} from './types.js';

/**
 * One scheduling pass: a pure function of `state` (no clock, no randomness; the same input gives
 * the same output).
 *
 * - Pending jobs are taken in order of priority (0 first), then `submittedAt`, then id.
 * - A job starts only if every instance is placed at once (gang); accelerator instances are packed
 *   (best fit), CPU-only instances spread (worst fit) — see `QueuePool`.
 * - Queue policy 0 (strict FIFO): once a job of the queue waits, every later job of the queue
 *   waits behind it. Policy 1: a later job of the same priority may start if it fits now; lower
 *   priorities wait. Policy 2: any later job may start if it fits now. A job that can never fit the
 *   queue (or is invalid) blocks nobody: it would otherwise block the queue forever.
 * - A job the policy lets start but that does not fit may, if its queue allows preemption, stop
 *   running jobs of the same queue with strictly lower priority (see `planPreemption`). It waits
 *   until they have stopped (they are listed in `preempt`); what it will take is reserved for it for
 *   the rest of the pass. Feed the same state again and the same victims are chosen, so repeating
 *   the pass while they stop is harmless.
 * - Every job that does not start is listed in `waiting` with its position in its queue and why.
 */
export function schedule(state: SchedulerState): ScheduleResult {
  return new SchedulingPass(state).run();
}

type Outcome =
  | { kind: 'start'; placement: Placement }
  | { kind: 'wait'; reason: string; blocks: boolean; preempts?: readonly Holder[] };

class SchedulingPass {
  private readonly capacity: Capacity;
  private readonly pools = new Map<string, QueuePool>();
  /** Running jobs by queue: the preemption candidates. */
  private readonly running = new Map<string, Holder[]>();
  private readonly victims = new Set<string>();
  /** Queue + accelerator types → its running jobs in preemption order. */
  private readonly ordered = new Map<string, readonly Holder[]>();
  /** The first job of each queue that waits: what policies 0 and 1 block behind. */
  private readonly heads = new Map<string, JobRequest>();
  /** Queue + shape → why it can never fit (or `undefined`: it might). */
  private readonly never = new Map<string, string | undefined>();
  /** Queue + shape → why it did not fit, valid while the capacity has not changed since. */
  private readonly short = new Map<string, { version: number; reason: string }>();
  /** Queue + shape for which no preemption could make room. */
  private readonly noVictims = new Set<string>();

  constructor(private readonly state: SchedulerState) {
    this.capacity = new Capacity(state.nodes);
    for (const queue of state.queues) {
      if (!this.pools.has(queue.name)) this.pools.set(queue.name, new QueuePool(queue, this.capacity));
    }
    for (const job of state.running) {
      const holder = this.toHolder(job);
      for (const allocation of holder.allocations) this.capacity.occupy(allocation);
      const list = this.running.get(job.queue) ?? [];
      list.push(holder);
      this.running.set(job.queue, list);
    }
  }

  run(): ScheduleResult {
    const start: Placement[] = [];
    const preempt: Preemption[] = [];
    const waiting: { job: JobRequest; reason: string }[] = [];
    for (const job of [...this.state.pending].sort(compareJobs)) {
      const outcome = this.consider(job);
      if (outcome.kind === 'start') {
        start.push(outcome.placement);
        continue;
      }
      waiting.push({ job, reason: outcome.reason });
      if (outcome.blocks && !this.heads.has(job.queue)) this.heads.set(job.queue, job);
      for (const victim of outcome.preempts ?? []) preempt.push({ jobId: victim.id, by: job.id });
    }
    const positions = new Map<string, number>();
    return {
      start,
      preempt,
      waiting: waiting.map(({ job, reason }) => {
        const position = (positions.get(job.queue) ?? 0) + 1;
        positions.set(job.queue, position);
        return { jobId: job.id, position, reason };
      }),
    };
  }

  private consider(job: JobRequest): Outcome {
    const pool = this.pools.get(job.queue);
    if (!pool) return { kind: 'wait', reason: `queue ${job.queue} does not exist`, blocks: false };
    const parsed = toNeeds(job.instances);
    if (!parsed.ok) return { kind: 'wait', reason: parsed.reason, blocks: false };
    const { needs, key } = parsed;
    const shapeKey = `${job.queue}\n${key}`;

    if (!this.never.has(shapeKey)) this.never.set(shapeKey, neverFits(pool, needs));
    const never = this.never.get(shapeKey);
    if (never !== undefined) return { kind: 'wait', reason: never, blocks: false };

    const head = this.heads.get(job.queue);
    if (head && pool.queue.policy === 0) {
      return { kind: 'wait', reason: `behind job ${head.id} (strict FIFO)`, blocks: true };
    }
    if (head && pool.queue.policy === 1 && head.priority < job.priority) {
      const reason = `behind job ${head.id} of priority ${head.priority} (backfill only within a priority)`;
      return { kind: 'wait', reason, blocks: true };
    }

    const placed = this.tryPlace(job, pool, needs, shapeKey);
    if (typeof placed !== 'string') return { kind: 'start', placement: placed };
    const reason = placed;
    const victims = pool.queue.preemption ? this.tryPreempt(job, pool, needs, key) : undefined;
    if (!victims) return { kind: 'wait', reason, blocks: true };
    const names = victims.map((victim) => victim.id).join(', ');
    const plural = victims.length === 1 ? 'job' : 'jobs';
    return {
      kind: 'wait',
      reason: `preempting lower-priority ${plural} ${names}; starts once they have stopped`,
      blocks: true,
      preempts: victims,
    };
  }

  /** The placement (resources taken), or why the job does not fit now. */
  private tryPlace(job: JobRequest, pool: QueuePool, needs: InstanceNeed[], shapeKey: string): Placement | string {
    const known = this.short.get(shapeKey);
    if (known && known.version === this.capacity.version) return known.reason;
    const result = pool.placeGang(needs);
    if (!result.ok) {
      this.short.set(shapeKey, { version: this.capacity.version, reason: result.reason });
      return result.reason;
    }
    return {
      jobId: job.id,
      queue: job.queue,
      instances: result.allocations.map((allocation, index) => toPlaced(job, index, allocation)),
    };
  }

  private tryPreempt(job: JobRequest, pool: QueuePool, needs: InstanceNeed[], key: string): Holder[] | undefined {
    // Capacity only shrinks during a pass and later jobs have fewer candidates (same or lower
    // priority, victims taken), so a shape that found no victims never will in this pass.
    const cacheKey = `${job.queue}\n${key}`;
    if (this.noVictims.has(cacheKey)) return undefined;
    const relevant = pool.relevantNodes(needs);
    const candidates = this.preemptionOrder(job.queue, needs).filter(
      (holder) =>
        holder.priority > job.priority &&
        !this.victims.has(holder.id) &&
        holder.allocations.some((allocation) => relevant.has(allocation.node)),
    );
    const plan = planPreemption(this.capacity, pool, needs, candidates);
    if (!plan) {
      this.noVictims.add(cacheKey);
      return undefined;
    }
    for (const victim of plan.victims) this.victims.add(victim.id);
    return plan.victims;
  }

  /** The queue's running jobs in `preemptionOrder` for jobs needing these accelerator types. */
  private preemptionOrder(queue: string, needs: readonly InstanceNeed[]): readonly Holder[] {
    const types = [...new Set(needs.map((need) => need.type))].sort().join(',');
    const key = `${queue}\n${types}`;
    let ordered = this.ordered.get(key);
    if (!ordered) {
      ordered = preemptionOrder(this.running.get(queue) ?? [], needs);
      this.ordered.set(key, ordered);
    }
    return ordered;
  }

  private toHolder(job: RunningJob): Holder {
    const allocations: Allocation[] = [];
    for (const instance of job.instances) {
      const node = this.capacity.node(instance.node);
      if (!node) continue;
      const share = toMilli(instance.deviceShare);
      allocations.push({
        node,
        cpuMilli: toMilli(instance.cpu),
        memoryBytes: instance.memoryBytes,
        devices: instance.devices,
        shares: instance.devices.map(() => share),
      });
    }
    return { id: job.id, priority: job.priority, submittedAt: job.submittedAt, allocations };
  }
}

function toPlaced(job: JobRequest, index: number, allocation: Allocation): PlacedInstance {
  const request = job.instances[index] as InstanceRequest;
  return {
    index,
    node: allocation.node.name,
    cpu: request.cpu,
    memoryBytes: request.memoryBytes,
    devices: allocation.devices,
    deviceShare: allocation.devices.length > 0 ? (allocation.shares[0] as number) / MILLI : 0,
  };
}
