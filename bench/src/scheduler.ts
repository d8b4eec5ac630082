/**
 * Scheduler benchmark (`npm run bench:scheduler`): one scheduling pass of the local engine with
 * 10,000 queued jobs over 1,000 virtual nodes (nvidia, ascend and CPU-only; four queues with each
 * policy, some allowing preemption; priorities 0-9; gangs and fractional GPUs; 1,500 jobs already
 * running), generated from a fixed seed.
 *   (a) `schedule(state)`, median of PASSES runs
 *   (b) reference: `Array.prototype.sort` of the 10,000 jobs plus one linear first-fit scan that
 *       only counts free CPUs, memory and devices (no gangs, queues, device indices or reasons)
 * Target: (a) median < 50 ms. The ratio (a) / (b) is printed for information. The run also fails if
 * the first pass no longer starts gangs and fractional jobs and preempts (see `scenario`).
 */
import os from 'node:os';
// The scheduler comes from the backend's build output (its `./engines/*` export).
import {
  schedule,
  type JobRequest,
  type RunningJob,
  type ScheduleResult,
  type SchedulerNode,
  type SchedulerQueue,
  type SchedulerState,
} from '@aiplat/backend/engines/local/scheduler/index.js';
import { seededRandom } from '@aiplat/backend/engines/local/scheduler/seededRandom.js';
import { median } from './stats.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const PASSES = 15;
const WARMUP_PASSES = 3;
const TARGET_MS = 50;
const SEED = 20240611;
const GIB = 1024 ** 3;

function pick<T>(next: () => number, choices: readonly T[]): T {
  return choices[Math.floor(next() * choices.length)] as T;
}

function buildState(): SchedulerState {
  const next = seededRandom(SEED);
  const nodes: SchedulerNode[] = [];
  const add = (prefix: string, count: number, make: (name: string) => SchedulerNode): string[] =>
    Array.from({ length: count }, (_, i) => {
      const node = make(`${prefix}-${String(i).padStart(3, '0')}`);
      nodes.push(node);
      return node.name;
    });
  const nvidia = add('gpu', 600, (name) => ({
    name,
    cpu: 96,
    memoryBytes: 768 * GIB,
    accelerator: { type: 'nvidia', count: 8 },
  }));
  const ascend = add('npu', 100, (name) => ({
    name,
    cpu: 192,
    memoryBytes: 1024 * GIB,
    accelerator: { type: 'ascend', count: 8 },
  }));
  const cpu = add('cpu', 300, (name) => ({
    name,
    cpu: 64,
    memoryBytes: 256 * GIB,
    accelerator: { type: 'none', count: 0 },
  }));
  const queues: SchedulerQueue[] = [
    { name: 'train-fifo', policy: 0, nodes: [...nvidia.slice(0, 200), ...cpu.slice(0, 50)], preemption: true },
    { name: 'train', policy: 1, nodes: [...nvidia.slice(200, 500), ...ascend], preemption: true },
    { name: 'dev', policy: 2, nodes: [...nvidia.slice(450, 600), ...cpu.slice(50)], preemption: false },
    { name: 'npu', policy: 2, nodes: [...ascend.slice(50), ...cpu.slice(250)], preemption: true },
  ];

  const request = (id: string, submittedAt: number): JobRequest => {
    const queue = pick(next, queues);
    const hasNpu = queue.name === 'train' || queue.name === 'npu';
    const kind = next();
    const type = kind < 0.3 ? 'none' : hasNpu && kind < 0.5 ? 'ascend' : queue.name === 'npu' ? 'none' : 'nvidia';
    const count = type === 'none' ? 0 : pick(next, [0.25, 0.5, 1, 1, 2, 4, 8, 8]);
    const instances = count >= 8 && next() < 0.5 ? pick(next, [2, 2, 4]) : 1;
    return {
      id,
      queue: queue.name,
      priority: Math.floor(next() * 10),
      submittedAt,
      instances: Array.from({ length: instances }, () => ({
        cpu: type === 'none' ? pick(next, [1, 2, 4, 8, 16]) : count * 8 || 2,
        memoryBytes: pick(next, [4, 8, 16, 32, 64]) * GIB,
        accelerator: { type, count },
      })),
    };
  };

  // Already running: the first 1,500 generated jobs, placed by a pass of their own.
  const seeded = Array.from({ length: 1_500 }, (_, i) => ({ ...request(`run-${i}`, i), priority: 5 + (i % 5) }));
  const seededPass = schedule({ nodes, queues, running: [], pending: seeded });
  const byId = new Map(seeded.map((job) => [job.id, job]));
  const running: RunningJob[] = seededPass.start.map((placement) => {
    const job = byId.get(placement.jobId) as JobRequest;
    return { ...job, instances: placement.instances };
  });
  const pending = Array.from({ length: JOBS }, (_, i) => request(`job-${i}`, 10_000 + Math.floor(next() * JOBS)));
  return { nodes, queues, running, pending };
}

/** The reference: sort, then first fit on free counts, node by node, instance by instance. */
function naivePass(state: SchedulerState): number {
  const free = state.nodes.map((node) => ({
    type: node.accelerator.type,
    cpu: node.cpu,
    memory: node.memoryBytes,
    devices: node.accelerator.count,
  }));
  const index = new Map(state.nodes.map((node, i) => [node.name, i]));
  for (const job of state.running) {
    for (const instance of job.instances) {
      const node = free[index.get(instance.node) as number];
      if (!node) continue;
      node.cpu -= instance.cpu;
      node.memory -= instance.memoryBytes;
      node.devices -= instance.devices.length * instance.deviceShare;
    }
  }
  const order = [...state.pending].sort(
    (a, b) => a.priority - b.priority || a.submittedAt - b.submittedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  let placed = 0;
  for (const job of order) {
    for (const instance of job.instances) {
      const { type, count } = instance.accelerator;
      for (const node of free) {
        if (node.cpu < instance.cpu || node.memory < instance.memoryBytes) continue;
        if (type !== 'none' && (node.type !== type || node.devices < count)) continue;
        node.cpu -= instance.cpu;
        node.memory -= instance.memoryBytes;
        node.devices -= count;
        placed++;
        break;
      }
    }
  }
  return placed;
}

/**
 * What the scenario exercises, so that a change to the generator cannot quietly make the pass easy:
 * queued jobs by kind, and what the first pass did with them.
 */
function scenario(state: SchedulerState, result: ScheduleResult): { summary: string; missing: string[] } {
  const queues = new Map(state.queues.map((queue) => [queue.name, queue]));
  /** Per queue, the lowest priority (the highest number) among its running jobs. */
  const lowestRunning = new Map<string, number>();
  for (const job of state.running) {
    lowestRunning.set(job.queue, Math.max(lowestRunning.get(job.queue) ?? -Infinity, job.priority));
  }
  const fractional = (job: JobRequest): boolean =>
    job.instances.some(({ accelerator: { count } }) => count > 0 && count < 1);
  const gangs = state.pending.filter((job) => job.instances.length > 1).length;
  const shares = state.pending.filter(fractional).length;
  const canPreempt = state.pending.filter(
    (job) => queues.get(job.queue)?.preemption === true && (lowestRunning.get(job.queue) ?? -Infinity) > job.priority,
  ).length;
  const byId = new Map(state.pending.map((job) => [job.id, job]));
  const started = result.start.map((placement) => byId.get(placement.jobId) as JobRequest);
  const policies = [...new Set(state.queues.map((queue) => queue.policy))].sort().join('/');
  const counts = {
    'queue policies 0, 1 and 2': policies === '0/1/2' ? 1 : 0,
    'gangs started': started.filter((job) => job.instances.length > 1).length,
    'fractional jobs started': started.filter(fractional).length,
    preemptions: result.preempt.length,
  };
  const fmt = (n: number): string => n.toLocaleString('en');
  const summary =
    `queued: ${fmt(gangs)} gangs, ${fmt(shares)} with a share of a device, ${fmt(canPreempt)} could preempt ` +
    `(their queue allows it and runs lower-priority jobs); queue policies ${policies}`;
  return { summary, missing: Object.entries(counts).flatMap(([what, n]) => (n > 0 ? [] : [what])) };
}

function runs(n: number, fn: () => unknown): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    fn();
    out.push(performance.now() - start);
  }
  return out;
}

function main(): void {
  const state = buildState();
  const first = schedule(state);
  for (let i = 1; i < WARMUP_PASSES; i++) schedule(state);
  const passes = runs(PASSES, () => schedule(state));
  for (let i = 0; i < WARMUP_PASSES; i++) naivePass(state);
  const naive = runs(PASSES, () => naivePass(state));

  const gpus = state.nodes.reduce((sum, node) => sum + node.accelerator.count, 0);
  console.log(
    `${state.pending.length.toLocaleString('en')} queued jobs, ${state.running.length.toLocaleString('en')} running, ` +
      `${state.nodes.length.toLocaleString('en')} nodes (${gpus.toLocaleString('en')} accelerators), ${state.queues.length} queues; ` +
      `node ${process.version}, ${os.cpus().length} CPUs, ${os.platform()}`,
  );
  const { summary, missing } = scenario(state, first);
  console.log(summary);
  console.log(
    `one pass: ${first.start.length} start, ${first.preempt.length} preempted, ${first.waiting.length} waiting`,
  );
  console.log(
    `${'measure'.padEnd(46)} ${'runs'.padStart(4)} ${'median'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}`,
  );
  const rows: [string, number[]][] = [
    ['(a) schedule(): one full pass', passes],
    ['(b) naive: Array sort + linear first fit', naive],
  ];
  for (const [label, xs] of rows) {
    const fmt = (v: number) => `${v.toFixed(1)} ms`.padStart(9);
    console.log(
      `${label.padEnd(46)} ${String(xs.length).padStart(4)} ${fmt(median(xs))} ${fmt(Math.min(...xs))} ${fmt(Math.max(...xs))}`,
    );
  }
  const ok = median(passes) < TARGET_MS;
  console.log('');
  if (missing.length > 0) console.log(`FAIL: the scenario no longer exercises ${missing.join(', ')}`);
  console.log(`schedule / naive = ${(median(passes) / median(naive)).toFixed(2)}`);
  console.log(`pass median ${median(passes).toFixed(1)} ms (target < ${TARGET_MS} ms): ${ok ? 'PASS' : 'FAIL'}`);
  if (!ok || missing.length > 0) process.exitCode = 1;
}

main();
