import { Capacity, MILLI, toMilli, type Allocation } from './capacity.js';
import { neverFits } from './diagnose.js';
import { toNeeds, type InstanceNeed } from './needs.js';
import { compareJobs } from './order.js';
import { planPreemption, preemptionOrder, PreemptionScratch, type Holder } from './preemption.js';
import { QueuePool } from './queuePool.js';
import { ShapeIndex } from './shapes.js';
import type {
  InstanceRequest,
  JobRequest,
  PlacedInstance,
  Placement,
  Preemption,
  RunningJob,
  ScheduleResult,
  SchedulerState,
  WaitingJob,
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

/** What the pass learns about one queue and one shape of request, shared by the jobs asking for it. */
type Shape = { valid: false; reason: string } | ValidShape;

interface ValidShape {
  valid: true;
  pool: QueuePool;
  needs: readonly InstanceNeed[];
  /** Why it can never fit the queue (or `undefined`: it might). */
  never: string | undefined;
  /** Why it did not fit, valid while the nodes it may use have not changed since. */
  short?: { version: number; reason: string };
  /** No preemption could make room (see `tryPreempt`). */
  noVictims: boolean;
  /** The running jobs that could make room for it, in preemption order. */
  ordered?: readonly Holder[];
}

/** The first job of a queue that waits, and why the jobs behind it wait (one string for them all). */
class Head {
  readonly fifo: string;
  readonly byPriority: string;

  constructor(readonly job: JobRequest) {
    this.fifo = `behind job ${job.id} (strict FIFO)`;
    this.byPriority = `behind job ${job.id} of priority ${job.priority} (backfill only within a priority)`;
  }
}

class SchedulingPass {
  private readonly capacity: Capacity;
  private readonly pools = new Map<string, QueuePool>();
  /** Running jobs by queue: the preemption candidates. */
  private readonly running = new Map<string, Holder[]>();
  private readonly victims = new Set<string>();
  private readonly scratch = new PreemptionScratch();
  /** Queue + accelerator types → the running jobs that could make room, in preemption order. */
  private readonly ordered = new Map<string, readonly Holder[]>();
  /** The first job of each queue that waits: what policies 0 and 1 block behind. */
  private readonly heads = new Map<string, Head>();
  /** Queue + the raw request → its shape, without building a key per job. */
  private readonly requests = new ShapeIndex<Shape>();
  /** Queue + the request in the scheduler's units → its shape. */
  private readonly shapes = new Map<string, Shape>();

  constructor(private readonly state: SchedulerState) {
    this.capacity = new Capacity(state.nodes);
    // Running jobs first: the pools then file each node once, where it stands.
    for (const job of state.running) {
      const holder = this.toHolder(job);
      for (const allocation of holder.allocations) this.capacity.occupy(allocation);
      if (job.preemptible === false) continue;
      const list = this.running.get(job.queue) ?? [];
      list.push(holder);
      this.running.set(job.queue, list);
    }
    for (const queue of state.queues) {
      if (!this.pools.has(queue.name)) this.pools.set(queue.name, new QueuePool(queue, this.capacity));
    }
  }

  run(): ScheduleResult {
    const start: Placement[] = [];
    const preempt: Preemption[] = [];
    const waiting: WaitingJob[] = [];
    /** Waiting jobs so far, by queue. */
    const positions = new Map<string, number>();
    // Each job's shape first, reading the jobs in the order they sit in memory; then the jobs in
    // scheduling order.
    const order = this.state.pending.map((job) => ({ job, shape: this.shapeFor(job) }));
    order.sort((a, b) => compareJobs(a.job, b.job));
    for (const { job, shape } of order) {
      const outcome = this.consider(job, shape);
      if (outcome.kind === 'start') {
        start.push(outcome.placement);
        continue;
      }
      const position = (positions.get(job.queue) ?? 0) + 1;
      positions.set(job.queue, position);
      waiting.push({ jobId: job.id, position, reason: outcome.reason });
      if (outcome.blocks && !this.heads.has(job.queue)) this.heads.set(job.queue, new Head(job));
      for (const victim of outcome.preempts ?? []) preempt.push({ jobId: victim.id, by: job.id });
    }
    return { start, preempt, waiting };
  }

  /** The shape of the job's request (`undefined` if its queue does not exist). */
  private shapeFor(job: JobRequest): Shape | undefined {
    const pool = this.pools.get(job.queue);
    if (!pool) return undefined;
    let shape = this.requests.get(job.queue, job.instances);
    if (!shape) {
      shape = this.shapeOf(pool, job.instances);
      this.requests.set(job.queue, job.instances, shape);
    }
    return shape;
  }

  private consider(job: JobRequest, shape: Shape | undefined): Outcome {
    if (!shape) return { kind: 'wait', reason: `queue ${job.queue} does not exist`, blocks: false };
    if (!shape.valid) return { kind: 'wait', reason: shape.reason, blocks: false };
    const { pool } = shape;
    if (shape.never !== undefined) return { kind: 'wait', reason: shape.never, blocks: false };

    const head = this.heads.get(job.queue);
    if (head && pool.queue.policy === 0) return { kind: 'wait', reason: head.fifo, blocks: true };
    if (head && pool.queue.policy === 1 && head.job.priority < job.priority) {
      return { kind: 'wait', reason: head.byPriority, blocks: true };
    }

    const placed = this.tryPlace(job, shape);
    if (typeof placed !== 'string') return { kind: 'start', placement: placed };
    const reason = placed;
    const victims = pool.queue.preemption ? this.tryPreempt(job, shape) : undefined;
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

  /** Jobs asking for the same thing in the scheduler's units share one shape. */
  private shapeOf(pool: QueuePool, instances: readonly InstanceRequest[]): Shape {
    const parsed = toNeeds(instances);
    if (!parsed.ok) return { valid: false, reason: parsed.reason };
    const key = `${pool.name}\n${parsed.key}`;
    let shape = this.shapes.get(key);
    if (!shape) {
      const { needs } = parsed;
      shape = { valid: true, pool, needs, never: neverFits(pool, needs), noVictims: false };
      this.shapes.set(key, shape);
    }
    return shape;
  }

  /** The placement (resources taken), or why the job does not fit now. */
  private tryPlace(job: JobRequest, shape: ValidShape): Placement | string {
    const version = shape.pool.version(shape.needs);
    const known = shape.short;
    if (known && known.version === version) return known.reason;
    const result = shape.pool.placeGang(shape.needs);
    if (!result.ok) {
      shape.short = { version, reason: result.reason };
      return result.reason;
    }
    return {
      jobId: job.id,
      queue: job.queue,
      instances: result.allocations.map((allocation, index) => toPlaced(job, index, allocation)),
    };
  }

  private tryPreempt(job: JobRequest, shape: ValidShape): Holder[] | undefined {
    // Capacity only shrinks during a pass and later jobs have fewer candidates (same or lower
    // priority, victims taken), so a shape that found no victims never will in this pass.
    if (shape.noVictims) return undefined;
    shape.ordered ??= this.preemptionOrder(shape.pool, shape.needs);
    const candidates = new LowerPriority(shape.ordered, job.priority, this.victims);
    const plan = planPreemption(this.capacity, shape.pool, shape.needs, candidates, this.scratch);
    if (!plan) {
      shape.noVictims = true;
      return undefined;
    }
    for (const victim of plan.victims) this.victims.add(victim.id);
    return plan.victims;
  }

  /**
   * The queue's running jobs that hold something on the nodes `needs` could use (only those can
   * make room for them), in `preemptionOrder`. Both depend only on the accelerator types asked for.
   */
  private preemptionOrder(pool: QueuePool, needs: readonly InstanceNeed[]): readonly Holder[] {
    const types = [...new Set(needs.map((need) => need.type))].sort().join(',');
    const key = `${pool.name}\n${types}`;
    let ordered = this.ordered.get(key);
    if (!ordered) {
      const relevant = pool.relevantNodes(needs);
      const holders = (this.running.get(pool.name) ?? []).filter((holder) =>
        holder.allocations.some((allocation) => relevant.has(allocation.node)),
      );
      ordered = preemptionOrder(holders, needs);
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

/**
 * The running jobs of strictly lower priority than a waiting job that are not taken yet, from a
 * list in preemption order, one at a time: `planPreemption` seldom needs more than a few.
 */
class LowerPriority implements Iterable<Holder>, Iterator<Holder, undefined> {
  private position = 0;

  constructor(
    private readonly ordered: readonly Holder[],
    private readonly priority: number,
    private readonly taken: ReadonlySet<string>,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<Holder, undefined> {
    while (this.position < this.ordered.length) {
      const holder = this.ordered[this.position++] as Holder;
      if (holder.priority > this.priority && !this.taken.has(holder.id)) return { done: false, value: holder };
    }
    return { done: true, value: undefined };
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
